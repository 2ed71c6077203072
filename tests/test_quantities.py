from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ecoplan.text.document import Cell
from ecoplan.text.normalise import fold
from ecoplan.text.quantities import (
    ARABIC,
    CHINESE,
    PERCENT_CN,
    ROMAN_CLASS,
    _finish,
    _raw,
    cn_int,
    cn_value,
    find_quantities,
    patterns,
    scan_lines,
)

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


NUMBER_BITS = st.sampled_from(
    [*"1 25 3.5 1,200 ０ 一 十 二十 百分之 I III Ⅳ V类 类 万 亿 % 个 家 吨 微克/立方米 吨每日 蒸吨/小时 千瓦".split(),
     *"、 和 及 ~ - 至 到 第 年 约 左右 以上 PM2.5 CO2 劣 达到 ， 。".split(), " ", "\n"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(NUMBER_BITS, max_size=40))
def test_gated_scan_finds_what_every_pattern_finds(bits: list[str]) -> None:
    """Running a pattern family only where its gate matches is a speed-up only."""
    text = fold("".join(bits))
    lines, start = [], 0
    for line in text.split("\n"):
        lines.append(Cell(start, start + len(line)))
        start += len(line) + 1
    p = patterns()
    scanned = dict(scan_lines(text, lines))
    for k, (a, b) in enumerate(lines):
        spans: list[tuple[int, int]] = []
        every = _raw(text, a, b, p, spans, ARABIC | PERCENT_CN | CHINESE | ROMAN_CLASS)
        scan = scanned.get(k)
        assert (scan.found if scan else []) == every
        assert sorted(scan.spans if scan else []) == sorted(spans)
        assert find_quantities(text, a, b) == _finish(text, every, p, b)
