"""The marker grammar: how a line of a plan says it starts a new unit.

One grammar for every stage: normalise asks it whether a line may be glued to
the one before, and the parsers read the marker it found on each block.
Heading markers (一、 （一） 1. (1) ① —— -- 第一章), the date line of a
signature block, and attachment lines (附件, 附表).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from itertools import compress, count
from typing import NamedTuple

from ecoplan.text.lexicon import (
    CIRCLED_FIRST,
    CIRCLED_LAST,
    CN_CHAPTER_NUMERAL,
    CN_ONE_TO_TEN,
    CN_YEAR_DIGITS,
    attachment_words,
)
from ecoplan.text.patterns import lazy_re
from ecoplan.text.quantities import cn_int, patterns

# Matched against folded text (（一） -> (一), 1． -> 1.).
_HAN = "\u4e00-\u9fff"
# Variants as published: a stray comma before the 、 (一,、 garbled by a conversion), an arabic
# item number right before a year or a month (1.2022年，…, 1.3月底前…), decimal headings (1.1 / 1.1.1,
# and a bare 1 before a space as their top level, as 应急预案 and 规划 number them).
_CHAPTER = rf"(?P<chapter>第(?P<cn0>[{CN_CHAPTER_NUMERAL}]++|\d++)(?P<unit>[章节条]|部分))"
_CN_DUN = rf"(?P<cn_dun>(?P<cn1>[{CN_ONE_TO_TEN}]++)(?:(?P<stray>,++)?+、|\.))"
_PAREN = rf"(?P<cn_paren>\((?P<cn2>[{CN_ONE_TO_TEN}]++)\))|(?P<arabic_paren>\((?P<d1>\d{{1,3}}+)\))"
_ARABIC = (
    r"(?P<arabic_dot>(?P<d2>\d{1,3}+)(?:\.(?!\d)|\.(?=\d{4}+年|\d{1,2}+月)|、))"
    rf"|(?P<decimal>[1-9]\d?+(?:\.\d{{1,2}}+){{1,3}}+)(?=[\x20{_HAN}])"
    r"|(?P<decimal_top>[1-9]\d?+)(?=\x20)"
)
_DIGITS = "0123456789"
_CIRCLED = rf"(?P<circled>[{CIRCLED_FIRST}-{CIRCLED_LAST}])"
_DASH = r"(?P<dash>——|--)"
# 第一部分 divides a plan above its chapters or its 一、 items (规划, 实施方案 in parts).
_CHAPTER_STYLES = {"部分": "division", "章": "chapter", "节": "part", "条": "article"}
# The marker grammar's alternatives (above, in their order) that can start with each character a marker
# can start with: a match tries those only (a line's first character rules out the others), which costs
# a third of one pattern of them all. Most lines start with none, and a lookup is cheaper than a failing match.
_MARKER_BY_FIRST = {
    "第": lazy_re(_CHAPTER),
    "(": lazy_re(_PAREN),
    **dict.fromkeys("-—", lazy_re(_DASH)),
    **dict.fromkeys(_DIGITS, lazy_re(_ARABIC)),
    **dict.fromkeys(CN_ONE_TO_TEN, lazy_re(_CN_DUN)),
    **dict.fromkeys(map(chr, range(ord(CIRCLED_FIRST), ord(CIRCLED_LAST) + 1)), lazy_re(_CIRCLED)),
}
MARKER_FIRST = frozenset(_MARKER_BY_FIRST)

# A date as a signature block writes it: 2021年3月8日, 二〇二三年三月十五日, 2021-03-08.
DATE_CORE = (
    rf"(?P<y>\d{{4}}+|[{CN_YEAR_DIGITS}]{{4}})\s*+年\s*+(?P<m>\d{{1,2}}+|[{CN_ONE_TO_TEN}]{{1,3}}+)\s*+月"
    rf"\s*+(?P<d>\d{{1,2}}+|[{CN_ONE_TO_TEN}]{{1,3}}+)\s*+日"
)
ISO_CORE = r"(?P<iy>\d{4}+)[-/.](?P<im>\d{1,2}+)[-/.](?P<id>\d{1,2}+)"
# A line that is only a date (maybe followed by 印发): the date of a signature block.
RE_DATE_ONLY_LINE = lazy_re(rf"^(?:{DATE_CORE}|{ISO_CORE})(?:\s*+印发)?$")


class MarkerMatch(NamedTuple):
    """A named tuple: immutable, and made several times faster than a frozen dataclass."""

    style: str  # a SectionStyle of the schema
    number: int  # position in its style's sequence; 0 for dash bullets
    end: int  # index just past the marker
    stray: tuple[int, int] | None = None  # stray punctuation inside the marker (一,、), not part of it
    path: tuple[int, ...] = ()  # a decimal heading's numbers (1.2.3 -> (1, 2, 3)); number is the last

    def written(self, text: str, start: int) -> str:
        """The marker as written at text[start:end], without stray punctuation."""
        if self.stray is None:
            return text[start : self.end]
        return text[start : self.stray[0]] + text[self.stray[1] : self.end]


# A MarkerMatch made from a tuple of its fields in C (tuple.__new__), without the Python-level __new__
# of a named tuple, nor a Python function around it: match_marker runs on every line that starts like one.
_new_marker: Callable[[tuple[str, int, int, tuple[int, int] | None, tuple[int, ...]]], MarkerMatch] = partial(
    tuple.__new__, MarkerMatch)  # type: ignore[assignment]


# Most numbered headings count with one character (一、 （三）): read those from a table.
_ONE_CHAR_NUMERAL = {ch: cn_int(ch) or 0 for ch in CN_CHAPTER_NUMERAL}


def _numeral(s: str) -> int:
    number = _ONE_CHAR_NUMERAL.get(s)
    return (cn_int(s) or 0) if number is None else number


def match_marker(fold: str, pos: int = 0, endpos: int | None = None) -> MarkerMatch | None:
    """The structural marker at `pos` of folded text (up to `endpos`), if any; `end` is an index into `fold`."""
    if pos >= len(fold) or (pattern := _MARKER_BY_FIRST.get(first := fold[pos])) is None:
        return None
    end = len(fold) if endpos is None or endpos > len(fold) else endpos
    # The commonest markers, 一、 (一) (1) with one character for their number, are read without the
    # pattern (the same match): a pattern's call costs more than the rest of this function.
    if pos + 1 < end:
        second = fold[pos + 1]
        if second == "、" and first in CN_ONE_TO_TEN:
            return _new_marker(("cn-dun", _ONE_CHAR_NUMERAL[first], pos + 2, None, ()))
        if first == "(" and pos + 2 < end and fold[pos + 2] == ")":
            if second in CN_ONE_TO_TEN:
                return _new_marker(("cn-paren", _ONE_CHAR_NUMERAL[second], pos + 3, None, ()))
            if second in _DIGITS:
                return _new_marker(("arabic-paren", int(second), pos + 3, None, ()))
    m = pattern.match(fold, pos, end)
    if m is None:
        return None
    # Every alternative of the grammar is one named group around the rest: the last group closed names it.
    kind = m.lastgroup
    if kind == "cn_dun":
        return _new_marker(("cn-dun", _numeral(m["cn1"]), m.end(), m.span("stray") if m["stray"] else None, ()))
    if kind == "arabic_dot":
        return _new_marker(("arabic-dot", int(m["d2"]), m.end(), None, ()))
    if kind == "cn_paren":
        return _new_marker(("cn-paren", _numeral(m["cn2"]), m.end(), None, ()))
    if kind == "arabic_paren":
        return _new_marker(("arabic-paren", int(m["d1"]), m.end(), None, ()))
    if kind == "chapter":
        return _new_marker((_CHAPTER_STYLES[m["unit"]], _numeral(m["cn0"]), m.end(), None, ()))
    if kind == "decimal" or kind == "decimal_top":
        if patterns().arabic.match(fold, pos):
            return None  # 2.5万千瓦: a quantity, not a heading
        path = tuple(int(part) for part in m[kind].split("."))
        return _new_marker(("decimal", path[-1], m.end(), None, path))
    if kind == "circled":
        return _new_marker(("circled", ord(m["circled"]) - ord(CIRCLED_FIRST) + 1, m.end(), None, ()))
    return _new_marker(("dash", 0, m.end(), None, ()))


def mark_lines(fold: str, starts: Sequence[int], ends: Sequence[int], markers: list[MarkerMatch | None]) -> None:
    """markers[k] = match_marker(fold, starts[k], ends[k]) for each line k of folded text that starts
    with a marker's first character (the others keep theirs): what normalise asks of every line, in
    one call a document. The commonest markers, read without the pattern in match_marker, are read
    here without a call each; ends[k] lies within `fold`."""
    cn_one_to_ten, numeral, new_marker = CN_ONE_TO_TEN, _ONE_CHAR_NUMERAL, _new_marker
    for k in compress(count(), map(MARKER_FIRST.__contains__, map(fold.__getitem__, starts))):
        pos = starts[k]
        end = ends[k]
        if pos + 2 < end:
            first, second = fold[pos], fold[pos + 1]
            if second == "、" and first in cn_one_to_ten:
                markers[k] = new_marker(("cn-dun", numeral[first], pos + 2, None, ()))
                continue
            if first == "(" and fold[pos + 2] == ")" and second in cn_one_to_ten:
                markers[k] = new_marker(("cn-paren", numeral[second], pos + 3, None, ()))
                continue
        markers[k] = match_marker(fold, pos, end)


def is_date_line(fold_line: str) -> bool:
    """A (folded, squashed) line that is only a date: the date of a signature block."""
    return RE_DATE_ONLY_LINE.match(fold_line) is not None


def is_attachment(fold: str, pos: int = 0, endpos: int | None = None) -> bool:
    """A line (at `pos` of folded text) that opens an attachment (附件1, 附表): what follows is not the body."""
    return fold.startswith(attachment_words(), pos, len(fold) if endpos is None else endpos)


def starts_block(fold_line: str) -> bool:
    """A line that begins a new unit and is never glued to the line before it."""
    return match_marker(fold_line) is not None or is_attachment(fold_line) or is_date_line(fold_line)
