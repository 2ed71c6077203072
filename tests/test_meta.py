from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ecoplan.parsers.meta import parse_meta
from ecoplan.text.normalise import normalise

CASES = yaml.safe_load((Path(__file__).parent / "data" / "metadata_cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_metadata(case: dict) -> None:
    meta = parse_meta(normalise(case["req"])).model_dump(mode="json")
    assert meta == case["res"]
