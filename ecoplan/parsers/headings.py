"""Section tree (spec section 2). STUB: find_sections to be implemented."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ecoplan.normalise import Document
from ecoplan.schema import Section

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

# Matched against Document.fold (full-width already folded: （一） -> (一), 1． -> 1.).
RE_LINE_MARKER = re.compile(
    r"(?P<chapter>第(?P<cn0>[一二三四五六七八九十百零〇两]++|\d++)(?P<unit>[章节条]))"
    r"|(?P<cn_dun>(?P<cn1>[一二三四五六七八九十]++)[、.])"
    r"|(?P<cn_paren>\((?P<cn2>[一二三四五六七八九十]++)\))"
    r"|(?P<arabic_paren>\((?P<d1>\d{1,3}+)\))"
    r"|(?P<arabic_dot>(?P<d2>\d{1,3}+)(?:\.(?!\d)|、))"
    r"|(?P<circled>[①-⑳])"
    r"|(?P<dash>——|--)"
)


@dataclass(frozen=True)
class MarkerMatch:
    style: str  # a SectionStyle
    number: int
    end: int  # index just past the marker in the matched string


def cn_number(s: str) -> int | None:
    """Chinese numeral (up to 999) or Arabic digits to int."""
    if s.isdigit():
        return int(s)
    total, current = 0, 0
    for ch in s:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def match_marker(fold_line: str) -> MarkerMatch | None:
    """The structural marker at the start of a (folded) line, if any."""
    m = RE_LINE_MARKER.match(fold_line)
    if m is None:
        return None
    if m["chapter"]:
        style = {"章": "chapter", "节": "part", "条": "article"}[m["unit"]]
        return MarkerMatch(style, cn_number(m["cn0"]) or 0, m.end())
    if m["cn_dun"]:
        return MarkerMatch("cn-dun", cn_number(m["cn1"]) or 0, m.end())
    if m["cn_paren"]:
        return MarkerMatch("cn-paren", cn_number(m["cn2"]) or 0, m.end())
    if m["arabic_paren"]:
        return MarkerMatch("arabic-paren", int(m["d1"]), m.end())
    if m["arabic_dot"]:
        return MarkerMatch("arabic-dot", int(m["d2"]), m.end())
    if m["circled"]:
        return MarkerMatch("circled", ord(m["circled"]) - ord("①") + 1, m.end())
    return MarkerMatch("dash", 0, m.end())


def find_sections(doc: Document) -> list[Section]:
    return []
