"""Text assembly shared by the readers: rejoining broken lines, table rows as TAB-separated cells."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Word characters of scripts written with spaces between words: a line break
# between two of them stood for a space; anywhere else (between CJK characters,
# after punctuation) the break is layout only and is deleted.
_RE_SPACED_END = re.compile(r"[A-Za-z0-9\u00c0-\u024f]$")
_RE_SPACED_START = re.compile(r"^[A-Za-z0-9\u00c0-\u024f]")
_RE_CELL_SPACE = re.compile(r"[\t\r\n\f\v]+")


def join_broken(pieces: Iterable[str]) -> str:
    """Join the lines of one paragraph or cell that layout broke apart."""
    out = ""
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if out and _RE_SPACED_END.search(out) and _RE_SPACED_START.match(piece):
            out += " "
        out += piece
    return out


def cell_text(lines: Iterable[str]) -> str:
    """One table cell on one line: broken lines rejoined, no TAB or line break left inside."""
    return _RE_CELL_SPACE.sub(" ", join_broken(lines))


def table_row(cells: Iterable[str]) -> str:
    """A table row as the text path reads it: cells separated by TAB, trailing empty cells dropped."""
    return "\t".join(cells).rstrip("\t ")
