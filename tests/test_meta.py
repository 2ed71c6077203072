from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

import ecoplan
from ecoplan.parsers import meta as meta_module
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


@pytest.mark.parametrize("chunk", [16, 1 << 15])
def test_head_and_foot_are_the_physical_lines(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    """Metadata reads the non-blank lines among the first 120 and the last 40 physical lines, numbered
    as str.splitlines numbers them, also when a long text is split from its ends a chunk at a time."""
    monkeypatch.setattr(meta_module, "_SPLIT_CHUNK", chunk)
    rng = random.Random(chunk)
    for count in (0, 3, 120, 121, 159, 160, 161, 400):
        for blank_share in (0.2, 0.9):
            lines = ["" if rng.random() < blank_share else f"第{i}行 内容" for i in range(count)]
            raw = "".join(line + rng.choice(["\n", "\r\n", "\r", "\x0c", "\u2028"]) for line in lines)
            physical = raw.splitlines()
            foot = max(120, len(physical) - 40)
            numbered = [*enumerate(physical[:120]), *enumerate(physical[foot:], foot)]
            wanted = [(i, line) for i, line in numbered if line.strip()]
            page = meta_module._lines(normalise(raw))
            # Asked before any number is: a foot line may be placed without counting the lines above it.
            for k, (i, _) in enumerate(wanted):
                for end in (0, 100, 120, 200):
                    assert page.stands_before(k, end) == (i < end)
            assert [(page[k].index, page[k].raw) for k in range(len(page))] == wanted
