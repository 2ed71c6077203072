"""What the publishing of a plan adds to its text, found so normalise can take it out.

- Pinyin glosses that conversion sites insert after characters with several
  readings: `一(yī / yì /yí)、總體要(yào / yāo)求`, `到(dào)2025年`,
  `各鎮(zhèn)人民政府`. A gloss is dropped from the text like a layout space,
  so markers, titles and names read as written without it while every span
  still points into the input.
- Page-chunk markers of document-sharing sites: the text is cut into pages
  and each page starts on a new line with `N、` (`不高于92` / `2、微克/立方米`).
  Such a marker is no heading and its line break is none: the marker is
  dropped and the line joined to the one it continues.

Syllables and thresholds are data in `ecoplan/vocab/published.yaml`.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from functools import cache

from ecoplan.text.lexicon import LINE_BREAKS, PADDING
from ecoplan.text.patterns import lazy_re
from ecoplan.text.records import rule_record
from ecoplan.vocab import alternation, load

# Combining tone marks (macron, acute, caron, grave) as NFD writes the vowels of pinyin.
_TONE_MARKS = "\u0304\u0301\u030c\u0300"
_UMLAUT = "\u0308"
# A bracket right after an ideograph holding lowercase Latin letters (with tone marks), maybe several
# readings separated by slashes. Checked syllable by syllable by _is_gloss.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PINYIN_RANGES = (("a", "z"), ("\u00e0", "\u00fc"), ("\u0101", "\u01dc"))
_PINYIN_LETTERS = "".join(f"{lo}-{hi}" for lo, hi in _PINYIN_RANGES)
RE_GLOSS = lazy_re(
    rf"(?<=[{_HAN}])[(（][ ]*+([{_PINYIN_LETTERS}]++(?:[ ]*+/[ ]*+[{_PINYIN_LETTERS}]++)*+)[ ]*+[)）]"
)
# Cheap test for a line that may hold a gloss at all.
RE_GLOSS_HINT = lazy_re(rf"[(（][ ]*+[{_PINYIN_LETTERS}]")
# A page-chunk marker at the start of a physical line, padding before it.
RE_CHUNK_MARKER = lazy_re(rf"[{PADDING}]*+(\d{{1,3}}+)、")
RE_CHUNK_MARKER_AFTER_LF = lazy_re("\n" + RE_CHUNK_MARKER.pattern)
RE_CHUNK_MARKER_AFTER_BREAK = lazy_re(rf"[{LINE_BREAKS}]([{PADDING}]*+(\d{{1,3}}+)、)")
# Punctuation that ends a line that was not cut: the next line starts afresh.
# A closing bracket ends a remark (〔责任单位：…〕) as it ends a parenthesis.
_COMPLETE_LINE_ENDS = "。；;！!？?：:…)）】〕]］」』”\"|"


@rule_record
class _Rules:
    syllable: re.Pattern[str]
    neutral: frozenset[str]
    min_cut: int


@cache
def _rules() -> _Rules:
    v = load("published")
    syllable = lazy_re(f"(?:{alternation(v.pinyin_initials)})?(?:{alternation(v.pinyin_finals)})")
    return _Rules(syllable, frozenset(v.neutral_tone_glosses), v.chunk_marker_min_cut)


def _is_gloss(readings: str) -> bool:
    """Whether `yī / yì /yí` (the inside of a bracket) spells pinyin syllables."""
    rules = _rules()
    for reading in readings.split("/"):
        decomposed = unicodedata.normalize("NFD", reading.strip())
        plain = "".join(ch for ch in decomposed if ch not in _TONE_MARKS).replace("u" + _UMLAUT, "ü")
        if not rules.syllable.fullmatch(plain):
            return False
        if len(plain) == len(decomposed) and plain not in rules.neutral:
            return False  # no tone mark: a unit or an abbreviation, unless a toneless syllable
    return True


def gloss_spans(line: str) -> list[tuple[int, int]]:
    """Spans of the pinyin glosses in `line`, in order."""
    # The brackets are found by str.find and the hint tried at each: a pattern's scan for its
    # first character costs several times more, on lines that mostly hold a bracket or two.
    hint = RE_GLOSS_HINT.match
    for bracket in "(（":
        k = line.find(bracket)
        while k >= 0:
            if hint(line, k):
                return [m.span() for m in RE_GLOSS.finditer(line) if _is_gloss(m[1])]
            k = line.find(bracket, k + 1)
    return []


# A bracket followed (after spaces) by a pinyin letter, one pattern for each bracket: a pattern that
# opens with one character scans for it in a tight loop, where a class of two costs ~10 times more.
RE_GLOSS_HINT_BY_BRACKET = tuple(lazy_re(rf"{re.escape(bracket)}(?=[ ]*+[{_PINYIN_LETTERS}])") for bracket in "(（")


def may_hold_gloss(text: str) -> bool:
    """Whether any bracket of `text` is followed (after spaces) by a pinyin letter, as RE_GLOSS_HINT asks:
    False means gloss_spans finds nothing in any line of it.

    Most plans hold no gloss: one search of the whole text spares every line of them the search for one."""
    return any(hint.search(text) is not None for hint in RE_GLOSS_HINT_BY_BRACKET)


def chunk_marker_lines(
    lines: Sequence[str], starts: Sequence[int], text: str | None = None,
) -> dict[int, tuple[int, bool]]:
    """Physical lines (`lines`, starting at `starts` in the input) that open with a page-chunk marker:
    0-based index -> (the marker's end in the input, whether the line continues a cut sentence).
    `text`: the input, when its only line break is LF (`lines` is text.split("\n")).

    The markers count 1、2、3、… at line starts, and every one after the first
    opens a line that continues a sentence cut at the end of a long line: a
    numbered list starts its items afresh, a sharing site cuts anywhere.
    """
    if text is not None:
        # One search of the input for a marker after a line break (a pattern led by LF scans fast)
        # costs half a look at every line's first character; the first line has no break before it.
        first = RE_CHUNK_MARKER.match(text)
        candidates = [(0, int(first[1]), first.end())] if first else []
        candidates.extend((bisect_left(starts, m.start() + 1), int(m[1]), m.end())
                          for m in RE_CHUNK_MARKER_AFTER_LF.finditer(text))
    else:
        # A first-character test before the pattern: most lines start with neither padding nor a digit.
        candidates = [
            (index, int(m[1]), starts[index] + m.end())
            for index, line in enumerate(lines)
            if line and (line[0] in PADDING or line[0].isdecimal()) and (m := RE_CHUNK_MARKER.match(line))
        ]
    if len(candidates) < 2:
        return {}
    rules = _rules()
    out: dict[int, tuple[int, bool]] = {}
    k = 0
    while k < len(candidates):
        run = [candidates[k]]
        while k + len(run) < len(candidates) and candidates[k + len(run)][1] == run[-1][1] + 1:
            run.append(candidates[k + len(run)])
        if len(run) >= 2 and all(_follows_cut_line(lines, i, rules.min_cut) for i, _, _ in run[1:]):
            out.update((i, (end, k > 0 and _follows_cut_line(lines, i, rules.min_cut)))
                       for k, (i, _, end) in enumerate(run))
        k += len(run)
    return out


def _follows_cut_line(lines: Sequence[str], index: int, min_cut: int) -> bool:
    """Whether the last non-blank line before line `index` was cut mid-sentence."""
    for j in range(index - 1, -1, -1):
        line = lines[j].strip(PADDING)
        if line:
            return len(line) >= min_cut and line[-1] not in _COMPLETE_LINE_ENDS
    return False


class SpacedTable:
    """Tables whose cells are separated by spaces instead of tabs, read line by line.

    Web pages and PDF text layers often write a table's cells with runs of
    spaces or a no-break space between them (`序号  重点任务  牵头单位  配合单位`).
    A line is such a table's header when it splits into three cells or more,
    two of them header words of `ecoplan/vocab/tables.yaml`; the lines after
    it that split into two cells or more are its rows, up to the first that
    does not. A header written with one no-break (or ideographic) space
    between cells separates each cell by one such space, so two of them in a
    row stand around an empty cell (a merged cell of the group above). A row
    with more cells than the header has a cell wrapped inside (`加强水资源保 护`):
    the shortest neighbouring pieces are joined until the counts agree.
    """

    def __init__(self) -> None:
        self.columns = 0  # cells of the current table's header; 0 outside a table
        self.header_starts: list[int] = []  # display column where each header cell starts
        self.one_space = False  # cells separated by one no-break or ideographic space each
        self.one_ascii_space = False  # cells separated by one plain space each (a header of labels only)

    def _ascii_cells(self, raw: str, start: int, end: int, line: str) -> list[tuple[int, int]] | None:
        """Cells of a table written with one plain space between cells (`序号 工作任务 责任单位`).

        Only a header made of table labels and nothing else opens one: a plain space
        is too common in prose to split any other line on. Each space separates, so
        two in a row stand around an empty cell, as with one no-break space.
        """
        if not self.one_ascii_space and not _first_cell_is_header_word(line.lstrip(PADDING)):
            return None  # what follows needs every cell to be one: most lines fail on the first
        cells = _split(raw, start, end, True, plain=True)
        if self.one_ascii_space:
            if len(cells) >= 2:
                return _fit(raw, cells, self.columns)
            self.one_ascii_space, self.columns = False, 0
            return None
        if len(cells) >= 3 and all(_is_header_word(raw[a:b]) for a, b in cells):
            self.one_ascii_space, self.one_space, self.columns = True, True, len(cells)
            return cells
        return None

    def cells(self, raw: str, start: int, end: int, line: str) -> list[tuple[int, int]] | None:
        """Cell ranges (into `raw`) of `line` = raw[start:end] when it is a header or a row, else None."""
        # Substring tests first: most lines hold no gap at all, and `in` costs far less than a regex.
        # A gap comes after the text has begun: its characters are in `rest`.
        rest = line.lstrip(PADDING)
        if rest and ("\u3000" in rest or "\u00a0" in rest or "  " in rest):
            gap = _RE_INNER_GAP.search(raw, start, end)
        else:
            gap = None
        if self.one_ascii_space or (gap is None and not self.columns and " " in rest.rstrip(PADDING)):
            return self._ascii_cells(raw, start, end, line)
        if gap is None:
            # No gap after the text has begun: one cell at most (an indented line) or a blank line.
            if self.columns and rest:
                self.columns = 0
            return None
        if self.columns:
            cells = _split(raw, start, end, self.one_space)
            if len(cells) >= 2:
                cells = _fit(raw, cells, self.columns)
                if len(cells) < self.columns and self.header_starts:
                    cells = _align(raw, start, cells, self.header_starts)
                return cells
            self.columns = 0
        cells = _split(raw, start, end, False)
        if len(cells) < 3 or sum(_is_header_word(raw[a:b]) for a, b in cells) < 2:
            return None
        self.one_space = all(b - a == 1 and raw[a] != " " for a, b in _gaps(cells))
        if self.one_space:
            cells = _split(raw, start, end, True)
        self.columns = len(cells)
        # Laid out with runs of spaces, a row that leaves a cell empty (a group's later rows) is
        # read by where its cells stand; one space a gap leaves no layout to read.
        self.header_starts = [] if self.one_space else [display_width(raw, start, a) for a, _ in cells]
        return cells


# A gap between cells, after the text of a line has begun: a no-break or ideographic space, or two spaces.
_RE_INNER_GAP = lazy_re("[^ \t\u00a0\u3000](?:[\u00a0\u3000]|  )")
# Between cells: two padding characters or more, or one no-break / ideographic space.
_RE_CELL_GAP = lazy_re("[ \u00a0\u3000]{2,}+|[\u00a0\u3000]")
# With one no-break space per gap, each such space separates; two spaces or more stay one gap.
_RE_CELL_GAP_ONE = lazy_re("[\u00a0\u3000]| {2,}+")
# With one plain space per gap (a header of labels only), every space separates.
_RE_CELL_GAP_PLAIN = lazy_re("[ \u00a0\u3000]")
_SENTENCE_DONE = "。；;"


def _split(raw: str, start: int, end: int, one_space: bool, *, plain: bool = False) -> list[tuple[int, int]]:
    """Cells of raw[start:end] between gaps, the line's own padding at either end left out."""
    a = start
    while a < end and raw[a] in PADDING:
        a += 1
    b = end
    while b > a and raw[b - 1] in PADDING:
        b -= 1
    if a == b:
        return []
    cells: list[tuple[int, int]] = []
    pos = a
    gap = _RE_CELL_GAP_PLAIN if plain else _RE_CELL_GAP_ONE if one_space else _RE_CELL_GAP
    for m in gap.finditer(raw, a, b):
        cells.append((pos, m.start()))
        pos = m.end()
    cells.append((pos, b))
    return cells


def cell_ranges(raw: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cells of raw[start:end] between runs of two spaces or more (or a no-break / ideographic space)."""
    return _split(raw, start, end, False)


def _first_cell_is_header_word(rest: str) -> bool:
    """Whether a line (`rest`: its text from the first character that is not padding), split at
    every space as `_split(..., plain=True)` splits it, has a second cell and a header word first."""
    # The first cell squashed starts with rest[0] unless that is whitespace: a first-character test
    # spares most lines of prose the search and the squash.
    first = rest[:1]
    if first not in _header_firsts() and not first.isspace():
        return False
    gap = _RE_CELL_GAP_PLAIN.search(rest)
    return gap is not None and _is_header_word(rest[: gap.start()])


def _gaps(cells: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [(cells[k][1], cells[k + 1][0]) for k in range(len(cells) - 1)]


def display_width(raw: str, start: int, end: int) -> int:
    """Columns raw[start:end] takes on screen: a wide (CJK) character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in raw[start:end])


def _align(raw: str, start: int, cells: list[tuple[int, int]], header_starts: list[int]) -> list[tuple[int, int]]:
    """A row with fewer cells than its header, each cell put under the header cell it starts
    nearest to; a column it leaves empty between two cells becomes an empty cell inside the gap."""
    out: list[tuple[int, int]] = []
    column = 0
    for k, (a, b) in enumerate(cells):
        at = display_width(raw, start, a)
        left = len(cells) - k  # cells still to place, this one included
        best = min(range(column, len(header_starts) - left + 1), key=lambda c: abs(header_starts[c] - at))
        if out:
            gap = out[-1][1] + 1  # inside the gap before this cell: its first character separates
            out.extend((gap, gap) for _ in range(best - column))
        column = best + 1
        out.append((a, b))
    return out


def _fit(raw: str, cells: list[tuple[int, int]], columns: int) -> list[tuple[int, int]]:
    """Join wrapped pieces of a cell until the row has as many cells as its header."""
    cells = list(cells)
    while len(cells) > columns:
        best = None
        for k in range(1, len(cells) - 1):  # the first cell (序号) is never wrapped
            (a1, b1), (a2, b2) = cells[k], cells[k + 1]
            if a1 == b1 or a2 == b2 or raw[b1 - 1] in _SENTENCE_DONE:
                continue
            if best is None or (b1 - a1) + (b2 - a2) < best[0]:
                best = ((b1 - a1) + (b2 - a2), k)
        if best is None:
            break
        k = best[1]
        cells[k : k + 2] = [(cells[k][0], cells[k + 1][1])]
    return cells


@cache
def _header_words() -> frozenset[str]:
    """Header cells of a task table and of a 主要指标 table (指标名称, 单位, 目标值)."""
    tables = load("tables")
    indicator = tables.indicator_table
    return frozenset([*(word for words in tables.header.values() for word in words),
                      *indicator["indicator"], *indicator["unit"], *indicator["target"]])


@cache
def _header_firsts() -> frozenset[str]:
    return frozenset(word[:1] for word in _header_words())


def _is_header_word(cell: str) -> bool:
    return "".join(cell.split()) in _header_words()


def without_chunk_markers(text: str) -> str:
    """`text` without any `N、` right after a line break: a span read as if its page-chunk markers were gone."""
    return RE_CHUNK_MARKER_AFTER_BREAK.sub(lambda m: m[0][0], text)


def without_glosses(text: str) -> str:
    """`text` with its pinyin glosses taken out: what a span of the input says once normalised."""
    return "".join(_line_without_glosses(line) for line in text.splitlines(keepends=True))


def _line_without_glosses(line: str) -> str:
    pieces: list[str] = []
    pos = 0
    for a, b in gloss_spans(line):
        pieces.append(line[pos:a])
        pos = b
    pieces.append(line[pos:])
    return "".join(pieces)
