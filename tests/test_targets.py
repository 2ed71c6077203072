from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecoplan.parsers.deadlines import DeadlineScope, find_deadlines
from ecoplan.parsers.sections import parse_sections
from ecoplan.parsers.targets import parse_targets
from ecoplan.text.normalise import normalise
from ecoplan.text.quantities import find_quantities

CASES = yaml.safe_load((Path(__file__).parent / "data" / "targets_cases.yaml").read_text(encoding="utf-8"))
WS = re.compile(r"\s+")


def squash(s: str) -> str:
    return WS.sub("", s)


def run(text: str, year: int | None = None):
    doc = normalise(text)
    return doc, *parse_targets(doc, DeadlineScope(doc, find_deadlines(doc, year), year), parse_sections(doc))


def check_provenance(text: str, items) -> None:
    lines = text.splitlines() or [""]
    for item in items:
        start, end = item.span
        assert 0 <= start <= end <= len(text)
        assert squash(item.text) in squash(text[start:end])
        assert 1 <= item.line <= max(len(lines), 1)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_targets(case: dict) -> None:
    _doc, targets, percentages = run(case["req"], case.get("year"))
    got = [t.model_dump() for t in targets]
    assert len(got) == len(case["res"]), [(t["indicator"], t["value"], t["unit"]) for t in got]
    for t, want in zip(got, case["res"], strict=True):
        for key, value in want.items():
            if key == "value":
                assert t["value"] == pytest.approx(value)
            elif key == "integer":
                assert isinstance(t["value"], int) == value, t["value"]
            elif key == "indicator":
                assert squash(t["indicator"]) == squash(value)
            else:
                assert t[key] == value, (key, t)
    if "pct" in case:
        assert [p.value for p in percentages] == pytest.approx(case["pct"])
    check_provenance(case["req"], [*targets, *percentages])


def test_target_text_is_its_clause() -> None:
    text = "二、主要目标\n强化城镇污水处理能力建设,城市生活污水处理率达到 95%以上,污泥无害化处置率超过 90%。"
    _doc, targets, _ = run(text)
    # The text is the clause from the cleaned text (artefact spaces dropped);
    # its span is the clause in the input, spaces included.
    assert [t.text for t in targets] == ["城市生活污水处理率达到95%以上", "污泥无害化处置率超过90%"]
    assert all(t.line == 2 for t in targets)
    start, end = targets[0].span
    assert text[start:end] == "城市生活污水处理率达到 95%以上"


def test_page_break_inside_indicator() -> None:
    text = "到 2025 年,县级及以上城市集中式饮用水水源水质达到或优于III类比\n\n例稳定保持在 100%。"
    _doc, targets, _ = run(text)
    assert len(targets) == 1
    t = targets[0]
    assert (t.comparator, t.value, t.deadline) == ("=", 100, "2025-12-31")
    assert squash(t.indicator) == "县级及以上城市集中式饮用水水源水质达到或优于III类比例"
    assert t.line == 1
    check_provenance(text, targets)


# --- property: any text built from plan-like fragments -----------------------

FRAGMENTS = [
    "到 2025 年,", "2021年10月底前，", "每年9月底前", "2021年", "较2020年", "比 2020 年", "在 2020 年基础上",
    "全市", "城市、县城、重点镇", "生活污水处理率", "空气质量优良天数比率", "细颗粒物(PM2.5)浓度", "PM10",
    "分别", "达到", "不低于", "不超过", "超过", "低于", "保持", "稳定在", "控制在", "下降", "削减", "提高",
    "完成", "累计", "新增", "建成", "开展", "力争", "约", "基本",
    "95%", "90%", "75%", "88.9%", "１００％", "29.8 微克/立方米", "1185 万千瓦", "11.78万户", "5个百分点",
    "17个", "十一家", "一次", "III类", "劣V类", "65蒸吨/小时", "8000 总吨", "1吨", "80%～85%", "3至5个",
    "以上", "以下", "及以上", "以内", "左右", "的", "企业", "燃煤锅炉", "示范小区", "、", "和",
    "，", ",", "。", "；", "：", "(", ")", "（", "）", "“", "”", "〔2021〕40号", "第二轮",
    "\n", "\n\n", " ", "\u3000", "\t", "- ", "——", "一、", "(一)", "1.", "13.",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40), st.sampled_from([None, 2021, 2024]))
def test_property_never_raises_and_spans_hold(parts: list[str], year: int | None) -> None:
    text = "".join(parts)
    doc, targets, percentages = run(text, year)
    check_provenance(text, [*targets, *percentages])
    for t in targets:
        assert t.indicator
        assert t.value == t.value  # not NaN
    # No percentage is lost: each lies inside the span of a target or a percentage.
    spans = [x.span for x in (*targets, *percentages)]
    for q in find_quantities(doc.fold):
        if q.unit != "%":
            continue
        raw = doc.to_raw(q.start)
        assert any(a <= raw < b for a, b in spans), (text, q)


def test_hedges_are_kept_apart() -> None:
    text = "近岸海域水质优良(一、二类)比例达到97.8%,城市生活污水集中收集率力争达到约70%,回收利用率达到35%左右。"
    _doc, targets, _ = run(text)
    assert [(t.value, t.qualifier) for t in targets] == [(97.8, None), (70, "约"), (35, "左右")]
    assert targets[1].indicator == "城市生活污水集中收集率"


@pytest.mark.parametrize(
    "text",
    [
        "达到95%、" * 5000 + "。",
        "城市、" * 5000 + "生活污水处理率分别达到" + "95%、" * 5000,
        "完成" + "1个企业、" * 5000,
        "对65蒸吨/小时以上锅炉" * 5000,
        "(" * 5000 + "达到95%" * 5000,
    ],
    ids=["list", "respectively", "count-list", "qualifiers", "brackets"],
)
def test_long_clauses_stay_linear(text: str, no_hang) -> None:
    doc = normalise(text)
    with no_hang():
        targets, percentages = parse_targets(doc, DeadlineScope(doc, []))
    assert all(len(t.text) <= 400 for t in (*targets, *percentages))
