from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ecoplan.text.normalise import fold
from ecoplan.text.quantities import cn_int, cn_value, find_quantities

CASES = yaml.safe_load((Path(__file__).parent / "data" / "numbers_cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["req"][:24] for c in CASES])
def test_quantities(case: dict) -> None:
    text = fold(case["req"])
    found = find_quantities(text)
    assert len(found) == len(case["res"]), [(q.value, q.unit) for q in found]
    for q, want in zip(found, case["res"], strict=True):
        assert q.value == pytest.approx(want["value"])
        assert q.unit == want["unit"]
        for key in ("kind", "approx", "range"):
            if key in want:
                assert getattr(q, key) == want[key]
        # The span starts at the number itself: no hedge glued into it.
        assert text[q.start] not in "约近"


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("一", 1), ("十", 10), ("十一", 11), ("二十", 20), ("一百二十", 120), ("三千零五", 3005), ("两", 2),
     ("三点五", 3.5), ("二〇二一", 2021)],
)
def test_cn_value(numeral: str, value: float) -> None:
    assert cn_value(numeral) == pytest.approx(value)


@pytest.mark.parametrize("numeral", ["", "十百", "万"])
def test_cn_value_rejects_non_numerals(numeral: str) -> None:
    assert cn_value(numeral) is None


def test_no_catastrophic_backtracking(no_hang) -> None:
    # Long digit runs and unit-less number lists must stay linear.
    text = "1" * 20000 + "x" + " 1" * 20000 + "." * 5000 + "2" * 20000 + "万"
    with no_hang():
        quantities = find_quantities(text)
    assert all(q.end - q.start <= len(text) for q in quantities)


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("2025", 2025), ("二〇二五", 2025), ("二○二三", 2023), ("十", 10), ("十二", 12), ("二十一", 21), ("三十", 30),
     ("九", 9), ("一百二十", 120), ("十二三", None), ("", None), ("三点五", None), ("²", None)],
)
def test_cn_int(numeral: str, value: int | None) -> None:
    assert cn_int(numeral) == value
