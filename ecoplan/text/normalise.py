"""Normalise decoded text for matching while keeping a map back to the input.

Plan text pulled out of PDFs and web pages carries layout artefacts: lines cut
mid-sentence at page ends, spaces inside Chinese text (`2025 年`), `- ` list
bullets, indentation with full-width spaces, page numbers. `normalise` removes
them and returns a `Document` (see `ecoplan.text.document`) whose blocks are
typed once here: heading line, paragraph, table row with its cells, date line,
web label line, table-of-contents entry, page artefact.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from itertools import accumulate, compress, count, islice, repeat
from operator import add, itemgetter, sub

from ecoplan.provenance import line_starts
from ecoplan.text.document import (
    Block,
    BlockColumns,
    BlockKind,
    Cell,
    Document,
    Offsets,
    blocks_of,
    new_cell,
    offset_column,
)
from ecoplan.text.flat_tables import PIPES, lines_kept_apart, pipe_row_cells
from ecoplan.text.flat_tables import regroup as regroup_flat_tables
from ecoplan.text.layout_tables import Row, quoted_tab_row, wrapped_rows
from ecoplan.text.lexicon import (
    CN_YEAR_DIGITS,
    COLONS,
    PADDING,
    PROSE_MARKS,
    SPACES,
    comment_openers,
    squash,
    web_labels,
)
from ecoplan.text.markers import MarkerMatch, is_date_line, mark_lines, match_marker, starts_block
from ecoplan.text.patterns import lazy_re
from ecoplan.text.published import SpacedTable, chunk_marker_lines, gloss_spans, may_hold_gloss
from ecoplan.text.script import has_traditional, split_with_traditional, to_simplified
from ecoplan.vocab import alternation

# Characters that make a neighbouring space an artefact: CJK ideographs and
# punctuation, full-width forms, and general punctuation such as “”—…
_WIDE_RANGES = ((0x2010, 0x206F), (0x2E80, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
                (0x20000, 0x2FA1F))
WIDE = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _WIDE_RANGES)
_SPACE = SPACES
# A space is an artefact when a wide character (or %‰℃) sits on either side:
#   (?<=[WIDE])[SPACE]++|[SPACE]++(?=[WIDE%‰℃])
# applied by _artefact_spaces without compiling it (see there).
RE_SPACE_RUN = lazy_re(f"[{_SPACE}]++")
_LINE_ENDS = frozenset(("\n", "\r\n", "\r"))  # the line breaks that count for line numbers
RE_LINE_BREAK = lazy_re(r"\r\n|\r|\n|\x0b|\x0c|\x1c|\x1d|\x1e|\x85|\u2028|\u2029")
# Leading indentation and list bullets that PDF/web extraction leaves behind.
RE_LEADING = lazy_re(f"^[{_SPACE}\t]*+(?:[-•·●▪*][{_SPACE}]++)?+")
RE_LEADING_TABLE = lazy_re(f"^[{_SPACE}]*+(?:[-•·●▪*][{_SPACE}]++)?+")
# Page furniture left by PDF extraction: "- 3 -", "— 12 —", "第 3 页", "3/10". Dropped like blank lines.
RE_PAGE_NUMBER = lazy_re(
    f"^[{_SPACE}\t]*+(?:[-—–－]++[{_SPACE}]*+\\d{{1,3}}+[{_SPACE}]*+[-—–－]++"
    f"|第[{_SPACE}]*+\\d{{1,3}}+[{_SPACE}]*+页(?:[{_SPACE}]*+共[{_SPACE}]*+\\d{{1,3}}+[{_SPACE}]*+页)?+"
    f"|\\d{{1,3}}+[{_SPACE}]*+/[{_SPACE}]*+\\d{{1,3}}+)[{_SPACE}\t]*+$"
)

# How far into a line the marker grammar needs to look to tell whether it starts a block.
_BLOCK_START_REACH = 40
# Punctuation after which a line is complete and the next line starts afresh.
_TERMINAL = "。；;！!？?：:…|"  # | closes a row of a pipe table
# Punctuation that shows a line is running prose rather than a title or signature.
RE_PROSE_MARK = lazy_re("[" + PROSE_MARKS + "、]")
# A decimal heading at a line start, spaces, then the title (1 总则, 1.2 工作原则).
RE_DECIMAL_HEADING = lazy_re(f"([1-9]\\d?+(?:\\.\\d{{1,2}}+){{0,3}}+)[{_SPACE}]++[\u4e00-\u9fff]")
# Marks of running prose (a breadcrumb or a header line has colons and 、 at most).
RE_SENTENCE_MARK = lazy_re("[，,。；;]")
# A line that opens with a short label and a colon (on folded text): 发布日期:, 联系人:, 牵头单位:.
RE_LABEL_START = lazy_re(r"[\u4e00-\u9fff]{2,8}+:")
# A line cut by a page end filled the page width; short lines are titles, labels, signatures.
_CUT_LINE_MIN_LENGTH = 20
# The lines at the head of a document a running header may repeat (title, issuer, document number).
_HEAD_LINES = 3
# A number the page's width cut in two (控制在3 / 8微克): the wrap falls between two digits.
_DIGITS = "0123456789"
# A running header is a title line: a longer line at the top of a page is text.
_RUNNING_HEADER_MAX = 40
# An item line with a comma that fills a page's width ((1)…清洁取暖率达到 / 85%以上。) was cut
# mid-sentence; a heading is shorter (（一）加强组织领导，压实工作责任).
_CUT_ITEM_MIN_LENGTH = 28

# Full-width ASCII and the ideographic space fold to ASCII, one char for one.
FOLD_TABLE = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0xA0: 0x20}
# str.translate looks every character up in the table, which costs more than
# finding the few foldable characters and replacing only those. One character,
# not a run: `re` scans for a one-character class several times faster.
_FOLDABLE = "\uff01-\uff5e\u3000\u00a0"
RE_FOLDABLE = lazy_re(f"([{_FOLDABLE}])")
_FOLDED_CHAR = {chr(c): chr(f) for c, f in FOLD_TABLE.items()}
_FOLDED_SPACES = "\u3000\u00a0"  # the foldable characters outside the full-width forms
# Any character _clean_physical may strip; most lines of Chinese prose have none.
RE_ANY_SPACE = lazy_re(f"[{_SPACE}\t]")
_PADDING_TAB = _SPACE + "\t"
# The longest heading marker a word processor sets off with a tab (第十二部分, （十二）).
_MARKER_MAX = 8


def fold(text: str) -> str:
    """Fold for matching: full-width forms to half-width, traditional characters to simplified ones.

    The result has the same length, so one index serves a text and its fold.
    """
    # Most texts hold no traditional character: one scan for the foldable characters and the
    # traditional ones together folds such a text, where the width fold and the test for a
    # traditional character each scanned it (None: it holds one the codec found).
    split = split_with_traditional(text, _FOLDABLE)
    if split is not None:
        folded = [_fold_split(text[k : k + _FOLD_SLICE], split) for k in range(0, len(text), _FOLD_SLICE)]
        if None not in folded:
            return folded[0] if len(folded) == 1 else "".join(folded)  # type: ignore[arg-type]
    return to_simplified(fold_width(text))


def fold_width(text: str, spaces: bool = True) -> str:
    """Full-width forms to half-width only: enough for markers and punctuation, which have no traditional form.

    `spaces` False: the caller knows `text` holds no ideographic or no-break space."""
    if len(text) < _FOLD_BY_CODES_MIN:
        return _fold_width(text)
    if len(text) > _FOLD_SLICE:
        return "".join([_fold_width_by_codes(text[k : k + _FOLD_SLICE], spaces)
                        for k in range(0, len(text), _FOLD_SLICE)])
    return _fold_width_by_codes(text, spaces)


# A long text is folded a slice at a time: the pieces of a split (a string for each foldable
# character and for each stretch between two) weigh over twice the text split, and held
# for a whole document of tens of MB they were the peak of normalise's memory.
_FOLD_SLICE = 1 << 16


def _fold_width(text: str) -> str:
    pieces = RE_FOLDABLE.split(text)  # text, a foldable character, text, …
    if len(pieces) == 1:
        return text
    pieces[1::2] = map(_FOLDED_CHAR.__getitem__, pieces[1::2])
    return "".join(pieces)


# From this length on a text's full-width forms are found through its UTF-16 code units (below):
# the pattern's scan costs ~80 instructions a character, the code units ~20 and a call's set-up.
_FOLD_BY_CODES_MIN = 512
# Keeps a code unit's high byte when it is FF (the full-width forms), zeroes any other.
_FF_HIGH_ONLY = bytes(255) + b"\xff"


def _fold_width_by_codes(text: str, spaces: bool) -> str:
    """_fold_width(text) through the text's UTF-16 code units: the full-width forms are the characters
    whose high byte is FF; which of them `text` holds is read off the low bytes under those high bytes
    (a big integer's AND is bytewise in C), and each is replaced by str.replace, whose search for one
    character is a memchr."""
    codes = text.encode("utf-16-le", "surrogatepass")
    if len(codes) != 2 * len(text):
        return _fold_width(text)  # a character beyond the BMP takes two code units
    high = codes[1::2]
    if 255 in high:
        under_ff = int.from_bytes(high.translate(_FF_HIGH_ONLY), "little") & int.from_bytes(codes[0::2], "little")
        # The low bytes under an FF, zeros (no FF above, or U+FF00) taken out.
        for low in set(under_ff.to_bytes(len(text), "little").translate(None, b"\x00")):
            char = chr(0xFF00 + low)
            if (folded := _FOLDED_CHAR.get(char)) is not None:
                text = text.replace(char, folded)
    if spaces:
        for space in _FOLDED_SPACES:
            if space in text:
                text = text.replace(space, _FOLDED_CHAR[space])
    return text


def _fold_split(text: str, split: Callable[[str], list[str]]) -> str | None:
    """fold_width(text), `split` being a pattern's split at a class that holds the foldable characters
    (in one group); None when it split at a character of another kind."""
    pieces = split(text)  # text, a character of the class, text, …
    if len(pieces) == 1:
        return text
    pieces[1::2] = map(_FOLDED_CHAR.get, pieces[1::2])
    return None if None in pieces else "".join(pieces)


# One physical line without its layout artefacts: its text; (raw_start, length) of the kept
# runs, in order; whether it is a table row; the tabs in the padding right before the kept text
# (-1 marks a page artefact); whether a page-chunk marker opened it (it continues the line
# before); a space-separated table row's cell ranges in the text. A tuple: one is made per line.
_Cleaned = tuple[str, list[tuple[int, int]], bool, int, bool, tuple[tuple[int, int], ...]]
_PAGE_ARTEFACT: _Cleaned = ("", [], False, -1, False, ())


_NO_CHUNK = (-1, False)


def _tab_after_marker(content: str) -> int:
    """Index of the one tab inside `content` when all before it is a heading marker (一、, (1), ①), else -1."""
    inner = content.strip(_PADDING_TAB)
    head, _, rest = inner.partition("\t")
    if not head or "\t" in rest or not rest.strip(_PADDING_TAB) or len(head) > _MARKER_MAX:
        return -1
    head = fold_width(head)
    marker = match_marker(head)
    if marker is None or marker.end != len(head):
        return -1
    return content.index("\t", len(content) - len(content.lstrip(_PADDING_TAB)))


def _clean_physical(
    raw: str, start: int, end: int, content: str, chunk: tuple[int, bool] = _NO_CHUNK, glossed: bool = True,
    plain_spaces: bool = False,
) -> _Cleaned:
    """One physical line (`content` = raw[start:end]) without its layout artefacts; `chunk` is the end of a
    page-chunk marker to drop (-1 for none) and whether the line continues the sentence cut before it;
    `glossed` False: the input holds no pinyin gloss (may_hold_gloss); `plain_spaces`: the input holds no
    space but U+0020 and no tab (none of _UNPRINTABLE_CLEANING)."""
    chunk_end, cut = chunk
    if RE_PAGE_NUMBER.match(content):
        return _PAGE_ARTEFACT
    glosses = gloss_spans(content) if glossed else []
    # What `printable` answers below is whether the line's only spaces are U+0020 and it holds no tab
    # (every other space, and the tab, is unprintable): an input without any has no need to ask.
    printable = plain_spaces or content.isprintable()
    if chunk_end < 0 and not glosses and not (" " in content if printable else RE_ANY_SPACE.search(content)):
        # Nothing to strip: no indentation, bullet, table tab, artefact space or gloss.
        return content, [(start, end - start)] if content else [], False, 0, False, ()
    is_table = "\t" in content and "\t" in content.strip(_PADDING_TAB)
    if is_table and (tab := _tab_after_marker(content)) > 0:
        # 一、<TAB>指导思想 (a word processor's list): the tab sets the title off its marker, no cell.
        marker_start = len(content) - len(content.lstrip(_PADDING_TAB))
        text, pieces, _, _, cut, _ = _clean_physical(raw, start + tab + 1, end, content[tab + 1 :], _NO_CHUNK,
                                                     glossed, plain_spaces)
        return (content[marker_start:tab] + text, [(start + marker_start, tab - marker_start), *pieces],
                False, 0, cut, ())
    left = (RE_LEADING_TABLE if is_table else RE_LEADING).match(content).end()  # type: ignore[union-attr]
    if chunk_end - start > left:
        left = chunk_end - start
    # Trailing spaces and tabs, but never cutting into what the leading match took.
    right = len(content.rstrip(_PADDING_TAB))
    if right <= left:
        return "", [], is_table, 0, cut, ()
    # 1 总则 / 1.1 编制目的: one space stays, the bare number is a heading only before it.
    decimal_end = -1
    if "1" <= content[left] <= "9" and (decimal := RE_DECIMAL_HEADING.match(content, left, right)):
        decimal_end = decimal.end(1)
    pieces: list[tuple[int, int]] = []
    parts: list[str] = []
    pos = left
    if not glosses and (printable or content[left:right].replace("\t", "").isprintable()):
        # The common line: its only spaces are U+0020 (the others are unprintable; a table row's tabs
        # are no spaces), none wide. Each run is found, judged and cut out in one pass (_space_runs
        # and _artefact_spaces, fused).
        wide, limit = _WIDE_TABLE, _WIDE_LIMIT
        a = content.find(" ", left, right)
        if a < 0:
            # Only indentation, a bullet or trailing padding to take off: one run is kept.
            lead_tabs = 0 if printable else _lead_tabs(content, left)
            return content[left:right], [(start + left, right - left)], is_table, lead_tabs, cut, ()
        while a >= 0:
            b = a + 1
            while b < right and content[b] == " ":
                b += 1
            if (a and (c := ord(content[a - 1])) < limit and wide[c]) or (
                b < right and (((c := ord(content[b])) < limit and wide[c]) or content[b] in "%‰℃")
            ):
                if a == decimal_end:
                    a += 1
                if a > pos:
                    pieces.append((start + pos, a - pos))
                    parts.append(content[pos:a])
                pos = b
            a = content.find(" ", b, right)
        if right > pos:
            pieces.append((start + pos, right - pos))
            parts.append(content[pos:right])
        # No tab in a printable line: no lead tabs.
        lead_tabs = _lead_tabs(content, pieces[0][0] - start) if pieces and not printable else 0
        return "".join(parts), pieces, is_table, lead_tabs, cut, ()
    if glosses:
        dropped = _dropped(content, left, right, glosses)
    else:
        runs = _space_runs(content, left, right)
        if not runs:
            # Only indentation, a bullet or trailing padding to take off: one run is kept.
            return content[left:right], [(start + left, right - left)], is_table, _lead_tabs(content, left), cut, ()
        dropped = _artefact_spaces(content, right, runs)
    for a, b in dropped:
        if a == decimal_end:
            a += 1
        if a > pos:
            pieces.append((start + pos, a - pos))
            parts.append(content[pos:a])
        if b > pos:
            pos = b
    if right > pos:
        pieces.append((start + pos, right - pos))
        parts.append(content[pos:right])
    lead_tabs = _lead_tabs(content, pieces[0][0] - start) if pieces else 0
    return "".join(parts), pieces, is_table, lead_tabs, cut, ()


def _head(texts: list[str]) -> str:
    """The first _BLOCK_START_REACH characters of the texts joined (a logical line's head)."""
    head = texts[0]
    k = 1
    while len(head) < _BLOCK_START_REACH and k < len(texts):
        head += texts[k]
        k += 1
    return head[:_BLOCK_START_REACH]


def _is_page_number(line: str) -> bool:
    return RE_PAGE_NUMBER.match(line) is not None


def _clean_wrapped_row(raw: str, row: Row, tabs: Sequence[int] = ()) -> _Cleaned:
    """A row of a layout table whose cells wrap over lines: each cell's pieces joined in order, one
    separator character kept between cells: the input's tab between them (`tabs`), else the
    character right after the cell's first piece (a gap in the row's first line)."""
    pieces: list[tuple[int, int]] = []
    parts: list[str] = []
    ranges: list[tuple[int, int]] = []
    length = 0
    separator = -1  # input offset of the character separating the cell before from the next
    for k, cell in enumerate(row):
        if tabs:
            separator = tabs[k - 1]
        if k:
            pieces.append((separator, 1))
            parts.append(raw[separator])
            length += 1
        cell_start = length
        for a, b in cell:
            pos = a
            for x, y in _artefact_spaces(raw, b, _space_runs(raw, a, b)):
                if x > pos:
                    pieces.append((pos, x - pos))
                    parts.append(raw[pos:x])
                    length += x - pos
                pos = y
            if b > pos:
                pieces.append((pos, b - pos))
                parts.append(raw[pos:b])
                length += b - pos
        if cell:
            separator = cell[0][1]  # the gap after the first piece: in the row's first line
        ranges.append((cell_start, length))
    return "".join(parts), pieces, True, 0, False, tuple(ranges)


def _clean_spaced_row(raw: str, cells: list[tuple[int, int]]) -> _Cleaned:
    """A row of a space-separated table: each cell cleaned, one separator character kept between cells
    (the first character of the gap after a cell): a wrapped row whose cells are one piece each."""
    return _clean_wrapped_row(raw, [[cell] for cell in cells])


def _dropped(content: str, left: int, right: int, glosses: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of content[left:right] to drop, in order: artefact spaces and pinyin glosses.

    A space next to a gloss is judged as if the gloss were not there (到 (dào) 2025 年).
    """
    kept = content
    for a, b in glosses:
        kept = kept[:a] + "\u4e00" * (b - a) + kept[b:]  # stand-in ideographs keep the length
    spaces = _artefact_spaces(kept, right, _space_runs(kept, left, right))
    return sorted([*(g for g in glosses if left <= g[0] and g[1] <= right), *spaces])


def _lead_tabs(content: str, first: int) -> int:
    """Tabs in the run of padding right before content[first]: empty cells before a row's only cell."""
    before = content[:first]
    padding = first - len(before.rstrip(PADDING))
    return before.count("\t", first - padding) if padding else 0


def _space_runs(content: str, left: int, right: int) -> list[tuple[int, int]]:
    """Spans of RE_SPACE_RUN.finditer(content, left, right): the runs of spaces in a stretch of a line.

    In a printable stretch the only space is U+0020 (the others are unprintable): found by substring
    searches, many times faster than the pattern's scan.
    """
    if not content[left:right].isprintable():
        return [m.span() for m in RE_SPACE_RUN.finditer(content, left, right)]
    runs: list[tuple[int, int]] = []
    a = content.find(" ", left, right)
    while a >= 0:
        b = a + 1
        while b < right and content[b] == " ":
            b += 1
        runs.append((a, b))
        a = content.find(" ", b, right)
    return runs


def _artefact_spaces(content: str, right: int, runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of RE_ARTEFACT_SPACE.finditer(content, left, right), found run by run in `runs`,
    _space_runs(content, left, right).

    The pattern itself is never compiled: its [WIDE] classes cost `re` ~4 ms at
    import, and most lines hold no space at all after their indentation.
    """
    spans: list[tuple[int, int]] = []
    wide, limit = _WIDE_TABLE, _WIDE_LIMIT  # _is_wide, inlined: a line may hold many runs
    for a, b in runs:
        # Both alternatives take the run to its end (possessive), one when a wide
        # character precedes it, the other when one (or %‰℃) follows it.
        if a > 0 and (c := ord(content[a - 1])) < limit and wide[c]:
            spans.append((a, b))
            continue
        if b < right and (((c := ord(content[b])) < limit and wide[c]) or content[b] in "%‰℃"):
            spans.append((a, b))
            continue
        # Failing at the run's start, the first alternative can still match
        # later, right after a wide space (U+3000) inside the run.
        for p in range(a + 1, b):
            if _is_wide(content[p - 1]):
                spans.append((p, b))
                break
    return spans


# _is_wide as a table lookup: `re` spends ~3 ms at import enumerating the code
# points of a [WIDE] class this large, and a loop over the ranges costs a
# microsecond a call; filling the table's slices costs microseconds.
_WIDE_LIMIT = max(hi for _, hi in _WIDE_RANGES) + 1
_WIDE_TABLE = bytearray(_WIDE_LIMIT)
for _lo, _hi in _WIDE_RANGES:
    _WIDE_TABLE[_lo : _hi + 1] = b"\x01" * (_hi + 1 - _lo)


def _is_wide(ch: str) -> bool:
    c = ord(ch)
    return c < _WIDE_LIMIT and _WIDE_TABLE[c] == 1


def _runs_on(
    text: str, after_blank: bool, has_stop: bool, has_sentence_mark: bool, head: str, first: str, length: int,
    fold_line: Callable[[str], str] = fold,
) -> bool:
    """The marker-grammar tests of whether physical line `text` continues the logical line before it.

    `normalise` has already checked the cheap conditions (neither is a table row, the line
    before does not end complete, a wide character meets the break, it is long and holds
    prose marks). `head` is the logical line's first characters, `first` its first physical
    line; `has_stop`/`has_sentence_mark` say whether it holds 。/； and marks of running prose;
    `length` is its length so far; `fold_line` folds the first line as `fold` does (fold_width
    when the input holds no traditional character).
    """
    if after_blank and not (has_sentence_mark and RE_PROSE_MARK.search(text)):
        return False  # a blank line ends a line unless prose runs on across it (a page break)
    opening = fold_width(text[:_BLOCK_START_REACH])
    if RE_LABEL_START.match(opening):
        return False  # a `label:` line (发布日期：, 联系人：, 牵头单位：) starts afresh
    if starts_block(opening):
        return False
    if not has_stop and not (has_sentence_mark and length >= _CUT_ITEM_MIN_LENGTH) and starts_block(fold_width(head)):
        return False  # a heading line on its own; what follows is its body
    # A web page's label line (发布时间：… 来源：…) is complete as it stands.
    return not _label_line().match(fold_line(first[:_BLOCK_START_REACH]))


# Line breaks other than LF: a text without any (most) is split into lines by str.split. Looked
# for one by one: a substring test scans ten times faster than a character class.
_RARE_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
RE_LINE_BREAK_KEPT = lazy_re(f"({RE_LINE_BREAK.pattern})")
# A line holding none of these after its indentation, not a page number and not in a table,
# is kept as it is: no bullet, table tab, artefact space or pinyin gloss to take out.
RE_NEEDS_CLEANING = lazy_re(f"[{_SPACE}\t(（]")
# The characters RE_NEEDS_CLEANING looks for but the space and the brackets: all unprintable, and
# absent from most documents.
_UNPRINTABLE_CLEANING = _SPACE.replace(" ", "") + "\t"
# The characters a page number line (RE_PAGE_NUMBER) without padding can start with, besides a digit.
_PAGE_NUMBER_FIRST = "-—–－第"
_PAGE_NUMBER_OR_PIPE_FIRST = _PAGE_NUMBER_FIRST + PIPES


def _physical_lines(raw: str) -> tuple[list[str], Offsets, Iterable[int], Offsets]:
    """The physical lines of `raw`, their starts, their 1-based line numbers, and the starts of input lines.

    Line numbers count LF, CRLF and CR only (as grep -n does: provenance.py);
    the other breaks (form feed, U+2028 …) still end a line for the rules.
    """
    for rare in _RARE_BREAKS:
        if rare in raw:
            break
    else:
        contents = raw.split("\n")
        # Line k starts after the k lines before it and their k line breaks (map/accumulate
        # run in C: no Python step per line).
        starts = offset_column(len(raw))
        starts.extend(map(add, accumulate(map(len, contents), initial=0), count()))
        del starts[-1]
        return contents, starts, range(1, len(contents) + 1), starts
    pieces = RE_LINE_BREAK_KEPT.split(raw)
    contents, breaks = pieces[0::2], pieces[1::2]
    del pieces
    starts = offset_column(len(raw))
    starts.extend(accumulate((len(c) + len(b) for c, b in zip(contents, breaks, strict=False)), initial=0))
    linenos = accumulate((b in _LINE_ENDS for b in breaks), initial=1)
    raw_line_starts = offset_column(len(raw))
    raw_line_starts.extend(line_starts(raw))
    return contents, starts, linenos, raw_line_starts


def normalise(raw: str) -> Document:
    """Clean `raw` into a Document whose indices map back to `raw`, its blocks typed."""
    contents, starts, linenos, raw_line_starts = _physical_lines(raw)
    # The lines are raw.split("\n") when _physical_lines found no other break (one column serves both starts).
    chunks = chunk_marker_lines(contents, starts, raw if raw_line_starts is starts else None)
    cells_apart = lines_kept_apart(raw, raw_line_starts)  # a table flattened one cell per line
    spaced = SpacedTable()
    table_open = False  # a space-separated table is open: every line goes through `spaced`
    # A table laid out by column whose cells wrap over lines: its rows by their first line's input
    # start, and the input starts of the lines that continue a row (read with the row).
    layout_rows: dict[int, Row] = {}
    comment_words, comment_max = comment_openers()
    plain_spaces = not any(map(raw.__contains__, _UNPRINTABLE_CLEANING))  # one substring search each
    glossed = may_hold_gloss(raw)
    # The input is checked for traditional characters once, here: every text folded below holds only
    # characters of the input, so without any its width is folded only (so are the meta stage's lines).
    traditional = has_traditional(raw)
    fold_line = fold if traditional else fold_width
    in_comments = False
    layout_continued: set[int] = set()

    clean_starts = offset_column(len(raw))
    raw_starts = offset_column(len(raw))
    raw_end = -1  # input offset just past the last character emitted
    parts: list[str] = []
    # The logical lines by column (offset columns: no object per line on inputs of tens of MB): their
    # starts in the text, their first physical line's number and lead tabs, recorded as each
    # line opens (a line ends where the next one starts, less its line break); and which are
    # table rows, by index, with a space-separated row's cell ranges in the text.
    line_starts, line_linenos, line_lead_tabs = (offset_column(len(raw)) for _ in range(3))
    table_rows: dict[int, tuple[tuple[int, int], ...]] = {}
    # (pos, lineno) of each page artefact.
    artefacts: list[tuple[int, int]] = []
    length = 0

    # The logical line being built: its first physical line's properties and its texts, and what the
    # continuation tests ask of its text so far. Only the few lines that may be glued on ask (a line
    # ending complete or short never is): its head, its length (the text's length less its start) and
    # its marks are read then, the marks scanned once (a text at a time, as lines are glued on) so
    # that deciding on the next line does not rescan the whole paragraph.
    building = False
    first_is_table = False
    last_char = ""
    texts: list[str] = []
    scanned = 0  # how many of `texts` were looked at for the marks below (none: the marks are unset)
    has_stop = has_prose_mark = has_sentence_mark = False

    # A PDF's running header: a line of the document's head (its title, its issuer) repeated
    # right after a page number, at the top of the next page. It is a page artefact too; so is
    # a short line that already stood right after an earlier page number (a header whose first
    # appearance is the title under the cover page's number).
    head_lines: list[str] = []
    head_open = True  # fewer than _HEAD_LINES gathered
    page_tops: set[str] = set()
    page_top = ""  # the short line right after the last page number, while the line after it is awaited
    after_page_number = False
    watch_top = True  # after_page_number or page_top or head_open: one test for most lines
    # A page's artefacts were dropped since the last text line: a page break stood there.
    page_break = False
    first_indented = False  # the logical line's first physical line is indented (a paragraph's start)

    blank = False
    # The lines that hold more than padding, with their indices: blank lines are passed over in C
    # (a filter on the text without indentation), noticed only by the gap they leave in the indices.
    following = 0  # the index of the line after the last one read
    for index, content, start, lineno, text in filter(itemgetter(4), zip(
            count(), contents, starts, linenos, map(str.lstrip, contents, repeat(PADDING)), strict=False)):
        if index != following:
            blank = True
            if table_open:
                # An open table reads every line, a blank one too (it ends a table written with one
                # space between cells); what the first blank line leaves, the next ones leave as it is.
                content_blank = contents[following]
                spaced.cells(raw, starts[following], starts[following] + len(content_blank), content_blank)
                table_open = bool(spaced.columns or spaced.one_ascii_space)
        following = index + 1
        if layout_continued and start in layout_continued:
            continue  # read with its row (never a blank line)
        # Most lines need at most their indentation taken off: no space, tab or pinyin
        # gloss after it, no page number, not in a table. They spare the cleaning calls.
        if table_open or (chunks and lineno - 1 in chunks):
            kept_as_is = False
        else:
            # Every character RE_NEEDS_CLEANING looks for but the space and the brackets is unprintable:
            # three substring tests and isprintable (not even that where the document holds none of
            # them) cost a third of the pattern's scan.
            # Without a gloss in the input a bracket needs no care: only a space does.
            if (plain_spaces or text.isprintable()) and " " not in text and (
                    not glossed or ("(" not in text and "（" not in text)):
                kept_as_is = True
            else:
                care = RE_NEEDS_CLEANING.search(text)
                kept_as_is = care is None or (care[0] in "(（" and RE_ANY_SPACE.search(text, care.end()) is None
                                              and not (glossed and gloss_spans(text)))
            if kept_as_is:
                # Not a page number, nor a table row written with pipes (its cells to find).
                first = text[0]
                kept_as_is = not ((first in _PAGE_NUMBER_OR_PIPE_FIRST or first.isdecimal())
                                  and (first in PIPES or RE_PAGE_NUMBER.match(content)))
        if kept_as_is:
            n = len(text)
            left = len(content) - n
            indented = left > 0
            text_start = start + left
            pieces = None  # one piece: text_start, len(text)
            is_table = cut = False
            lead_tabs = content.count("\t", 0, left) if left else 0  # the indentation is all padding
            cells_in_text = ()
        else:
            end = start + len(content)
            piped = pipe_row_cells(content, start) if text[:1] in PIPES else None
            if piped == []:
                blank = True  # the rule under a pipe table's header: layout, no text
                continue
            wrapped = layout_rows.pop(start, None) if layout_rows else None
            quoted = (quoted_tab_row(raw, contents, starts, bisect_left(starts, start))
                      if wrapped is None and '"' in content and "\t" in content else None)
            if quoted is not None:
                # A spreadsheet's export: a quoted cell runs over lines (the lines it takes are read here).
                text, pieces, is_table, lead_tabs, cut, cells_in_text = _clean_wrapped_row(raw, quoted[0], quoted[1])
                layout_continued.update(quoted[2])
            elif wrapped is not None:
                text, pieces, is_table, lead_tabs, cut, cells_in_text = _clean_wrapped_row(raw, wrapped)
            else:
                opened = spaced.columns
                cells = piped or spaced.cells(raw, start, end, content)
                table_open = bool(spaced.columns or spaced.one_ascii_space)
                if not opened and spaced.columns and spaced.header_starts:
                    # A header laid out by column: do its rows' cells wrap over lines?
                    found = wrapped_rows(raw, contents, starts, bisect_left(starts, start), spaced.header_starts,
                                         _is_page_number)
                    if found is not None:
                        layout_rows, layout_continued = found
                if cells and "\t" not in content:
                    text, pieces, is_table, lead_tabs, cut, cells_in_text = _clean_spaced_row(raw, cells)
                else:
                    chunk = chunks.get(lineno - 1, _NO_CHUNK) if chunks else _NO_CHUNK
                    text, pieces, is_table, lead_tabs, cut, cells_in_text = _clean_physical(
                        raw, start, end, content, chunk, glossed, plain_spaces)
            if not text:
                if lead_tabs < 0:
                    artefacts.append((length, lineno))
                    after_page_number = page_break = watch_top = True
                else:
                    blank = True
                continue
            n = len(text)
            indented = n < len(content)
        if in_comments or (n <= comment_max and text.rstrip() in comment_words):
            # A web page's reader comments or other articles (网友评论, 往期推荐): the rest is the site's.
            in_comments = True
            artefacts.append((length, lineno))
            continue
        if watch_top:
            if after_page_number:
                after_page_number = False
                top = squash(text)
                if top in head_lines or top in page_tops:
                    artefacts.append((length, lineno))
                    page_break = True
                    watch_top = bool(page_top) or head_open
                    continue
                if len(top) <= _RUNNING_HEADER_MAX:
                    page_tops.add(top)
                    page_top = top
            else:
                if page_top:
                    # A title wrapped over two lines under a page number comes back as one line.
                    page_tops.add(page_top + squash(text))
                    page_top = ""
                if head_open:
                    head_lines.append(squash(text))
                    head_open = len(head_lines) < _HEAD_LINES
            watch_top = bool(page_top) or head_open
        after_blank, blank = blank, False
        # Typesetting: a paragraph's first line is indented and its continuation is not. An unindented
        # line right after a page break, below an indented line left open, is that line cut by the page.
        page_cut, page_break = page_break and first_indented and not indented, False

        glue = False
        if building and not first_is_table and not is_table:
            if cut:
                glue = True  # a page-chunk marker stood here: the sentence runs on
            # A long line without any punctuation is a title (…工作要点的通知), not cut prose.
            # The logical line's length: the text it added since its start.
            elif ((line_length := length - line_starts[-1]) >= _CUT_LINE_MIN_LENGTH and last_char not in _TERMINAL
                  and (_is_wide(last_char) or _is_wide(text[0]) or (last_char in _DIGITS and text[0] in _DIGITS))
                  and lineno not in cells_apart):
                if not scanned:
                    has_stop = has_prose_mark = has_sentence_mark = False
                for seen in islice(texts, scanned, None):
                    has_stop = has_stop or "。" in seen or "；" in seen
                    has_prose_mark = has_prose_mark or RE_PROSE_MARK.search(seen) is not None
                    has_sentence_mark = has_sentence_mark or RE_SENTENCE_MARK.search(seen) is not None
                scanned = len(texts)
                glue = has_prose_mark and _runs_on(text, after_blank and not page_cut, has_stop, has_sentence_mark,
                                                     _head(texts), texts[0], line_length, fold_line)
        if glue:
            texts.append(text)
        else:
            if building:
                # The line break stands for the input character after the line's last one: always contiguous.
                parts.append("\n")
                length += 1
                raw_end += 1
            building = True
            if is_table:
                table_rows[len(line_starts)] = tuple((length + a, length + b) for a, b in cells_in_text)
            line_starts.append(length)
            line_linenos.append(lineno)
            line_lead_tabs.append(lead_tabs)
            first_is_table = is_table
            first_indented = indented
            texts = [text]
            scanned = 0
        last_char = text[-1]

        # The offset map: a new run wherever the text skips input characters.
        parts.append(text)
        if pieces is None:
            if text_start != raw_end:
                clean_starts.append(length)
                raw_starts.append(text_start)
            length += n
            raw_end = text_start + n
        else:
            for raw_start, n in pieces:
                if raw_start != raw_end:
                    clean_starts.append(length)
                    raw_starts.append(raw_start)
                length += n
                raw_end = raw_start + n
    if building:
        parts.append("\n")
        length += 1
    del contents, starts  # the physical lines: parts holds what is kept of them
    # Each line ends right before the line break ahead of the next line's start (the last, of the text's end).
    line_ends = offset_column(len(raw))
    line_ends.extend(map(add, islice(line_starts, 1, None), repeat(-1)))
    if building:
        line_ends.append(length - 1)

    text = "".join(parts)
    del parts
    folded = fold(text) if traditional else fold_width(text, not plain_spaces)
    kinds, markers, cells = _types(text, folded, line_starts, line_ends, line_lead_tabs, table_rows)
    columns = (kinds, line_starts, line_ends, line_linenos, markers, cells, line_lead_tabs)
    typed: Sequence[Block] = tuple(blocks_of(*columns)) if len(kinds) <= _BLOCK_OBJECTS_MAX else BlockColumns(*columns)
    del columns, kinds, markers, cells
    typed = regroup_flat_tables(text, folded, typed)
    if len(typed) <= _BLOCK_OBJECTS_MAX:
        typed = tuple(typed)
    elif not isinstance(typed, BlockColumns):
        typed = BlockColumns.of(typed, len(raw))  # tables were regrouped: back to columns
    return Document(
        raw=raw,
        text=text,
        fold=folded,
        lines=typed,
        page_artefacts=tuple(Block("page_artefact", pos, pos, lineno) for pos, lineno in artefacts),
        traditional=traditional,
        _clean_starts=clean_starts,
        _raw_starts=raw_starts,
        _raw_line_starts=raw_line_starts,
    )


# Up to this many lines a document's blocks are kept as objects, which parsers read fastest
# (several passes each); a longer one keeps their columns only (BlockColumns), a tenth of
# the memory. Plans run to a few thousand lines; inputs of several MB pass this.
_BLOCK_OBJECTS_MAX = 10_000


# A table-of-contents entry: a title, leader dots, a page number (一、总则……1).
RE_TOC_ENTRY = lazy_re(r"(?:\.{3,}+|…++|·{3,}+|-{4,}+)\x20*+\d{1,3}+$")
_TOC_TITLE = "目录"
_TOC_TITLE_MAX = 8  # 目 录 with layout spaces
# What a date line starts with: a digit of its year.
_DATE_FIRST = frozenset("0123456789" + CN_YEAR_DIGITS)
# A date line or a label line is short; longer lines are prose whatever they start with.
_SHORT_LINE = 80


@cache
def _label_line() -> re.Pattern[str]:
    return lazy_re(f"(?:{alternation(list(web_labels()))})\\x20*+[{COLONS}]")


def _types(
    text: str, folded: str, starts: Offsets, ends: Offsets, lead_tabs: Offsets,
    table_rows: dict[int, tuple[tuple[int, int], ...]],
) -> tuple[list[BlockKind], list[MarkerMatch | None], list[tuple[Cell, ...]]]:
    """The kind, marker and cells of each logical line (columns as normalise gathers them). A table
    row's lead tabs are set to 0.

    It runs once per line of every document, so the lines each test applies to are picked out in C
    (maps over the columns): a marker is looked for on the lines that start with a marker's first
    character only, the kinds of short lines on short lines only; every other line keeps the
    paragraph each column starts with."""
    label_line = _label_line().match
    kinds: list[BlockKind] = ["paragraph"] * len(starts)
    markers: list[MarkerMatch | None] = [None] * len(starts)
    cells_of: list[tuple[Cell, ...]] = [()] * len(starts)
    mark_lines(folded, starts, ends, markers)
    for k in compress(count(), markers):  # a MarkerMatch is a tuple of five: true
        kinds[k] = "heading"
    # A date line, a label line or a table-of-contents entry is short: longer lines are prose.
    for k in compress(count(), map(_SHORT_LINE.__ge__, map(sub, ends, starts))):
        start, end = starts[k], ends[k]
        # Cheap first-character and last-character tests spare most lines the patterns.
        line = folded[start:end]
        if (line[-1].isdigit() and RE_TOC_ENTRY.search(line)) or (
            end - start <= _TOC_TITLE_MAX and _TOC_TITLE[0] in line and squash(line) == _TOC_TITLE
        ):
            kinds[k] = "toc_entry"
        elif markers[k] is not None:
            pass  # a heading
        elif line[0] in _DATE_FIRST and is_date_line(squash(line)):
            kinds[k] = "date_line"
        elif "。" not in line and label_line(line):
            kinds[k] = "label_line"
    for k, spaced_cells in table_rows.items():
        kinds[k] = "table_row"
        start, end = starts[k], ends[k]
        cells_of[k] = tuple(new_cell(a, b) for a, b in spaced_cells) if spaced_cells else _cells(text, start, end)
        lead_tabs[k] = 0  # a row's empty leading cells are cells
    return kinds, markers, cells_of


def _cells(text: str, start: int, end: int) -> tuple[Cell, ...]:
    """Tab-separated cells of a table row, each without its padding."""
    out: list[Cell] = []
    pos = start
    # Split and strip in C; a cell all padding is empty at its end.
    for cell in text[start:end].split("\t"):
        stop = pos + len(cell)
        kept = cell.strip(PADDING)
        a = stop - len(cell.lstrip(PADDING)) if kept else stop
        out.append(new_cell(a, a + len(kept)))
        pos = stop + 1
    return tuple(out)
