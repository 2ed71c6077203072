"""The clause scanner: sentences, clauses and list items that respect brackets and quotes.

A comma inside （生态保护红线、环境质量底线…） or 《…》 does not end a clause, and
a list separator inside brackets does not split a list. Every stage that cuts
text at punctuation uses these functions.
"""

from __future__ import annotations

import re
from functools import cache

from ecoplan.text.lexicon import (
    ACTOR_PLACE_SUFFIXES,
    CLAUSE_ENDS,
    CLOSE_BRACKETS_FOLDED,
    JOINERS,
    LIST_CONNECTORS,
    OPEN_BRACKETS_FOLDED,
    SENTENCE_ENDS,
    SETTLEMENT_ENDS,
    TITLE_QUOTE_MARKS,
)
from ecoplan.text.patterns import lazy_re

# A table cell ends a sentence too. Matched on folded text.
_SENTENCE_END = frozenset(SENTENCE_ENDS + "\t")
# The same in the order the lexicon lists them (the full stop, most used, first).
_SENTENCE_ENDS_BY_USE = tuple(SENTENCE_ENDS + "\t")
_CLAUSE_END = frozenset(CLAUSE_ENDS)
# Quotation marks neither open nor close a bracket level: a stray “ must not
# swallow the rest of the line.
_OPENERS = frozenset(OPEN_BRACKETS_FOLDED) - {"“"}
_CLOSERS = frozenset(CLOSE_BRACKETS_FOLDED) - {"”"}
RE_OPENER = lazy_re("[" + re.escape("".join(sorted(_OPENERS))) + "]")
_MATCH_START = re.Match.start  # of a match, called by `map` in C
RE_PUNCT = lazy_re("[" + re.escape(SENTENCE_ENDS + CLAUSE_ENDS + "\t" + OPEN_BRACKETS_FOLDED
                                      + CLOSE_BRACKETS_FOLDED) + "]")
# The marks that open a span (》 and ” alone close nothing): a line without one quotes nothing.
_QUOTE_OPENERS = tuple(mark for mark in TITLE_QUOTE_MARKS if mark not in "》”")
_QUOTE_CLOSER = {"《": "》", "“": "”"}  # an opener's own closer (" and ＂ close themselves)
# Brackets of unfolded text that hold a list together (城市（含县城）、重点镇).
_LIST_OPEN = "(（《"
_LIST_CLOSE = ")）》"
# Where the own part of a list item ends before a shared noun: a place
# (东坪区、南岭县), failing that another kind of area (城市、县城, 工业园).
_PLACE_ENDS = frozenset(ACTOR_PLACE_SUFFIXES + "镇乡村")
_AREA_ENDS = frozenset(SETTLEMENT_ENDS) - _PLACE_ENDS


def clauses(fold: str, start: int, end: int, until: int | None = None) -> list[tuple[int, int, int]]:
    """(clause start, clause end, sentence index) for fold[start:end], brackets respected; none empty.

    With `until`, only the clauses that start before it (a caller that needs no more).
    """
    out: list[tuple[int, int, int]] = []
    depth = 0
    clause_start = start
    sentence = 0
    # Marks by how often plans write them: a clause end first, brackets last. Each mark is read by
    # its index (the matches' starts taken in C), one character of the text.
    for i in map(_MATCH_START, RE_PUNCT.finditer(fold, start, end)):
        ch = fold[i]
        if ch in _CLAUSE_END:
            if depth:
                continue
            if ch == "," and 0 < i < end - 1 and fold[i - 1].isdigit() and fold[i + 1].isdigit():
                continue  # a thousands separator
            if i > clause_start:
                out.append((clause_start, i, sentence))
            clause_start = i + 1
        elif ch in _SENTENCE_END:
            if i > clause_start:
                out.append((clause_start, i, sentence))
            clause_start = i + 1
            sentence += 1
            depth = 0
        elif ch in _OPENERS:
            depth += 1
            continue
        else:
            if depth and ch in _CLOSERS:
                depth -= 1
            continue
        if until is not None and clause_start >= until:
            return out
    if end > clause_start:
        out.append((clause_start, end, sentence))
    return out


def sentence_start(fold: str, start: int, pos: int) -> int:
    """Start of the sentence of fold[start:] that holds fold[pos].

    A sentence end closes every bracket, so the clauses of fold[start:end] from
    there on are those of fold[sentence_start(...):end] (sentences counted anew).
    """
    last_end = -1
    for end_mark in _SENTENCE_ENDS_BY_USE:
        # Each later mark is looked for only after the last one found: less text read backwards.
        at = fold.rfind(end_mark, max(start, last_end + 1), pos)
        if at >= 0:
            last_end = at
    return last_end + 1 if last_end >= 0 else start


def first_of(text: str, chars: str, start: int, end: int) -> int:
    """Index of the first of `chars` in text[start:end], or -1. Each search for one character stops
    at the one found before it: a substring search scans far faster than a character class."""
    stop = end
    for ch in chars:
        found = text.find(ch, start, stop)
        if found >= 0:
            stop = found
    return stop if stop < end else -1


def last_of(text: str, chars: str, start: int, end: int) -> int:
    """Index of the last of `chars` in text[start:end], or -1 (as first_of, from the end)."""
    last = -1
    for ch in chars:
        found = text.rfind(ch, start, end)
        if found >= 0:
            last = start = found
    return last


def top_level_index(fold: str, start: int, end: int, chars: str) -> int:
    """First index in fold[start:end] of one of `chars` outside brackets, or -1."""
    first = first_of(fold, chars, start, end)
    if first < 0 or not RE_OPENER.search(fold, start, first):
        return first  # none, or the first stands before any bracket opens
    depth = 0
    for i in range(start, end):
        ch = fold[i]
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth = max(depth - 1, 0)
        elif depth == 0 and ch in chars:
            return i
    return -1


def ends_with_connector(fold: str, start: int, end: int) -> bool:
    """Whether fold[start:end] ends in a list connector (、 和 及 …)."""
    return fold[start:end].rstrip().endswith(LIST_CONNECTORS)


def strip_connector_end(fold: str, start: int, end: int) -> int:
    """End of fold[start:end] without its trailing spaces and list connector."""
    s = fold[start:end].rstrip()
    for c in sorted(LIST_CONNECTORS, key=len, reverse=True):
        if s.endswith(c):
            return start + len(s) - len(c)
    return start + len(s)


def split_list(text: str, separators: str = "、" + JOINERS) -> list[str]:
    """Top-level items of a list (城市、县城、重点镇生活污水处理率); brackets hold items together."""
    return [text[a:b] for a, b in split_spans(text, separators)]


@cache
def _separators(separators: str) -> re.Pattern[str]:
    """A class of `separators` (a caller passes one of a few fixed strings)."""
    return re.compile(f"[{re.escape(separators)}]")


def split_spans(text: str, separators: str = "、" + JOINERS) -> list[tuple[int, int]]:
    """Spans of the top-level items of a list in `text` (folded, so 與 reads as 与); none empty."""
    if not any(map(text.__contains__, separators)):
        return [(0, len(text))] if text else []
    spans: list[tuple[int, int]] = []
    start = 0
    if not any(map(text.__contains__, _LIST_OPEN)):
        # No bracket opens, so every separator cuts: only they are visited.
        for m in _separators(separators).finditer(text):
            if m.start() > start:
                spans.append((start, m.start()))
            start = m.end()
        if len(text) > start:
            spans.append((start, len(text)))
        return spans
    depth = 0
    for i, ch in enumerate(text):
        if ch in _LIST_OPEN:
            depth += 1
        elif ch in _LIST_CLOSE:
            depth = max(depth - 1, 0)
        elif depth == 0 and ch in separators:
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if b > a]


def distribute_shared_head(
    items: list[str],
    heads: tuple[str, ...],
    summary: tuple[str, ...] = (),
    frames: tuple[str, ...] = (),
    folded: list[str] | None = None,
) -> tuple[list[str], list[str]]:
    """Give each item of a list the noun the last one carries (城市 → 城市生活污水处理率);
    also return the items' own parts (城市, 县城, 重点镇).

    The last item holds its own subject and the shared noun. The own subject
    ends after a place (西河市 of 西河市PM10年均浓度 after 东坪区、南岭县; 各区县,
    县城) or where a word that begins such nouns starts (`heads`: 生活, 排放),
    whichever comes first; failing both, where the earlier items end in kind
    or at another kind of area (城, 园), or after as many characters as the
    item before it. A word that sums the list up (`summary`: 二氧化硫、氮氧化物
    等主要污染物排放总量) is not shared, nor the frame of the figures (`frames`:
    各区2024年度考核目标PM10分别为… shares PM10). Words are looked for in
    `folded` (the items folded, same lengths) when given; the result is cut
    from `items` as written.
    """
    folded = folded if folded is not None and [len(f) for f in folded] == [len(t) for t in items] else items
    last = folded[-1]
    found = [i for w in heads if (i := last.find(w, 1)) > 0]
    place = next((i for i, ch in enumerate(last[:-1]) if ch in _PLACE_ENDS), -1)
    if place >= 0:
        while place + 2 < len(last) and last[place + 1] in _PLACE_ENDS | _AREA_ENDS:
            place += 1  # 各区县, 县城
        found.append(place + 1)
    own = min(found) if found else 0
    if own == 0:
        ends = {f[-1] for f in folded[:-1]} | _AREA_ENDS
        own = next((i + 1 for i, ch in enumerate(last[:-1]) if ch in ends), 0)
    if own == 0:
        own = min(len(folded[-2]), len(last) - 1)
    shared = own  # where the shared noun starts in the last item
    if last.startswith(summary, own):
        at = [i for w in heads if (i := last.find(w, own)) > own]
        shared = min(at) if at else own
    at = [i for w in summary if (i := last.find(w, 2, own)) > 0]
    own = min(at) if at else own  # 挥发性有机物等主要污染物排放总量: the own part ends at 等
    for frame in frames:
        at = last.rfind(frame, shared)
        if at >= 0 and at + len(frame) < len(last):
            shared = at + len(frame)
    noun = items[-1][shared:]
    return [s + noun for s in items[:-1]] + [items[-1][:own] + noun], [*items[:-1], items[-1][:own]]


def quoted_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of 《…》 titles and “…” quotations in text[start:end]; an unclosed 《 runs to `end`."""
    # The marks are found by substring search (a memchr each): a character-class scan tests
    # every character of the line against the class, several times the cost, and most lines
    # quote nothing or little. Whether the line holds an opener at all is asked of its copy:
    # `in` has no bounds to parse, and a search with bounds costs several times the copy.
    line = text[start:end]
    openers = [mark for mark in _QUOTE_OPENERS if mark in line]
    if not openers:
        return []  # most lines: no mark opens a span
    # Only the marks of the kinds opened in the line: a closer alone closes nothing. Looked for
    # in the copy: a search with bounds costs more to call than one without.
    marks: list[int] = []
    for mark in (*openers, *(_QUOTE_CLOSER[opener] for opener in openers if opener in _QUOTE_CLOSER)):
        i = line.find(mark)
        while i >= 0:
            marks.append(start + i)
            i = line.find(mark, i + 1)
    marks.sort()
    out: list[tuple[int, int]] = []
    depth = 0
    open_at = 0
    quote_at = -1
    ascii_at = -1
    for i in marks:
        ch = text[i]
        if ch == "《":
            if depth == 0:
                open_at = i
            depth += 1
        elif ch == "》" and depth:
            depth -= 1
            if depth == 0:
                out.append((open_at, i + 1))
        elif ch == "“":
            quote_at = i
        elif ch == "”" and quote_at >= 0:
            out.append((quote_at, i + 1))
            quote_at = -1
        elif ch in "\"＂":
            if ascii_at >= 0:
                out.append((ascii_at, i + 1))
                ascii_at = -1
            else:
                ascii_at = i
    if depth:
        out.append((open_at, end))
    return out
