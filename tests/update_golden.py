"""Regenerate tests/golden/<plan>.yaml from the current parser.

Run after an intended change in extraction, then review `git diff tests/golden`:
the diff is the behaviour change.

    .venv/bin/python tests/update_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import ecoplan
from ecoplan.writing import dumps

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = Path(__file__).parent / "golden"


def golden_output(stem: str) -> str:
    """The YAML `ecoplan parse data/raw/<stem>.txt` writes, run from the repository root."""
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        return dumps(ecoplan.parse_file(f"data/raw/{stem}.txt"), "yaml")
    finally:
        os.chdir(cwd)


def main() -> None:
    GOLDEN_DIR.mkdir(exist_ok=True)
    for raw in sorted((ROOT / "data" / "raw").glob("*.txt")):
        (GOLDEN_DIR / f"{raw.stem}.yaml").write_text(golden_output(raw.stem), encoding="utf-8")
        print(f"wrote tests/golden/{raw.stem}.yaml")


if __name__ == "__main__":
    main()
