from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import ecoplan
from ecoplan.parsers.departments import parse_departments
from ecoplan.provenance import squeeze
from ecoplan.schema import Task
from ecoplan.text.bodies import split_names
from ecoplan.text.normalise import normalise

CASES = yaml.safe_load((Path(__file__).parent / "data" / "departments_cases.yaml").read_text(encoding="utf-8"))
SEEDS = Path("/work/shared/seeds")


@pytest.mark.parametrize("case", CASES["split"], ids=lambda c: c["req"][:20])
def test_split_names(case: dict) -> None:
    assert split_names(case["req"]) == case["res"]


@pytest.mark.parametrize("case", CASES["text"], ids=lambda c: c["req"][:20])
def test_extract_from_text(case: dict) -> None:
    doc = normalise(case["req"])
    assert [d.name for d in parse_departments(doc, [])] == case["res"]


def test_mentions_order_and_location() -> None:
    raw = "一、总体要求\n市生态环境局牵头，各街道配合。\n\n各街道要加强巡查，市生态环境局 负责督导。\n"
    deps = parse_departments(normalise(raw), [])
    assert [(d.name, d.mentions, d.line) for d in deps] == [("市生态环境局", 2, 2), ("各街道", 2, 2)]
    first = deps[0]
    assert raw[first.span[0] : first.span[1]] == "市生态环境局"


def test_names_from_tasks_are_included() -> None:
    raw = "加强扬尘管控。\n"
    doc = normalise(raw)
    task = Task(text="加强扬尘管控", lead=["区住建局"], support=["临汾经济开发区管委会"], line=1, span=(0, 6))
    deps = parse_departments(doc, [task])
    assert [d.name for d in deps] == ["区住建局", "临汾经济开发区管委会"]
    assert deps[0].line == 1 and deps[0].span == (0, 6)


def test_table_cell_names_without_tasks() -> None:
    raw = (
        "序号\t工作措施\t责任单位\n"
        "1\t加强子站周边大气污染源管控\t区住建局、交警大队、街道办事处等成员单位按照职责分工负责\n"
    )
    deps = parse_departments(normalise(raw), [])
    assert [d.name for d in deps] == ["区住建局", "交警大队", "街道办事处"]


@pytest.mark.skipif(not SEEDS.exists(), reason="seed texts not available")
def test_seed_004_issuing_bodies_in_titles_are_not_actors() -> None:
    doc = normalise((SEEDS / "004_59042faa9e074fc0.txt").read_text(encoding="utf-8"))
    names = {d.name for d in parse_departments(doc, [])}
    assert {"瓦房店市", "庄河市", "各级党委", "政府", "各地区", "各有关部门", "各级检察院", "市人大常委会"} <= names
    assert not names & {"中共中央", "国务院", "辽宁省人民政府", "多部门", "普兰店区", "金普新区"}


_CHARS = (
    "市区县省各级有关相关生态环境局分局委员会办公室部门单位政府党委人大政协街道"
    "和及、，。；：《》“”\"（）等牵头配合要将 \t\n"
)
_WORDS = ["成员单位", "领导小组", "公安机关", "管委会", "按照职责分工负责", "临汾", "侯马", "经济开发区"]
_ALPHABET = st.sampled_from([*_CHARS, *_WORDS])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join) | st.text(max_size=200))
def test_never_raises_and_spans_point_at_mentions(raw: str) -> None:
    doc = normalise(raw)
    deps = parse_departments(doc, [])
    names = [d.name for d in deps]
    assert len(names) == len(set(names))
    for d in deps:
        assert d.mentions >= 1 and d.line >= 1
        piece = squeeze(raw[d.span[0] : d.span[1]])
        # A distributed name (临汾、侯马经济开发区管委会) points at its whole list:
        # its head stands in the list and its shared suffix ends it.
        assert d.name in piece or any(
            d.name[:k] in piece and piece.endswith(d.name[k:]) for k in range(1, len(d.name))
        ), (d, piece)


@given(st.text(max_size=120))
def test_split_names_never_raises(cell: str) -> None:
    for name in split_names(cell):
        assert name and not name.isspace()


# Plan-like fragments: names, lists, joiners, brackets, role clauses, labels, layout
# spaces, a pinyin gloss and traditional characters, so that generated texts hit the
# §5 and §6 rules.
_PLAN_BITS = st.sampled_from([
    "市生态环境局", "区住建局", "各县", "、", "区人民政府", "（管委会）", "（街道）", "各镇", "和", "及其", "常委会",
    "市人大", "各级法院", "检察院", "党委", "人民政府", "临港", "经济开发区管委会", "发展改革委", "市交通委",
    "牵头", "配合", "参与", "负责落实", "按职责分工负责", "，", "；", "。", "（", "）", "〔", "〕", "\n",
    "牵头单位：", "责任单位：", "配合单位：", "1.", "（一）", "推进燃煤锅炉整治", "排在首位的为牵头单位，下同",
    "以下各项工作均需", "落实，不再列出", "“三大战役”领导小组成员单位", "xx市", "要", "完成", " ", "  ",
    "各鎮(zhèn)", "縣發改委", "牽頭單位:", "县委县政府", " 督查室",
])
_GLOSS = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ /]+\)")


def _visible(text: str) -> str:
    """Text as a reader compares names: no whitespace, no pinyin gloss."""
    return _GLOSS.sub("", squeeze(text))


def _in_order(name: str, piece: str) -> bool:
    """`name` built from pieces of `piece` in order (spec §5: 各级法院和检察院 -> 各级检察院)."""
    rest = iter(piece)
    return all(ch in rest for ch in name)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PLAN_BITS, max_size=40).map("".join))
def test_first_mentions_slice_to_names_and_task_roles_are_departments(raw: str) -> None:
    plan = ecoplan.parse_text(raw)
    names = {d.name for d in plan.departments}
    visible_raw = _visible(raw)
    for d in plan.departments:
        piece = _visible(raw[d.span[0] : d.span[1]])
        name = _visible(d.name)
        if name in visible_raw:
            assert piece == name, (d, piece)
        else:  # a name built by distributing a shared prefix or suffix
            assert piece[:1] == name[:1] and piece[-1:] == name[-1:] and _in_order(name, piece), (d, piece)
    for t in plan.tasks:
        assert set(t.lead) | set(t.support) <= names, t
