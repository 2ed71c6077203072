"""Indicator tables: a plan's 主要指标 table, one indicator a row, its unit in a column of its own.

    序号  指标名称                      单位         2020年现状值  2025年目标值  指标属性
    1     中心城区细颗粒物(PM2.5)年均浓度  微克/立方米  30            ≤28           约束性

A row's figure in the target column (目标值, or the year column that is not the
baseline) is a target of the indicator in that row, in the unit of the unit
column, with the comparator its sign writes (≤28, ≥93.5, 95以上; a bare number is
"="; 〔2900〕 is a cumulative figure, read as written). A figure written with its
unit in the cell (≤28微克/立方米) is read as prose is, not here.

Header words are data in `ecoplan/vocab/tables.yaml` (`indicator_table`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from itertools import compress, count
from operator import attrgetter
from typing import NamedTuple

from ecoplan.text.document import Block, Document
from ecoplan.text.lexicon import squash
from ecoplan.text.patterns import lazy_re
from ecoplan.text.quantities import is_unit
from ecoplan.vocab import alternation, load

# A target cell on the fold: an optional sign, an optional bracket, the number, an optional
# word after it (以上, 以下), the bracket closed.
SIGN_OPERATORS = {"≤": "<=", "≥": ">=", "<=": "<=", ">=": ">=", "<": "<", ">": ">", "=": "="}
RE_FIGURE = lazy_re(
    r"(?P<sign><=|>=|[≤≥<>=])?+\s*+[〔\[(]?+\s*+(?P<num>\d++(?:\.\d++)?+)\s*+[〕\])]?+\s*+(?P<after>\w{0,3}+)"
)
RE_YEAR = lazy_re(r"((?:19|20)\d{2})年")
_CELLS = attrgetter("cells")


class IndicatorRow(NamedTuple):
    """One row of an indicator table: where its parts stand in the Document, and its figure.

    A named tuple: defined in a tenth of a frozen dataclass's start-up time; a table has few rows.
    """

    line_index: int  # index into Document.lines
    indicator: tuple[int, int]  # Document range of the indicator cell
    unit: str  # the unit cell, whitespace removed
    value: tuple[int, int]  # Document range of the target cell
    sign: str | None  # ≤ ≥ < > as written, None when bare
    number: str  # the figure as written
    after: str  # a word after the figure (以上), "" when none
    year: int | None  # the year the target column is headed with (2025年目标值)


class _Columns(NamedTuple):  # one per table header
    indicator: int
    unit: int
    target: int
    year: int | None


@cache
def _words() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], tuple[str, ...]]:
    v = load("tables").indicator_table
    patterns = tuple(lazy_re(alternation(v[role])) for role in ("indicator", "target", "baseline"))
    return (*patterns, tuple(v["unit"]))  # type: ignore[return-value]


def _header(doc: Document, line: Block) -> _Columns | None:
    """The columns of an indicator table's header row, or None when `line` is no such header."""
    indicator_re, target_re, baseline_re, unit_words = _words()
    row = doc.fold[line.start : line.end]
    if not any(map(row.__contains__, unit_words)):
        return None  # no unit column: most rows, headers of task tables among them
    # A cell that is the unit word itself first: a row that only names 责任单位 in its text has none.
    # (Membership in the words is the unit pattern's full match; the cells are read into a list
    # only for a row that has one, most rows that name the word being task table rows.)
    fold = doc.fold
    unit = next((k for k, c in enumerate(line.cells) if squash(fold[c.start : c.end]) in unit_words), None)
    if unit is None:
        return None
    cells = [squash(fold[c.start : c.end]) for c in line.cells]
    indicator = next((k for k, c in enumerate(cells) if indicator_re.search(c) and len(c) <= 8), None)
    if indicator is None:
        return None
    # The target column: one named a target (目标值); failing that, the last year that is no baseline.
    targets = [k for k, c in enumerate(cells) if target_re.search(c) and not baseline_re.search(c)]
    if not targets:
        targets = [k for k, c in enumerate(cells) if RE_YEAR.search(c) and not baseline_re.search(c)]
    if not targets or targets[-1] in (indicator, unit):
        return None
    target = targets[-1]
    year = RE_YEAR.search(cells[target])
    return _Columns(indicator, unit, target, int(year[1]) if year else None)


def indicator_rows(doc: Document) -> Iterator[IndicatorRow]:
    """The rows of every indicator table in `doc`, in text order."""
    columns: _Columns | None = None
    width = 0
    lines = doc.lines
    # Only a table row has cells, and most lines are prose: the rows are picked out in one C-level
    # pass, and a line without cells between two of them (a gap in their indices) ends a table.
    last = -1
    for li in compress(count(), map(_CELLS, lines)):
        if li != last + 1:
            columns = None
        last = li
        line = lines[li]
        header = _header(doc, line)
        if header is not None:
            columns, width = header, len(line.cells)
            continue
        if columns is None or len(line.cells) != width:
            continue  # a row that does not line up with the header: its cells cannot be told apart
        ind, unit, val = (line.cells[k] for k in (columns.indicator, columns.unit, columns.target))
        unit_text = squash(doc.text[unit.start : unit.end])
        if ind.end <= ind.start or not is_unit(squash(doc.fold[unit.start : unit.end])):
            continue
        m = RE_FIGURE.fullmatch(doc.fold, val.start, val.end)
        if m is None:
            continue  # empty, 一, or a figure with its own unit (read as prose)
        yield IndicatorRow(li, (ind.start, ind.end), unit_text, (val.start, val.end), m["sign"],
                           m["num"], m["after"], columns.year)
