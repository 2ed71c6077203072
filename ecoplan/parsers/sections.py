"""Sections (spec section 2): the heading tree, with the inline enumerations inside paragraphs.

Depth is not a fixed property of a style: the first style seen is depth 1, a
style seen for the first time nests under the current section, and a style
already open closes everything below it. A marker only opens a section where
its number continues the running sequence of its style, which keeps `2.5万千瓦`,
`1.` after a page break or a stray `（3）` in prose from opening sections.
Inline enumerations (一是…二是…, 一要…二要…) count only at the start of a
paragraph or right after punctuation, and only as a run that starts at 一 and
counts on by one; they hang one level below the section whose paragraph holds
them. Markers, date lines and table-of-contents entries come typed on the
document's blocks (`ecoplan.text`).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cache

from ecoplan.schema import Section
from ecoplan.text.document import Document
from ecoplan.text.lexicon import CN_ONE_TO_NINE, CN_ONE_TO_TEN, PROSE_MARKS, TITLE_ENDS, TITLE_TRIM, squash
from ecoplan.text.markers import MarkerMatch, is_attachment
from ecoplan.text.quantities import cn_int
from ecoplan.vocab import load

RE_PROSE_MARK = re.compile(f"[{PROSE_MARKS}]")
_SIGNATURE_MAX = 40
# The title ends at the first full stop or semicolon (spec: 。 ； or end of line).
RE_TITLE_END = re.compile(f"[{TITLE_ENDS}]")


@dataclass(frozen=True)
class _Rules:
    gap_tolerant: frozenset[str]
    restartable: frozenset[str]
    inline: re.Pattern[str]


@cache
def _rules() -> _Rules:
    vocab = load("headings")
    verbs = "".join(vocab.inline_markers)
    boundary = re.escape(vocab.inline_boundary)
    # A paragraph start is preceded by a newline (or is the start of the text).
    inline = re.compile(f"(?:^|(?<=[\\n{boundary}]))(十[{CN_ONE_TO_NINE}]?|[{CN_ONE_TO_TEN}])([{verbs}])")
    return _Rules(frozenset(vocab.gap_tolerant_styles), frozenset(vocab.restartable_styles), inline)


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
    return squash(text[start:stop]).strip(TITLE_TRIM), (m.end() if m else end)


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
        if line.kind == "table_row" or line.kind == "toc_entry":
            continue
        body_start = line.start
        marker = line.marker
        if marker is not None and _is_contents(roots, marker):
            roots, stack, last_seen = [], [], {}
        depth = _accepts(rules, stack, last_seen, marker.style, marker.number) if marker else None
        if marker is not None and depth is not None:
            in_attachment = False
            last_seen[marker.style] = marker.number
            del stack[depth:]
            head = marker.end
            while head < line.end and text[head] in " \t":
                head += 1
            title, title_end = _title(text, head, line.end)
            node = _Node(text[line.start : marker.end], marker.style, marker.number,
                         depth + 1, line.start, title, title_end)
            (stack[-1].children if stack else roots).append(node)
            stack.append(node)
            body_start = title_end
        elif is_attachment(folded, line.start, line.end):
            in_attachment = True
        elif line.kind == "date_line":
            # The signature block closes the body: drop the issuer line just before the date.
            in_attachment = True
            if stack and stack[-1].segments and _is_signature(text, stack[-1].segments[-1]):
                stack[-1].segments.pop()
        if stack and not in_attachment and body_start < line.end:
            stack[-1].segments.append((body_start, line.end))
    return roots


@dataclass(frozen=True)
class _InlineItem:
    marker: str
    number: int
    start: int  # index in Document.text of the marker
    end: int  # end of the item's text (next item or end of paragraph)
    title: str


def _find_inline(text: str, folded: str, segments: list[tuple[int, int]]) -> list[_InlineItem]:
    """Inline enumeration items within the given body segments of one section.

    A run starts at 一是/一要, continues across the section's paragraphs while
    the numbers count on by one with the same verb, and counts only with at
    least two items.
    """
    pattern = _rules().inline
    runs: list[list[tuple[int, int, int]]] = []  # items as (start, marker end, number)
    for a, b in segments:
        for m in pattern.finditer(folded, a, b):
            number = cn_int(m[1]) or 0
            if number == 1:
                runs.append([(m.start(), m.end(), number)])
            elif runs and number == len(runs[-1]) + 1 and folded[runs[-1][0][1] - 1] == m[2]:
                runs[-1].append((m.start(), m.end(), number))
    found = [item for run in runs if len(run) >= 2 for item in run]
    # Segments are in text order and disjoint: find an item's segment by bisection,
    # not by a scan that makes a long section with many items quadratic.
    seg_starts = [a for a, _ in segments]
    items: list[_InlineItem] = []
    for i, (start, head, number) in enumerate(found):
        seg_end = segments[bisect_right(seg_starts, start) - 1][1]
        end = found[i + 1][0] if i + 1 < len(found) and found[i + 1][0] < seg_end else seg_end
        stop_match = RE_TITLE_END.search(text, head, end)
        stop = stop_match.start() if stop_match else end
        title = squash(text[head:stop]).rstrip(TITLE_TRIM)
        items.append(_InlineItem(text[start:head], number, start, end, title))
    return items


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
    items = _find_inline(doc.text, doc.fold, node.segments)
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


def parse_sections(doc: Document) -> list[Section]:
    """The section tree of a document, every node traceable to the input."""
    roots = _build(doc)
    for root in roots:
        _attach_inline(doc, root)
    return [_to_model(doc, root) for root in roots]
