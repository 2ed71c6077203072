"""Property tests: whatever text comes in, `ecoplan.parse_text` keeps the output contract.

Inputs are generated plan-like text and the seed plans mutated the way real
copies get damaged (lines lost, duplicated or reordered, spaces inserted,
full/half-width swapped, other line ends, junk, pinyin glosses, traditional
characters, page-chunk markers). For each input: no exception
escapes, the Plan validates strictly and round-trips through YAML and JSON, and
every span lies in the input and its slice, whitespace removed, contains the
item's text (a section's title).

HYPOTHESIS_PROFILE=thorough runs many more examples (profiles: tests/conftest.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import opencc
from hypothesis import example, given
from hypothesis import strategies as st

import ecoplan
from ecoplan.outputs import loads_output_data
from ecoplan.schema import Plan
from ecoplan.validate import check_plan
from ecoplan.writing import dumps

SEED_PATHS = sorted((Path(__file__).resolve().parent.parent / "data" / "raw").glob("*.txt"))

assert SEED_PATHS, "the seed plans in data/raw/ are the material to mutate"
SEEDS = [p.read_text(encoding="utf-8") for p in SEED_PATHS]
CN = "一二三四五六七八九十"


def assert_contract(text: str) -> Plan:
    """The properties every parse must have; returns the Plan for further checks."""
    plan = ecoplan.parse_text(text)
    data = plan.model_dump(mode="json")
    again = Plan.model_validate_json(json.dumps(data, ensure_ascii=False), strict=True)
    assert again.model_dump(mode="json") == data
    errors = [i for i in check_plan(plan, text) if i.severity == "error"]
    assert not errors, errors[:5]
    assert loads_output_data(dumps(plan, "yaml")) == data
    assert json.loads(dumps(plan, "json")) == data
    return plan


# --- generated plan text -------------------------------------------------------------------------


def _cn(n: int) -> str:
    if n <= 10:
        return CN[n - 1]
    return ("" if n < 20 else CN[n // 10 - 1]) + "十" + (CN[n % 10 - 1] if n % 10 else "")


MARKERS = [
    lambda n: f"第{_cn(n)}章",
    lambda n: f"第{_cn(n)}条",
    lambda n: f"{_cn(n)}、",
    lambda n: f"（{_cn(n)}）",
    lambda n: f"({_cn(n)})",
    lambda n: f"{n}．",
    lambda n: f"{n}.",
    lambda n: f"{n}、",
    lambda n: f"（{n}）",
    lambda n: chr(0x2460 + (n - 1) % 20),
    lambda n: "——",
    lambda n: f"{_cn(n)}是",
    lambda n: f"{_cn(n)}要",
]
TITLES = ["总体要求", "主要目标", "重点任务", "深入打好蓝天保卫战", "加强组织领导", "推进 重点行业 深度治理",
          "PM2.5", "2.5万千瓦", ""]
CLAUSES = [
    "到2025年底，全市PM2.5年均浓度控制在35微克/立方米以下",
    "空气质量优良天数比率达到85%以上",
    "化学需氧量排放总量比2020年下降10.5%",
    "受污染耕地安全利用率达到92% 以上",
    "2024年6月底前完成",
    "每年3月底前报送",
    "牵头单位：市生态环境局；配合单位：市发展改革委、市住房城乡建设局",
    "责任单位：各区市县政府",
    "新增装机2.5万千瓦",
    "坚持精准治污、科学治污、依法治污",
    "力争提高到 90 ％",
    "约占全市的三分之一",
    "2024 年 12 月 31 日",
    "增长150%",
]
# Characters that markers, numbers and layout are made of, plus invisible and odd spacing.
JUNK_CHARS = CN + "（）()、.．0123456789%％‰年月日底前是要第章节条①②⑳—-：:，。；\t \u3000\u200b\ufeff\x0c\r\n"
JUNK = st.lists(
    st.sampled_from([*JUNK_CHARS, "PM2.5", "微克/立方米", "以上", "达到", "下降"]), max_size=20
).map("".join)


@st.composite
def plan_lines(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["heading", "heading", "body", "blank", "table", "junk"]))
    if kind == "heading":
        marker = draw(st.sampled_from(MARKERS))(draw(st.integers(1, 25)))
        space = draw(st.sampled_from(["", " ", "\u3000"]))
        return marker + space + draw(st.sampled_from(TITLES)) + draw(st.sampled_from(["", "。", "：", "；"]))
    if kind == "body":
        clauses = draw(st.lists(st.sampled_from(CLAUSES), min_size=1, max_size=4))
        return draw(st.sampled_from(["，", "；", "。"])).join(clauses) + draw(st.sampled_from(["。", "", "；"]))
    if kind == "table":
        return "\t".join(draw(st.lists(st.sampled_from(CLAUSES + TITLES), min_size=2, max_size=4)))
    if kind == "junk":
        return draw(JUNK)
    return ""


@st.composite
def plan_texts(draw: st.DrawFn) -> str:
    head = draw(st.sampled_from(["", "大连市2024年生态环境保护工作计划\n", "大连市生态环境局\n2024年3月1日\n"]))
    lines = draw(st.lists(plan_lines(), max_size=40))
    return head + draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)


@given(plan_texts())
# Found by the thorough profile: a heading, a table row, then a paragraph with a responsibility
# clause; the task's text joined heading and paragraph across the row, which its span cannot hold.
@example("第一章总体要求\n到2025年底，全市PM2.5年均浓度控制在35微克/立方米以下\t达到85%以上\n"
         "到2025年底，空气质量优良天数比率达到85%以上，牵头单位：市生态环境局；配合单位：市发展改革委。")
# And a heading ending in a colon joined to its paragraph: the text dropped the colon its span held.
@example("第一章总体要求：\n到2025年底，全市PM2.5年均浓度控制在35微克/立方米以下。\n"
         "牵头单位：市生态环境局；配合单位：市发展改革委。")
# And an item's paragraph continued past a table row.
@example("——总体要求\n到2025年底，全市PM2.5年均浓度控制在35微克/立方米以下\t达到85%以上\n一是总体要求。\n"
         "牵头单位：市生态环境局；配合单位：市发展改革委。")
def test_generated_plan_text_keeps_the_contract(text: str) -> None:
    assert_contract(text)


@given(st.text(max_size=300))
def test_arbitrary_unicode_keeps_the_contract(text: str) -> None:
    assert_contract(text)


# --- mutated seeds -------------------------------------------------------------------------------

FULL_TO_HALF = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
HALF_TO_FULL = {v: k for k, v in FULL_TO_HALF.items()}


def _mutate(lines: list[str], op: str, data: st.DataObject) -> list[str]:
    if not lines:
        return lines
    i = data.draw(st.integers(0, len(lines) - 1), label="line")
    line = lines[i]
    if op == "delete":
        return lines[:i] + lines[i + 1 :]
    if op == "duplicate":
        return lines[: i + 1] + lines[i:]
    if op == "swap":
        j = data.draw(st.integers(0, len(lines) - 1), label="other")
        lines = list(lines)
        lines[i], lines[j] = lines[j], lines[i]
        return lines
    if op == "shuffle":
        j = data.draw(st.integers(i, min(len(lines), i + 8)), label="end")
        return lines[:i] + data.draw(st.permutations(lines[i:j]), label="order") + lines[j:]
    pos = data.draw(st.integers(0, len(line)), label="pos")
    if op == "spaces":
        new = line[:pos] + data.draw(st.sampled_from([" ", "  ", "\u3000", "\t", "\u00a0"])) + line[pos:]
    elif op == "width":
        table = data.draw(st.sampled_from([FULL_TO_HALF, HALF_TO_FULL]))
        new = line[:pos] + line[pos:].translate(table)
    elif op == "split":  # a page break in the middle of a sentence
        new = line[:pos] + data.draw(st.sampled_from(["\n", "\n\n", "\n\n\n  "])) + line[pos:]
    elif op == "junk":
        new = line[:pos] + data.draw(JUNK, label="junk") + line[pos:]
    elif op == "gloss":  # a conversion site's pinyin gloss after a character
        new = line[:pos] + data.draw(st.sampled_from(GLOSSES), label="gloss") + line[pos:]
    elif op == "traditional":  # a mirror in traditional characters
        new = line[:pos] + TO_TRADITIONAL.convert(line[pos:])
    elif op == "chunk":  # a sharing site's page-chunk marker cutting the text anywhere
        new = line[:pos] + data.draw(st.sampled_from(["\n2、", "\n3、", "\n\n10、"]), label="chunk") + line[pos:]
    else:  # truncate
        new = line[:pos]
    return [*lines[:i], new, *lines[i + 1 :]]


OPS = ["delete", "duplicate", "swap", "shuffle", "spaces", "width", "split", "junk", "truncate", "gloss", "traditional",
       "chunk"]
GLOSSES = ["(dào)", "(yī / yì /yí)", "(zhèn)", "(de)", "（xiàn）"]
TO_TRADITIONAL = opencc.OpenCC("s2t")


@given(st.sampled_from(SEEDS), st.lists(st.sampled_from(OPS), max_size=8),
       st.sampled_from(["\n", "\r\n", "\r", "mixed"]), st.data())
def test_mutated_seed_keeps_the_contract(seed: str, ops: list[str], newline: str, data: st.DataObject) -> None:
    lines = seed.splitlines()
    for op in ops:
        lines = _mutate(lines, op, data)
    if newline == "mixed":
        ends = data.draw(st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=len(lines), max_size=len(lines)))
        text = "".join(line + end for line, end in zip(lines, ends, strict=True))
    else:
        text = newline.join(lines)
    plan = assert_contract(text)
    assert ecoplan.parse_text(text) == plan, "parsing is not deterministic"


def test_seeds_keep_the_contract() -> None:
    for seed in SEEDS:
        plan = assert_contract(seed)
        assert plan.sections, "a real plan has sections"


def test_line_end_style_does_not_change_the_structure() -> None:
    """CRLF and CR files give the same sections as LF, with spans that still hold."""
    for seed in SEEDS:
        lf = seed.replace("\r\n", "\n").replace("\r", "\n")
        titles = [s.title for s in ecoplan.parse_text(lf).sections]
        for newline in ("\r\n", "\r"):
            other = assert_contract(lf.replace("\n", newline))
            assert [s.title for s in other.sections] == titles
