"""Section tree (spec section 2): line-start markers, nested by first appearance.

Depth is not a fixed property of a style: the first style seen is depth 1, a
style seen for the first time nests under the current section, and a style
already open closes everything below it. A marker only opens a section where
its number continues the running sequence of its style, which keeps `2.5万千瓦`,
`1.` after a page break or a stray `（3）` in prose from opening sections.
Inline enumerations (一是…二是…) are found by `parsers.inline` and hang one
level below the section whose paragraph holds them.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cache

from ecoplan.normalise import Document
from ecoplan.parsers.inline import find_inline
from ecoplan.parsers.numbers import cn_int
from ecoplan.schema import Section
from ecoplan.vocab import load

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
RE_SPACES = re.compile(r"[ \t]++")
# A line that is only a date (2021年3月8日, 二〇二三年三月十五日, 2021-03-08): the date of a
# signature block. Metadata reads the date of issue from the same line, so it imports this.
DATE_CORE = r"(?P<y>\d{4}+|[〇零○一二三四五六七八九]{4})\s*+年\s*+(?P<m>\d{1,2}+|[一二三四五六七八九十]{1,3}+)\s*+月" \
             r"\s*+(?P<d>\d{1,2}+|[一二三四五六七八九十]{1,3}+)\s*+日"
ISO_CORE = r"(?P<iy>\d{4}+)[-/.](?P<im>\d{1,2}+)[-/.](?P<id>\d{1,2}+)"
RE_DATE_ONLY_LINE = re.compile(rf"^(?:{DATE_CORE}|{ISO_CORE})(?:\s*+印发)?$")
RE_PROSE_MARK = re.compile(r"[。，,；;：:]")
_SIGNATURE_MAX = 40
# The title ends at the first full stop or semicolon (spec: 。 ； or end of line).
RE_TITLE_END = re.compile(r"[。;；]")
_TITLE_TRIM = " :：,，、"


@dataclass(frozen=True)
class MarkerMatch:
    style: str  # a SectionStyle
    number: int
    end: int  # index just past the marker in the matched string


@dataclass(frozen=True)
class _Rules:
    gap_tolerant: frozenset[str]
    restartable: frozenset[str]
    non_section_prefixes: tuple[str, ...]


@cache
def _rules() -> _Rules:
    vocab = load("headings")
    return _Rules(
        frozenset(vocab["gap_tolerant_styles"]),
        frozenset(vocab["restartable_styles"]),
        tuple(vocab["non_section_prefixes"]),
    )


def match_marker(fold_line: str) -> MarkerMatch | None:
    """The structural marker at the start of a (folded) line, if any."""
    m = RE_LINE_MARKER.match(fold_line)
    if m is None:
        return None
    if m["chapter"]:
        style = {"章": "chapter", "节": "part", "条": "article"}[m["unit"]]
        return MarkerMatch(style, cn_int(m["cn0"]) or 0, m.end())
    if m["cn_dun"]:
        return MarkerMatch("cn-dun", cn_int(m["cn1"]) or 0, m.end())
    if m["cn_paren"]:
        return MarkerMatch("cn-paren", cn_int(m["cn2"]) or 0, m.end())
    if m["arabic_paren"]:
        return MarkerMatch("arabic-paren", int(m["d1"]), m.end())
    if m["arabic_dot"]:
        return MarkerMatch("arabic-dot", int(m["d2"]), m.end())
    if m["circled"]:
        return MarkerMatch("circled", ord(m["circled"]) - ord("①") + 1, m.end())
    return MarkerMatch("dash", 0, m.end())


@dataclass
class _Node:
    marker: str
    style: str
    number: int
    level: int
    start: int  # index in doc.text of the marker
    title: str
    head_end: int  # index in doc.text just past the title
    segments: list[tuple[int, int]] = field(default_factory=list)  # own body, doc.text indices
    children: list[_Node] = field(default_factory=list)


def _title(text: str, start: int, end: int) -> tuple[str, int]:
    """Title of a heading whose text runs over text[start:end]; returns (title, end of title)."""
    m = RE_TITLE_END.search(text, start, end)
    stop = m.start() if m else end
    return RE_SPACES.sub("", text[start:stop]).strip(_TITLE_TRIM), (m.end() if m else end)


def _accepts(rules: _Rules, stack: list[_Node], last_seen: dict[str, int], style: str, number: int) -> int | None:
    """Stack depth at which a marker opens a section, or None if it does not fit its sequence.

    A style that is not open may start at 1, or continue the count it reached
    under an earlier parent (第三条 under 第二章, measures numbered through a plan).
    """
    for depth, node in enumerate(stack):
        if node.style != style:
            continue
        if style == "dash" or number == node.number + 1:
            return depth
        if style in rules.gap_tolerant and number == node.number + 2:
            return depth
        if number == 1 and style in rules.restartable and depth == len(stack) - 1:
            return depth
        return None
    fits = style == "dash" or number == 1 or number == last_seen.get(style, -1) + 1
    return len(stack) if fits else None


def _is_signature(text: str, segment: tuple[int, int]) -> bool:
    """A whole short line without punctuation: the issuer's name above the date."""
    a, b = segment
    return (a == 0 or text[a - 1] == "\n") and b - a <= _SIGNATURE_MAX and not RE_PROSE_MARK.search(text, a, b)


def _is_contents(roots: list[_Node], marker: MarkerMatch) -> bool:
    """The top style starting again at 1 after nothing but bare headings: those
    were a table of contents (目录), and the document proper starts here."""
    return (marker.number == 1 and bool(roots) and roots[0].style == marker.style
            and all(not r.segments and not r.children for r in roots))


def _build(doc: Document) -> list[_Node]:
    rules = _rules()
    text, folded = doc.text, doc.fold
    roots: list[_Node] = []
    stack: list[_Node] = []
    last_seen: dict[str, int] = {}
    in_attachment = False
    for line in doc.lines:
        if line.is_table:
            continue
        body_start = line.start
        fold_line = folded[line.start : line.end]
        marker = match_marker(fold_line)
        if marker is not None and _is_contents(roots, marker):
            roots, stack, last_seen = [], [], {}
        depth = _accepts(rules, stack, last_seen, marker.style, marker.number) if marker else None
        if marker is not None and depth is not None:
            in_attachment = False
            last_seen[marker.style] = marker.number
            del stack[depth:]
            head = line.start + marker.end
            while head < line.end and text[head] in " \t":
                head += 1
            title, title_end = _title(text, head, line.end)
            node = _Node(text[line.start : line.start + marker.end], marker.style, marker.number,
                         depth + 1, line.start, title, title_end)
            (stack[-1].children if stack else roots).append(node)
            stack.append(node)
            body_start = title_end
        elif fold_line.startswith(rules.non_section_prefixes):
            in_attachment = True
        elif RE_DATE_ONLY_LINE.match(fold_line):
            # The signature block closes the body: drop the issuer line just before the date.
            in_attachment = True
            if stack and stack[-1].segments and _is_signature(text, stack[-1].segments[-1]):
                stack[-1].segments.pop()
        if stack and not in_attachment and body_start < line.end:
            stack[-1].segments.append((body_start, line.end))
    return roots


def _to_model(doc: Document, node: _Node) -> Section:
    end = max((end for _, end in node.segments), default=node.head_end)
    end = max(end, node.head_end)
    body = "\n".join(doc.text[a:b] for a, b in node.segments if b > a)
    children = [_to_model(doc, child) for child in node.children]
    return Section(
        marker=node.marker,
        style=node.style,  # type: ignore[arg-type]
        number=node.number,
        level=node.level,
        title=node.title,
        text=body,
        line=doc.lineno(node.start),
        span=doc.span(node.start, end),
        children=children,
    )


def _attach_inline(doc: Document, node: _Node) -> None:
    """Carve inline enumerations out of a section's own body and hang them below it."""
    for child in node.children:
        _attach_inline(doc, child)
    items = find_inline(doc.text, doc.fold, node.segments)
    if not items:
        return
    kept: list[tuple[int, int]] = []
    # Items come in text order, so each segment's items are one slice, found by
    # bisection rather than by testing every item against every segment.
    item_starts = [item.start for item in items]
    for a, b in node.segments:
        pos = a
        for item in items[bisect_left(item_starts, a) : bisect_left(item_starts, b)]:
            if item.start > pos:
                kept.append((pos, item.start))
            pos = max(pos, item.end)
        if pos < b:
            kept.append((pos, b))
    inline_nodes = [
        _Node(item.marker, "inline", item.number, node.level + 1, item.start, item.title, item.end,
              [(item.start + len(item.marker), item.end)])
        for item in items
    ]
    # Inline items sit inside the parent's own text, which comes before its line-start children.
    node.children = inline_nodes + node.children
    node.segments = kept


def find_sections(doc: Document) -> list[Section]:
    """The section tree of a document, every node traceable to the input."""
    roots = _build(doc)
    for root in roots:
        _attach_inline(doc, root)
    return [_to_model(doc, root) for root in roots]
