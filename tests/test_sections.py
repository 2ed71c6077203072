from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ecoplan.parsers.sections import _numbered_verbs, _rules, _verb_matches, parse_sections
from ecoplan.provenance import span_holds
from ecoplan.schema import Section
from ecoplan.text.markers import match_marker
from ecoplan.text.normalise import normalise
from ecoplan.vocab import load

CASES = yaml.safe_load((Path(__file__).parent / "data" / "headings_cases.yaml").read_text(encoding="utf-8"))


def flatten(sections: list[Section], out: list | None = None) -> list[list]:
    out = [] if out is None else out
    for s in sections:
        out.append([s.level, s.marker, s.title])
        flatten(s.children, out)
    return out


def walk(sections: list[Section]):
    for s in sections:
        yield s
        yield from walk(s.children)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_section_tree(case: dict) -> None:
    doc = normalise(case["req"])
    sections = parse_sections(doc)
    assert flatten(sections) == case["res"]
    for s in walk(sections):
        assert span_holds(case["req"], s.span, s.title)
        assert case["req"].splitlines()[s.line - 1].strip() != ""


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("一、总体目标", ("cn-dun", 1)),
        ("十二、保障措施", ("cn-dun", 12)),
        ("(三)深入打好", ("cn-paren", 3)),
        ("(12)加强", ("arabic-paren", 12)),
        ("3.加强", ("arabic-dot", 3)),
        ("3、加强", ("arabic-dot", 3)),
        ("⑤建设", ("circled", 5)),
        ("——生态环境", ("dash", 0)),
        ("第十一条 ", ("article", 11)),
        ("2.5万千瓦", None),
        ("一,、總體要求", ("cn-dun", 1)),
        ("1.2022年,全区完成", ("arabic-dot", 1)),
        ("1.1 编制目的", ("decimal", 1)),
        ("2 组织体系", ("decimal", 2)),
        ("5家企业", None),
        ("2021年", None),
        ("PM2.5浓度", None),
        ("210204021071302", None),
    ],
)
def test_match_marker(line: str, expected: tuple[str, int] | None) -> None:
    m = match_marker(line)
    assert (None if m is None else (m.style, m.number)) == expected


def test_section_text_is_own_body_only() -> None:
    doc = normalise("一、大气\n推进治理。\n（一）扬尘\n加强管控。")
    (top,) = parse_sections(doc)
    assert top.text == "推进治理。"
    assert top.children[0].text == "加强管控。"


def test_signature_block_is_not_section_body() -> None:
    doc = normalise("一、推进垃圾分类。全区生活垃圾回收利用率达到37%。\n\n大连高新区环境保护委员会\n\n2021年3月8日\n")
    (top,) = parse_sections(doc)
    assert top.text == "全区生活垃圾回收利用率达到37%。"


def _inline_bits() -> list[str]:
    """What inline markers are read from: numerals (十一 too) before a verb, the marks around them, a filler."""
    vocab = load("headings")
    verbs = list(vocab.inline_markers)
    marks = list("一二十甲\n" + vocab.inline_boundary + vocab.inline_not_after)
    return [*marks, *verbs, *(n + v for n in ("一", "二", "十", "十一", "十二") for v in verbs)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_inline_bits()), max_size=12).map("".join), st.integers(0, 40), st.integers(0, 40))
def test_inline_markers_found_verb_by_verb_are_the_patterns_own(text: str, a: int, b: int) -> None:
    # The scan that tries the patterns only before a verb finds what their own scan finds (十一是 included).
    rules = _rules()
    a, b = min(a, b, len(text)), min(max(a, b), len(text))
    for pattern in (rules.inline, rules.inline_marker):
        found = [m.span() for m in _verb_matches(rules, pattern, text, a, b)]
        assert found == [m.span() for m in pattern.finditer(text, a, b)]
        # The same with the verbs of the whole text read once, as for every section of a document.
        numbered = _numbered_verbs(rules, text, 0, len(text))
        assert [m.span() for m in _verb_matches(rules, pattern, text, a, b, numbered)] == found
