"""Deadlines (spec section 4): forms, traps and provenance, driven by tests/data/deadlines_cases.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ecoplan.parsers.deadlines import _exact, _line_matches, _matches, _rules, deadline_models, find_deadlines
from ecoplan.provenance import line_at, line_starts, span_holds
from ecoplan.text.normalise import normalise

CASES = yaml.safe_load((Path(__file__).parent / "data" / "deadlines_cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["req"][:24] for c in CASES])
def test_deadline_case(case: dict) -> None:
    doc = normalise(case["req"])
    matches = find_deadlines(doc, case.get("year"))
    assert [[m.text, m.date] for m in matches] == case["res"]
    for m in matches:
        assert m.recurring == ("yearly" if m.date.startswith("--") else None)
        assert doc.text[m.start : m.end] == m.text
    for model in deadline_models(doc, matches):
        assert span_holds(case["req"], model.span, model.text)
        assert model.line == line_at(line_starts(case["req"]), model.span[0])


def test_span_points_at_the_expression_as_written() -> None:
    raw = "一、总体目标\n  到 2025 年，全市生态环境质量\n持续改善。2022 年年底前完成划定。"
    doc = normalise(raw)
    models = deadline_models(doc, find_deadlines(doc, None))
    assert [raw[s:e] for s, e in (m.span for m in models)] == ["到 2025 年", "2022 年年底前"]
    assert [m.line for m in models] == [2, 3]


def test_past_limit_dropped_only_when_plan_year_known() -> None:
    doc = normalise("截至2020年底，全市已建成污水处理厂30座。")
    assert find_deadlines(doc, 2021) == []
    assert [m.date for m in find_deadlines(doc, None)] == ["2020-12-31"]


PLAN_BITS = st.sampled_from(
    [*"到 至 截至 每年 今年 2025 ２０２４ 二〇二三 年 年底 年末 前 之前 月 日 底 上半年 第三季度 10 6 十二".split(),
     *"“十四五” \"十五五\" 末期 期间 较 以来 基础上 （ ） - — ， 。 全市 完成 达到 % 〔2021〕 前后 三季度".split(),
     " ", "\n", "\t"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(PLAN_BITS, max_size=40), st.one_of(st.none(), st.integers(1990, 2060)))
def test_never_raises_and_spans_hold_on_plan_like_text(bits: list[str], year: int | None) -> None:
    raw = "".join(bits)
    doc = normalise(raw)
    matches = find_deadlines(doc, year)
    for m, model in zip(matches, deadline_models(doc, matches), strict=True):
        assert doc.text[m.start : m.end] == m.text
        start, end = model.span
        assert 0 <= start <= end <= len(raw)
        assert span_holds(raw, model.span, m.text)
        assert m.date[:2] == "--" or int(m.date[:4]) >= (year or 0)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_never_raises_on_arbitrary_text(raw: str) -> None:
    doc = normalise(raw)
    for model in deadline_models(doc, find_deadlines(doc, 2024)):
        assert span_holds(raw, model.span, model.text)


# Item numbers and decimals before a month (re's form of the pattern lets either through), and digits
# beyond the BMP (read by regex's Unicode).
RUN_BITS = st.one_of(PLAN_BITS, st.sampled_from(["1.", "12.", ".", "3.5", "3月底前", "\U0001d7d0\U0001d7ce", "\u3000"]))


@settings(max_examples=500, deadline=None)
@given(st.lists(RUN_BITS, max_size=40))
def test_scanning_runs_around_anchors_finds_what_scanning_lines_finds(bits: list[str]) -> None:
    """The scan limited to runs of date characters around an anchor word, by the pattern's `re`
    form, is a speed-up only: it finds what the `regex` pattern finds on each line."""
    fold = normalise("".join(bits)).fold
    rules = _rules()
    assert rules.inside is not None  # the pattern's characters could be read off it
    assert list(_matches(rules, fold)) == [_exact(m) for m in _line_matches(rules, fold)]
