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
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from ecoplan.provenance import line_starts
from ecoplan.text.document import Block, BlockKind, Cell, Document
from ecoplan.text.lexicon import CN_YEAR_DIGITS, COLONS, PADDING, PROSE_MARKS, SPACES, squash, web_labels
from ecoplan.text.markers import is_date_line, match_marker, starts_block
from ecoplan.text.published import SpacedTable, chunk_marker_lines, gloss_spans
from ecoplan.text.script import to_simplified
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
RE_SPACE_RUN = re.compile(f"[{_SPACE}]++")
_LINE_ENDS = frozenset(("\n", "\r\n", "\r"))  # the line breaks that count for line numbers
RE_LINE_BREAK = re.compile(r"\r\n|\r|\n|\x0b|\x0c|\x1c|\x1d|\x1e|\x85|\u2028|\u2029")
# Leading indentation and list bullets that PDF/web extraction leaves behind.
RE_LEADING = re.compile(f"^[{_SPACE}\t]*+(?:[-•·●▪*][{_SPACE}]++)?+")
RE_LEADING_TABLE = re.compile(f"^[{_SPACE}]*+(?:[-•·●▪*][{_SPACE}]++)?+")
# Page furniture left by PDF extraction: "- 3 -", "— 12 —", "第 3 页", "3/10". Dropped like blank lines.
RE_PAGE_NUMBER = re.compile(
    f"^[{_SPACE}\t]*+(?:[-—–－]++[{_SPACE}]*+\\d{{1,3}}+[{_SPACE}]*+[-—–－]++"
    f"|第[{_SPACE}]*+\\d{{1,3}}+[{_SPACE}]*+页(?:[{_SPACE}]*+共[{_SPACE}]*+\\d{{1,3}}+[{_SPACE}]*+页)?+"
    f"|\\d{{1,3}}+[{_SPACE}]*+/[{_SPACE}]*+\\d{{1,3}}+)[{_SPACE}\t]*+$"
)

# How far into a line the marker grammar needs to look to tell whether it starts a block.
_BLOCK_START_REACH = 40
# Punctuation after which a line is complete and the next line starts afresh.
_TERMINAL = "。；;！!？?：:…|"  # | closes a row of a pipe table
# Punctuation that shows a line is running prose rather than a title or signature.
RE_PROSE_MARK = re.compile("[" + PROSE_MARKS + "、]")
# A decimal heading at a line start, spaces, then the title (1 总则, 1.2 工作原则).
RE_DECIMAL_HEADING = re.compile(f"([1-9]\\d?+(?:\\.\\d{{1,2}}+){{0,3}}+)[{_SPACE}]++[\u4e00-\u9fff]")
# Marks of running prose (a breadcrumb or a header line has colons and 、 at most).
RE_SENTENCE_MARK = re.compile("[，,。；;]")
# A line that opens with a short label and a colon (on folded text): 发布日期:, 联系人:, 牵头单位:.
RE_LABEL_START = re.compile(r"[\u4e00-\u9fff]{2,8}+:")
# A line cut by a page end filled the page width; short lines are titles, labels, signatures.
_CUT_LINE_MIN_LENGTH = 20
# An item line with a comma that fills a page's width ((1)…清洁取暖率达到 / 85%以上。) was cut
# mid-sentence; a heading is shorter (（一）加强组织领导，压实工作责任).
_CUT_ITEM_MIN_LENGTH = 28

# Full-width ASCII and the ideographic space fold to ASCII, one char for one.
FOLD_TABLE = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0xA0: 0x20}
# str.translate looks every character up in the table, which costs more than
# finding the few foldable runs and translating only those.
RE_FOLDABLE = re.compile("[\uff01-\uff5e\u3000\u00a0]++")
# Any character _clean_physical may strip; most lines of Chinese prose have none.
RE_ANY_SPACE = re.compile(f"[{_SPACE}\t]")


def _fold_run(m: re.Match[str]) -> str:
    return m[0].translate(FOLD_TABLE)


def fold(text: str) -> str:
    """Fold for matching: full-width forms to half-width, traditional characters to simplified ones.

    The result has the same length, so one index serves a text and its fold.
    """
    return to_simplified(fold_width(text))


def fold_width(text: str) -> str:
    """Full-width forms to half-width only: enough for markers and punctuation, which have no traditional form."""
    return RE_FOLDABLE.sub(_fold_run, text)


@dataclass
class _Physical:
    lineno: int
    text: str
    pieces: list[tuple[int, int]]  # (raw_start, length) of kept runs, in order
    is_table: bool
    lead_tabs: int = 0  # tabs in the padding right before the kept text
    after_blank: bool = False  # blank lines stand between this line and the last line with text
    cut_continuation: bool = False  # opened by a page-chunk marker: continues the line before
    cells: tuple[tuple[int, int], ...] = ()  # a row of a space-separated table: cell ranges in `text`


_NO_CHUNK = (-1, False)


def _clean_physical(
    raw: str, start: int, end: int, lineno: int, content: str, chunk: tuple[int, bool] = _NO_CHUNK
) -> _Physical:
    """One physical line (`content` = raw[start:end]) without its layout artefacts; `chunk` is the end of a
    page-chunk marker to drop (-1 for none) and whether the line continues the sentence cut before it."""
    chunk_end, cut = chunk
    if RE_PAGE_NUMBER.match(content):
        return _Physical(lineno, "", [], False, -1)  # lead_tabs -1 marks a page artefact
    glosses = gloss_spans(content)
    if chunk_end < 0 and not glosses and not RE_ANY_SPACE.search(content):
        # Nothing to strip: no indentation, bullet, table tab, artefact space or gloss.
        return _Physical(lineno, content, [(start, end - start)] if content else [], False)
    stripped = content.lstrip(_SPACE + "\t")
    is_table = "\t" in stripped.rstrip(_SPACE + "\t")
    lead = (RE_LEADING_TABLE if is_table else RE_LEADING).match(content)
    left = lead.end() if lead else 0
    if chunk_end >= 0:
        left = max(left, chunk_end - start)
    # Trailing spaces and tabs, but never cutting into what the leading match took.
    right = max(len(content.rstrip(_SPACE + "\t")), left)
    pieces: list[tuple[int, int]] = []
    parts: list[str] = []
    pos = left
    decimal = RE_DECIMAL_HEADING.match(content, left, right)
    for a, b in _dropped(content, left, right, glosses):
        if decimal and a == decimal.end(1):
            a += 1  # 1 总则 / 1.1 编制目的: one space stays, the bare number is a heading only before it
        if a > pos:
            pieces.append((start + pos, a - pos))
            parts.append(content[pos:a])
        pos = max(pos, b)
    if right > pos:
        pieces.append((start + pos, right - pos))
        parts.append(content[pos:right])
    lead_tabs = _lead_tabs(content, pieces[0][0] - start) if pieces else 0
    return _Physical(lineno, "".join(parts), pieces, is_table, lead_tabs, cut_continuation=cut)


def _clean_spaced_row(raw: str, cells: list[tuple[int, int]], lineno: int) -> _Physical:
    """A row of a space-separated table: each cell cleaned, one separator character kept between cells."""
    pieces: list[tuple[int, int]] = []
    parts: list[str] = []
    ranges: list[tuple[int, int]] = []
    length = 0
    for k, (a, b) in enumerate(cells):
        if k:
            pieces.append((cells[k - 1][1], 1))  # the first character of the gap separates the cells
            parts.append(raw[cells[k - 1][1]])
            length += 1
        cell_start = length
        pos = a
        for x, y in _artefact_spaces(raw, a, b):
            if x > pos:
                pieces.append((pos, x - pos))
                parts.append(raw[pos:x])
                length += x - pos
            pos = y
        if b > pos:
            pieces.append((pos, b - pos))
            parts.append(raw[pos:b])
            length += b - pos
        ranges.append((cell_start, length))
    return _Physical(lineno, "".join(parts), pieces, True, cells=tuple(ranges))


def _dropped(content: str, left: int, right: int, glosses: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Spans of content[left:right] to drop, in order: artefact spaces and pinyin glosses.

    A space next to a gloss is judged as if the gloss were not there (到 (dào) 2025 年).
    """
    if not glosses:
        yield from _artefact_spaces(content, left, right)
        return
    kept = content
    for a, b in glosses:
        kept = kept[:a] + "\u4e00" * (b - a) + kept[b:]  # stand-in ideographs keep the length
    spans = sorted([*(g for g in glosses if left <= g[0] and g[1] <= right), *_artefact_spaces(kept, left, right)])
    yield from spans


def _lead_tabs(content: str, first: int) -> int:
    """Tabs in the run of padding right before content[first]: empty cells before a row's only cell."""
    tabs = 0
    pos = first - 1
    while pos >= 0 and content[pos] in PADDING:
        tabs += content[pos] == "\t"
        pos -= 1
    return tabs


def _artefact_spaces(content: str, left: int, right: int) -> Iterator[tuple[int, int]]:
    """Spans of RE_ARTEFACT_SPACE.finditer(content, left, right), found run by run.

    The pattern itself is never compiled: its [WIDE] classes cost `re` ~4 ms at
    import, and most lines hold no space at all after their indentation.
    """
    for run in RE_SPACE_RUN.finditer(content, left, right):
        a, b = run.span()
        # Both alternatives take the run to its end (possessive), one when a wide
        # character precedes it, the other when one (or %‰℃) follows it.
        if (a > 0 and _is_wide(content[a - 1])) or (b < right and (_is_wide(content[b]) or content[b] in "%‰℃")):
            yield a, b
            continue
        # Failing at the run's start, the first alternative can still match
        # later, right after a wide space (U+3000) inside the run.
        for p in range(a + 1, b):
            if _is_wide(content[p - 1]):
                yield p, b
                break


def _is_wide(ch: str) -> bool:
    # Range tests instead of a compiled [WIDE] class: `re` spends ~3 ms at import
    # enumerating the code points of a class this large.
    c = ord(ch)
    return any(lo <= c <= hi for lo, hi in _WIDE_RANGES)


@dataclass
class _Logical:
    """The logical line being built, with what `_continues` asks of its text so far.

    The flags are kept up to date as physical lines are glued on, so deciding
    on the next line does not rescan the whole paragraph (quadratic on long ones).
    """

    first: _Physical
    text: str
    has_stop: bool  # contains 。 or ；
    has_prose_mark: bool
    has_sentence_mark: bool  # contains a mark of running prose: comma, full stop, semicolon

    @classmethod
    def start(cls, phys: _Physical) -> _Logical:
        text = phys.text
        return cls(phys, text, "。" in text or "；" in text, RE_PROSE_MARK.search(text) is not None,
                   RE_SENTENCE_MARK.search(text) is not None)

    def glue(self, phys: _Physical) -> None:
        text = phys.text
        self.text += text
        self.has_stop = self.has_stop or "。" in text or "；" in text
        self.has_prose_mark = self.has_prose_mark or RE_PROSE_MARK.search(text) is not None
        self.has_sentence_mark = self.has_sentence_mark or RE_SENTENCE_MARK.search(text) is not None


def _continues(prev: _Logical, nxt: _Physical) -> bool:
    """Whether `nxt` continues the sentence that a page or line break cut in `prev`.

    Every test must pass; the cheap ones run first, the marker grammar last.
    """
    prev_text = prev.text
    if prev.first.is_table or nxt.is_table or not prev_text or not nxt.text:
        return False
    if nxt.cut_continuation:
        return True  # a page-chunk marker stood here: the sentence runs on
    if prev_text[-1] in _TERMINAL:
        return False
    if not (_is_wide(prev_text[-1]) or _is_wide(nxt.text[0])):
        return False
    # A long line without any punctuation is a title (…工作要点的通知), not cut prose.
    if not (prev.has_prose_mark and len(prev_text) >= _CUT_LINE_MIN_LENGTH):
        return False
    if nxt.after_blank and not (prev.has_sentence_mark and RE_PROSE_MARK.search(nxt.text)):
        return False  # a blank line ends a line unless prose runs on across it (a page break)
    if RE_LABEL_START.match(fold_width(nxt.text[:_BLOCK_START_REACH])):
        return False  # a `label:` line (发布日期：, 联系人：, 牵头单位：) starts afresh
    if starts_block(fold_width(nxt.text[:_BLOCK_START_REACH])):
        return False
    if (not prev.has_stop and not (prev.has_sentence_mark and len(prev_text) >= _CUT_ITEM_MIN_LENGTH)
            and starts_block(fold_width(prev_text[:_BLOCK_START_REACH]))):
        return False  # a heading line on its own; what follows is its body
    # A web page's label line (发布时间：… 来源：…) is complete as it stands.
    return not _label_line().match(fold(prev.first.text[:_BLOCK_START_REACH]))


def normalise(raw: str) -> Document:
    """Clean `raw` into a Document whose indices map back to `raw`, its blocks typed."""
    # Line numbers count LF, CRLF and CR only (as grep -n does: provenance.py);
    # the other breaks (form feed, U+2028 …) still end a line for the rules.
    raw_line_starts = array("q", line_starts(raw))

    def physical_lines() -> Iterator[_Physical]:
        # A generator, so each physical line is dropped once it is glued on:
        # holding them all doubled the peak memory of large inputs.
        chunks = chunk_marker_lines(raw, RE_LINE_BREAK)
        spaced = SpacedTable()

        def physical(start: int, end: int, lineno: int) -> _Physical:
            content = raw[start:end]
            cells = spaced.cells(raw, start, end, content)
            if cells and "\t" not in content:
                return _clean_spaced_row(raw, cells, lineno)
            chunk = chunks.get(lineno - 1, _NO_CHUNK) if chunks else _NO_CHUNK
            return _clean_physical(raw, start, end, lineno, content, chunk)

        pos = 0
        lineno = 1
        for m in RE_LINE_BREAK.finditer(raw):
            yield physical(pos, m.start(), lineno)
            pos = m.end()
            if m[0] in _LINE_ENDS:
                lineno += 1
        yield physical(pos, len(raw), lineno)

    clean_starts = array("q")
    raw_starts = array("q")
    parts: list[str] = []
    # (start, end, lineno, is_table, lead_tabs) of each logical line; (pos, lineno) of each page artefact.
    lines: list[tuple[int, int, int, bool, int, tuple[tuple[int, int], ...]]] = []
    artefacts: list[tuple[int, int]] = []
    length = 0

    def emit(raw_start: int, text: str) -> None:
        nonlocal length
        if clean_starts and raw_starts[-1] + (length - clean_starts[-1]) == raw_start:
            pass  # contiguous with the previous run
        else:
            clean_starts.append(length)
            raw_starts.append(raw_start)
        parts.append(text)
        length += len(text)

    current: _Logical | None = None
    line_start = 0
    line_end_raw = 0

    def close_line() -> None:
        nonlocal current
        if current is None:
            return
        first = current.first
        cells = tuple((line_start + a, line_start + b) for a, b in first.cells) if first.cells else ()
        lines.append((line_start, length, first.lineno, first.is_table, first.lead_tabs, cells))
        emit(line_end_raw, "\n")
        current = None

    blank = False
    for phys in physical_lines():
        if not phys.text:
            if phys.lead_tabs < 0:
                artefacts.append((length, phys.lineno))
            else:
                blank = True
            continue
        phys.after_blank, blank = blank, False
        if current is not None and _continues(current, phys):
            current.glue(phys)
        else:
            close_line()
            current = _Logical.start(phys)
            line_start = length
        for raw_start, n in phys.pieces:
            emit(raw_start, raw[raw_start : raw_start + n])
        last_start, last_len = phys.pieces[-1]
        line_end_raw = last_start + last_len
    close_line()

    text = "".join(parts)
    folded = fold(text)
    typed = tuple(_block(text, folded, *line) for line in lines)
    blocks = typed
    if artefacts:
        pages = [Block("page_artefact", pos, pos, lineno) for pos, lineno in artefacts]
        blocks = tuple(sorted((*typed, *pages), key=lambda b: b.lineno))
    return Document(
        raw=raw,
        text=text,
        fold=folded,
        blocks=blocks,
        lines=typed,
        _clean_starts=clean_starts,
        _raw_starts=raw_starts,
        _raw_line_starts=raw_line_starts,
    )


# A table-of-contents entry: a title, leader dots, a page number (一、总则……1).
RE_TOC_ENTRY = re.compile(r"(?:\.{3,}+|…++|·{3,}+|-{4,}+)\x20*+\d{1,3}+$")
_TOC_TITLE = "目录"
_TOC_TITLE_MAX = 8  # 目 录 with layout spaces
# What a date line starts with: a digit of its year.
_DATE_FIRST = frozenset("0123456789" + CN_YEAR_DIGITS)
# A date line or a label line is short; longer lines are prose whatever they start with.
_SHORT_LINE = 80


@cache
def _label_line() -> re.Pattern[str]:
    return re.compile(f"(?:{alternation(list(web_labels()))})\\x20*+[{COLONS}]")


def _block(
    text: str, folded: str, start: int, end: int, lineno: int, is_table: bool, lead_tabs: int,
    spaced_cells: tuple[tuple[int, int], ...],
) -> Block:
    """Type one logical line."""
    marker = match_marker(folded, start, end)
    if is_table:
        cells = tuple(Cell(a, b) for a, b in spaced_cells) if spaced_cells else _cells(text, start, end)
        return Block("table_row", start, end, lineno, marker, cells)
    kind: BlockKind = "paragraph"
    if end - start <= _SHORT_LINE:
        # Cheap first-character and last-character tests spare most lines the patterns.
        line = folded[start:end]
        if (line[-1].isdigit() and RE_TOC_ENTRY.search(line)) or (
            len(line) <= _TOC_TITLE_MAX and squash(line) == _TOC_TITLE
        ):
            kind = "toc_entry"
        elif marker is not None:
            kind = "heading"
        elif line[0] in _DATE_FIRST and is_date_line(squash(line)):
            kind = "date_line"
        elif "。" not in line and _label_line().match(line):
            kind = "label_line"
    elif marker is not None:
        kind = "heading"
    return Block(kind, start, end, lineno, marker, (), lead_tabs)


def _cells(text: str, start: int, end: int) -> tuple[Cell, ...]:
    """Tab-separated cells of a table row, each without its padding."""
    out: list[Cell] = []
    pos = start
    while True:
        k = text.find("\t", pos, end)
        stop = end if k < 0 else k
        a, b = pos, stop
        while a < b and text[a] in PADDING:
            a += 1
        while b > a and text[b - 1] in PADDING:
            b -= 1
        out.append(Cell(a, b))
        if k < 0:
            return tuple(out)
        pos = k + 1
