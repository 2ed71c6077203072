"""Batches as users of large corpora run them: folder trees, resuming, shards, a run report.

Through the real command in a real process, as a shell script or an array job would run it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def run(cmd: list[str], *args: str | Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([*cmd, *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture
def corpus(tmp_path: Path, sample_plan: str) -> Path:
    """A folder tree of plans: two levels deep, one web page among the text files, one non-plan file."""
    import published

    root = tmp_path / "corpus"
    for rel, year in (("top.txt", 2020), ("a/one.txt", 2021), ("a/b/two.txt", 2022), ("c/three.txt", 2023)):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sample_plan.replace("2024", str(year)), encoding="utf-8")
    (root / "c" / "page.html").write_bytes(published.html_bytes(sample_plan))
    (root / "a" / "notes.md").write_text("not a plan", encoding="utf-8")
    return root


def files_below(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_recursive_mirrors_the_tree(ecoplan_cmd: list[str], corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run(ecoplan_cmd, "parse", corpus, "-o", out, "--recursive", "--format", "json", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    assert files_below(out) == ["a/b/two.json", "a/one.json", "c/page.json", "c/three.json", "top.json"]
    assert proc.stderr.splitlines()[-1] == "ecoplan: 5 parsed, 0 failed"
    page = json.loads((out / "c" / "page.json").read_text(encoding="utf-8"))
    assert page["source"]["path"] == str(corpus / "c" / "page.html") and page["sections"]
    assert run(ecoplan_cmd, "parse", corpus, "-o", tmp_path / "flat", "--format", "json").returncode == 0
    assert files_below(tmp_path / "flat") == ["top.json"]  # without --recursive, the folder itself only


def test_skip_existing_resumes(ecoplan_cmd: list[str], corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    (out / "a" / "one.yaml").write_text("kept: true\n", encoding="utf-8")  # done by an earlier, interrupted run
    proc = run(ecoplan_cmd, "parse", corpus, "-o", out, "-r", "--skip-existing", "--report", tmp_path / "run.json")
    assert proc.returncode == 0, proc.stderr
    assert (out / "a" / "one.yaml").read_text(encoding="utf-8") == "kept: true\n"
    assert proc.stderr.splitlines()[-1] == "ecoplan: 4 parsed, 0 failed, 1 skipped"
    report = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    skipped = [e for e in report["inputs"] if e["status"] == "skipped"]
    assert [e["input"] for e in skipped] == [str(corpus / "a" / "one.txt")]
    again = run(ecoplan_cmd, "parse", corpus, "-o", out, "-r", "--skip-existing")
    assert again.stderr.splitlines()[-1] == "ecoplan: 0 parsed, 0 failed, 5 skipped"


def test_shards_split_the_corpus_exactly_once(ecoplan_cmd: list[str], corpus: Path, tmp_path: Path) -> None:
    seen: list[str] = []
    for i in (1, 2, 3):
        out = tmp_path / f"shard{i}"
        proc = run(ecoplan_cmd, "parse", corpus, "-o", out, "-r", "--shard", f"{i}/3", "--jobs", "1")
        assert proc.returncode == 0, proc.stderr
        shard = files_below(out) if out.exists() else []
        again = run(ecoplan_cmd, "parse", corpus, "-o", tmp_path / f"again{i}", "-r", "--shard", f"{i}/3")
        assert (files_below(tmp_path / f"again{i}") if (tmp_path / f"again{i}").exists() else []) == shard
        seen += shard
        assert again.returncode == 0
    assert sorted(seen) == ["a/b/two.yaml", "a/one.yaml", "c/page.yaml", "c/three.yaml", "top.yaml"]
    for bad in ("0/3", "4/3", "x", "1/0"):
        proc = run(ecoplan_cmd, "parse", corpus, "-o", tmp_path / "bad", "-r", "--shard", bad)
        assert proc.returncode == 2
        assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("ecoplan: ")


def test_report_records_every_input(ecoplan_cmd: list[str], corpus: Path, tmp_path: Path) -> None:
    (corpus / "a" / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    os.mkfifo(corpus / "c" / "pipe.txt")
    report_path = tmp_path / "report.json"
    proc = run(ecoplan_cmd, "parse", corpus, "-o", tmp_path / "out", "-r", "--report", report_path)
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[-1] == "ecoplan: 5 parsed, 1 failed, 1 skipped"
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["complete"] is True
    assert (report["parsed"], report["failed"], report["skipped"]) == (5, 1, 1)
    by_input = {Path(e["input"]).relative_to(corpus).as_posix(): e for e in report["inputs"]}
    assert sorted(by_input) == ["a/b/two.txt", "a/broken.txt", "a/one.txt", "c/page.html", "c/pipe.txt",
                                "c/three.txt", "top.txt"]
    assert by_input["a/broken.txt"]["status"] == "failed" and "not text" in by_input["a/broken.txt"]["error"]
    assert by_input["c/pipe.txt"]["status"] == "skipped" and "FIFO" in by_input["c/pipe.txt"]["error"]
    parsed = by_input["a/one.txt"]
    assert parsed["status"] == "parsed" and parsed["error"] is None and parsed["seconds"] >= 0
    assert Path(parsed["output"]) == tmp_path / "out" / "a" / "one.yaml"
