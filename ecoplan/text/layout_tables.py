"""Tables a PDF's text layer lays out with spaces, whose cells wrap over several lines.

A text layer written by column position (pdftotext -layout and the like) puts every
cell of a row at the display column of its column, and a cell too long for its column
goes on, in the same column, on the lines below the row:

    1     推进污水处理提质增效，新      污水集中收集率达      区水务局（牵头）、区住房和城乡
          建改造污水管网40公里          到80%以上             建设局、各街道

A line below a row continues it when each of its pieces starts where a cell of the
row's first line starts, to the column, and that cell's text so far ran up to the next
column: the column's width cut it, it did not end there. A row starts in the first
column (its 序号, or a 主要指标 table's indicator) with pieces in others; a line of one
piece in the first column continues the row's first cell. Rows are read until a line
that is neither; blank lines and page numbers between rows do not end the table (a
continuation never follows a blank line).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ecoplan.text.lexicon import PADDING
from ecoplan.text.published import cell_ranges, display_width

# A cell's text reached the next column (it was cut there) when it ended this many display
# columns before that column's start or closer: the gap a layout keeps between columns.
_FULL_SLACK = 8
# A column narrower than this (display columns) holds a number or a word that never wraps.
_WRAPPING_WIDTH = 10
# What ends a cell's text for good: a cell ending so was not cut by its column's width.
_CELL_DONE = "。；;"

# One row: for each column, the input ranges of its pieces, top to bottom (none: an empty cell).
Row = list[list[tuple[int, int]]]


def wrapped_rows(
    raw: str, contents: Sequence[str], starts: Sequence[int], header: int, header_starts: Sequence[int],
    is_page_number: Callable[[str], bool],
) -> tuple[dict[int, Row], set[int]] | None:
    """The rows of the layout table whose header is physical line `header`, when a cell of one
    wraps over several lines: {input start of a row's first line: its cells}, and the input starts
    of the lines that continue a row. None when no cell wraps (the table reads line by line)."""
    columns = len(header_starts)
    rows: dict[int, Row] = {}
    continued: set[int] = set()
    row: Row | None = None
    firsts: list[int] = []  # display column where each cell of the row's first line starts (-1: empty)
    reach: list[int] = []  # display column where each cell's last piece ends
    for i in range(header + 1, len(contents)):
        line, start = contents[i], starts[i]
        if not line.strip(PADDING):
            row = None  # a continuation never follows a blank line
            continue
        if is_page_number(line):
            row = None
            continue
        pieces = cell_ranges(raw, start, start + len(line))
        at = [(display_width(raw, start, a), display_width(raw, start, b)) for a, b in pieces]
        if row is not None and _continues(row, firsts, reach, header_starts, raw, at):
            for (a, b), (x, y) in zip(pieces, at, strict=True):
                column = firsts.index(x)
                row[column].append((a, b))
                reach[column] = y
            continued.add(start)
            continue
        if len(pieces) < 2 or at[0][0] >= header_starts[1]:
            break  # neither a row nor a continuation: the table has ended
        row = [[] for _ in range(columns)]
        firsts, reach = [-1] * columns, [-1] * columns
        column = 0
        for (a, b), (x, y) in zip(pieces, at, strict=True):
            # Each piece under the header cell it starts nearest to, in order.
            best = min(range(column, columns), key=lambda c, x=x: abs(header_starts[c] - x))
            row[best].append((a, b))
            firsts[best], reach[best] = x, y
            column = min(best + 1, columns - 1)
        rows[start] = row
    return (rows, continued) if continued else None


def _continues(row: Row, firsts: list[int], reach: list[int], header_starts: Sequence[int], raw: str,
               at: list[tuple[int, int]]) -> bool:
    """Whether a line whose pieces stand at display columns `at` continues `row`."""
    for x, _ in at:
        if x not in firsts:
            return False  # a piece that does not start where a cell of the row starts
        column = firsts.index(x)
        if column == 0 and len(at) > 1:
            return False  # pieces in the first column and beyond: a row of its own
        last = row[column][-1]
        if raw[last[1] - 1] in _CELL_DONE:
            return False
        following = next((firsts[c] for c in range(column + 1, len(firsts)) if firsts[c] >= 0), None)
        if following is None and column + 1 < len(header_starts):
            following = header_starts[column + 1]
        if following is not None and (following - reach[column] > _FULL_SLACK
                                      or following - firsts[column] < _WRAPPING_WIDTH):
            return False  # the cell ended short of the next column, or the column is too narrow to wrap (序号)
    return True


# A quoted cell of a spreadsheet's text export runs over at most this many lines.
_QUOTED_LINES_MAX = 12


def quoted_tab_row(raw: str, contents: Sequence[str], starts: Sequence[int],
                   first: int) -> tuple[Row, list[int], list[int]] | None:
    """A row of a spreadsheet's tab-separated text export (Excel 另存为文本) whose quoted cell
    runs over several lines (`1<TAB>"推进…，<LF>落实…。"<TAB>市生态环境局`), starting on physical
    line `first`: its cells (each the input ranges of its pieces, the quotes left out, a doubled
    quote read as one), the input offsets of the tabs between them, and the input starts of the
    lines the row runs on to. None when no cell of the line runs over a line."""
    cells: Row = []
    tabs: list[int] = []
    pieces: list[tuple[int, int]] = []
    k = first
    line, base, pos = contents[k], starts[k], 0
    while True:
        piece_from = pos
        if line.startswith('"', pos):
            pos = piece_from = pos + 1
            while True:
                close = line.find('"', pos)
                if close < 0:  # the cell runs on to the next line
                    if piece_from < len(line):
                        pieces.append((base + piece_from, base + len(line)))
                    k += 1
                    if k >= len(contents) or k - first > _QUOTED_LINES_MAX:
                        return None
                    line, base, pos = contents[k], starts[k], 0
                    piece_from = 0
                    continue
                if line.startswith('"', close + 1):  # "" stands for one "
                    pieces.append((base + piece_from, base + close + 1))
                    pos = piece_from = close + 2
                    continue
                if close > piece_from:
                    pieces.append((base + piece_from, base + close))
                pos = piece_from = close + 1
                break
        tab = line.find("\t", pos)
        end = tab if tab >= 0 else len(line)
        if end > piece_from:
            pieces.append((base + piece_from, base + end))
        cells.append(pieces)
        pieces = []
        if tab < 0:
            break
        tabs.append(base + tab)
        pos = tab + 1
    if k == first:
        return None  # every cell ends on its line: the row reads as it is
    return cells, tabs, [starts[j] for j in range(first + 1, k + 1)]
