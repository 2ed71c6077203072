"""Deadlines (spec section 4): every time limit a plan sets, as an ISO date.

A deadline is a date together with a word that makes it a limit: a trigger
before it (到2025年), a suffix after it (2030年前), or a period end (年底,
10月底, 上半年, "十四五"末期). A bare year (2021年…) is a background or
framing date, never a limit on its own; dates right after a comparison word
(较2020年) or before a reference word (2017年以来) are baselines; a limit that
lies before the plan year is a reference to the past. Words are data in
`ecoplan/vocab/deadlines.yaml`; the pattern is compiled once, at first use, and
run once over `Document.fold`, so the cost is linear in the text.

Deadline scope lives here too: `DeadlineScope` says which deadline governs a
position in the text (spec section 3, "Deadline scope"), for the targets.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from functools import cache
from re import _constants as sre_constants
from re import _parser as sre_parser
from typing import NamedTuple

import regex

from ecoplan.schema import Deadline
from ecoplan.text.document import Block, Document
from ecoplan.text.lexicon import (
    BOOK_TITLE_CLOSE,
    BOOK_TITLE_OPEN,
    CN_DAY,
    CN_MONTH,
    CN_ONE_TO_NINE,
    CN_YEAR_DIGITS,
    PROSE_MARKS,
    QUOTE_CLOSE,
    QUOTE_OPEN,
    RANGE_DASHES,
    SENTENCE_ENDS,
    YEAR_MAX,
    YEAR_MIN,
)
from ecoplan.text.markers import match_marker
from ecoplan.text.patterns import compile_re, compile_regex, lazy_re, lazy_regex
from ecoplan.text.quantities import cn_int
from ecoplan.text.records import rule_record
from ecoplan.vocab import DeadlinesVocab, alternation, load, longest_first


class DeadlineMatch(NamedTuple):
    """A deadline found in Document.text[start:end]."""

    start: int
    end: int
    text: str  # as written in Document.text
    date: str  # ISO YYYY-MM-DD, or --MM-DD when recurring
    recurring: str | None  # "yearly" or None


_CN_YEAR_DIGIT = CN_YEAR_DIGITS
# A sentence ends here; a year written earlier in it no longer frames what follows.
_SENTENCE_END = lazy_re("[" + re.escape(SENTENCE_ENDS) + ";\n]")
# A year or a month right before a 至/到 makes the pair a span (2021年至2025年, 2021-2025年,
# 5月至9月: a season of work, not a limit).
_SPAN_BEFORE = lazy_regex(
    r"(?:(?:\d{4}+|[" + _CN_YEAR_DIGIT + r"]{4}+)年?|\d{1,2}+月份?)[ ]*+[" + regex.escape(RANGE_DASHES)
    + r"至到]?[ ]*+$"
)
# What may follow that year or month in the search's window (a line feed: `$` also matches before a
# last one), and what it ends with besides a digit: a window whose last character other than those
# is none of these is not searched (the `regex` search costs more than the whole judgement).
_SPAN_TAIL = " \n" + RANGE_DASHES + "至到"
_SPAN_LAST = "年月份" + _CN_YEAR_DIGIT
_LOOKBACK = 12
# How far a cited title (《…》) reaches on either side of a date inside it.
_TITLE_REACH = 80
# A run-in heading before a paragraph's text: a short title, then 。 or ：.
RUN_IN_HEADING = 30
# A sentence that opens on a year and a comma (2020年，…; 截至2021年底，…) speaks of that year.
RE_YEAR_HEAD = lazy_re(r"[ ]*+(?:截至|截止|到|至)?[ ]*+(?P<y>(?:19|20)\d{2})[ ]*+年(?:底|末)?[ ]*+[,，]")
RE_RUN_IN_STOP = lazy_re("[。:]")
# What sets a deadline off from the sentence it opens (folded text).
_SET_OFF = (",", " ,")
MONTH = "月"
# The longest year and month written with spaces (2025 年 12 月).
YEAR_MONTH_REACH = 14
# A time-limit label: a deadline column's header word with up to this many characters before it (整改时限).
FIELD_LABEL_PREFIX = 4
# The deadline of a time-limit field starts this close after its label.
FIELD_VALUE_REACH = 12
# A label opens a line (after its indent) within this many characters.
FIELD_LINE_REACH = 20
# A label may open a sentence inside an item's paragraph: after one of these.
FIELD_AFTER = SENTENCE_ENDS + ";"
# Classes of characters: `re` patterns, which cost a third of a `regex` one a call.
RE_LABEL_STOP = lazy_re(":")
RE_PROSE = lazy_re("[" + re.escape(PROSE_MARKS) + "]")


class _Groups(NamedTuple):
    """The groups of one match of the pattern, in the pattern's group order.

    Read with one `groups()` call: `regex` charges for every group looked up by name.
    """

    pre: str | None  # trigger (到)
    fyp: str | None  # five-year-plan name
    fend: str | None  # its end word
    y: str | None  # year
    every: str | None  # 每年
    rel: str | None  # 今年, 明年
    ye: str | None  # year end
    half: str | None
    q: str | None  # quarter numeral
    m: str | None  # month
    d: str | None  # day
    mp: str | None  # part of the month
    post: str | None  # suffix (前)


_BEYOND_BMP = lazy_re("[\U00010000-\U0010ffff]")
# A named tuple made from a tuple of all its fields, without the Python-level __new__ of
# `_Groups(...)`: one is made for every match.
_new_tuple = tuple.__new__

# Group numbers, for the spans.
_YEAR = _Groups._fields.index("y") + 1
_POST = _Groups._fields.index("post") + 1


@rule_record
class _Rules:
    pattern: regex.Pattern[str]
    fast: _FastForm  # the pattern as `re` runs it
    anchor: re.Pattern[str]  # words one of which every match holds: text without one is not scanned
    anchor_words: dict[str, tuple[str, ...]]  # the same words by their first character
    # The characters a match can be made of (None when that could be any), and
    # how many a match holds at least.
    inside: frozenset[str] | None
    min_width: int
    not_before: tuple[str, ...]
    not_before_ends: frozenset[str]  # their last characters: a window ending in none ends with none of them
    not_after: tuple[str, ...]
    not_after_starts: frozenset[str]  # their first characters
    not_year_owner: tuple[str, ...]
    within_year: frozenset[str]  # 年内
    year_counts: tuple[str, ...]  # before 年内: a number of years (三年内)
    post_not_followed: regex.Pattern[str]
    month_part: dict[str, int | str]
    halves: dict[str, str]
    quarters: dict[str, str]
    relative_years: dict[str, int]
    five_year_plans: dict[str, tuple[int, int]]


# Not a decimal's digits (1.3), but a month may follow an item number at a line start (1．3月底前).
_MONTH_AFTER_ITEM_NUMBER = r"(?<=(?:^|\n)[ \t\u3000]*+\d{1,3}+\.)"


def _period(v: DeadlinesVocab, year_end: str) -> str:
    """Sub-pattern for the part of a year: end of year, half, quarter, month (and day), words from `v`."""
    month = rf"(?:(?<![\d.])|{_MONTH_AFTER_ITEM_NUMBER})\d{{1,2}}+|{CN_MONTH}"
    day = rf"\d{{1,2}}+|{CN_DAY}"
    return (
        rf"(?:(?P<ye>{year_end})"
        rf"|(?P<half>{alternation(list(v.halves))})"
        rf"|第?(?P<q>{alternation(list(v.quarters))}){regex.escape(v.quarter_word)}(?:{alternation(v.quarter_end)})?"
        rf"|(?P<m>{month})(?:{alternation(v.month_word)})(?:(?P<d>{day})(?:{alternation(v.day_words)}))?"
        rf"(?P<mp>{alternation(list(v.month_part))})?)"
    )


@cache
def _rules() -> _Rules:
    v = load("deadlines")
    trig = alternation(v.triggers)
    post = alternation(v.before_suffix)
    every = alternation(v.recurring)
    rel = alternation(list(v.relative_years))
    fyp = alternation(list(v.five_year_plans))
    fend = alternation(v.period_ends)
    year_ends = v.year_end  # 年底, 年末
    after_year = alternation(year_ends + [w[1:] for w in year_ends])  # 2021年底 / 2022年年底
    bare_year_end = alternation(year_ends)
    year = rf"(?<![\d.])\d{{4}}+|(?<![{_CN_YEAR_DIGIT}])[{_CN_YEAR_DIGIT}]{{4}}+"
    pattern = (
        rf"(?P<pre>{trig})?[ ]*+"
        r"(?:"
        rf"[{QUOTE_OPEN}]?(?P<fyp>{fyp})[{QUOTE_CLOSE}]?(?:{alternation(v.five_year_plan_words)})?(?P<fend>{fend})"
        rf"|(?:(?P<y>{year})[ ]*+年(?!度)|(?P<every>{every})|(?P<rel>{rel}))(?:{_period(v, after_year)})?"
        rf"|{_period(v, bare_year_end)}"
        r")"
        rf"(?P<post>{post})?"
    )
    units = alternation(v.counted_units)
    post_not = alternation(v.not_after_before_suffix)
    # Every match holds 年 (after a year) or a word it requires: a five-year plan, a
    # recurring or relative year, a year end, a half, the quarter or month word. A word
    # that holds another (每年 holds 年) is found by that one.
    required = {"年", v.quarter_word, *v.five_year_plans, *v.recurring, *v.relative_years, *year_ends,
                *v.halves, *v.month_word}
    anchors = sorted((w for w in required if not any(o != w and o in w for o in required)), key=longest_first)
    inside, min_width = _alphabet(pattern)
    compiled = compile_regex(pattern)
    if tuple(compiled.groupindex) != _Groups._fields or compiled.groups != len(_Groups._fields):
        raise ValueError("the deadline pattern's groups are not those _Groups lists")
    return _Rules(
        pattern=compiled,
        fast=_fast_form(pattern),
        anchor=lazy_re("|".join(map(re.escape, anchors))),
        anchor_words={first: tuple(w for w in anchors if w[0] == first) for first in sorted({w[0] for w in anchors})},
        inside=None if inside is None else frozenset(inside),
        min_width=min_width,
        not_before=tuple(v.not_before),
        not_before_ends=_ends(v.not_before, -1),
        not_after=tuple(v.not_after),
        not_after_starts=_ends(v.not_after, 0),
        not_year_owner=tuple(v.not_year_owner),
        within_year=frozenset(v.within_year),
        year_counts=tuple(v.year_count_chars),
        post_not_followed=lazy_regex(rf"(?:{post_not})|(?:\d++|[{CN_ONE_TO_NINE}十两]++)(?:{units})"),
        month_part=dict(v.month_part),
        halves=dict(v.halves),
        quarters=dict(v.quarters),
        relative_years=dict(v.relative_years),
        five_year_plans=dict(v.five_year_plans),
    )


class _FastForm(NamedTuple):
    """The deadline pattern as `re` runs it, a call costing half of what a `regex` one does.

    `re` takes neither a lookbehind of varying width nor one name for two groups: the month's
    lookbehind after an item number becomes any "." before the month's digits (a match whose month
    follows a "." is read again by `regex`), and the groups of the second part-of-a-year pattern
    are named apart; a match holds those of one of the two.
    """

    pattern: re.Pattern[str]
    first: int  # index in groups() of the first part-of-a-year pattern's groups
    second: int  # … of the second's, right after the first's
    width: int  # how many groups each has
    months: tuple[int, int]  # the group numbers of the two months
    year: int  # the group number of the year
    post: int  # … of the suffix


_SECOND_NAME = "_2"  # the suffix of the second part-of-a-year pattern's group names


def _fast_form(pattern: str) -> _FastForm:
    """The `re` form of the deadline pattern (see _FastForm)."""
    seen: set[str] = set()

    def rename(group: re.Match[str]) -> str:
        name = group[1]
        if name in seen:
            return f"(?P<{name}{_SECOND_NAME}>"
        seen.add(name)
        return group[0]

    source = re.sub(r"\(\?P<(\w+)>", rename, pattern.replace(_MONTH_AFTER_ITEM_NUMBER, r"(?<=\.)"))
    compiled = compile_re(source)
    names = sorted(compiled.groupindex, key=compiled.groupindex.__getitem__)
    seconds = [name for name in names if name.endswith(_SECOND_NAME)]
    second = names.index(seconds[0]) if seconds else -1
    width = len(seconds)
    first = second - width
    firsts = [name[: -len(_SECOND_NAME)] for name in seconds]
    merged = names[:second] + names[second + width :]
    if len(names) != compiled.groups or not seconds or names[first:second] != firsts \
            or names[second : second + width] != seconds or merged != list(_Groups._fields):
        raise ValueError("the deadline pattern's groups are not laid out as _fast_form reads them")
    index = compiled.groupindex
    return _FastForm(compiled, first, second, width, (index["m"], index["m" + _SECOND_NAME]), index["y"], index["post"])


# re's parse tree node kinds, for reading which characters a pattern can match.
_OP = sre_constants


def _alphabet(pattern: str) -> tuple[set[str] | None, int]:
    """The characters a match of `pattern` can be made of or look ahead at, digits (\\d) aside,
    and the fewest characters a match holds.

    Read off the pattern's parse tree, so it follows the vocabulary. None when
    some part can match characters not listed (a wildcard, a negated class).
    A lookbehind looks before the match and may read anything.
    """
    # The pattern names a group in several branches, which `re` refuses; the names do not matter here.
    try:
        tree = sre_parser.parse(regex.sub(r"\(\?P<\w+>", "(?:", pattern))
    except re.error:
        return None, 0
    if tree.state.flags & re.IGNORECASE:
        return None, 0  # a letter would also match its other case
    chars: set[str] = set()

    def walk(items: sre_parser.SubPattern | list[tuple[object, object]]) -> bool:
        for op, av in items:
            if op is _OP.LITERAL:
                chars.add(chr(av))
            elif op is _OP.IN:
                for kind, value in av:
                    if kind is _OP.LITERAL:
                        chars.add(chr(value))
                    elif kind is _OP.RANGE:
                        chars.update(map(chr, range(value[0], value[1] + 1)))
                    elif not (kind is _OP.CATEGORY and value is _OP.CATEGORY_DIGIT):
                        return False
            elif op is _OP.SUBPATTERN:
                if av[1] & re.IGNORECASE or not walk(av[3]):
                    return False
            elif op is _OP.BRANCH:
                if not all(walk(branch) for branch in av[1]):
                    return False
            elif op in (_OP.MAX_REPEAT, _OP.MIN_REPEAT, _OP.POSSESSIVE_REPEAT):
                if not walk(av[2]):
                    return False
            elif op is _OP.ATOMIC_GROUP:
                if not walk(av):
                    return False
            elif op in (_OP.ASSERT, _OP.ASSERT_NOT):
                direction, sub = av
                if direction > 0 and not walk(sub):
                    return False
            else:
                return False
        return True

    return (chars if walk(tree) else None), tree.getwidth()[0]


def _may_be_inside(inside: frozenset[str] | str, ch: str) -> bool:
    """Whether a match may hold `ch`: one of `inside`, or a digit. Every digit Unicode
    has added since the Unicode of this Python lies outside the BMP (which `regex`, with
    a Unicode of its own, may read as \\d), so those count as inside too."""
    return ch in inside or ch.isdecimal() or ch > "\uffff"


def _days_in_month(year: int, month: int) -> int:
    """calendar.monthrange(year, month)[1], without the weekday of the 1st that it works out too."""
    return 29 if month == 2 and calendar.isleap(year) else calendar.mdays[month]


def _month_day(rules: _Rules, g: _Groups, year: int | None) -> tuple[int, int] | None:
    """(month, day) of the last day the matched period allows; None when it names no period."""
    if g.ye:
        return 12, 31
    if g.half:
        mm, dd = rules.halves[g.half].split("-")
        return int(mm), int(dd)
    if g.q:
        mm, dd = rules.quarters[g.q].split("-")
        return int(mm), int(dd)
    if g.m:
        month = cn_int(g.m)
        if month is None or not 1 <= month <= 12:
            return None
        # Feb 29 only exists in leap years; a recurring date takes the longest month.
        last = _days_in_month(year if year else 2000, month)
        if g.d:
            day = cn_int(g.d)
            if day is None or not 1 <= day <= last:
                return None
            return month, day
        part = rules.month_part.get(g.mp or "", "last")
        return month, last if part == "last" else int(part)
    return None


def _sentence_year(fold: str, start: int, last_year: tuple[int, int] | None) -> int | None:
    """Year written earlier in the same sentence (so 2021年10月底前…12月底前 stays in 2021)."""
    if last_year is None:
        return None
    pos, year = last_year
    return None if _SENTENCE_END.search(fold, pos, start) else year


def find_deadlines(doc: Document, plan_year: int | None) -> list[DeadlineMatch]:
    """Every time limit in the document, in text order; the plan year anchors relative ones."""
    rules = _rules()
    fold = doc.fold
    out: list[DeadlineMatch] = []
    last_year: tuple[int, int] | None = None  # (end offset, year) of the latest explicit year
    cites = BOOK_TITLE_OPEN in fold  # without a 《 no date stands inside a cited title
    for start, end, g, year_end, post_start in _matches(rules, fold):
        before = fold[start - _LOOKBACK if start > _LOOKBACK else 0 : start]
        if g.post and rules.post_not_followed.match(fold, end):
            end = post_start  # 前后 / 前三季度: the 前 is not "by"
            post = False
        else:
            post = bool(g.post)
        year: int | None = None
        if g.y:
            year = cn_int(g.y)
            # A baseline's year (较2023年下降10%，9月底前…) sets no year for the months after it.
            if year is not None and (g.pre or not _after_word(rules, before)):
                last_year = (year_end, year)
        result = _judge(rules, g, year, fold, start, end, before, post, plan_year, last_year)
        if result is None or (cites and _in_book_title(fold, start)):
            continue  # not a limit, or part of a cited title (《关于印发2030年前某行动方案的通知》)
        date, recurring = result
        out.append(_new_tuple(DeadlineMatch, (start, end, doc.text[start:end], date, recurring)))
    months = _time_limit_months(doc, out)
    return sorted([*out, *months], key=lambda d: d.start) if months else out


# A match as find_deadlines reads it: start, end, groups, the year's end and the suffix's start.
_Found = tuple[int, int, _Groups, int, int]


def _matches(rules: _Rules, fold: str) -> Iterator[_Found]:
    """The pattern's matches in `fold`, scanning only the runs of characters around an anchor.

    The pattern opens with an optional trigger, so one scan of the whole text
    tries it at every position, though most text holds no date at all. A match
    holds an anchor and is made of characters of `inside` only (digits, 年, 到,
    月, …), so it lies in the run of such characters around one of its anchors:
    the scan of each run finds what the scan of the whole text finds there (the
    lookbehinds read before a run; the character after it is none the pattern
    could take or look for).

    Each run is searched by the pattern's `re` form (_FastForm), whose month
    lookbehind lets more through: a match it finds with a month after a "." is
    searched again by `regex`, and so is a run holding a character beyond the BMP
    (where `regex`, with a Unicode of its own, may read another digit than `re`).
    What it does not find, `regex` would not find either.
    """
    inside = rules.inside
    if inside is None:
        for m in _line_matches(rules, fold):
            yield _exact(m)
        return
    fast = rules.fast
    search, fast_search, size, min_width = rules.pattern.search, fast.pattern.search, len(fold), rules.min_width
    first, second, width, (month, month_2), year, post = fast[1:]
    no_second = (None,) * width
    anchors = _anchor_starts(rules, fold)
    count = len(anchors)
    end = 0
    k = 0  # the next anchor not yet inside a run scanned
    while k < count:
        anchor = anchors[k]
        # The run: `_may_be_inside`, inlined (a run is a few characters; a call each would cost more).
        start = anchor
        while start and ((c := fold[start - 1]) in inside or c.isdecimal() or c > "\uffff"):
            start -= 1
        end = anchor + 1
        while end < size and ((c := fold[end]) in inside or c.isdecimal() or c > "\uffff"):
            end += 1
        beyond_bmp = _BEYOND_BMP.search(fold, start, end) is not None  # max(run) makes a string a character
        # A search per match (a run holds one or none, mostly) costs less than a finditer per run.
        # A match holds an anchor, so it is never empty, and the rest of a run after a match is
        # searched again only while an anchor starts in it (a search that fails costs the most).
        pos = start
        while end - pos >= min_width:
            if beyond_bmp:
                if (exact := search(fold, pos, end)) is None:
                    break
                found = _exact(exact)
            else:
                if (m := fast_search(fold, pos, end)) is None:
                    break
                # The few spans read, each by its group's number: m.regs would make a pair for every group.
                month_start = m.start(month)
                if month_start < 0:
                    month_start = m.start(month_2)
                if month_start > 0 and fold[month_start - 1] == ".":
                    if (exact := search(fold, pos, end)) is None:
                        break
                    found = _exact(exact)
                else:
                    groups = m.groups()
                    g = groups[:second] + groups[second + width :] if groups[second : second + width] == no_second \
                        else groups[:first] + groups[second:]
                    found = (*m.span(), _new_tuple(_Groups, g), m.end(year), m.start(post))
            yield found
            pos = found[1]
            while k < count and anchors[k] < pos:
                k += 1
            if k == count or anchors[k] >= end:
                break
        while k < count and anchors[k] < end:
            k += 1  # in the run just scanned


def _exact(m: regex.Match[str]) -> _Found:
    """A match of the `regex` pattern as find_deadlines reads it."""
    # The few spans read, each by its group's number (by its name, it is looked up each time).
    return (*m.span(), _new_tuple(_Groups, m.groups()), m.end(_YEAR), m.start(_POST))


def _anchor_starts(rules: _Rules, fold: str) -> list[int]:
    """Where an anchor word starts in `fold`, in order. A few str.find passes, one per
    first character, cost less than a regex scan that tests each character against a set."""
    starts: list[int] = []
    for first, words in rules.anchor_words.items():
        i = fold.find(first)
        while i >= 0:
            if fold.startswith(words, i):
                starts.append(i)
            i = fold.find(first, i + 1)
    starts.sort()
    return starts


def _line_matches(rules: _Rules, fold: str) -> Iterator[regex.Match[str]]:
    """The pattern's matches in `fold`, scanning the lines that hold an anchor (no match crosses a line end)."""
    pos = 0
    while (hit := rules.anchor.search(fold, pos)) is not None:
        line_start = fold.rfind("\n", 0, hit.start()) + 1
        line_end = fold.find("\n", hit.start())
        line_end = len(fold) if line_end < 0 else line_end + 1
        yield from rules.pattern.finditer(fold, line_start, line_end)
        pos = line_end


def _in_book_title(fold: str, pos: int) -> bool:
    """Whether fold[pos] stands inside 《…》 on its line: the name of a cited document."""
    # Searched in place (a slice would be a copy to test).
    opened = fold.rfind(BOOK_TITLE_OPEN, pos - _TITLE_REACH if pos > _TITLE_REACH else 0, pos)
    if opened < 0 or fold.find(BOOK_TITLE_CLOSE, opened, pos) >= 0 or fold.find("\n", opened, pos) >= 0:
        return False
    closed = fold.find(BOOK_TITLE_CLOSE, pos, pos + _TITLE_REACH)
    return closed >= 0 and fold.find("\n", pos, closed) < 0


def _ends(words: list[str], index: int) -> frozenset[str]:
    """The first (`index` 0) or last (-1) characters of `words`: a character that is none of them
    rules every word out at once, where str.endswith / startswith with the words tries each."""
    if not all(words):
        raise ValueError("an empty word in a list of words read before or after a date")
    return frozenset(word[index] for word in words)


def _after_word(rules: _Rules, before: str) -> bool:
    """Whether `before` (the text before a date) ends with a word of `not_before` (较, 同比, …)."""
    return before[-1:] in rules.not_before_ends and before.endswith(rules.not_before)


def _may_end_span(before: str) -> bool:
    """Whether _SPAN_BEFORE may match `before`: its year or month ends on the last character
    left once what may follow one is stripped."""
    tail = before.rstrip(_SPAN_TAIL)
    return bool(tail) and _may_be_inside(_SPAN_LAST, tail[-1])


def _judge(
    rules: _Rules,
    m: _Groups,
    written_year: int | None,
    fold: str,
    start: int,
    end: int,
    before: str,
    post: bool,
    plan_year: int | None,
    last_year: tuple[int, int] | None,
) -> tuple[str, str | None] | None:
    """(date, recurring) when the match is a time limit, else None; `written_year` is cn_int(m.y)."""
    pre = bool(m.pre)
    if pre and _may_end_span(before) and _SPAN_BEFORE.search(before):
        return None  # 2021年至2025年: a plan period, not a limit
    if not pre and _after_word(rules, before):
        return None  # 较2020年底, 上年底: a baseline
    if not post and fold[end : end + 1] in rules.not_after_starts and fold.startswith(rules.not_after, end):
        return None  # 2017年底以来, 2020年底基础上: a reference point
    if m.fyp:
        _first, last = rules.five_year_plans[m.fyp]
        if plan_year is not None and last < plan_year:
            return None  # "十三五"期间 in a later plan looks back
        return f"{last}-12-31", None
    has_period = bool(m.ye or m.half or m.q or m.m)
    if m.every:
        if not has_period or (m.m and not (m.mp or m.d or post)):
            return None  # 每年开展 / 每年6月开展: a schedule, not a limit
        md = _month_day(rules, m, None)
        return ("--%02d-%02d" % md, "yearly") if md else None  # noqa: UP031 (see below)
    if m.y:
        year = written_year
        if year is None or not YEAR_MIN <= year <= YEAR_MAX:
            return None
        if not has_period:
            if not (pre or post):
                return None  # a bare year frames, it does not limit
            md: tuple[int, int] | None = (12, 31)
        else:
            if m.m and not (pre or post or m.mp):
                return None  # 2024年2月5日: a date (of issue, of an event), not a limit
            md = _month_day(rules, m, year)
    else:
        if m.rel:
            if plan_year is None:
                return None
            year = plan_year + rules.relative_years[m.rel]
        else:
            inherited = _sentence_year(fold, start, last_year)
            year = inherited if inherited is not None else plan_year
            if year is None:
                return None  # 年底前 with no year to anchor it
        if not has_period:
            return None
        if m.ye and not m.rel and not pre and before.endswith(rules.not_year_owner):
            return None  # 去年底, 全年末: the 年 belongs to another word
        if m.ye in rules.within_year and not m.rel and before.endswith(rules.year_counts):
            return None  # 三年内: a length of time
        if m.m and not (pre or post or m.mp):
            return None  # 6月 alone names a month, not a limit
        md = _month_day(rules, m, year)
    if md is None:
        return None
    if plan_year is not None and year < plan_year:
        return None  # before the plan's own year: a reference to the past
    # printf-style: each format spec of an f-string costs a call.
    return "%04d-%02d-%02d" % (year, *md), None  # noqa: UP031


def deadline_models(doc: Document, matches: list[DeadlineMatch]) -> list[Deadline]:
    rows = []
    for m in matches:
        span = doc.span(m.start, m.end)
        # The line from the span's start: doc.lineno(m.start) would map m.start to the input again.
        rows.append({"text": m.text, "date": m.date, "recurring": m.recurring, "line": doc.raw_lineno(span[0]),
                     "span": span})
    return Deadline.validate_all(rows)


class DeadlineScope:
    """Which deadline governs a position in the text (spec section 3, "Deadline scope").

    In order: the latest deadline earlier in the same sentence; a deadline that
    opens the paragraph (到2025年,…), which also governs the list items below
    it up to the next deadline; in a task table, a deadline standing in a cell
    of its own (完成时限) governs its row.
    """

    def __init__(self, doc: Document, matches: list[DeadlineMatch], plan_year: int | None = None) -> None:
        self.doc = doc
        self.plan_year = plan_year
        self.matches = sorted(matches, key=lambda d: d.start)
        self.starts = [d.start for d in self.matches]
        self._heads = self._paragraph_heads()
        self._fields = self._field_records()

    def cut_before(self, a: int, b: int) -> int:
        """`a` moved past every deadline that starts in text[a:b] (to the end of the last one, at most `b`)."""
        k = bisect_left(self.starts, a)
        while k < len(self.matches) and self.matches[k].start < b:
            a = max(a, min(self.matches[k].end, b))
            k += 1
        return a

    def looks_back(self, sent_start: int, end: int) -> bool:
        """Whether the sentence at `sent_start` opens on a year before the plan's (2020年，… in a
        2022 plan): it reports what was achieved, its figures set nothing."""
        if self.plan_year is None:
            return False
        fold = self.doc.fold
        marker = match_marker(fold, sent_start, end)
        m = RE_YEAR_HEAD.match(fold, marker.end if marker is not None else sent_start, end)
        return m is not None and int(m["y"]) < self.plan_year

    def date_for(self, pos: int, sent_start: int, line: Block, line_index: int) -> str | None:
        """Date of the deadline governing a number at `pos` of `line` (doc.lines[line_index])."""
        governing, starts = self.matches, self.starts
        k = bisect_right(starts, pos) - 1
        while k >= 0 and governing[k].end > pos:
            k -= 1
        if k >= 0 and governing[k].start >= sent_start:
            return governing[k].date  # the latest deadline earlier in the same sentence
        head = self._heads.get(line_index)
        if head is not None and pos < head[1]:
            return head[0].date
        if line.is_table:
            return self._row_deadline(line, pos)
        return self._fields.get(line_index)

    def _field_records(self) -> dict[int, str | None]:
        """Line index -> date of the labelled time limit (整改时限：…) of the record the line is in.

        A record written as fields (责任单位：…, 整改时限：…, 整改目标：…) is a task table's row
        in prose: its time limit governs the record's targets as a 完成时限 cell governs a row.
        A field inside an item's paragraph (…。完成时限：6月底前。) covers that item; one on a
        line of its own covers the heading above it, or, when it follows a list of sub-items
        and no sibling comes after it, their parent. Several records under one heading, with no
        marker of their own (问题1：…, 整改时限：…; 问题2：…, 整改时限：…), each end at their field:
        a field covers the lines after the field before it, a field without a date (长期坚持) none.
        """
        if not self.matches:
            return {}
        lines, fold = self.doc.lines, self.doc.fold
        out: dict[int, str | None] = {}
        first_of_style: dict[str, int] = {}
        # Fields on lines of their own, by the record head they cover: (field line, date or None).
        own_lines: dict[int, list[tuple[int, str | None]]] = {}
        for word_start, label_end in _labels(fold, 0, len(fold)):  # labels are rare
            i = bisect_right(lines, word_start, key=_block_start) - 1
            if i < 0 or lines[i].is_table or word_start >= lines[i].end:
                continue
            line = lines[i]
            label_start = _label_start(fold, line.start, word_start, self.doc.space_dropped_before)
            if label_start is None:
                continue
            k = bisect_left(self.starts, label_end)
            dated = k < len(self.matches) and self.matches[k].start < min(label_end + FIELD_VALUE_REACH, line.end)
            date = self.matches[k].date if dated else None
            h = i
            while h >= 0 and lines[h].marker is None:
                h -= 1
            if h < 0:
                continue
            if not first_of_style:
                for n, other in enumerate(lines):
                    if other.marker is not None:
                        first_of_style.setdefault(other.marker.style, n)
            if fold[line.start : label_start].strip():
                if dated:
                    self._cover(out, range(h, i + 1), i, date, first_of_style)  # inside the item's paragraph
            else:
                own_lines.setdefault(self._record_head(h, i, first_of_style), []).append((i, date))
        for head, fields in own_lines.items():
            if len(fields) == 1:
                i, date = fields[0]
                if date is not None:
                    self._cover(out, range(head, len(lines)), i, date, first_of_style)
                continue
            after = head
            for n, (i, date) in enumerate(sorted(fields)):
                last = n == len(fields) - 1
                self._cover(out, range(after, len(lines) if last else i + 1), i, date, first_of_style)
                after = i + 1
        return out

    def _cover(self, out: dict[int, str | None], record: range, field_line: int, date: str | None,
               first_of_style: dict[str, int]) -> None:
        """Give the lines of `record` the field's date, up to the next record or a higher heading."""
        lines = self.doc.lines
        head_style = lines[record.start].marker.style if lines[record.start].marker else None
        if head_style is None:  # a record started after the field before: its heading is above it
            h = record.start
            while h >= 0 and lines[h].marker is None:
                h -= 1
            head_style = lines[h].marker.style  # type: ignore[union-attr]
        upper = {s for s, first in first_of_style.items() if first < first_of_style[head_style]}
        for j in record:
            if j > field_line and (m := lines[j].marker) is not None and (m.style == head_style or m.style in upper):
                break  # the next record (or a higher heading) begins
            out.setdefault(j, date)

    def _record_head(self, h: int, field_line: int, first_of_style: dict[str, int]) -> int:
        """The heading whose record a field line after heading line `h` belongs to."""
        lines = self.doc.lines
        style = lines[h].marker.style  # type: ignore[union-attr]
        nxt = next((j for j in range(field_line + 1, len(lines)) if lines[j].marker is not None), None)
        if nxt is not None and lines[nxt].marker.style == style:  # type: ignore[union-attr]
            return h  # a sibling follows: each item has fields of its own
        p, siblings = h - 1, 0
        while p >= 0 and ((m := lines[p].marker) is None or m.style == style):
            siblings += m is not None
            p -= 1
        if (p >= 0 and siblings and first_of_style[lines[p].marker.style] < first_of_style[style]  # type: ignore[union-attr]
                and not self._holds_field(lines[p].end, lines[h].start)):
            return p  # after the last of a list of sub-items, none with a field of its own: the parent's field
        return h

    def _holds_field(self, start: int, end: int) -> bool:
        """Whether a time-limit label (dated or not: 整改时限：长期坚持) opens a line or sentence in text[start:end]."""
        fold, lines = self.doc.fold, self.doc.lines
        for word_start, _ in _labels(fold, start, end):
            i = bisect_right(lines, word_start, key=_block_start) - 1
            if i >= 0 and _label_start(fold, lines[i].start, word_start) is not None:
                return True
        return False

    def _head_deadline(self, line: Block) -> DeadlineMatch | None:
        """A deadline that opens the paragraph (到2025年,…), after any list marker."""
        k = bisect_left(self.starts, line.start)
        if k >= len(self.matches) or self.matches[k].start >= line.end:
            return None
        d = self.matches[k]
        lead = self.doc.fold[line.start : d.start]
        marker = match_marker(lead.lstrip())
        if marker is not None:
            lead = lead.lstrip()[marker.end :]
        # After a run-in heading ((二)主要目标。到2025年,…; 工作目标:到2025年,…) the
        # deadline still heads its paragraph; without a marker only a label (:) is a heading.
        # Only a stop within the heading's reach counts: the search goes no further (a lead can be long).
        stop = (RE_RUN_IN_STOP if marker is not None else RE_LABEL_STOP).search(lead, 0, RUN_IN_HEADING + 1)
        if stop and stop.start() <= RUN_IN_HEADING and not RE_PROSE.search(lead, 0, stop.start()):
            lead = lead[stop.end() :]
        # After an item's marker or run-in heading, a deadline set off by a comma (到2025年，…) frames
        # the paragraph; one that runs into its verb (每年3月底前更新名录。) dates that sentence only.
        if marker is not None and not self.doc.fold.startswith(_SET_OFF, d.end):
            return None
        return d if not lead.strip(" -") else None

    def _paragraph_heads(self) -> dict[int, tuple[DeadlineMatch, int]]:
        """Line index -> (head deadline, limit): the deadline that governs the line
        as a whole, and the text index from which it stops (another deadline)."""
        governing, starts = self.matches, self.starts
        heads: dict[int, tuple[DeadlineMatch, int]] = {}
        if not governing:
            return heads
        lines = self.doc.lines
        # Only a line where a deadline starts can open with one.
        line_starts = [line.start for line in lines]
        holding = sorted({k for d in governing if (k := bisect_right(line_starts, d.start) - 1) >= 0})
        for i in holding:
            line = lines[i]
            d = self._head_deadline(line)
            if d is None or _is_field_line(self.doc.fold, line):
                continue  # a time-limit field's scope is its record's (_field_records)
            heads[i] = (d, line.end)
            own_style = line.marker.style if line.marker else None
            list_style: str | None = None
            j = i + 1
            while j < len(lines):
                nxt = lines[j]
                m = nxt.marker
                if m is None or m.style == own_style:
                    break
                if list_style is None:
                    list_style = m.style
                elif m.style != list_style:
                    break
                k = bisect_left(starts, nxt.start)
                if k < len(governing) and governing[k].start < nxt.end:
                    # Another deadline appears: the head governs up to it, no further.
                    heads[j] = (d, governing[k].start)
                    break
                heads[j] = (d, nxt.end)
                j += 1
        return heads

    def _starts_cell(self, line: Block, start: int) -> bool:
        """Whether text[start:] begins a cell of the row, layout spaces aside."""
        text = self.doc.text
        return any(c.start >= start and not text[start : c.start].strip() for c in line.cells)

    def _row_deadline(self, line: Block, pos: int) -> str | None:
        """In a task table, a deadline standing in a cell of its own (完成时限) governs its row's targets."""
        k = bisect_left(self.starts, line.start)
        while k < len(self.matches) and self.matches[k].start < line.end:
            d = self.matches[k]
            # A cell of its own: after a tab, or where the row's cells (space-separated tables) start one.
            if d.start > pos and (self.doc.text[d.start - 1] == "\t" or self._starts_cell(line, d.start)):
                return d.date
            k += 1
        return None


class _YearMonth(NamedTuple):
    before: re.Pattern[str]  # a year and month ending where the search ends (…2025年6月)
    after: re.Pattern[str]  # what may follow one that stands alone: the end of its cell or field


@cache
def _year_month() -> _YearMonth:
    """A year and month with no part of the month or 前 after it (2025年6月, not 2025年6月底前)."""
    v = load("deadlines")
    after = alternation([*v.month_part, *v.before_suffix])
    return _YearMonth(
        re.compile(r"(?:^|(?<=[\t\n :]))[ ]*+(?P<y>(?:19|20)\d{2}+)[ ]*+年[ ]*+(?P<m>1[0-2]|0?[1-9])[ ]*+月$"),
        re.compile(rf"(?!\s*+(?:{after}))[ ]*+(?:[\t\n。;,]|$)"),
    )


class _FieldRules(NamedTuple):
    word: re.Pattern[str]  # a time-limit word and its colon
    words: tuple[str, ...]  # the time-limit words, longest first (the pattern's order)
    prefix: re.Pattern[str]  # what may stand before the word in the label (整改)


@cache
def _field_rules() -> _FieldRules:
    """A time-limit label (整改时限：, 完成时限：): a task table's deadline column header as a field."""
    words = load("tables").header["deadline"]
    return _FieldRules(lazy_re(rf"(?:{alternation(words)})[ ]*+:"), tuple(sorted(set(words), key=len, reverse=True)),
                       lazy_re(rf"\s*+[\u4e00-\u9fff]{{0,{FIELD_LABEL_PREFIX}}}+"))


def _labels(fold: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(word start, end) of each match of `_field_rules().word` in fold[start:end], in order, found from
    their colons: a colon is one character for str.find, which runs many times faster than the
    pattern's scan for the words. The word ends where the spaces before its colon start; the
    longest word that ends there and fits in the range starts the leftmost match."""
    words = _field_rules().words
    colon = fold.find(":", start, end)
    while colon >= 0:
        k = colon
        while k > start and fold[k - 1] == " ":
            k -= 1
        for word in words:
            if fold.endswith(word, start, k):
                yield k - len(word), colon + 1
                break
        colon = fold.find(":", colon + 1, end)


def _label_start(fold: str, line_start: int, word_start: int,
                 spaced: Callable[[int], bool] | None = None) -> int | None:
    """Where the label whose time-limit word starts at `word_start` starts, if it opens the line or a
    sentence (完成时限：…, …。整改时限：…), or, with `spaced` (whether layout space was dropped before
    an index), follows a run of spaces on a line of fields (责任单位：…    完成时限：…); None for the
    word inside prose."""
    sentence = max(line_start, *(fold.rfind(end, line_start, word_start) + 1 for end in FIELD_AFTER))
    prefix = _field_rules().prefix
    if prefix.fullmatch(fold, sentence, word_start) is not None:
        return sentence
    if spaced is not None:
        for start in range(max(sentence, word_start - FIELD_LABEL_PREFIX), word_start + 1):
            if spaced(start) and prefix.fullmatch(fold, start, word_start) is not None:
                return start
    return None


def _is_field_line(fold: str, line: Block) -> bool:
    """Whether the line opens with a time-limit label."""
    hit = _field_rules().word.search(fold, line.start, min(line.end, line.start + FIELD_LINE_REACH))
    return hit is not None and _label_start(fold, line.start, hit.start()) == line.start


def _block_start(block: Block) -> int:
    return block.start


def parse_deadlines(doc: Document, plan_year: int | None) -> tuple[list[Deadline], DeadlineScope]:
    """The deadlines of a plan, and their scope for the stages that need one.

    `plan_year` is the year relative deadlines (年底前, 9月底前) fall in.
    """
    matches = find_deadlines(doc, plan_year)
    return deadline_models(doc, matches), DeadlineScope(doc, matches, plan_year)


def _time_limit_months(doc: Document, matches: list[DeadlineMatch]) -> list[DeadlineMatch]:
    """A year and month standing alone as a time limit, in a table cell of its own or after a
    time-limit label (完成时限：2025年6月): the last day of that month. In prose the same words
    date an event (2025年6月，全市…), so only there."""
    fold, text, lines = doc.fold, doc.text, doc.lines
    starts = [d.start for d in matches]
    out: list[DeadlineMatch] = []
    year_month = _year_month()
    month = fold.find(MONTH)  # anchored on the rare 月: most texts hold few
    while month >= 0:
        b = month + 1
        month = fold.find(MONTH, b)
        hit = year_month.before.search(fold, max(0, b - YEAR_MONTH_REACH), b)
        if hit is None or not year_month.after.match(fold, b):
            continue
        a = hit.start("y")
        k = bisect_right(starts, a) - 1
        if k >= 0 and matches[k].end > a:
            continue  # part of a deadline already read (2025年6月底前)
        i = bisect_right(lines, a, key=_block_start) - 1
        if i < 0 or b > lines[i].end:
            continue
        line = lines[i]
        alone = line.is_table and any(fold[c.start : c.end].strip() == fold[a:b] for c in line.cells)
        if not alone:
            label = _field_rules().word.search(fold, max(line.start, a - FIELD_VALUE_REACH), a)
            alone = (label is not None and not fold[label.end() : a].strip()
                     and _label_start(fold, line.start, label.start()) is not None
                     and (b == line.end or fold[b] in FIELD_AFTER + ",;"))
        if alone:
            y, m = int(hit["y"]), int(hit["m"])
            out.append(DeadlineMatch(a, b, text[a:b], "%04d-%02d-%02d" % (y, m, _days_in_month(y, m)),  # noqa: UP031
                                     None))
    return out
