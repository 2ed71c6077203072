"""Reports inside a plan: the parts that record what has been done, whose figures are no commitment.

A work table's progress column:

    序号  问题      整改目标              责任单位  整改时限        整改进展
    2     管网老化  完成老旧管网改造20公里  区住建局  2025年10月底前  已改造12公里，完成率60%

A column is one when its header cell is a progress word (整改进展, 完成情况) and
another cell of the header row is a header word too (序号, 责任单位 …), so a row
that merely mentions progress (整改进展缓慢) opens no table. The column holds in
the rows below that line up with the header, until a line that is no table row.

(A section whose heading reports the work done is read off the section tree, by the
targets stage: `review_titles` in `ecoplan/vocab/headings.yaml`.)

Header words are data in `ecoplan/vocab/tables.yaml` (`header`, role `progress`).
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

