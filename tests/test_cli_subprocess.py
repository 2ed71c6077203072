"""The real command in a real process, as a shell script would run it."""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import ecoplan
from ecoplan.outputs import loads_output_data
from ecoplan.validate import check_schema

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow

CONSOLE_SCRIPT = Path(sys.executable).parent / "ecoplan"


def run(cmd: list[str], *args: str | Path, input: bytes | None = None, env: dict[str, str] | None = None,
        cwd: Path = ROOT) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run([*cmd, *map(str, args)], input=input, capture_output=True, cwd=cwd,
                          env={**os.environ, **(env or {})}, timeout=120)
    assert b"Traceback" not in proc.stderr, proc.stderr.decode()
    return proc


def test_help_is_fast_and_does_not_import_the_parsers() -> None:
    code = (
        "import sys\n"
        "from ecoplan.commands import main\n"
        "for args in (['--help'], ['parse', '--help'], ['validate', '--help'], ['schema', '--help']):\n"
        "    try:\n"
        "        main(args, prog_name='ecoplan')\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0, args\n"
        # Modules read from a file: the command's stand-in for pydantic's plugin loader is not one.
        "heavy = sorted(m for m in sys.modules if m.startswith(('ecoplan.parsers', 'pydantic', 'yaml'))\n"
        "               and getattr(sys.modules[m], '__file__', None))\n"
        "print(heavy)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(("setting", "plugins_looked_up"), [(None, False), ("true", False), ("", True)])
def test_pydantic_plugins_are_off_in_the_command_unless_asked_for(setting: str | None,
                                                                  plugins_looked_up: bool) -> None:
    """The command stands in for pydantic's plugin loader (no plugins) unless PYDANTIC_DISABLE_PLUGINS
    turns plugins on; a name the stand-in lacks is read from the real loader."""
    code = (
        "import sys\n"
        "from ecoplan.commands import main\n"
        "try:\n"
        "    main(['parse', 'data/raw/dalian-2021-key-points.txt', '--format', 'json'], prog_name='ecoplan')\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "looked_up = 'importlib.metadata' in sys.modules\n"
        "from pydantic.plugin import _loader\n"
        "assert list(_loader.get_plugins()) == []\n"
        "assert _loader.PYDANTIC_ENTRY_POINT_GROUP == 'pydantic'\n"
        "print(looked_up)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    if setting is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = setting
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == str(plugins_looked_up)


@pytest.mark.parametrize("at_exit", [False, True])
def test_the_program_ends_without_teardown_only_when_nothing_waits_for_exit(at_exit: bool, tmp_path: Path) -> None:
    """`run` skips the interpreter's teardown, but never an atexit callback someone registered."""
    out = tmp_path / "plan.json"
    code = (
        "import atexit, sys\n"
        + ("atexit.register(lambda: print('at exit', flush=True))\n" if at_exit else "")
        + "plan = 'data/raw/dalian-2021-key-points.txt'\n"
        "sys.argv = ['ecoplan', 'parse', plan, '--format', 'json', '-o', sys.argv[1]]\n"
        "from ecoplan.commands import run\n"
        "run()\n"
        "print('never reached')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == ("at exit\n" if at_exit else "")
    assert json.loads(out.read_text(encoding="utf-8"))["meta"]


@pytest.mark.skipif(not CONSOLE_SCRIPT.exists(), reason="console script not installed next to this python")
def test_console_script_and_cli_py_are_the_same_command(ecoplan_cmd: list[str]) -> None:
    a = run([str(CONSOLE_SCRIPT)], "--help")
    b = run(ecoplan_cmd, "--help")
    assert a.returncode == b.returncode == 0
    assert a.stdout == b.stdout
    assert b"Usage: ecoplan " in a.stdout


def test_batch_with_jobs_then_validate(ecoplan_cmd: list[str], tmp_path: Path, seed_paths: list[Path]) -> None:
    out = tmp_path / "out"
    proc = run(ecoplan_cmd, "parse", "data/raw", "-o", out, "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b""
    assert proc.stderr.decode() == f"ecoplan: {len(seed_paths)} parsed, 0 failed\n"
    outputs = sorted(out.glob("*.yaml"))
    assert [p.stem for p in outputs] == [p.stem for p in seed_paths]
    proc = run(ecoplan_cmd, "validate", *outputs)
    assert proc.returncode == 0, proc.stdout.decode()
    assert proc.stdout.decode().count(": valid (spans checked against ") == len(outputs)


def test_shell_loop(tmp_path: Path, seed_paths: list[Path]) -> None:
    script = (
        'set -e\n'
        'mkdir -p "$OUT"\n'
        'for f in data/raw/*.txt; do\n'
        '  "$PY" cli.py parse "$f" --format json > "$OUT/$(basename "$f" .txt).json"\n'
        'done\n'
        '"$PY" cli.py validate "$OUT"/*.json --format json > "$OUT/report.json"\n'
    )
    proc = run(["bash", "-c", script], env={"OUT": str(tmp_path), "PY": sys.executable})
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert len(report) == len(seed_paths)
    assert all(r["valid"] and r["source"] for r in report)


def test_bad_input_is_one_line_and_exit_1(ecoplan_cmd: list[str], tmp_path: Path) -> None:
    binary = tmp_path / "x.txt"
    binary.write_bytes(b"\x00\x01\x02\x03")
    proc = run(ecoplan_cmd, "parse", binary)
    assert proc.returncode == 1
    assert proc.stdout == b""
    assert proc.stderr.decode().splitlines() == [f"ecoplan: {binary}: not text in a supported encoding "
                                                 "(UTF-8, UTF-16 with BOM, GB18030/GBK)"]


def test_usage_error_is_exit_2(ecoplan_cmd: list[str]) -> None:
    proc = run(ecoplan_cmd, "parse", "a.txt", "b.txt")
    assert proc.returncode == 2
    assert b"-o DIR" in proc.stderr
    assert run(ecoplan_cmd, "parse", "--format", "xml", "a.txt").returncode == 2


def test_stdin_and_stdout_pipes(ecoplan_cmd: list[str], sample_plan: str) -> None:
    proc = run(ecoplan_cmd, "parse", "-", "--format", "json", input=sample_plan.encode("gb18030"))
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert data["source"] == {**data["source"], "path": None, "encoding": "gb18030"}
    assert check_schema(data)[1] == []


def test_output_is_utf8_whatever_the_locale(ecoplan_cmd: list[str], plan_file: Path) -> None:
    env = {"LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": "latin-1"}
    proc = run(ecoplan_cmd, "parse", plan_file, env=env)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.decode("utf-8")
    assert "总体要求" in text
    assert check_schema(loads_output_data(text))[1] == []


def test_closed_stdout_is_not_a_traceback(ecoplan_cmd: list[str]) -> None:
    proc = run(["bash", "-c", f'"{sys.executable}" cli.py parse data/raw --format jsonl | head -c 10'])
    assert len(proc.stdout) == 10


def test_progress_bar_only_on_a_terminal(ecoplan_cmd: list[str], tmp_path: Path) -> None:
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([*ecoplan_cmd, "parse", "data/raw", "-o", str(tmp_path / "tty"), "--jobs", "1"],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=slave)
        os.close(slave)
        seen = b""
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the other end closed
                break
            if not chunk:
                break
            seen += chunk
        assert proc.wait(timeout=60) == 0
    finally:
        os.close(master)
    assert b"Parsing" in seen
    assert b"parsed, 0 failed" in seen
    piped = run(ecoplan_cmd, "parse", "data/raw", "-o", tmp_path / "pipe", "--jobs", "1")
    assert b"Parsing" not in piped.stderr


def test_interrupted_batch_leaves_no_partial_file(ecoplan_cmd: list[str], tmp_path: Path,
                                                  seed_paths: list[Path]) -> None:
    """Ctrl-C in the middle of a parallel batch: every output present is complete and valid."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    copies = 200  # enough that the batch is still running when the interrupt comes, however fast parsing gets
    for i in range(copies):
        for seed in seed_paths:
            shutil.copy(seed, inputs / f"{i:03d}-{seed.name}")
    out = tmp_path / "out"
    proc = subprocess.Popen([*ecoplan_cmd, "parse", str(inputs), "-o", str(out), "--jobs", "2"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None and len(list(out.glob("*.yaml"))) < 3:
        time.sleep(0.02)
    if proc.poll() is not None:
        pytest.fail(f"the batch ended before the interrupt: {proc.communicate()[1].decode()[-500:]}")
    os.killpg(proc.pid, signal.SIGINT)  # as the terminal does: the whole process group
    _, stderr = proc.communicate(timeout=60)
    assert b"Traceback" not in stderr, stderr.decode()
    written = sorted(out.iterdir())
    assert 0 < len(written) < copies * len(seed_paths), f"not interrupted mid-batch: {stderr.decode()[-500:]}"
    assert proc.returncode == 130, stderr.decode()
    for path in written:
        assert path.suffix == ".yaml", f"left behind: {path.name}"
        assert ecoplan.load_output(str(path)).source.sha256
