"""The benchmark script runs end to end on a tiny corpus; its figures are not checked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench.py"


def test_bench_quick_runs_and_reports(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--markdown", "--out", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    for figure in ("regex baseline", "end to end (json)", "stage: normalise", "stage: serialise yaml",
                   "cold start", "peak memory", "scaling", "--jobs", "read + parse: PDF", "read + parse: .docx",
                   "read + parse: web page", "per-file overhead"):
        assert figure in proc.stdout
    assert "| goal | met | measured |" in proc.stdout
    results = json.loads(out.read_text(encoding="utf-8"))
    assert {"stages", "baseline", "cold_start", "memory", "scaling", "tiny", "jobs"} <= results.keys()
