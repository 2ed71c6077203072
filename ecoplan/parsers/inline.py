"""Inline enumerations inside paragraphs: 一是…二是…, 一要…二要….

An inline marker counts only at the start of a paragraph or right after
punctuation, and only as part of a run that starts at 一 and counts on by one
(so 统一要求 or a lone 二是 never open a section).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

from ecoplan.vocab import load

_NUMERALS = "一二三四五六七八九十"
_VALUES = {ch: i for i, ch in enumerate(_NUMERALS, start=1)}
RE_TITLE_END = re.compile(r"[。;；]")
_TITLE_TRIM = " :：,，、"


@dataclass(frozen=True)
class InlineItem:
    marker: str
    number: int
    start: int  # index in Document.text of the marker
    end: int  # end of the item's text (next item or end of paragraph)
    title: str


@cache
def _marker_pattern() -> re.Pattern[str]:
    vocab = load("headings")
    verbs = "".join(vocab["inline_markers"])
    boundary = re.escape(vocab["inline_boundary"])
    # A paragraph start is preceded by a newline (or is the start of the text).
    return re.compile(f"(?:^|(?<=[\\n{boundary}]))(十[一二三四五六七八九]?|[{_NUMERALS}])([{verbs}])")


def _number(numeral: str) -> int:
    if numeral.startswith("十"):
        return 10 + (_VALUES[numeral[1]] if len(numeral) > 1 else 0)
    return _VALUES[numeral]


def find_inline(text: str, folded: str, segments: list[tuple[int, int]]) -> list[InlineItem]:
    """Inline enumeration items within the given body segments of one section.

    A run starts at 一是/一要, continues across the section's paragraphs while
    the numbers count on by one with the same verb, and counts only with at
    least two items.
    """
    pattern = _marker_pattern()
    runs: list[list[tuple[int, int, int]]] = []  # items as (start, marker end, number)
    for a, b in segments:
        for m in pattern.finditer(folded, a, b):
            number = _number(m[1])
            if number == 1:
                runs.append([(m.start(), m.end(), number)])
            elif runs and number == len(runs[-1]) + 1 and folded[runs[-1][0][1] - 1] == m[2]:
                runs[-1].append((m.start(), m.end(), number))
    found = [item for run in runs if len(run) >= 2 for item in run]
    # Segments are in text order and disjoint: find an item's segment by bisection,
    # not by a scan that makes a long section with many items quadratic.
    seg_starts = [a for a, _ in segments]
    items: list[InlineItem] = []
    for i, (start, head, number) in enumerate(found):
        seg_end = segments[bisect_right(seg_starts, start) - 1][1]
        end = found[i + 1][0] if i + 1 < len(found) and found[i + 1][0] < seg_end else seg_end
        stop_match = RE_TITLE_END.search(text, head, end)
        stop = stop_match.start() if stop_match else end
        title = text[head:stop].replace(" ", "").rstrip(_TITLE_TRIM)
        items.append(InlineItem(text[start:head], number, start, end, title))
    return items
