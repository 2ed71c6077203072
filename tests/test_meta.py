from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import ecoplan
from ecoplan.parsers.meta import parse_meta, parse_plan_year
from ecoplan.text.normalise import normalise

CASES = yaml.safe_load((Path(__file__).parent / "data" / "metadata_cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_metadata(case: dict) -> None:
    doc = normalise(case["req"])
    meta = parse_meta(doc, case.get("page"))
    assert meta.model_dump(mode="json") == case["res"]
    if "plan_year" in case:
        assert parse_plan_year(doc, meta) == case["plan_year"]
    if "deadline_dates" in case:
        assert [d.date for d in ecoplan.parse_text(case["req"]).deadlines] == case["deadline_dates"]
