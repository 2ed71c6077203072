"""Traditional characters folded to simplified ones, for matching only.

Mirror sites and conversion tools publish plans in traditional characters
(全縣地表水優良比例, 牽頭單位, 縣發改委) while every word list in `ecoplan/vocab`
is simplified. `to_simplified` folds the text through OpenCC's `t2s`
conversion so the same patterns match; the output keeps the characters as
written, because only `Document.fold` holds the folded text.

The fold must keep the length, so that one index serves the text and its
fold. OpenCC's t2s dictionaries map every entry (a character or a phrase) to
one of the same length (tests/test_script.py reads every entry and checks
it), so a conversion keeps the length; each conversion is checked all the
same, and one that does not keep it is replaced by a character-by-character
fold through a table of OpenCC's own single-character conversions, which
keeps the length by construction.

Text without traditional characters (most plans) is recognised by one scan
of a character class and returned as it is, without a conversion.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Protocol

from ecoplan.text.patterns import compile_re, lazy_re

# The blocks of CJK ideographs in the Basic Multilingual Plane: unified, extension A, compatibility.
_CJK_BMP = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
# Ideographs beyond the BMP are rare in plans; a text holding one is converted without the pre-check.
_ASTRAL_CJK = "\U00020000-\U0003134f"
_CONFIG = "t2s"


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@cache
def _converter() -> _Converter:
    import opencc  # imported on first use: ~15 ms that a plain-ASCII caller never pays

    converter: _Converter = opencc.OpenCC(_CONFIG)
    return converter


# The table is checked-in data, generated from OpenCC by `python -m ecoplan.text.script`
# (tests/test_script.py regenerates it and compares): building it at start-up meant
# converting ~28,000 characters, ~20 ms on every run, for plans that mostly hold none.
TABLE_PATH = Path(__file__).with_name("t2s_chars.txt")


def build_table() -> dict[int, str]:
    """Every BMP ideograph that t2s changes on its own, with its simplified form, from OpenCC.

    The characters are converted one per line, so no phrase spans two of them.
    """
    chars = [chr(c) for lo, hi in _CJK_BMP for c in range(lo, hi + 1)]
    converted = _converter().convert("\n".join(chars)).split("\n")
    return {ord(a): b for a, b in zip(chars, converted, strict=True) if a != b and len(b) == 1}


def table_text(table: dict[int, str]) -> str:
    """The data file's form of `table`: one line per character, traditional then simplified."""
    return "".join(f"{chr(code)}{table[code]}\n" for code in sorted(table))


@cache
def _table_text() -> str:
    return TABLE_PATH.read_text(encoding="utf-8")


@cache
def _traditional() -> re.Pattern[str]:
    """Any character of the table, or an ideograph beyond the BMP: one scan answers has_traditional.

    A `re` class of BMP characters is a bitmap: scanning a text for one costs a
    few nanoseconds a character, far less than a conversion.
    """
    # Every line of the table is three characters (traditional, simplified, line break), so a
    # slice lists the traditional ones without splitting ~4,000 lines at every start.
    return re.compile("[" + _table_text()[0::3] + _ASTRAL_CJK + "]")


@cache
def _table() -> dict[int, str]:
    """Code point of a traditional character -> its simplified character (only a rare fallback needs it)."""
    text = _table_text()
    return {ord(traditional): simplified for traditional, simplified in zip(text[0::3], text[1::3], strict=True)}


@cache
def _traditional_codes() -> frozenset[int]:
    """The code points of the table's characters (all in the BMP), for has_traditional without the class."""
    return frozenset(map(ord, _table_text()[0::3]))


_RE_ASTRAL_CJK = lazy_re(f"[{_ASTRAL_CJK}]")
# Characters a process checks through the GB2312 codec (below) before it compiles the class. That
# check costs ~4 ns a character and nothing to set up; the class ~3 ms to compile (~4,000
# characters for `re` to parse), then ~3 ns a character less in `fold`, where one scan finds the
# foldable characters and the traditional ones together: it pays after ~1,000,000 characters.
_CODEC_CHECK_CHARS = 1_000_000
_codec_check_left = _CODEC_CHECK_CHARS
# GB2312, the character set of simplified Chinese, encodes only a few of the table's characters
# (乾, 於, …): its C codec finds the other ones, and any astral character, as characters it cannot
# encode, written out as character references (&#NNNNN;) that are rare in a plan.
_CODEC = "gb2312"
_CHAR_REF_OPEN = "&#"
_ASTRAL_CJK_CODES = range(0x20000, 0x31350)


def has_traditional(text: str) -> bool:
    """Whether `text` holds a character that the fold would change."""
    global _codec_check_left
    if len(text) <= _codec_check_left:
        _codec_check_left -= len(text)
        return _has_traditional_by_codec(text)
    return _traditional().search(text) is not None


def _has_traditional_by_codec(text: str) -> bool:
    """has_traditional without the class: the table's characters GB2312 encodes are looked for one by
    one (a substring search each), the others among the characters GB2312 cannot encode."""
    return any(map(text.__contains__, _encodable_traditional())) or _holds_unencodable_traditional(text)


def _holds_unencodable_traditional(text: str) -> bool:
    """Whether `text` holds a character of the table that GB2312 does not encode, or an astral ideograph."""
    if _CHAR_REF_OPEN in text:
        # A reference written in the text would pass for an unencodable character: test by set.
        return not _traditional_codes().isdisjoint(map(ord, text)) or _RE_ASTRAL_CJK.search(text) is not None
    encoded = text.encode(_CODEC, "xmlcharrefreplace")
    # The first reference is found by memchr (& is rare in a plan, and GB2312 writes no & inside a
    # character): a text the codec encodes whole is spared the pattern's scan of every byte.
    first = encoded.find(b"&")
    if first < 0:
        return False
    refs = _char_ref().findall(encoded, first)
    if not refs:
        return False
    codes = _traditional_codes()
    return any(code in codes or code in _ASTRAL_CJK_CODES for code in map(int, set(refs)))


@cache
def _char_ref() -> re.Pattern[bytes]:
    """A character reference in the codec's output, its code point in the group."""
    return re.compile(rb"&#(\d++);")


@cache
def _encodable_traditional() -> str:
    """The table's characters that GB2312 encodes."""
    chars = _table_text()[0::3]
    # One character for each: an encodable one comes back as a character, any other as "?".
    round_trip = chars.encode(_CODEC, "replace").decode(_CODEC)
    return "".join(char for char, back in zip(chars, round_trip, strict=True) if back != "?")


def split_with_traditional(text: str, chars: str) -> Callable[[str], list[str]] | None:
    """The split (a pattern's, one group around its class) at any character of the class body `chars`
    and at any character has_traditional looks for that `text` may hold; None when `text` holds one
    that was found without it.

    While has_traditional checks texts through the codec, the class holds the few characters of the
    table that GB2312 encodes (one scan finds them with the foldable characters); the others are
    looked for through the codec first."""
    global _codec_check_left
    if len(text) > _codec_check_left:
        return _traditional_or(chars).split
    _codec_check_left -= len(text)
    if _holds_unencodable_traditional(text):
        return None
    return _encodable_traditional_or(chars).split


@cache
def _traditional_or(chars: str) -> re.Pattern[str]:
    return re.compile("([" + chars + _table_text()[0::3] + _ASTRAL_CJK + "])")


@cache
def _encodable_traditional_or(chars: str) -> re.Pattern[str]:
    return compile_re("([" + chars + _encodable_traditional() + "])")


def to_simplified(text: str) -> str:
    """`text` with traditional characters folded to simplified ones; same length, same indices."""
    if not has_traditional(text):
        return text
    try:
        converted = _converter().convert(text)
    except UnicodeError:  # a lone surrogate (text built in Python, not decoded from a file)
        converted = ""
    if len(converted) == len(text):
        return converted
    # A dictionary entry changed the length: fold character by character instead.
    return text.translate(_table())


if __name__ == "__main__":  # regenerate the checked-in table from the installed OpenCC
    TABLE_PATH.write_text(table_text(build_table()), encoding="utf-8")
