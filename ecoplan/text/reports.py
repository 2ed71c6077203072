"""Reports inside a plan: the parts that record what has been done, whose figures are no commitment.

A work table's progress column:

    序号  问题      整改目标              责任单位  整改时限        整改进展
    2     管网老化  完成老旧管网改造20公里  区住建局  2025年10月底前  已改造12公里，完成率60%

A column is one when its header cell is a progress word (整改进展, 完成情况) and
another cell of the header row is a header word too (序号, 责任单位 …), so a row
that merely mentions progress (整改进展缓慢) opens no table. The column holds in
the rows below that line up with the header, until a line that is no table row.

A section whose heading reports the work done (一、2024年工作完成情况, 一、“十四五”以来主要成效)
before the plan's own sections: it runs to the next heading of its style or of a
style that came before it (a sibling or a higher level).

Header words are data in `ecoplan/vocab/tables.yaml` (`header`, role `progress`),
title endings in `ecoplan/vocab/headings.yaml` (`review_titles`).
"""

from __future__ import annotations

from functools import cache

from ecoplan.text.document import Document
from ecoplan.text.lexicon import squash
from ecoplan.vocab import load

# A header cell is a short label: a longer cell is a sentence that happens to hold the word.
_HEADER_CELL_MAX = 12


@cache
def _words() -> tuple[tuple[str, ...], frozenset[str]]:
    """The progress words, and every header word of the other roles."""
    header = load("tables").header
    progress = tuple(header["progress"])
    others = frozenset(w for role, words in header.items() if role != "progress" for w in words)
    return progress, others


def report_cell_starts(doc: Document) -> frozenset[int]:
    """The Document starts of the cells that stand in a progress column."""
    progress, others = _words()
    fold = doc.fold
    starts: set[int] = set()
    column = width = -1  # the open table's progress column and its header's number of cells
    for line in doc.lines:
        cells = line.cells
        if line.kind != "table_row" or not cells:
            column = -1
            continue
        row = fold[line.start : line.end]
        if any(map(row.__contains__, progress)):
            labels = [squash(fold[c.start : c.end]) for c in cells]
            found = next((k for k, label in enumerate(labels)
                          if len(label) <= _HEADER_CELL_MAX and label.startswith(progress)), -1)
            if found >= 0 and any(label in others for label in labels):
                column, width = found, len(cells)
                continue
        if column >= 0 and len(cells) == width:
            starts.add(cells[column].start)
    return frozenset(starts)


# A heading's title ends at its first full stop (（一）水环境持续改善。1—9月，…), a colon or semicolon
# maybe closing it.
_TITLE_STOP = "。"
_TITLE_CLOSERS = ":；;"
# A title is a short label: a longer first sentence is prose that happens to end in the word.
_TITLE_MAX = 30


@cache
def _review_titles() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The title endings, and their last two characters (情况, 成效 …): a heading whose title ends in
    none of those is passed by one test. (Searching the whole text for them first costs more than
    looking at the headings: 情况 is common prose.)"""
    words = tuple(load("headings").review_titles)
    return words, tuple(dict.fromkeys(w[-2:] for w in words))


def review_ranges(doc: Document) -> list[tuple[int, int]]:
    """The Document ranges of the sections whose headings report the work done, in text order."""
    words, lasts = _review_titles()
    fold = doc.fold
    ranges: list[tuple[int, int]] = []
    styles: list[str] = []  # marker styles in the order they first appear: earlier ones are higher levels
    open_style: str | None = None  # the style of the review heading whose section is open
    open_start = 0
    for line in doc.lines:
        marker = line.marker
        if marker is None or line.kind != "heading":
            continue
        style = marker.style
        if style not in styles:
            styles.append(style)
        if open_style is not None and styles.index(style) <= styles.index(open_style):
            ranges.append((open_start, line.start))
            open_style = None
        if open_style is None:
            head = marker.end
            end = fold.find(_TITLE_STOP, head, line.end)
            if end < 0:
                end = line.end
            if end > head and fold[end - 1] in _TITLE_CLOSERS:
                end -= 1
            # Two C calls for most headings; the title is read only when its ending may be one.
            if end - head <= 2 * _TITLE_MAX and fold.endswith(lasts, head, end):
                title = squash(fold[head:end])
                if len(title) <= _TITLE_MAX and title.endswith(words):
                    open_style, open_start = style, line.start
    if open_style is not None:
        ranges.append((open_start, len(doc.text)))
    return ranges
