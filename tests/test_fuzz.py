"""Opt-in fuzz run: real plans damaged in many ways, through the CLI, then `validate` on every output.

    ECOPLAN_FUZZ=1 .venv/bin/pytest tests/test_fuzz.py -s      # 1,200 mutants (ECOPLAN_FUZZ=N for N)

Mutations: truncation (also inside a character), byte flips, line shuffles,
losses and repeats, other encodings and line ends, inserted odd characters
(zero-width and bidi marks, page and line separators, emoji, private use,
controls, huge numbers). Every input must give a valid output or a one-line
error: no traceback, no internal error, no partial or temporary file, no
output that `validate` rejects. The figures are printed (run with -s).
"""

from __future__ import annotations

import codecs
import json
import os
import random
import subprocess
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FUZZ = os.environ.get("ECOPLAN_FUZZ", "")

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not FUZZ, reason="opt-in: ECOPLAN_FUZZ=1 (or a count) runs it")]

ODD_INSERTS = ["\u200b", "\ufeff", "\u202e", "\u202c", "\x0c", "\x0b", "\u2028", "\u2029", "\x85", "\x1c",
               "\U0001fae8", "😀", "\ue000", "\U000f0001", "\x01", "\x7f", "\r", "\t", "\u3000", "\xa0",
               "9" * 320 + "%", "达到" + "9" * 400, "1e999", "－", "（", "）", "、", "一、", "——", "\ufffd", "\x00"]


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def _flip(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 40)):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _lines(data: bytes, rng: random.Random) -> bytes:
    lines = data.decode("utf-8", errors="replace").split("\n")
    how = rng.choice(["shuffle", "drop", "repeat", "reverse"])
    if how == "shuffle":
        rng.shuffle(lines)
    elif how == "drop":
        lines = [line for line in lines if rng.random() > 0.3]
    elif how == "repeat":
        lines = [line for line in lines for _ in range(rng.choice([1, 1, 2, 3]))]
    else:
        lines.reverse()
    return "\n".join(lines).encode("utf-8")


def _encode(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", errors="replace")
    text = text.replace("\n", rng.choice(["\n", "\r\n", "\r", "\u2028", "\x0c\n"]))
    encoding = rng.choice(["gb18030", "gbk", "utf-16", "utf-8-sig", "utf-16-be-bom", "utf-8"])
    if encoding == "utf-16-be-bom":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    return text.encode(encoding, errors="replace")


def _insert(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", errors="replace")
    for _ in range(rng.randint(1, 60)):
        at = rng.randrange(len(text) + 1)
        text = text[:at] + rng.choice(ODD_INSERTS) + text[at:]
    return text.encode("utf-8")


MUTATIONS = {"truncate": _truncate, "flip": _flip, "lines": _lines, "encode": _encode, "insert": _insert}


def test_fuzzed_plans_through_the_cli(ecoplan_cmd: list[str], tmp_path: Path, seed_paths: list[Path]) -> None:
    count = int(FUZZ) if FUZZ.isdigit() and int(FUZZ) > 1 else 1200
    rng = random.Random(14)
    sources = [p.read_bytes() for p in seed_paths]
    inputs = tmp_path / "in"
    inputs.mkdir()
    kinds: dict[str, str] = {}
    for n in range(count):
        data = rng.choice(sources)
        names = rng.sample(sorted(MUTATIONS), rng.choice([1, 1, 2]))
        # Text-level mutations first, then those on bytes, re-encoding last.
        for name in sorted(names, key=lambda k: (k in ("flip", "truncate", "encode"), k == "encode")):
            data = MUTATIONS[name](data, rng)
        path = inputs / f"{n:05d}.txt"
        path.write_bytes(data)
        kinds[path.name] = "+".join(sorted(names))

    figures: Counter[str] = Counter()
    for fmt in ("json", "yaml"):
        out = tmp_path / f"out-{fmt}"
        report_path = tmp_path / f"report-{fmt}.json"
        proc = subprocess.run([*ecoplan_cmd, "parse", str(inputs), "-o", str(out), "--format", fmt, "--jobs", "2",
                               "--report", str(report_path)], capture_output=True, text=True, cwd=ROOT,
                              timeout=3600)
        figures[f"{fmt}: tracebacks"] += proc.stderr.count("Traceback")
        figures[f"{fmt}: internal errors"] += proc.stderr.count("internal error")
        assert proc.returncode in (0, 1), proc.stderr[-2000:]
        report = json.loads(report_path.read_text(encoding="utf-8"))
        assert report["complete"] and len(report["inputs"]) == count
        for entry in report["inputs"]:
            figures[f"{fmt}: {entry['status']}"] += 1
            if entry["status"] == "failed":
                assert "\n" not in entry["error"], entry["error"]
        written = sorted(out.iterdir())
        figures[f"{fmt}: partial or temporary files"] += sum(1 for p in written if not p.name.endswith(f".{fmt}"))
        assert len(written) == report["parsed"]
        checked = subprocess.run([*ecoplan_cmd, "validate", "--format", "json", *map(str, written)],
                                 capture_output=True, text=True, cwd=ROOT, timeout=3600)
        assert "Traceback" not in checked.stderr, checked.stderr[-2000:]
        results = json.loads(checked.stdout)
        invalid = [r for r in results if not r["valid"]]
        unchecked = [r for r in results if not r["source"]]
        figures[f"{fmt}: outputs failing validate"] += len(invalid)
        figures[f"{fmt}: outputs validated against their source"] += len(results) - len(unchecked)
        assert not invalid, json.dumps(invalid[:3], ensure_ascii=False)[:3000]
    failed_by_kind = Counter(kinds[Path(e["input"]).name] for e in report["inputs"] if e["status"] == "failed")
    print(f"\nfuzz: {count} mutants of {len(sources)} plans; " + "; ".join(f"{k} {v}" for k, v in
                                                                        sorted(figures.items())))
    print("failed (one-line errors) by mutation: " + ", ".join(f"{k} {v}" for k, v in sorted(failed_by_kind.items())))
    for key, value in figures.items():
        if key.endswith(("tracebacks", "internal errors", "partial or temporary files", "failing validate")):
            assert value == 0, (key, value)
