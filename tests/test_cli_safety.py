"""Nothing lost, whatever happens: the real command in a real process, against what destroys data or hangs.

Outputs that would overwrite an input, odd output targets (devices, FIFOs,
symlinks, folders), signals during a parallel batch, closed or full stdout,
odd numbers and characters in the input, FIFOs and links in input folders,
and hostile files given to `validate`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import threading
import time
from pathlib import Path

import pytest
import yaml

from ecoplan.provenance import line_at, line_starts, span_holds
from ecoplan.validate import iter_located

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def run(cmd: list[str], *args: str | Path, input: bytes | None = None, env: dict[str, str] | None = None,
        stdout: int | None = subprocess.PIPE) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run([*cmd, *map(str, args)], input=input, stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT,
                          env={**os.environ, **(env or {})}, timeout=120)
    assert b"Traceback" not in proc.stderr, proc.stderr.decode()
    return proc


def one_line(proc: subprocess.CompletedProcess[bytes]) -> str:
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("ecoplan: "), lines[0]
    return lines[0]


def load_output(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# --- 1. an output path that is an input ----------------------------------------------------------


@pytest.mark.parametrize("how", ["same", "symlink", "hardlink"])
def test_output_that_is_the_input_is_refused(ecoplan_cmd: list[str], plan_file: Path, how: str) -> None:
    before = plan_file.read_bytes()
    output = plan_file
    if how == "symlink":
        output = plan_file.with_name("link.txt")
        output.symlink_to(plan_file)
    elif how == "hardlink":
        output = plan_file.with_name("hard.txt")
        os.link(plan_file, output)
    proc = run(ecoplan_cmd, "parse", plan_file, "-o", output)
    assert proc.returncode == 2
    assert "is the input" in one_line(proc)
    assert plan_file.read_bytes() == before


def test_report_that_is_an_input_is_refused(ecoplan_cmd: list[str], plan_file: Path, tmp_path: Path) -> None:
    before = plan_file.read_bytes()
    proc = run(ecoplan_cmd, "parse", plan_file, "-o", tmp_path / "out", "--report", plan_file)
    assert proc.returncode == 2
    assert plan_file.read_bytes() == before


# --- 2. what -o points at -------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="making a device node needs root")
def test_output_into_a_character_device_keeps_the_device(ecoplan_cmd: list[str], plan_file: Path,
                                                         tmp_path: Path) -> None:
    """As root, `-o /dev/null` once turned the device into a regular file; tried on a private null device."""
    null = tmp_path / "null"
    device = os.stat(os.devnull).st_rdev
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(os.major(device), os.minor(device)))
    proc = run(ecoplan_cmd, "parse", plan_file, "-o", null)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null", "plan.txt"]


def test_output_into_a_fifo_is_written_through(ecoplan_cmd: list[str], plan_file: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    proc = run(ecoplan_cmd, "parse", plan_file, "-o", fifo)
    reader.join(timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert yaml.safe_load(received[0].decode("utf-8"))["sections"]


def test_output_through_a_symlink_writes_its_target(ecoplan_cmd: list[str], plan_file: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    dangling = tmp_path / "dangling.yaml"
    dangling.symlink_to(tmp_path / "later.yaml")
    assert run(ecoplan_cmd, "parse", plan_file, "-o", link).returncode == 0
    assert run(ecoplan_cmd, "parse", plan_file, "-o", dangling).returncode == 0
    assert link.is_symlink() and dangling.is_symlink()
    assert load_output(real)["sections"] and load_output(tmp_path / "later.yaml")["sections"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


def test_output_onto_a_socket_is_refused(ecoplan_cmd: list[str], plan_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        proc = run(ecoplan_cmd, "parse", plan_file, "-o", path)
        assert proc.returncode == 2
        assert "cannot write there" in one_line(proc)
        assert stat.S_ISSOCK(os.lstat(path).st_mode)


def test_trailing_slash_is_a_folder_and_missing_parents_are_made(ecoplan_cmd: list[str], plan_file: Path,
                                                                 tmp_path: Path) -> None:
    assert run(ecoplan_cmd, "parse", plan_file, "-o", f"{tmp_path / 'newdir'}/").returncode == 0
    assert load_output(tmp_path / "newdir" / "plan.yaml")["sections"]
    deep = tmp_path / "a" / "b" / "c.yaml"
    assert run(ecoplan_cmd, "parse", plan_file, "-o", deep).returncode == 0
    assert load_output(deep)["sections"]


# --- 3. SIGTERM and SIGHUP during a parallel batch -----------------------------------------------


def _big_batch(tmp_path: Path, seed_paths: list[Path], copies: int) -> Path:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(copies):
        for seed in seed_paths:
            shutil.copy(seed, inputs / f"{i:03d}-{seed.name}")
    return inputs


def _group_gone(pgid: int) -> bool:
    """Whether no process of the group is left (workers reaped, none orphaned); waits a little."""
    for _ in range(100):
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    os.killpg(pgid, signal.SIGKILL)
    return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_signal_stops_workers_and_leaves_no_temp_file(ecoplan_cmd: list[str], tmp_path: Path,
                                                      seed_paths: list[Path], signum: int) -> None:
    # Many files, so that the batch is still running when the signal comes however fast parsing gets
    # and however busy the machine is (the test waits only for the first outputs).
    inputs = _big_batch(tmp_path, seed_paths, copies=200)
    for trial in range(3):
        out = tmp_path / f"out{trial}"
        proc = subprocess.Popen([*ecoplan_cmd, "parse", str(inputs), "-o", str(out), "--jobs", "2", "--format",
                                 "json"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
        while proc.poll() is None and (not out.exists() or len(os.listdir(out)) < 3 + 7 * trial):
            time.sleep(0.01)
        if proc.poll() is not None:
            pytest.fail(f"the batch ended before the signal: {proc.communicate()[1].decode()[-500:]}")
        os.kill(proc.pid, signum)  # the parent alone, as a service manager or `kill` does
        _, stderr = proc.communicate(timeout=60)  # returns only once no worker holds the pipes
        assert b"Traceback" not in stderr, stderr.decode()
        assert proc.returncode == 128 + signum, stderr.decode()
        assert _group_gone(proc.pid), "worker processes outlived the parent"
        assert [p.name for p in out.iterdir() if not p.name.endswith(".json")] == []
        for path in out.iterdir():
            json.loads(path.read_text(encoding="utf-8"))


# --- 4. closed and full stdout -------------------------------------------------------------------


def test_closed_pipe_ends_quietly(ecoplan_cmd: list[str]) -> None:
    proc = subprocess.Popen([*ecoplan_cmd, "parse", "data/raw", "--format", "jsonl", "--jobs", "1"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.read(10)
    proc.stdout.close()
    _, stderr = proc.communicate(timeout=120)
    assert stderr == b""
    assert proc.returncode in (0, 141)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_full_stdout_is_one_line(ecoplan_cmd: list[str], plan_file: Path) -> None:
    with open("/dev/full", "wb") as full:
        proc = run(ecoplan_cmd, "parse", plan_file, stdout=full.fileno())
    assert proc.returncode == 1
    assert one_line(proc) == "ecoplan: <stdout>: cannot write (No space left on device)"


# --- 5. numbers too large for a float ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_huge_number_is_text_not_infinity(ecoplan_cmd: list[str], tmp_path: Path, sample_plan: str,
                                          fmt: str) -> None:
    plan = tmp_path / "huge.txt"
    plan.write_text(sample_plan + "空气质量优良天数比率达到" + "9" * 309 + "%以上。\n", encoding="utf-8")
    out = tmp_path / f"huge.{fmt}"
    proc = run(ecoplan_cmd, "parse", plan, "--format", fmt, "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert "inf" not in out.read_text(encoding="utf-8").lower()
    assert run(ecoplan_cmd, "validate", out).returncode == 0


# --- 6. binary or text ----------------------------------------------------------------------------


def test_utf8_with_new_emoji_and_private_use_is_text(ecoplan_cmd: list[str], tmp_path: Path,
                                                     sample_plan: str) -> None:
    plan = tmp_path / "symbols.txt"
    plan.write_text(sample_plan.replace("总体要求", "总体要求\U0001fae8\ue000\ue001\ue002\ue003\ue004"),
                    encoding="utf-8")
    proc = run(ecoplan_cmd, "parse", plan, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["source"]["encoding"] == "utf-8"


@pytest.mark.parametrize("data", [b"ab\xa3\xa1", b"\xa1\xa1\xa1\xa2", b"\x81\x30\x81\x30"])
def test_tiny_gb18030_without_chinese_is_undecodable(ecoplan_cmd: list[str], tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "tiny.txt"
    path.write_bytes(data)
    proc = run(ecoplan_cmd, "parse", path)
    assert proc.returncode == 1
    assert "not text in a supported encoding" in one_line(proc)


def test_utf8_cut_inside_its_last_character_is_text(ecoplan_cmd: list[str], tmp_path: Path,
                                                    sample_plan: str) -> None:
    """A download cut short is still the plan it was: the broken last character is left out."""
    path = tmp_path / "cut.txt"
    path.write_bytes(sample_plan.rstrip("\n").encode("utf-8")[:-1])
    out = tmp_path / "cut.json"
    proc = run(ecoplan_cmd, "parse", path, "--format", "json", "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["source"]["encoding"] == "utf-8"
    assert run(ecoplan_cmd, "validate", out).returncode == 0


# --- 7. line numbers as grep -n counts them ------------------------------------------------------


def test_lines_count_like_grep_and_validate_checks_them(ecoplan_cmd: list[str], tmp_path: Path,
                                                        sample_plan: str) -> None:
    odd_breaks = ["\f", "\v", "\x1c", "\x85", "\u2028"]
    lines = sample_plan.splitlines()
    text = "".join((odd_breaks[i % len(odd_breaks)] + line if i % 2 else line) + "\n" for i, line in enumerate(lines))
    text = text.replace("\n", "\r\n", 3)
    plan = tmp_path / "breaks.txt"
    plan.write_text(text, encoding="utf-8", newline="")
    out = tmp_path / "breaks.json"
    assert run(ecoplan_cmd, "parse", plan, "--format", "json", "-o", out).returncode == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    grep = subprocess.run(["grep", "-n", "", plan], capture_output=True, check=True).stdout.split(b"\n")[:-1]
    starts = line_starts(text)
    assert len(starts) - 1 == len(grep) == len(lines)  # the text ends with a line end
    assert data["sections"]
    for section in data["sections"]:
        line = line_at(starts, section["span"][0])
        assert section["line"] == line
        assert grep[line - 1].decode().startswith(f"{line}:")
        assert section["title"][:2] in grep[line - 1].decode(), (section, grep[line - 1].decode())
    assert run(ecoplan_cmd, "validate", out).returncode == 0
    data["sections"][-1]["line"] += 1
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    proc = run(ecoplan_cmd, "validate", out)
    assert proc.returncode == 1
    assert b".line: line " in proc.stdout


# --- 8. FIFOs and links where files were expected ------------------------------------------------


def test_named_fifo_without_writer_does_not_hang(ecoplan_cmd: list[str], tmp_path: Path) -> None:
    fifo = tmp_path / "in.txt"
    os.mkfifo(fifo)
    proc = run(ecoplan_cmd, "parse", fifo, env={"ECOPLAN_FIFO_WAIT": "0.2"})
    assert proc.returncode == 2
    assert "no program writes to" in one_line(proc)


def test_named_fifo_with_a_writer_is_read(ecoplan_cmd: list[str], tmp_path: Path, sample_plan: str) -> None:
    fifo = tmp_path / "in.txt"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text(sample_plan, encoding="utf-8"), daemon=True)
    writer.start()
    proc = run(ecoplan_cmd, "parse", fifo, "--format", "json")
    writer.join(timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["sections"]


def test_fifos_and_broken_links_in_a_folder_are_skipped_and_counted(ecoplan_cmd: list[str], tmp_path: Path,
                                                                     sample_plan: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "plan.txt").write_text(sample_plan, encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    (folder / "gone.txt").symlink_to(folder / "missing")
    proc = run(ecoplan_cmd, "parse", folder, "-o", tmp_path / "out")
    assert proc.returncode == 0
    stderr = proc.stderr.decode()
    assert f"ecoplan: {folder / 'pipe.txt'}: skipped (a FIFO)" in stderr
    assert f"ecoplan: {folder / 'loop.txt'}: skipped (a symlink loop)" in stderr
    assert f"ecoplan: {folder / 'gone.txt'}: skipped (a broken symlink)" in stderr
    assert stderr.splitlines()[-1] == "ecoplan: 1 parsed, 0 failed, 3 skipped"


# --- 9. hostile files given to validate ----------------------------------------------------------


def test_validate_refuses_yaml_aliases(ecoplan_cmd: list[str], tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(9))
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb, encoding="utf-8")
    proc = run(ecoplan_cmd, "validate", path)
    assert proc.returncode == 1
    assert b"aliases are not allowed" in proc.stdout


@pytest.mark.parametrize("text", ["[" * 5000 + "]" * 5000, "".join("  " * i + "a:\n" for i in range(400))])
def test_validate_refuses_deep_nesting(ecoplan_cmd: list[str], tmp_path: Path, text: str) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(text, encoding="utf-8")
    proc = run(ecoplan_cmd, "validate", path)
    assert proc.returncode == 1
    assert b"nested" in proc.stdout


# --- 10. zero-width spaces and the one span check ------------------------------------------------


def test_zero_width_spaces_and_the_shared_span_check(ecoplan_cmd: list[str], tmp_path: Path,
                                                     sample_plan: str) -> None:
    text = sample_plan.replace("空气质量", "空气\u200b质量").replace("蓝天", "蓝\ufeff天").replace("牵头", "牵\u200b头")
    plan = tmp_path / "zw.txt"
    plan.write_text(text, encoding="utf-8")
    out = tmp_path / "zw.json"
    assert run(ecoplan_cmd, "parse", plan, "--format", "json", "-o", out).returncode == 0
    proc = run(ecoplan_cmd, "validate", out)
    assert proc.returncode == 0, proc.stdout
    from ecoplan.schema import Plan

    located = list(iter_located(Plan.model_validate(json.loads(out.read_text(encoding="utf-8")))))
    assert any("\u200b" in text[item.span[0]:item.span[1]] for _, item, _ in located)
    for _, item, item_text in located:
        assert item_text is None or span_holds(text, item.span, item_text)


def test_validate_refuses_files_larger_than_any_output(cli, tmp_path: Path, monkeypatch) -> None:
    import ecoplan.validate

    path = tmp_path / "big.json"
    path.write_text("{}" + " " * 100, encoding="utf-8")
    monkeypatch.setattr(ecoplan.validate, "MAX_OUTPUT_BYTES", 64)
    result = cli("validate", path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"ecoplan: {path}: 102 bytes, more than any ecoplan output")


# --- what the README promises --------------------------------------------------------------------


@pytest.mark.parametrize("args", [["parse"], ["nonsense"], ["parse", "--jobs", "0", "x.txt"], ["parse", "a", "b"],
                                  ["parse", "--format", "xml", "x.txt"]])
def test_usage_errors_are_one_line_and_exit_2(ecoplan_cmd: list[str], args: list[str]) -> None:
    proc = run(ecoplan_cmd, *args)
    assert proc.returncode == 2
    one_line(proc)
    assert proc.stdout == b""


def test_missing_input_exits_2_as_documented(ecoplan_cmd: list[str], tmp_path: Path) -> None:
    proc = run(ecoplan_cmd, "parse", tmp_path / "nope.txt")
    assert proc.returncode == 2
    assert one_line(proc) == f"ecoplan: {tmp_path / 'nope.txt'}: no such file"
