"""Tables flattened one cell per line, as a web page's table often reads once copied as text.

    序号
    工作任务
    具体措施
    牵头单位
    1
    土壤污染源头防控
    完成重点单位隐患排查30家。
    市生态环境局

A run of three or more lines that are each a table header word (vocab/tables.yaml), the first
a 序号 column's, opens such a table; each row starts at the line holding the next sequence number.
The lines are regrouped into table rows whose cells are the lines, so every stage reads them as
it reads a tab-separated table, and every cell is still one contiguous span of the text. A row
with fewer lines than columns lost merged cells: its lines fill the last columns, the ones it
lacks (the group a merged cell spanned) are empty. A row with more lines than columns had a
cell of names wrapped: the surplus lines join the last column of names before a last column of
its own (完成时限). Any other row is left as it was.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from functools import cache
from itertools import pairwise
from typing import NamedTuple

from ecoplan.text.document import Block, Cell, new_block, new_cell
from ecoplan.text.lexicon import squash
from ecoplan.text.markers import starts_block
from ecoplan.text.patterns import lazy_re
from ecoplan.vocab import alternation, load

# Characters a header cell may hold around its header word (任务类别).
LABEL_AROUND = 4
# A header shorter than this is a list of labels, not a table.
MIN_COLUMNS = 3
# Kinds of line that can be a cell (a heading or a date line ends a table).
CELL_KINDS = ("paragraph", "label_line")
BLANKS = " \t\u3000"
# A cell line ending in one of these goes on on the next line (开展…调查，/设置…).
RUNS_ON = "，,、；;：:"
# Blanks a line may end in after its last cell, looked at by the quick test for a header.
RAW_LINE_END_REACH = 8
# A line this short without a full stop may be a line of a wrapped cell of names.
SHORT_CELL = 30
# A row written with pipes: the bars, at least this many (two cells), and what its rule is made of.
PIPES = "|｜"
MIN_PIPES = 3
PIPE_RULE = "-:— "
# Column roles whose cells hold names (a wrapped list of them adds lines to a row).
NAME_ROLES = ("support", "lead")


class _Rules(NamedTuple):
    header_run: re.Pattern[str]  # MIN_COLUMNS or more header-word lines in a row
    roles: dict[str, str]  # header word -> column role
    word: re.Pattern[str]  # any header word, longest first
    raw_header_run: re.Pattern[str]  # header_run in the input as read (CR LF)
    seq_words: tuple[str, ...]  # a table's first header cell (序号)


@cache
def _rules() -> _Rules:
    header = load("tables").header
    roles = {word: role for role, words in header.items() for word in words}
    # The run starts on a line break, so the scan looks for one and tries little more at most of them.
    seq = rf"\n[ \t\u3000]*+(?:{alternation(header['seq'])})[ \t\u3000]*+\n"
    # A header cell is a header word, or a short label holding one (任务类别).
    line = (rf"[ \t\u3000]*+[\u4e00-\u9fff]{{0,{LABEL_AROUND}}}?(?:{alternation(list(roles))})"
            rf"[\u4e00-\u9fff]{{0,{LABEL_AROUND}}}+[ \t\u3000]*+\n")
    raw_line = line.replace("\\n", "\\r?+\\n")
    raw_seq = seq.replace("\\n", "\\r?+\\n").removeprefix("\\r?+")
    return _Rules(lazy_re(rf"{seq}(?:{line}){{{MIN_COLUMNS - 1},}}+"), roles,
                  lazy_re(alternation(sorted(roles, key=len, reverse=True))),
                  lazy_re(rf"{raw_seq}(?:{raw_line}){{{MIN_COLUMNS - 1},}}+"),
                  tuple(header["seq"]))


def _role(rules: _Rules, cell: str) -> str:
    """A header cell's column role: its word's, else that of the longest word in it."""
    key = squash(cell)
    found = rules.roles.get(key)
    if found is None:
        words = [m.group() for k in range(len(key)) if (m := rules.word.match(key, k))]
        found = rules.roles[max(words, key=len)]
    return found


def lines_kept_apart(raw: str, line_starts: Sequence[int]) -> frozenset[int]:
    """1-based numbers of the input lines of a one-cell-per-line table, from its header to the
    first blank line or heading: each is a cell, never a wrapped line to glue to the one before."""
    rules = _rules()
    if not _may_hold_header(raw, rules.seq_words):
        return frozenset()
    out: set[int] = set()
    for run in rules.raw_header_run.finditer(raw):
        k = bisect_right(line_starts, run.start() + 1)  # the 1-based number of the header's first line
        pos = run.end()
        while pos < len(raw):
            end = raw.find("\n", pos)
            end = len(raw) if end < 0 else end
            line = raw[pos:end].strip(BLANKS + "\r")
            if not line or (starts_block(line) and not line.isdigit()):
                break
            pos = end + 1
        last = bisect_right(line_starts, pos - 1)
        out.update(range(k, last + 1))
    return frozenset(out)


def regroup(text: str, folded: str, blocks: Sequence[Block]) -> Sequence[Block]:
    """`blocks` with every one-cell-per-line table regrouped into table rows (unchanged when there is none)."""
    rules = _rules()
    if not _may_hold_header(folded, rules.seq_words):
        return blocks
    runs = list(rules.header_run.finditer(folded))
    if not runs:
        return blocks
    out = list(blocks)
    starts = [b.start for b in blocks]
    # From the last table up, so that the indices of the earlier ones still hold.
    for run in reversed(runs):
        first = _index_of(starts, run.start() + 1, folded)
        if first is None:
            continue
        width = folded.count("\n", run.start() + 1, run.end())
        header = out[first : first + width]
        if any(b.kind not in CELL_KINDS for b in header):
            continue
        roles = [_role(rules, folded[b.start : b.end]) for b in header]
        if roles[0] != "seq":
            continue  # without sequence numbers the rows cannot be told apart
        rows = _rows(folded, out, first + width, width)
        if not rows:
            continue
        new = [_row(header, [_cell(text, b) for b in header])]
        for lines in rows:
            cells = _assign(text, lines, roles)
            if cells is None:
                new.extend(lines)
            else:
                new.append(_row(lines, cells))
        end = first + width + sum(len(lines) for lines in rows)
        out[first:end] = new
    return tuple(out)


def _may_hold_header(text: str, seq_words: tuple[str, ...]) -> bool:
    """Whether some line of `text` ends in a 序号 word (trailing blanks aside): the substring
    searches spare most texts the header patterns, and their compiling at start-up.

    Each word is looked for by its last character, then read back from there: `str.find` of one
    character runs several times faster than that of a word."""
    for last, words in _by_last_character(seq_words).items():
        end = text.find(last) + 1
        while end:
            if text.endswith(words, 0, end):
                rest = text[end : end + RAW_LINE_END_REACH].lstrip(BLANKS + "\r")
                if not rest or rest[0] == "\n":
                    return True
            end = text.find(last, end) + 1
    return False


@cache
def _by_last_character(words: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return {last: tuple(w for w in words if w.endswith(last)) for last in dict.fromkeys(w[-1] for w in words)}


def _index_of(starts: list[int], pos: int, folded: str) -> int | None:
    """Index of the block starting at the first non-blank character at or after `pos`."""
    while pos < len(folded) and folded[pos] in BLANKS:
        pos += 1
    k = bisect_left(starts, pos)
    return k if k < len(starts) and starts[k] == pos else None


def _rows(folded: str, blocks: list[Block], k: int, width: int) -> list[list[Block]]:
    """The rows after a header: each from the line holding the next sequence number, up to
    the line holding the one after, a blank line or a line of another kind (a heading)."""
    rows: list[list[Block]] = []
    seq = 1
    while k < len(blocks) and _number(folded, blocks[k]) == seq and _adjacent(folded, blocks[k - 1], blocks[k]):
        row = [blocks[k]]
        k += 1
        while (
            k < len(blocks) and len(row) < 2 * width and _number(folded, blocks[k]) != seq + 1
            and blocks[k].kind in CELL_KINDS and _adjacent(folded, row[-1], blocks[k])
        ):
            row.append(blocks[k])
            k += 1
        rows.append(row)
        seq += 1
    if rows and len(rows[-1]) > width:
        # No next number marks where the last row ends: past one line a column, it keeps
        # only short lines without a full stop (a wrapped list of names), not the prose after it.
        last = rows[-1]
        keep = width
        while keep < len(last) and _short_cell(folded, last[keep]):
            keep += 1
        rows[-1] = last[:keep]
    return rows


def _short_cell(folded: str, block: Block) -> bool:
    return block.end - block.start <= SHORT_CELL and "。" not in folded[block.start : block.end]


def _adjacent(folded: str, before: Block, after: Block) -> bool:
    """Whether `after` is on the line right after `before` (no blank line between)."""
    return "\n" not in folded[before.end + 1 : after.start]


def _number(folded: str, block: Block) -> int | None:
    s = folded[block.start : block.end].strip(BLANKS)
    return int(s) if s.isdigit() and len(s) <= 3 else None


def _cell(text: str, block: Block) -> Cell:
    a, b = block.start, block.end
    while a < b and text[a] in BLANKS:
        a += 1
    while b > a and text[b - 1] in BLANKS:
        b -= 1
    return new_cell(a, b)


def _assign(text: str, lines: list[Block], roles: list[str]) -> list[Cell] | None:
    """The row's cells, one per column, or None when its lines cannot be laid on the columns."""
    width = len(roles)
    cells: list[Cell] = []
    for b in lines:
        cell = _cell(text, b)
        if cells and cells[-1].end > cells[-1].start and text[cells[-1].end - 1] in RUNS_ON:
            cell = new_cell(cells.pop().start, cell.end)  # a cell wrapped after a comma goes on
        cells.append(cell)
    if len(cells) == width:
        return cells
    if len(cells) < width:
        # Merged cells spanned this row: the lines it has are its last columns.
        missing = width - len(cells)
        at = cells[1].start if len(cells) > 1 else cells[0].end
        return [cells[0], *(new_cell(at, at) for _ in range(missing)), *cells[1:]]
    names = next((k for k in range(width - 2, 0, -1) if roles[k] in NAME_ROLES), None)
    if names is None or roles[-1] != "deadline":
        return None
    surplus = len(cells) - width
    joined = new_cell(cells[names].start, cells[names + surplus].end)
    return [*cells[:names], joined, *cells[names + surplus + 1 :]]


def _row(lines: list[Block], cells: list[Cell]) -> Block:
    return new_block("table_row", lines[0].start, lines[-1].end, lines[0].lineno, None, tuple(cells))


def pipe_row_cells(content: str, start: int) -> list[tuple[int, int]] | None:
    """The cells of a line of a table written with pipes (| 序号 | 工作措施 | 责任单位 |), as input
    ranges (`start` is where `content` starts), padding stripped; [] for the rule under its header
    (| --- | --- |); None when the line is no such row."""
    left = len(content) - len(content.lstrip(BLANKS))
    right = len(content.rstrip(BLANKS + "\r"))
    if right - left < 3 or content[left] not in PIPES or content[right - 1] not in PIPES:
        return None
    bars = [k for k in range(left, right) if content[k] in PIPES]
    if len(bars) < MIN_PIPES:
        return None
    cells: list[tuple[int, int]] = []
    for a, b in pairwise(bars):
        a += 1
        while a < b and content[a] in BLANKS:
            a += 1
        while b > a and content[b - 1] in BLANKS:
            b -= 1
        cells.append((start + a, start + b))
    if all(not content[a - start : b - start].strip(PIPE_RULE) for a, b in cells):
        return []
    return cells
