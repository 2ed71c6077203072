"""What `line` and `span` promise, defined once: the parser, `validate` and the tests all use these.

`line` is the 1-based line of the input as `grep -n`, `sed -n` and editors
count them: a line ends at LF, CRLF or a lone CR, and at nothing else (a form
feed, vertical tab, U+0085 or U+2028 inside a line does not start a new one).

`span` is `[start, end)` in characters of the decoded input, such that
`source[start:end]` with whitespace removed contains the item's text with
whitespace removed. "Whitespace" is every character `str.isspace` calls one,
and the two zero-width spaces U+200B (ZERO WIDTH SPACE) and U+FEFF (ZERO WIDTH
NO-BREAK SPACE, a BOM inside text): they take no room on screen, web pages
and PDF extraction scatter them through Chinese text, and the parser reads
past them like any other space, so item texts never hold them. Nor do pinyin
glosses that conversion sites insert after characters (`各鎮(zhèn)`,
ecoplan.text.published), nor the page-chunk markers of document-sharing sites
(a line `2、` cutting `不高于92` from `微克/立方米`): they are left out of the
source slice too. One text is not contiguous in the input at all: a table cell a
PDF's text layer wraps over several lines, in its column, beside the other cells
(ecoplan.text.layout_tables). Its span runs from its first piece to its last,
and each line of the slice holds the next piece of the text, in order.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from ecoplan.text.patterns import lazy_re

RE_LINE_END = lazy_re(r"\r\n|\r|\n")
ZERO_WIDTH_SPACES = "\u200b\ufeff"
_RE_NOT_TEXT = lazy_re(rf"[\s{ZERO_WIDTH_SPACES}]+")


def line_starts(text: str) -> list[int]:
    """Offsets at which the lines of `text` start (the first is 0)."""
    return [0, *(m.end() for m in RE_LINE_END.finditer(text))]


def line_at(starts: Sequence[int], offset: int) -> int:
    """1-based line of the character at `offset`, given `line_starts` of the text."""
    return bisect_right(starts, offset)


def squeeze(text: str) -> str:
    """`text` with whitespace (as defined above) removed."""
    return _RE_NOT_TEXT.sub("", text)


def span_holds(source: str, span: Sequence[int], text: str) -> bool:
    """Whether `source[start:end]`, whitespace (and glosses) removed, contains `text`, whitespace removed."""
    from ecoplan.text.published import without_chunk_markers, without_glosses

    start, end = span
    if not 0 <= start <= end <= len(source):
        return False
    piece = source[start:end]
    wanted = squeeze(text)
    if wanted in squeeze(piece):
        return True
    if "\n" in piece and _in_pieces(wanted, piece):
        return True
    piece = without_glosses(piece)
    return wanted in squeeze(piece) or wanted in squeeze(without_chunk_markers(piece))


def _in_pieces(wanted: str, piece: str) -> bool:
    """Whether the lines of `piece` hold `wanted` a piece each, in order: a table cell wrapped
    over lines, one piece per line in its column (whitespace removed)."""
    for line in RE_LINE_END.split(piece):
        line = squeeze(line)
        taken = len(wanted)
        while taken and wanted[:taken] not in line:
            taken -= 1
        wanted = wanted[taken:]
        if not wanted:
            return True
    return False
