"""Quantities: a number with its unit, as a plan writes it (spec section 3).

Plans write numbers in Arabic digits (full-width ones are folded by
`normalise`), with stray spaces from PDF extraction (`224 万千瓦`), as Chinese
numerals where they count things (`十一家`, `一次`), and water classes in Roman
numerals (`III类`). A number is only a quantity when a unit from
`ecoplan/vocab/units.yaml` follows it, which by itself keeps years (2025年),
document numbers (〔2021〕40号) and dates out. What the unit rule cannot see is
excluded by context: numbers glued to Latin letters (PM2.5, PM10, CO2),
ordinals (第2批), and Chinese numerals outside a count (一河一策, 一级支流).
Bare numbers listed before a number with a unit share it
(`分别为33、35、36微克/立方米` is three quantities in 微克/立方米).

The `万`/`亿` multiplier stays with the unit as written (`1185` `万千瓦`), so
the value is the figure a reader sees. A hedge next to the number (约, 近,
左右) is reported apart, never glued into the value.

Patterns are built from small named pieces and compiled once; digit runs use
possessive quantifiers so no input makes the matcher backtrack.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from functools import cache
from itertools import pairwise
from operator import attrgetter, itemgetter
from typing import NamedTuple, Protocol

from ecoplan.text.lexicon import CN_DIGITS, CN_POWER_VALUES, CN_POWERS, CN_VALUES, RANGE_DASHES, squash
from ecoplan.text.patterns import lazy_re
from ecoplan.text.records import rule_record
from ecoplan.vocab import UnitsVocab, load, longest_first

# --- small named pieces -----------------------------------------------------
# A digit run; possessive so "1111111…x" cannot backtrack.
DIGITS = r"\d++"
# Digit groups split by one stray space ("1 185"), or by a thousands comma.
GROUPS = r"(?:(?:\x20|,(?=\d{3}+(?!\d)))\d++)*+"
INTEGER = rf"{DIGITS}{GROUPS}"
# Decimal part; PDF extraction sometimes leaves a space on either side of the point.
DECIMAL = r"(?:\x20?+\.\x20?+\d++)?+"
# The first digit of a number: not part of an identifier (PM2.5, CO2, 14MW), a
# longer number or a decimal tail, nor after "digit space" ("1 1 1 …" is scanned
# once, not from every digit). The lookbehinds follow the digit instead of
# preceding it: a pattern that opens with a character class lets `re` skip to
# the next digit, where one that opens with a lookbehind is tried at every
# position (five times slower on plan text).
FIRST_DIGIT = r"\d(?<![A-Za-z\d.]\d)(?<!\d\x20\d)"
# An integer that starts at a FIRST_DIGIT; the same as INTEGER after it.
LEFT_INTEGER = rf"{FIRST_DIGIT}\d*+{GROUPS}"
CN_DIGIT = CN_DIGITS
CN_UNIT = CN_POWERS
# A Chinese numeral as a count: 十一, 一百二十, 三. 万/亿 are left to the unit.
CN_NUMBER = rf"[{CN_DIGIT}{CN_UNIT}]{{1,8}}+"
# The same, not part of a longer numeral or an ordinal (第二轮, 十九届); the
# lookbehind follows the first character for the reason given at FIRST_DIGIT.
LEFT_CN_NUMBER = rf"[{CN_DIGIT}{CN_UNIT}](?<![{CN_DIGIT}{CN_UNIT}第][{CN_DIGIT}{CN_UNIT}])[{CN_DIGIT}{CN_UNIT}]{{0,7}}+"
ROMAN = r"(?:VIII|VII|III|IV|VI|II|IX|V|I|Ⅷ|Ⅶ|Ⅵ|Ⅴ|Ⅳ|Ⅲ|Ⅱ|Ⅰ)"
ROMAN_VALUES = {
    "I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9,
    "Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5, "Ⅵ": 6, "Ⅶ": 7, "Ⅷ": 8,
}
# "Per" inside a unit: 微克/立方米 is also written 微克每立方米, and PDF text may
# put a space around the slash.
PER = r"(?:\x20?+/\x20?+|每)"
# Between the bare numbers of a list whose last number carries the unit they
# all share (分别为33、35、36微克/立方米).
LIST_MARKS = "、和及与"
LIST_SEP = rf"\x20?+[{LIST_MARKS}]\x20?+"
# An ordinal or a rank: the number names a position, not an amount.
ORDINAL_BEFORE = "第"
# Between the two ends of a range: 80%~85%, 80-85%, 3至5个.
RANGE_MARKS = rf"{re.escape(RANGE_DASHES)}至到"
RANGE_SEP = rf"\x20?+[{RANGE_MARKS}]\x20?+"
# 劣V类 names the class below V, not a class value.
CLASS_NOT_BEFORE = "劣"
_CN_VALUES = CN_VALUES
_CN_POWERS = CN_POWER_VALUES
# The pattern families, as bits: which of them can match in a stretch of text.
ARABIC, PERCENT_CN, CHINESE, ROMAN_CLASS = 1, 2, 4, 8
# How far before the unit its gate found a match of the family can start, at most: a Chinese
# numeral of 8 characters; a Roman one of 4 with a space on either side.
CN_NUMBER_REACH = 8
ROMAN_REACH = 6
# Besides digits (\d matches any decimal digit), the characters INTEGER and DECIMAL write a number with.
_NUMBER_CHARS = frozenset(" ,.")
_NUMBER_STRIP = "0123456789" + "".join(sorted(_NUMBER_CHARS))
_START_OF, _END = itemgetter(0), itemgetter(1)
_START = attrgetter("start")  # of a Stretch
_new_tuple = tuple.__new__  # of a (start, end, …) tuple
_INFINITY = math.inf  # what float() reads a figure of 309 digits or more as
# A match of the `numbered` gate by its last group: its family, and where `scan_lines` keeps the
# family's first match in a line (its last one right after).
_GATE_SLOTS = {"arabic": (ARABIC, 1), "chinese": (CHINESE, 3), "roman": (ROMAN_CLASS, 5)}


class Quantity(NamedTuple):
    """A number with its unit found in a string (indices into that string).

    A named tuple: a plan holds thousands, and a tuple is made several times faster than a frozen class.
    """

    start: int  # first character of the number (after any hedge)
    end: int  # just past the unit
    value: float
    unit: str  # as written, whitespace removed, full-width folded
    kind: str  # "arabic", "chinese" or "roman"
    approx: str | None = None  # hedge right next to the number: 约, 近, 左右
    approx_end: int | None = None  # just past a hedge written after the unit (左右)
    range: str | None = None  # "low" or "high" end of a range (80%~85%, 3至5个)


def _alt(words: list[str]) -> str:
    """Alternation of literal words, longest first; "/" may be written 每 or have spaces around it."""
    parts = [re.escape(w).replace("/", PER) for w in sorted(set(words), key=longest_first)]
    return "|".join(parts)


@rule_record
class _Gates:
    """For each pattern family, a short pattern every one of its matches holds.

    Most text holds no quantity, yet a digit or a Chinese numeral is common
    (2025年, 进一步). What a quantity cannot do without is the unit right after
    its number; each gate opens with the characters a unit (or the word that
    takes the place of one) can start with, so `re` skips straight to them, and
    the lookbehind checks for a number before it. A family is only run over a
    stretch where its gate matches: same matches, a fraction of the passes.
    """

    arabic: re.Pattern[str]  # a digit, maybe a space, then the first character of a unit
    listed: re.Pattern[str]  # number, list mark, number with a unit: the end of a list
    range: re.Pattern[str]  # number (or unit), range mark, number with a unit: a range
    marks: re.Pattern[str]  # `range` or `listed`: one search tells when neither can match (most stretches)
    percent_cn: re.Pattern[str]  # 百分之
    chinese: re.Pattern[str]  # a Chinese numeral, then the first character of a counter
    roman: re.Pattern[str]  # the last character of a Roman numeral, maybe a space, then a class unit's first
    # The arabic, chinese and roman gates in one pass: which one matched is the
    # name of the empty group it ends with. No character can match two of them:
    # what stands before the unit (a digit, a Chinese or a Roman numeral) differs.
    numbered: re.Pattern[str]

    def by_family(self) -> tuple[tuple[int, re.Pattern[str]], ...]:
        return (ARABIC, self.arabic), (PERCENT_CN, self.percent_cn), (CHINESE, self.chinese), (ROMAN_CLASS, self.roman)


def _first_chars(words: list[str]) -> str:
    """The characters a word of `words` starts with, as `_alt` writes it (a "/" may be 每 or a space)."""
    chars = {("/ 每" if w[0] == "/" else w[0]) for w in words}
    return re.escape("".join(sorted(set("".join(chars)))))


def _last_chars(words: list[str]) -> str:
    """The characters a word of `words` ends with, as `_alt` writes it."""
    chars = {("/ 每" if w[-1] == "/" else w[-1]) for w in words}
    return re.escape("".join(sorted(set("".join(chars)))))


def _gates(v: UnitsVocab, last_number: str) -> _Gates:
    """The gates; `last_number` is the pattern of the number and unit that end a list or a range."""
    unit_first = _first_chars([*v.surfaces(), *v.multipliers])
    # Before a range mark: the lower bound's last digit or its unit's last character, maybe a space.
    lower_end = rf"[\d{_last_chars(list(v.surfaces()))}]"
    # A Chinese numeral stands before a counter, or (written out: 三十五) before any unit.
    counter_first = _first_chars([*v.counters, *v.multipliers, *v.surfaces()])
    class_first = _first_chars(v.class_units)
    roman_last = re.escape("".join(sorted({token[-1] for token in ROMAN_VALUES})))
    # The prefix written as its first character and a lookahead: the gate then
    # opens with a character class too, and prefixes never hide one another.
    percent = "|".join(f"{re.escape(w[0])}(?={re.escape(w[1:]).replace('/', PER)})" for w in v.percent_prefix)
    cn_chars = CN_DIGIT + CN_UNIT
    roman_chars = "".join(token[-1] for token in ROMAN_VALUES)
    if set(cn_chars) & set(roman_chars) or any(ch.isdecimal() for ch in cn_chars + roman_chars):
        raise ValueError("a numeral character of two kinds: the gates cannot share one pass")
    keys = _first_chars([*v.surfaces(), *v.multipliers, *v.counters, *v.class_units])
    # Most key characters are common words (个, 人, 分, 公…): one class test on the character before
    # them (a numeral, or the space some are written after) turns nearly all of them away at once,
    # where the branches below would each run their own lookbehinds.
    numbered = (
        rf"[{keys}](?<=[\d{cn_chars}{roman_last}\x20].)(?:(?:(?<=\d[{unit_first}])|(?<=\d\x20[{unit_first}]))(?P<arabic>)"
        rf"|(?<=[{CN_DIGIT}{CN_UNIT}][{counter_first}])(?P<chinese>)"
        rf"|(?:(?<=[{roman_last}][{class_first}])|(?<=[{roman_last}]\x20[{class_first}]))(?P<roman>))"
    )
    # What follows the mark in each (the lookbehinds read the mark just matched as "."): `marks`
    # opens with one class of both kinds of mark, as each of the two does, so `re` skips to them.
    listed = rf"(?:(?<=\d.)|(?<=\d\x20.))\x20?+(?={last_number})"
    ranged = rf"(?:(?<={lower_end}.)|(?<={lower_end}\x20.))\x20?+(?={last_number})"
    return _Gates(
        arabic=lazy_re(rf"[{unit_first}](?:(?<=\d.)|(?<=\d\x20.))"),
        listed=lazy_re(rf"[{LIST_MARKS}]{listed}"),
        range=lazy_re(rf"[{RANGE_MARKS}]{ranged}"),
        marks=lazy_re(rf"[{RANGE_MARKS}{LIST_MARKS}](?:(?<=[{RANGE_MARKS}]){ranged}|(?<=[{LIST_MARKS}]){listed})"),
        percent_cn=lazy_re(percent),
        chinese=lazy_re(rf"[{counter_first}](?<=[{CN_DIGIT}{CN_UNIT}].)"),
        roman=lazy_re(rf"[{class_first}](?:(?<=[{roman_last}].)|(?<=[{roman_last}]\x20.))"),
        numbered=lazy_re(numbered),
    )


@rule_record
class _Patterns:
    arabic: re.Pattern[str]
    listed: re.Pattern[str]
    list_item: re.Pattern[str]
    range: re.Pattern[str]
    chinese: re.Pattern[str]
    roman: re.Pattern[str]
    percent_cn: re.Pattern[str]
    approx_before: tuple[str, ...]
    approx_after: tuple[str, ...]
    gates: _Gates
    multipliers: str
    one_character_units: frozenset[str]  # units a one-character Chinese numeral is read before (家, 个百分点)
    bounds_after: tuple[str, ...]  # words after a figure that bound it (以内, 以上)
    # How far past the start of its unit a match of the family can end, at most: the longest unit
    # as the pattern writes it (a multiplier before it, a "/" as " / ").
    unit_reach: dict[int, int]


@cache
def patterns() -> _Patterns:
    """Compile the quantity patterns from the unit vocabulary, once per process."""
    v = load("units")
    c = load("comparators")
    mult = "".join(v.multipliers)
    unit = rf"(?:[{mult}]?(?:{_alt(list(v.surfaces()))}))"
    cn_unit = rf"(?:[{mult}]?(?:{_alt([*v.counters, *v.surfaces()])}))"
    number = rf"{INTEGER}{DECIMAL}"
    left_number = rf"{LEFT_INTEGER}{DECIMAL}"
    # The first character a unit (cn_unit) can start with, as a lookahead before the unit: most digits
    # (2025年) and Chinese numerals (一步) are followed by none, and the lookahead refuses them at
    # once where the unit's alternation would try each of its words.
    unit_first = _first_chars([*v.surfaces(), *v.multipliers])
    counter_first = _first_chars([*v.counters, *v.multipliers, *v.surfaces()])
    arabic = lazy_re(rf"(?P<num>{left_number})\x20?+(?=[{unit_first}])(?P<unit>{unit})")
    # Bare numbers that share the unit of the last one, which `arabic` finds.
    listed = lazy_re(rf"(?P<items>(?:{left_number}{LIST_SEP})++){number}\x20?+(?P<unit>{unit})")
    list_item = lazy_re(rf"(?P<num>{number}){LIST_SEP}")
    range_ = lazy_re(
        rf"(?P<lo>{left_number})(?:\x20?+(?P<lounit>{unit}))?{RANGE_SEP}(?P<num>{number})\x20?+(?P<unit>{unit})"
    )
    # A Chinese numeral counts before a counter word (十一家, 一次) or percentage points (两个百分点); one
    # written with two characters or more (三十五微克每立方米, 一千二百万亩) before any unit (scan_line).
    chinese = lazy_re(rf"(?P<num>{LEFT_CN_NUMBER})(?=[{counter_first}])(?P<unit>{cn_unit})")
    roman = lazy_re(
        rf"(?<![A-Za-z{CLASS_NOT_BEFORE}])(?<!{CLASS_NOT_BEFORE}\x20)\x20?+(?P<num>{ROMAN})\x20?+(?P<unit>{_alt(v.class_units)})"
    )
    percent_cn = lazy_re(rf"(?:{_alt(v.percent_prefix)})(?P<num>{CN_NUMBER}(?:点[{CN_DIGIT}]++)?)")
    unit_reach = {
        ARABIC: 1 + _longest(list(v.surfaces())),
        CHINESE: 1 + _longest([*v.counters, *v.surfaces()]),
        ROMAN_CLASS: _longest(v.class_units),
    }
    return _Patterns(
        arabic, listed, list_item, range_, chinese, roman, percent_cn, tuple(c.approx_before), tuple(c.approx_after),
        _gates(v, rf"{number}\x20?+{unit}"), mult,
        frozenset([*v.counters, *v.points_units]), tuple(c.after), unit_reach,
    )


def _longest(words: list[str]) -> int:
    """The most characters a word of `words` takes as `_alt` writes it ("/" may be " / ")."""
    return max(len(w) + 2 * w.count("/") for w in words)


@cache
def _unit_names() -> tuple[dict[str, str], str]:
    v = load("units")
    return v.surfaces(), "".join(v.multipliers)


def unit_name(unit: str) -> str:
    """Canonical name of a unit as written (μg/m3 -> 微克/立方米, 万平方千米 -> 万平方公里)."""
    names, multipliers = _unit_names()
    unit = unit if unit in names else unit.replace("每", "/")  # 吨每日 -> 吨/日
    if unit in names:
        return names[unit]
    if unit[:1] in multipliers and unit[1:] in names:
        return unit[0] + names[unit[1:]]
    return unit


def is_unit(surface: str) -> bool:
    """Whether `surface` (on the fold) is a unit of the vocabulary, a multiplier before it allowed (万吨)."""
    names, multipliers = _unit_names()
    return surface in names or (surface[:1] in multipliers and surface[1:] in names)


def cn_value(s: str) -> float | None:
    """Value of a Chinese numeral below 10 000 (十一 -> 11, 一百二十 -> 120, 三点五 -> 3.5)."""
    whole, _, frac = s.partition("点")
    total = 0
    current = -1
    seen_power = 10**9
    for ch in whole:
        if ch in _CN_VALUES:
            if current >= 0:  # digit after digit: read as a digit string (二〇二一)
                current = current * 10 + _CN_VALUES[ch]
            else:
                current = _CN_VALUES[ch]
        elif ch in _CN_POWERS:
            power = _CN_POWERS[ch]
            if power >= seen_power:
                return None  # 十百 is not a numeral
            seen_power = power
            total += (current if current >= 0 else 1) * power
            current = -1
        else:
            return None
    if not whole:
        return None
    value = float(total + max(current, 0))
    if frac:
        digits = "".join(str(_CN_VALUES[ch]) for ch in frac if ch in _CN_VALUES)
        if len(digits) != len(frac):
            return None
        value += float("0." + digits)
    return value


def cn_int(s: str) -> int | None:
    """Arabic digits or a whole Chinese numeral as int: 十二 -> 12, 一百二十 -> 120, 二〇二三 -> 2023.

    The one reader of Chinese numerals for headings, dates and deadlines.
    """
    if s.isascii() and s.isdigit():
        return int(s)
    if not s or "点" in s:
        return None
    if any(c in _CN_POWERS for c in s) and any(a in _CN_VALUES and b in _CN_VALUES for a, b in pairwise(s)):
        return None  # 十二三 mixes a positional numeral with a digit string
    value = cn_value(s)
    return None if value is None else int(value)


def _arabic_value(num: str) -> float:
    return float(num.replace(" ", "").replace(",", ""))


def find_quantities(fold: str, start: int = 0, end: int | None = None) -> list[Quantity]:
    """Quantities in `fold[start:end]`, in order, without overlaps.

    `fold` is folded text (Document.fold or any string folded the same way).
    Chinese numerals are all returned; whether one is a commitment (开展一次)
    or part of a phrase (一河一策 has no unit, 四大类 none either) is for the
    caller, which knows the verb before it.
    """
    end = len(fold) if end is None else end
    p = patterns()
    return _finish(fold, _raw(fold, start, end, p, None, _families(fold, start, end, p)), p, end)


class QuantityScan(NamedTuple):
    """Every pattern match in fold[start:end], to be handed out to pieces of it.

    Callers cut text into some 20,000 clauses per MB, and five pattern passes
    per clause cost more in call overhead than in matching. One pass over the
    whole stretch (a line) finds the same matches as long as none of them
    covers a character outside the pieces: the patterns' lookbehinds read
    before the start bound anyway, and their one lookahead (no digit after a
    thousands group) then sees a character the match could not take, so no
    digit. When a match does cover one (a unit written with a separator in
    it), `split` reads the pieces one by one.

    A named tuple: one is made per line that holds a number with a unit.
    """

    fold: str
    found: list[tuple[Quantity, bool]]  # quantity, whether it takes hedges
    spans: list[tuple[int, int]]  # of every match, kept or not

    def __bool__(self) -> bool:
        """False when no piece of the stretch can hold a quantity."""
        return bool(self.spans)

    def extent(self) -> tuple[int, int]:
        """Where the first match starts and the last one ends (a stretch that holds a match)."""
        return min(self.spans)[0], max(map(_END, self.spans))

    def split(self, parts: Sequence[Sequence[int]]) -> list[Sequence[Quantity]]:
        """`find_quantities(fold, a, b)` for each part (a, b, …) of `parts`: pieces of
        the stretch in order, each ending before the next starts."""
        out = self.split_within(parts)
        if out is None:
            return [find_quantities(self.fold, part[0], part[1]) for part in parts]
        return out

    def split_within(self, parts: Sequence[Sequence[int]]) -> list[Sequence[Quantity]] | None:
        """`split(parts)`, or None when a match covers a character outside the parts
        (then each piece must be read on its own)."""
        out: list[Sequence[Quantity]] = [()] * len(parts)
        if not self.spans or not parts:
            return out
        for ms, me in self.spans:
            k = bisect_right(parts, ms, key=_START_OF) - 1  # the last part that starts at or before the match
            if k < 0 or me > parts[k][1]:
                return None
        fold, p = self.fold, patterns()
        # Sorted once for the whole stretch, each part's quantities come in a run, in the order `_finish` sorts them.
        found = sorted(self.found, key=_position) if len(self.found) > 1 else self.found
        bucket: list[tuple[Quantity, bool]] = []
        at = -1
        for item in found:
            k = bisect_right(parts, item[0].start, key=_START_OF) - 1
            if k != at:
                if bucket:
                    out[at] = _kept(fold, bucket, p, parts[at][1])
                bucket = []
                at = k
            bucket.append(item)
        if bucket:
            out[at] = _kept(fold, bucket, p, parts[at][1])
        return out


def scan_quantities(fold: str, start: int, end: int) -> QuantityScan:
    """Match the quantity patterns once over fold[start:end]; see QuantityScan."""
    p = patterns()
    spans: list[tuple[int, int]] = []
    families = _families(fold, start, end, p)
    return QuantityScan(fold, _raw(fold, start, end, p, spans, families) if families else [], spans)


class Stretch(Protocol):
    """A stretch of text by its bounds (a Document line, a table cell)."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


def scan_lines(fold: str, lines: Sequence[Stretch]) -> Iterator[tuple[int, QuantityScan]]:
    """(k, `scan_quantities(fold, lines[k].start, lines[k].end)`) for each line that can hold a quantity, in order.

    `lines` are stretches of `fold` in text order, not overlapping; the lines
    left out hold no quantity. Each gate runs once over the whole text, and
    most lines are never read again: their numbers have no unit.
    """
    p = patterns()
    # Once per text: a bisect then compares plain ints, where a key would read a line (on a long
    # input a Block made from columns) at every probe.
    starts = list(map(_START, lines))
    # Line -> [families, then for the arabic, chinese and roman families in turn where its gate first
    # and last matched in the line (-1: never)]. A unit follows a number where the gate matched: no
    # match of the family starts much before the first, nor ends further than its unit reach past the
    # last, so its pattern is run between them (the rest of a line is often long). One list per line
    # read in place: the matches of a line come one after another.
    found_in: dict[int, list[int]] = {}
    k, line_start, line_end = -1, 0, -1
    record: list[int] = []
    for m in p.gates.numbered.finditer(fold):
        at = m.start()
        if not line_start <= at < line_end:  # not in the line of the match before (where most are)
            k = bisect_right(starts, at) - 1
            line_start, line_end = (starts[k], lines[k].end) if k >= 0 else (0, -1)
            if at >= line_end:
                continue
            record = found_in.setdefault(k, [0, -1, -1, -1, -1, -1, -1])
        family, slot = _GATE_SLOTS[m.lastgroup]
        record[0] |= family
        if record[slot] < 0:
            record[slot] = at
        record[slot + 1] = at
    k, line_start, line_end = -1, 0, -1
    for m in p.gates.percent_cn.finditer(fold):  # the percent family is run over its whole line
        at = m.start()
        if not line_start <= at < line_end:
            k = bisect_right(starts, at) - 1
            line_start, line_end = (starts[k], lines[k].end) if k >= 0 else (0, -1)
        if at < line_end:
            found_in.setdefault(k, [0, -1, -1, -1, -1, -1, -1])[0] |= PERCENT_CN
    reach_arabic, reach_chinese, reach_roman = (p.unit_reach[f] for f in (ARABIC, CHINESE, ROMAN_CLASS))
    for k in sorted(found_in):
        families, arabic_first, arabic_last, chinese_first, chinese_last, roman_first, roman_last = found_in[k]
        line = lines[k]
        start, end = line.start, line.end
        spans: list[tuple[int, int]] = []
        arabic = chinese = roman = None
        if arabic_first >= 0:
            arabic = _number_start(fold, start, arabic_first), min(end, arabic_last + reach_arabic)
        if chinese_first >= 0:
            chinese = max(start, chinese_first - CN_NUMBER_REACH), min(end, chinese_last + reach_chinese)
        if roman_first >= 0:
            roman = max(start, roman_first - ROMAN_REACH), min(end, roman_last + reach_roman)
        found = _raw(fold, start, end, p, spans, families, arabic, chinese, roman)
        yield k, _new_tuple(QuantityScan, (fold, found, spans))


def _number_start(fold: str, start: int, unit_at: int) -> int:
    """Where the characters a number is written with (digits, a stray space, a thousands
    comma, a decimal point) run back to from fold[unit_at], not before `start`.

    With fold[unit_at] the first unit the arabic gate found in fold[start:], no arabic
    match starts before this: every match is a number then its unit, and the unit
    starts where the gate matches; a unit after fold[unit_at] has its number after it,
    or that number runs through fold[unit_at] and so back to here.
    """
    # ASCII digits and the marks in one C call; a decimal digit of another script (rare) one by one.
    at = start + len(fold[start:unit_at].rstrip(_NUMBER_STRIP))
    while at > start and (fold[at - 1] in _NUMBER_CHARS or fold[at - 1].isdecimal()):
        at -= 1
        at = start + len(fold[start:at].rstrip(_NUMBER_STRIP))
    return at


def _families(fold: str, start: int, end: int, p: _Patterns) -> int:
    """The pattern families whose gate matches in fold[start:end]: the only ones that can match there."""
    families = 0
    for family, gate in p.gates.by_family():
        if gate.search(fold, start, end):
            families |= family
    return families


def _raw(
    fold: str, start: int, end: int, p: _Patterns, spans: list[tuple[int, int]] | None, families: int,
    arabic_bounds: tuple[int, int] | None = None, chinese_bounds: tuple[int, int] | None = None,
    roman_bounds: tuple[int, int] | None = None,
) -> list[tuple[Quantity, bool]]:
    """Every match of every pattern in fold[start:end], with whether it takes hedges.

    Only the `families` given are run (the others' gates do not match there).
    The span of every match, kept or not, goes to `spans` when given.
    `arabic_bounds` (from, to) bound the arabic family's matches in the stretch: `from` is
    where the number before the first unit the arabic gate found can start at the earliest
    (see `_number_start`): no arabic match starts before it, nor a range or list mark stands
    before it, so those scans begin there. Every match ends in a unit, which starts where the
    gate matched: none ends past `to`, the family's last gate match plus its unit reach, so
    the scans (and the lookaheads of the mark gates) stop there.
    `chinese_bounds` and `roman_bounds` bound those families the same way (from: their gate's
    first match in the stretch less the longest numeral that can stand before the unit): the
    roman pattern, which opens with lookbehinds, is otherwise tried at every position.
    """
    found: list[tuple[Quantity, bool]] = []
    arabic = families & ARABIC
    arabic_from, arabic_to = (start, end) if arabic_bounds is None else arabic_bounds
    marks_from = max(start, arabic_from - 1)  # the mark of a range or list stands right before its last number
    # Neither gate can match where their union does not: one search instead of two (most stretches).
    marked = arabic and p.gates.marks.search(fold, marks_from, arabic_to)
    ranged = marked and p.gates.range.search(fold, marks_from, arabic_to)
    for m in p.range.finditer(fold, start, arabic_to) if ranged else ():
        if spans is not None:
            spans.append(m.span())
        lo = m.start("lo")
        if lo > 0 and fold[lo - 1] == ORDINAL_BEFORE:
            continue
        if m["lounit"] and _unit(m["lounit"]) != _unit(m["unit"]):
            continue  # 5个-10% is two figures, not a range
        unit = _unit(m["unit"])
        lo_end = m.end("lounit") if m["lounit"] else m.end("lo")
        if (value := _arabic_value(m["lo"])) != _INFINITY:  # see the end of the function
            found.append((Quantity(lo, lo_end, value, unit, "arabic", range="low"), False))
        if (value := _arabic_value(m["num"])) != _INFINITY:
            found.append((Quantity(m.start("num"), m.end(), value, unit, "arabic", range="high"), False))
    for m in p.arabic.finditer(fold, arabic_from, arabic_to) if arabic else ():
        if spans is not None:
            spans.append(m.span())
        s = m.start("num")
        if s > 0 and fold[s - 1] == ORDINAL_BEFORE:
            continue
        # The most common kind: value and unit read inline (`_arabic_value`, `_unit`), and made as a
        # tuple, as the named tuple's Python-level __new__ would cost more than the rest.
        num, unit = m.group("num", "unit")
        value = float(num.replace(" ", "").replace(",", ""))
        if value == _INFINITY:
            continue  # see the end of the function
        found.append((_new_tuple(Quantity, (s, m.end(), value, unit if "\x20" not in unit else squash(unit), "arabic",
                                            None, None, None)), True))
    listed = marked and p.gates.listed.search(fold, marks_from, arabic_to)
    for m in p.listed.finditer(fold, start, arabic_to) if listed else ():
        if spans is not None:
            spans.append(m.span())
        if m.start() > 0 and fold[m.start() - 1] == ORDINAL_BEFORE:
            continue
        unit = _unit(m["unit"])
        for item in p.list_item.finditer(fold, m.start(), m.end("items")):
            if (value := _arabic_value(item["num"])) != _INFINITY:
                found.append((Quantity(item.start(), item.end("num"), value, unit, "arabic"), True))
    for m in p.percent_cn.finditer(fold, start, end) if families & PERCENT_CN else ():
        if spans is not None:
            spans.append(m.span())
        value = cn_value(m["num"])
        if value is not None:
            found.append((Quantity(m.start(), m.end(), value, "%", "chinese"), True))
    chinese_from, chinese_to = (start, end) if chinese_bounds is None else chinese_bounds
    roman_from, roman_to = (start, end) if roman_bounds is None else roman_bounds
    for m in p.chinese.finditer(fold, chinese_from, chinese_to) if families & CHINESE else ():
        if (len(m["num"]) == 1 and _unit(m["unit"]).lstrip(p.multipliers) not in p.one_character_units
                and not fold.startswith(p.bounds_after, m.end())):
            continue  # 一天一巡查, 三吨锅炉: a word; with a bound after it (六天以内) a figure
        if spans is not None:
            spans.append(m.span())
        value = cn_value(m["num"])
        if value is not None:
            found.append((Quantity(m.start("num"), m.end(), value, _unit(m["unit"]), "chinese"), True))
    # The roman pattern opens with lookbehinds and an optional space, so `re`
    # tries it at every position: it only runs where its gate matched.
    for m in p.roman.finditer(fold, roman_from, roman_to) if families & ROMAN_CLASS else ():
        if spans is not None:
            spans.append(m.span())
        found.append((Quantity(m.start("num"), m.end(), float(ROMAN_VALUES[m["num"]]), _unit(m["unit"]), "roman"),
                      False))
    # A figure too large for a float (309 digits) reads as infinity: it is no quantity a plan
    # commits to, so it stays text (each arabic figure is left out as it is read; no Chinese or
    # Roman numeral is that large).
    return found


def _finish(fold: str, found: list[tuple[Quantity, bool]], p: _Patterns, end: int) -> list[Quantity]:
    """Drop overlaps (leftmost, then longest, then in pattern order) and attach hedges.

    A hedge never moves a quantity's start or end, so it is attached to the kept ones only.
    """
    if len(found) > 1:
        found.sort(key=_position)
    return _kept(fold, found, p, end)


def _position(item: tuple[Quantity, bool]) -> tuple[int, int]:
    """Leftmost first, then longest: the order overlaps are settled in."""
    q = item[0]
    return q.start, -q.end


def _kept(fold: str, found: list[tuple[Quantity, bool]], p: _Patterns, end: int) -> list[Quantity]:
    """`_finish` of `found` already in `_position` order."""
    out: list[Quantity] = []
    last_end = -1
    for q, hedged in found:
        if q.start >= last_end:
            out.append(_with_hedges(fold, q, p, end) if hedged else q)
            last_end = q.end
    return out


def _unit(raw: str) -> str:
    # The only whitespace a unit pattern takes is the space around a "/".
    return squash(raw) if "\x20" in raw else raw


def _with_hedges(fold: str, q: Quantity, p: _Patterns, end: int) -> Quantity:
    """Attach a hedge written right before (约) or after (左右) the number."""
    approx: str | None = None
    approx_end: int | None = None
    if not (fold.endswith(p.approx_before, 0, q.start) or fold.startswith(p.approx_after, q.end)):
        return q  # no hedge on either side (most numbers)
    for word in p.approx_before:
        if fold.startswith(word, max(q.start - len(word), 0)) and q.start >= len(word):
            approx = word
            break
    for word in p.approx_after:
        if fold.startswith(word, q.end) and q.end + len(word) <= end:
            approx = approx or word
            approx_end = q.end + len(word)
            break
    if approx is None:
        return q
    return Quantity(q.start, q.end, q.value, q.unit, q.kind, approx, approx_end, q.range)
