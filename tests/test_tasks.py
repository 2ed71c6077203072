"""Tasks (spec section 6): tables and responsibility clauses, driven by tests/data/tasks_cases.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ecoplan.parsers.tasks import parse_roles, parse_tasks
from ecoplan.text.normalise import normalise

CASES = yaml.safe_load((Path(__file__).parent / "data" / "tasks_cases.yaml").read_text(encoding="utf-8"))


def _squash(text: str) -> str:
    return "".join(text.split())


def _check_provenance(raw: str, task_text: str, span: tuple[int, int], line: int) -> None:
    start, end = span
    assert 0 <= start <= end <= len(raw)
    assert _squash(task_text) in _squash(raw[start:end])
    assert line == raw.count("\n", 0, start) + 1


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_task_case(case: dict) -> None:
    tasks = parse_tasks(normalise(case["req"]))
    got = [
        {k: v for k, v in t.model_dump(include={"text", "goal", "lead", "support"}).items() if v}
        for t in tasks
    ]
    assert got == case["res"]
    for t in tasks:
        _check_provenance(case["req"], t.text, t.span, t.line)


@pytest.mark.parametrize(
    ("clause", "roles"),
    [
        ("牵头单位：市生态环境局；配合单位：市发展改革委", (["市生态环境局"], ["市发展改革委"])),
        ("责任单位:市水务局", (["市水务局"], [])),
        ("市环保局牵头，市煤炭局配合，各县市区人民政府负责落实", (["市环保局", "各县市区人民政府"], ["市煤炭局"])),
        ("由市住建局负责", (["市住建局"], [])),
        ("市交通局具体落实，市公安局协办", (["市交通局"], ["市公安局"])),
        ("生态保护红线、环境质量底线", None),
        ("依法负责", None),
        ("详见附件，牵头单位：市生态环境局", None),
    ],
)
def test_parse_roles(clause: str, roles: tuple[list[str], list[str]] | None) -> None:
    assert parse_roles(clause) == roles


TASK_BITS = st.sampled_from(
    [*"序号 目标任务 工作措施 责任单位 牵头单位 配合单位 完成时限 1 2. （1） 推进燃煤锅炉整治 加强扬尘管控。".split(),
     *"市生态环境局 区住建局 、 ， ； ： （ ） 〔 〕 牵头 配合 负责落实 各街道 等成员单位按照职责分工负责".split(),
     "——", "一、", "2025年底前", "\t", "\n", "\n\n", " "]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(TASK_BITS, max_size=50))
def test_never_raises_and_spans_hold_on_plan_like_text(bits: list[str]) -> None:
    raw = "".join(bits)
    for t in parse_tasks(normalise(raw)):
        assert t.text.strip()
        _check_provenance(raw, t.text, t.span, t.line)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=200))
def test_never_raises_on_arbitrary_text(raw: str) -> None:
    for t in parse_tasks(normalise(raw)):
        start, end = t.span
        assert _squash(t.text) in _squash(raw[start:end])
