from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import ecoplan.text.normalise as normalise_module
from ecoplan.pipeline import parse_text
from ecoplan.provenance import span_holds
from ecoplan.text.document import Block, BlockColumns, Cell, new_block
from ecoplan.text.markers import MarkerMatch
from ecoplan.text.normalise import fold, normalise


def lines_of(raw: str) -> list[str]:
    doc = normalise(raw)
    return [doc.text[ln.start : ln.end] for ln in doc.lines]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # spaces inside Chinese text and between digits and 年/%/units
        ("到 2025 年,全市 30 %的散煤", ["到2025年,全市30%的散煤"]),
        ("工作计划 及措施清单", ["工作计划及措施清单"]),
        ("浓度不超过29.8 微克/立方米", ["浓度不超过29.8微克/立方米"]),
        # spaces between ASCII words stay
        ("Hello world", ["Hello world"]),
        # list artefacts and indentation
        ("- (一)深入实施碳达峰行动。", ["(一)深入实施碳达峰行动。"]),
        ("\u3000\u3000一、总体要求", ["一、总体要求"]),
        # a page break mid-sentence is joined; a heading line is not
        (
            "一是严格控制和预防土壤污染，按照省市统一部署，按\n\n上级要求配合开展调查。",
            ["一是严格控制和预防土壤污染，按照省市统一部署，按上级要求配合开展调查。"],
        ),
        ("（一）大气污染防治方面\n主要目标：完成指标。", ["（一）大气污染防治方面", "主要目标：完成指标。"]),
        ("大连高新区环境保护委员会\n\n2021年3月8日", ["大连高新区环境保护委员会", "2021年3月8日"]),
        ("加强监管，做好\n\n1.推进整治。", ["加强监管，做好", "1.推进整治。"]),
        # page numbers left by PDF extraction are dropped, and the sentence they cut is joined
        (
            "推进清洁取暖改造，加快供热区域热网互联互通建设，淘汰管网覆盖范围内\n\n- 12 -\n\n的燃煤锅炉。",
            ["推进清洁取暖改造，加快供热区域热网互联互通建设，淘汰管网覆盖范围内的燃煤锅炉。"],
        ),
        ("第 3 页 共 10 页\n2/3的企业完成改造。", ["2/3的企业完成改造。"]),
        # line ends of every kind
        ("一、甲\r\n二、乙\r三、丙\n四、丁", ["一、甲", "二、乙", "三、丙", "四、丁"]),
        # table rows keep their empty leading cells
        ("\t\t2. 持续推进整改落实。\t区发改局", ["\t\t2.持续推进整改落实。\t区发改局"]),
    ],
)
def test_clean_lines(raw: str, expected: list[str]) -> None:
    assert lines_of(raw) == expected


def test_new_block_fills_every_field_as_the_constructor_does() -> None:
    values = {name: f"{name}-value" for name in Block._fields}
    made = new_block(**values)  # type: ignore[arg-type]
    assert made == Block(**values)  # type: ignore[arg-type]
    assert [getattr(made, name) for name in values] == list(values.values())
    assert type(made) is Block


def test_block_columns_read_as_the_blocks_they_store() -> None:
    # Markers and cells are kept for the lines that have them only: lines with and without
    # them interleave, rows hold different numbers of cells, markers carry every field.
    blocks = [
        Block("heading", 0, 5, 1, MarkerMatch("cn-dun", 1, 2, (1, 2))),
        Block("table_row", 6, 12, 3, None, (Cell(6, 8), Cell(9, 12))),
        Block("paragraph", 13, 20, 4, None, (), 2),
        Block("table_row", 21, 30, 5, MarkerMatch("arabic-dot", 2, 23), (Cell(21, 23), Cell(24, 26), Cell(27, 27))),
        Block("heading", 31, 40, 6, MarkerMatch("decimal", 3, 36, None, (1, 2, 3))),
        Block("table_row", 41, 44, 7, None, (Cell(41, 44),)),
        Block("paragraph", 45, 50, 8),
    ]
    columns = BlockColumns.of(blocks, 100)
    assert list(columns) == blocks
    assert all(type(b) is Block and (b.marker is None or type(b.marker) is MarkerMatch) for b in columns)
    assert all(type(c) is Cell for b in columns for c in b.cells)
    assert [columns[k] for k in range(-len(blocks), len(blocks))] == blocks + blocks
    assert columns[1:] == tuple(blocks[1:])
    assert columns[::-2] == tuple(blocks[::-2])
    assert len(columns) == len(blocks)
    with pytest.raises(IndexError):
        columns[len(blocks)]


def test_a_long_document_keeps_its_blocks_as_columns_and_reads_the_same(
    monkeypatch: pytest.MonkeyPatch, seed_texts: dict[str, str]
) -> None:
    # Every plan taken as long: its blocks are read from columns, and the parse is the same.
    text = "\n".join(seed_texts.values())
    as_objects = normalise(text)
    expected = parse_text(text).model_dump()
    monkeypatch.setattr(normalise_module, "_BLOCK_OBJECTS_MAX", 0)
    as_columns = normalise(text)
    assert isinstance(as_columns.lines, BlockColumns) and isinstance(as_objects.lines, tuple)
    assert list(as_columns.lines) == list(as_objects.lines)
    assert parse_text(text).model_dump() == expected


def test_fold_keeps_length_and_folds_full_width() -> None:
    assert fold("（一）１．２％，：") == "(一)1.2%,:"
    assert len(fold("（一）１．２％")) == len("（一）１．２％")


def test_the_input_is_checked_for_traditional_characters_in_what_the_text_drops_too() -> None:
    # Reader comments under a web page leave the text, not the input the meta stage reads lines of.
    doc = normalise("工作方案\n网友评论\n縣政府")
    assert doc.traditional and "縣" not in doc.text
    assert not normalise("工作方案（试行）\n网友评论\n县政府").traditional


def test_lines_and_spans_point_into_the_input() -> None:
    raw = "标题\r\n\r\n一、调整职责。根据高新区最新的机构改革方案\r\n\r\n调整后的分工 ，调整成员单位。"
    doc = normalise(raw)
    body = doc.lines[1]
    assert body.lineno == 3
    start, end = doc.span(body.start, body.end)
    assert "".join(raw[start:end].split()) == "一、调整职责。根据高新区最新的机构改革方案调整后的分工，调整成员单位。"
    assert doc.lineno(doc.text.index("调整后")) == 5


ALPHABET = [*"一二、（）()1.2 年%\t\r\n—-是要，。；计划达到以上", "\u3000", "\xa0"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(ALPHABET)))
def test_every_clean_char_maps_to_the_same_input_char(raw: str) -> None:
    doc = normalise(raw)
    for i, ch in enumerate(doc.text):
        if ch == "\n":
            continue
        assert raw[doc.to_raw(i)] == ch
    assert len(doc.fold) == len(doc.text)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(ALPHABET)), st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40))))
def test_spans_and_lines_located_together_are_those_located_one_by_one(raw: str, ranges: list) -> None:
    doc = normalise(raw)
    ranges = [(min(a, len(doc.text)), min(b, len(doc.text))) for a, b in ranges]
    spans = doc.spans([a for a, _ in ranges], [b for _, b in ranges])
    assert spans == [doc.span(a, b) for a, b in ranges]
    assert doc.raw_linenos(s[0] for s in spans) == [doc.raw_lineno(s[0]) for s in spans]


BLOCK_CASES = yaml.safe_load((Path(__file__).parent / "data" / "blocks_cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", BLOCK_CASES, ids=[c["name"] for c in BLOCK_CASES])
def test_blocks_are_typed(case: dict) -> None:
    doc = normalise(case["req"])
    assert [[b.kind, doc.text[b.start : b.end]] for b in doc.blocks] == case["res"]
    if "cells" in case:
        rows = [b for b in doc.blocks if b.kind == "table_row"]
        assert [[doc.text[c.start : c.end] for c in b.cells] for b in rows] == case["cells"]
    if "fold" in case:
        assert doc.fold == case["fold"]
    for block in doc.blocks:
        assert case["req"].splitlines()[block.lineno - 1].strip()
        for cell in block.cells:
            start, end = doc.span(cell.start, cell.end)
            cell_text = doc.text[cell.start : cell.end]
            if "\n" in case["req"][start:end]:
                # A cell wrapped over lines of a layout table: its span runs from its first piece to its
                # last, a piece on each line (the promise of ecoplan.provenance).
                assert span_holds(case["req"], (start, end), cell_text)
            else:
                assert "".join(case["req"][start:end].split()) == "".join(cell_text.split())
    assert [b for b in doc.blocks if b.kind != "page_artefact"] == list(doc.lines)


@pytest.mark.parametrize("case", BLOCK_CASES, ids=[c["name"] for c in BLOCK_CASES])
def test_blocks_kept_as_columns_are_the_same(case: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    as_objects = normalise(case["req"])
    monkeypatch.setattr(normalise_module, "_BLOCK_OBJECTS_MAX", 0)
    as_columns = normalise(case["req"])
    assert isinstance(as_columns.lines, BlockColumns) or not as_columns.lines
    assert list(as_columns.lines) == list(as_objects.lines)
    assert as_columns.blocks == as_objects.blocks


def test_items_in_cells_wrapped_over_lines_keep_checkable_spans() -> None:
    # A layout table whose cells wrap: each target and task still points at a slice of the input
    # holding its text a piece per line, and a slice holding the pieces out of order does not pass.
    case = next(c for c in BLOCK_CASES if c["name"].startswith("a table laid out by column"))
    raw = case["req"]
    plan = parse_text(raw)
    assert plan.targets and plan.tasks
    for item in [*plan.targets, *plan.tasks]:
        assert span_holds(raw, item.span, item.text)
    assert not span_holds("到75%以上\n城市污水集中收集率达", (0, 20), "城市污水集中收集率达到75%以上")


def test_a_space_laid_indicator_table_gives_its_targets() -> None:
    # The 主要指标 table above: its header opens a space-laid table, the wrapped indicator joins its row,
    # and the targets come from the target column.
    case = next(c for c in BLOCK_CASES if "主要指标 table laid out" in c["name"])
    targets = parse_text(case["req"]).targets
    assert [(t.indicator, t.comparator, t.value) for t in targets] == [
        ("城区空气质量优良天数比率", ">=", 88.0), ("受污染耕地安全利用率", ">=", 93.0)]
