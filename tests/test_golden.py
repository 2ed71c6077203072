"""Golden outputs: the full parse of each plan in data/raw is pinned in tests/golden.

A failing test shows the behaviour change as a diff; if it is intended,
regenerate with `.venv/bin/python tests/update_golden.py` and commit the diff.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from update_golden import GOLDEN_DIR, ROOT, golden_output

STEMS = sorted(p.stem for p in (ROOT / "data" / "raw").glob("*.txt"))


@pytest.mark.parametrize("stem", STEMS)
def test_output_matches_golden_file(stem: str) -> None:
    expected = (GOLDEN_DIR / f"{stem}.yaml").read_text(encoding="utf-8")
    actual = golden_output(stem)
    if actual != expected:
        diff = "".join(difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True),
            f"tests/golden/{stem}.yaml", "current parse", n=1,
        ))
        pytest.fail(f"parse of data/raw/{stem}.txt differs from its golden file:\n{diff[:4000]}")
