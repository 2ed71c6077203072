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
from collections.abc import Iterator, Sequence
from functools import cache
from operator import itemgetter
from typing import Any, NamedTuple

from ecoplan.schema import Section
from ecoplan.text.document import Block, Document, new_block
from ecoplan.text.lexicon import (
    CLAUSE_ENDS,
    CLOSE_ANY,
    CN_ONE_TO_NINE,
    CN_ONE_TO_TEN,
    PROSE_MARKS,
    SENTENCE_ENDS,
    TITLE_ENDS,
    TITLE_TRIM,
    attachment_words,
    squash,
)
from ecoplan.text.markers import MARKER_FIRST, MarkerMatch, match_marker
from ecoplan.text.patterns import lazy_re
from ecoplan.text.quantities import cn_int
from ecoplan.text.records import rule_record
from ecoplan.vocab import load

RE_PROSE_MARK = lazy_re(f"[{PROSE_MARKS}]")
_SIGNATURE_MAX = 40
# The title ends at the first full stop or semicolon (spec: 。 ； or end of line).
RE_TITLE_END = lazy_re(f"[{TITLE_ENDS}]")
# Where a lone 一是 opens an item: a paragraph start (or a colon introducing the list).
_LONE_INLINE_AFTER = "\n:："
# A space the text kept inside a line (on folded text).
RE_KEPT_SPACE = lazy_re(r"\x20++")
# Blocks that are never part of the section tree.
_NOT_STRUCTURE = ("table_row", "toc_entry")
# A heading flattened into a line follows the end of a sentence, a closing bracket (a responsibility
# clause: …（牵头单位：市生态环境局） 2.…) or the bare title of the heading before it.
_SENTENCE_CLOSE = SENTENCE_ENDS + CLAUSE_ENDS.replace(",", "") + "；：！？…" + CLOSE_ANY
# The bare title of a flattened heading is short; a longer run without a full stop is prose.
_FLAT_TITLE_MAX = 40


@rule_record
class _Rules:
    gap_tolerant: frozenset[str]
    restartable: frozenset[str]
    inline: re.Pattern[str]
    lone_inline: frozenset[str]
    inline_marker: re.Pattern[str]  # where `inline` can match, without the condition on the character before
    inline_after: str  # the characters `inline` may follow
    inline_verbs: str  # the verbs that end every match of `inline` and `inline_marker`
    inline_numbers: dict[str, int]  # every numeral an `inline` match opens with (一 … 十九) -> its value


# The longest numeral of an inline marker (十二): a match's verb stands at most this far after its start.
_INLINE_NUMERAL_MAX = 2


@cache
def _rules() -> _Rules:
    vocab = load("headings")
    verbs = "".join(vocab.inline_markers)
    boundary = re.escape(vocab.inline_boundary)
    # A paragraph start is preceded by a newline (or is the start of the text).
    # A first item may also follow its subject (各部门一要…；二要…): group `free`, counted only
    # with a second item after it.
    not_after = re.escape(vocab.inline_not_after)
    inline = lazy_re(f"(?:^|(?<=[\\n{boundary}]))(十[{CN_ONE_TO_NINE}]?|[{CN_ONE_TO_TEN}])([{verbs}])"
                        f"|(?<![{not_after}\\n{boundary}])(?P<free>一)(?P<free_verb>[{verbs}])")
    # The same numerals and verbs without the condition on the character before: where `inline`
    # may match in a document, so that a section without any is passed over (_inline_scan).
    marker = lazy_re(f"[{CN_ONE_TO_TEN}](?:[{verbs}]|(?<=十)[{CN_ONE_TO_NINE}][{verbs}])")
    numerals = [*CN_ONE_TO_TEN, *(f"十{digit}" for digit in CN_ONE_TO_NINE)]
    return _Rules(frozenset(vocab.gap_tolerant_styles), frozenset(vocab.restartable_styles), inline,
                  frozenset(vocab.lone_inline_markers), marker, "\n" + vocab.inline_boundary,
                  "".join(dict.fromkeys(verbs)), {numeral: cn_int(numeral) or 0 for numeral in numerals})


def _numbered_verbs(rules: _Rules, folded: str, start: int, end: int) -> list[int]:
    """Indices in folded[start:end] of the inline verbs right after a numeral, in order: a numeral
    stands right before the verb of every match of `inline` and `inline_marker`, and most verbs
    have none (需要). Verbs are rare and a substring search finds them far faster than `re`
    tries a pattern that opens with a numeral (a large character class) at every index."""
    verbs: list[int] = []
    for verb in rules.inline_verbs:
        at = folded.find(verb, start, end)
        while at >= 0:
            if folded[at - 1] in CN_ONE_TO_TEN:
                verbs.append(at)
            at = folded.find(verb, at + 1, end)
    verbs.sort()
    return verbs


def _verb_matches(
    rules: _Rules, pattern: re.Pattern[str], folded: str, start: int, end: int, numbered: list[int] | None = None
) -> Iterator[re.Match[str]]:
    """pattern.finditer(folded, start, end), for `inline` or `inline_marker`: tried only a
    numeral's length before each verb that follows a numeral, which ends every match.
    `numbered` is _numbered_verbs of the whole text, when it was read once for every section."""
    if numbered is None:
        verbs = _numbered_verbs(rules, folded, start, end)
    else:
        verbs = numbered[bisect_left(numbered, start) : bisect_left(numbered, end)]
    pos = start  # the matches do not overlap: where the last one ended
    for verb_at in verbs:
        for p in range(max(verb_at - _INLINE_NUMERAL_MAX, pos), verb_at):
            if p >= pos and (m := pattern.match(folded, p, end)) is not None:
                pos = m.end()
                yield m


class _InlineScan(NamedTuple):
    """One scan of the document for inline markers, so that the sections without one (most)
    are known without a scan of their own and the others search no verb again."""

    starts: list[int]  # every index where `rules.inline` can match, in order
    verbs: list[int]  # _numbered_verbs of the whole document


def _inline_scan(rules: _Rules, folded: str) -> _InlineScan:
    """The starts are found without the condition on the character before, which the scan then
    checks: a match never hides the start of another, as no character of a match may precede one."""
    after = rules.inline_after
    verbs = _numbered_verbs(rules, folded, 0, len(folded))
    starts = [p for p in (m.start() for m in _verb_matches(rules, rules.inline_marker, folded, 0, len(folded), verbs))
              if p == 0 or folded[p - 1] in after or folded[p] == "一"]
    return _InlineScan(starts, verbs)


class _Node(NamedTuple):
    """A section as the headings are read; its Section's data is made once the tree is known (_sections_data).

    A named tuple, made by _new_tuple without a Python-level __init__: one is made per heading."""

    marker: str
    style: str
    number: int
    level: int
    title: str
    start: int  # index in doc.text of the marker
    head_end: int  # index in doc.text just past the title
    segments: list[tuple[int, int]]  # own body, doc.text indices, in order
    path: tuple[int, ...]  # a decimal heading's numbers
    kids: list[dict[str, Any]]  # its children's data, in order (filled by _sections_data)
    into: list[dict[str, Any]]  # where its own data goes: its parent's `kids`, or the roots'


class _Pieces(NamedTuple):
    """The pieces of the lines of the tree, in text order, and which are a flattened block's.

    A piece is a block, or the part of a flattened block from one heading to the next, made a
    block of its own: most are the document's blocks themselves, made no copy of."""

    pieces: list[Block]
    flattened: set[int]  # indices of the pieces of a block that holds flattened headings (a title ends at a space)
    mid_line: set[int]  # … of those that start at a heading flattened into the middle of a block
    contents_at: list[int]  # where a 目录 line stood: the index of the piece after it


# A node made without the Python-level __new__ of a named tuple: one is made per heading.
_new_tuple = tuple.__new__


def _title(doc: Document, start: int, end: int, flattened: bool) -> tuple[str, int]:
    """Title of a heading whose text runs over text[start:end]; returns (title, end of title).

    In flattened text the line breaks survive only as spaces, so a title also ends at one.
    """
    # The first of the title ends, by one search that stops there: a title is short, and one call
    # of a pattern costs less than a substring search for each end (a bounded str.find parses its
    # arguments the slow way).
    text = doc.text
    found = RE_TITLE_END.search(text, start, end)
    stop, title_end = found.span() if found is not None else (end, end)
    if flattened:
        gap = next(doc.space_gaps(start, stop), None)
        if gap is not None:
            stop = title_end = gap
    return squash(text[start:stop]).strip(TITLE_TRIM), title_end


def _pieces(doc: Document, line: Block, cut_joins: Sequence[int]) -> list[Block]:
    """The block cut before each heading flattened into it (…制定本方案。 一、工作目标 到2025年…).

    A flattened heading stands after a space (the line break that the page
    turned into one), right after the end of a sentence, a closing bracket or
    the bare title of the heading before it. Whether it opens a section is
    left to the sequence of its style, as for any heading. `cut_joins` are those of
    doc.joins(line.start, line.end) before a character a marker starts with.
    """
    folded = doc.fold
    start, end = line.start, line.end
    cuts: list[tuple[int, MarkerMatch]] = []
    head = start if line.marker is not None else -1  # start of the heading whose title may run on
    # (end of the text before the space, start of the text after it): spaces normalise dropped
    # (next to wide characters) and spaces it kept (between ASCII characters: `) 2.`). Only
    # those before a character a marker starts with can cut: the others are skipped unread.
    # Whether a join is a dropped space is asked last, of the few before a marker.
    gaps = [(pos, pos) for pos in cut_joins]
    if folded.find(" ", start, end) >= 0:
        kept = [m.span() for m in RE_KEPT_SPACE.finditer(folded, start, end) if folded[m.end()] in MARKER_FIRST]
        gaps = sorted([*gaps, *kept], key=lambda gap: gap[1])
    for before, pos in gaps:
        if before <= line.start:
            continue
        # What stands before the gap is asked first: most gaps (a line wrapped mid-sentence) end there.
        if not (folded[before - 1] in _SENTENCE_CLOSE or (
                head >= 0 and before - head <= _FLAT_TITLE_MAX and not RE_TITLE_END.search(doc.text, head, before))):
            continue
        marker = match_marker(folded, pos, line.end)
        if marker is None or marker.style == "dash":
            continue  # a dash inside a sentence is punctuation
        if before == pos and not doc.space_dropped_before(pos):
            continue  # a join (before == pos) where no whitespace was dropped: a gloss, a page-chunk marker
        cuts.append((pos, marker))
        head = pos
    if not cuts:
        return []
    out = [new_block(line.kind, line.start, cuts[0][0], line.lineno, line.marker)]
    for k, (pos, marker) in enumerate(cuts):
        out.append(new_block("paragraph", pos, cuts[k + 1][0] if k + 1 < len(cuts) else line.end, line.lineno, marker))
    return out


def _read_pieces(doc: Document) -> _Pieces:
    """The pieces of the lines of the tree, in text order.

    Only a join before a character a marker starts with, or a space kept, can cut a line
    (_pieces). Both are found for the whole text once, and each line takes its share as the
    lines go by, in text order: most lines have neither and cost no search of their own.
    """
    folded = doc.fold
    pieces: list[Block] = []
    flattened: set[int] = set()
    mid_line: set[int] = set()
    contents_at: list[int] = []
    # A join right after a line break lies inside no line of the tree (of the lines, only a table row, which
    # is never cut, holds a line break): it cuts nothing.
    cut_joins = [pos for pos in doc.joins(0, len(folded)) if folded[pos] in MARKER_FIRST and folded[pos - 1] != "\n"]
    n_cuts = len(cut_joins)
    cut = 0  # the first of cut_joins past the start of the line
    space = folded.find(" ")  # the first space at or after the start of the line, or -1
    append, find = pieces.append, folded.find
    for line in doc.lines:
        kind, start, end, _, marker, _, _ = line  # read once: reading a field costs more
        if kind not in _NOT_STRUCTURE:
            while cut < n_cuts and cut_joins[cut] <= start:
                cut += 1
            if 0 <= space < start:
                space = find(" ", start)
            if (cut < n_cuts and cut_joins[cut] < end) or 0 <= space < end:
                last = cut
                while last < n_cuts and cut_joins[last] < end:
                    last += 1
                cuts = _pieces(doc, line, cut_joins[cut:last])
                if cuts:
                    first = len(pieces)
                    pieces += cuts
                    flattened.update(range(first, len(pieces)))
                    mid_line.update(range(first + 1, len(pieces)))
                    continue
            append(line)
        elif kind == "toc_entry" and marker is None:
            contents_at.append(len(pieces))
    return _Pieces(pieces, flattened, mid_line, contents_at)


def _accepts_decimal(stack: list[_Node], path: tuple[int, ...], last_top: int) -> int | None:
    """Stack depth at which a decimal heading (1 / 1.1 / 1.1.1) opens a section, or None.

    A number continues its siblings (1.1 -> 1.2) or opens the first child of
    its parent (1 -> 1.1); the top level starts at 1 or continues the last top.
    """
    for depth, node in enumerate(stack):
        if node.style != "decimal":
            continue
        if node.path == path[:-1] and path[-1] == 1:
            if depth + 1 < len(stack) and stack[depth + 1].style == "decimal":
                continue  # the parent already has children: 1.1 again is no heading
            return depth + 1
        if len(node.path) == len(path) and node.path[:-1] == path[:-1]:
            return depth if path[-1] == node.number + 1 else None
    if any(node.style == "decimal" for node in stack):
        return None
    if len(path) == 1 and path[0] in (1, last_top + 1):
        return len(stack)
    # Numbering without bare top lines starts at 1.1; numbering by chapter (2.1 under 第二章) starts
    # at the chapter's own number.
    if len(path) == 2 and path[1] == 1 and (path[0] == 1 or (stack and stack[-1].number == path[0])):
        return len(stack)
    return None


def _accepts(
    rules: _Rules,
    stack: list[_Node],
    last_seen: dict[str, int],
    style: str,
    number: int,
    path: tuple[int, ...],
    fragment_start: bool,
) -> int | None:
    """Stack depth at which a marker (its style, number and decimal path) opens a section, or None if it
    does not fit its sequence.

    A style that is not open may start at 1, or continue the count it reached
    under an earlier parent (第三条 under 第二章, measures numbered through a plan).
    In a fragment of a plan (`fragment_start`), a style seen for the first time
    may start at any number.
    """
    if style == "decimal":
        return _accepts_decimal(stack, path, last_seen.get(style, 0))
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
    if not fits and fragment_start and style not in last_seen:
        fits = True
    return len(stack) if fits else None


def _is_signature(text: str, segment: tuple[int, int]) -> bool:
    """A whole short line without punctuation: the issuer's name above the date."""
    a, b = segment
    return (a == 0 or text[a - 1] == "\n") and b - a <= _SIGNATURE_MAX and not RE_PROSE_MARK.search(text, a, b)


def _is_contents(roots: list[_Node], nodes: list[_Node], marker: MarkerMatch) -> bool:
    """The top style starting again at 1 after nothing but bare headings: those
    were a table of contents (目录), and the document proper starts here."""
    # Every node a root (len(nodes) == len(roots)): no root has children.
    return (marker.number == 1 and bool(roots) and roots[0].style == marker.style and roots[0].path == marker.path
            and len(nodes) == len(roots) and all(not r.segments for r in roots))


def _counts_on(pieces: list[Block], k: int) -> bool:
    """Whether the next heading of pieces[k]'s style in the text counts on from it (6. then 7.).

    Asked only while no section is open (the first headings, mostly), so looked up then:
    a scan stops at the next heading of the style, so no piece is passed more than once a style.
    """
    marker = pieces[k].marker
    assert marker is not None
    for j in range(k + 1, len(pieces)):
        nxt = pieces[j].marker
        if nxt is not None and nxt.style == marker.style:
            return nxt.number == marker.number + 1
    return False


def _contents_entries(pieces: list[Block], contents_at: list[int]) -> set[int]:
    """Pieces that are entries of a table of contents: after a 目录 line, up to the heading that
    repeats its first entry (一、总体要求 … 一、总体要求), where the body starts.

    Entries may nest and end in a page number without leader dots (（一）指导思想 1). A
    目录 whose first entry never comes again lists nothing: its headings are the body.
    """
    out: set[int] = set()
    for at in contents_at:
        first = next((k for k in range(at, len(pieces)) if pieces[k].marker is not None), None)
        if first is None:
            continue
        key = _marker_key(pieces[first].marker)
        body = next((k for k in range(first + 1, len(pieces)) if _marker_key(pieces[k].marker) == key), None)
        if body is not None:
            out.update(range(at, body))
    return out


def _marker_key(marker: MarkerMatch | None) -> tuple[str, int, tuple[int, ...]] | None:
    return None if marker is None else (marker.style, marker.number, marker.path)


def _build(doc: Document) -> tuple[list[_Node], list[dict[str, Any]]]:
    """Every node of the section tree in text order (a parent before its children), and the list
    that the roots' data go into (the `into` of each root, filled by _sections_data)."""
    rules = _rules()
    text, folded = doc.text, doc.fold
    roots: list[_Node] = []
    roots_data: list[dict[str, Any]] = []
    nodes: list[_Node] = []
    stack: list[_Node] = []
    last_seen: dict[str, int] = {}
    in_attachment = False
    fragment = False  # the text starts inside a plan: its first heading counts on from an earlier one
    pieces, flattened, mid_pieces, contents_at = _read_pieces(doc)
    contents = _contents_entries(pieces, contents_at) if contents_at else ()
    attachments = attachment_words()
    for k, (kind, start, end, _, marker, _, _) in enumerate(pieces):
        if k in contents:
            continue
        body_start = start
        depth = None
        mid_line = k in mid_pieces
        if marker is not None:
            style, number, marker_end, stray, path = marker  # read once: reading a field costs more
            if number == 1 and _is_contents(roots, nodes, marker):
                roots, roots_data, nodes, stack, last_seen, fragment = [], [], [], [], {}, False
            # The first heading of a fragment counts on from an earlier one (6. then 7.); once the
            # text is known to be a fragment, a style seen for the first time may start anywhere.
            fragment_start = not mid_line and (fragment if roots else _counts_on(pieces, k))
            depth = _accepts(rules, stack, last_seen, style, number, path, fragment_start)
        if depth is not None:  # a marker that opens a section
            if not roots and number > 1 and style not in ("dash", "decimal"):
                fragment = True
            in_attachment = False
            if style != "decimal" or len(path) == 1:
                last_seen[style] = number
            del stack[depth:]
            head = marker_end
            while head < end and text[head] in " \t":
                head += 1
            title, title_end = _title(doc, head, end, k in flattened)
            written = text[start:marker_end] if stray is None else marker.written(text, start)  # type: ignore[union-attr]
            node = _new_tuple(_Node, (written, style, number, depth + 1, title, start, title_end,
                                      [], path, [], stack[-1].kids if stack else roots_data))
            if not stack:
                roots.append(node)
            nodes.append(node)
            stack.append(node)
            body_start = title_end
        elif mid_line:
            pass  # a flattened marker out of sequence: the text runs on
        elif folded.startswith(attachments, start, end):  # is_attachment, with its words fetched once
            in_attachment = True
        elif kind == "date_line":
            # The signature block closes the body: drop the issuer line just before the date.
            in_attachment = True
            if stack and stack[-1].segments and _is_signature(text, stack[-1].segments[-1]):
                stack[-1].segments.pop()
        if stack and not in_attachment and body_start < end:
            # _Node.add_body, inlined: one call per line of body.
            segments = stack[-1].segments
            if segments and segments[-1][1] == body_start:
                segments[-1] = (segments[-1][0], end)
            else:
                segments.append((body_start, end))
    return nodes, roots_data


class _InlineItem(NamedTuple):  # made faster than a frozen dataclass, as immutable
    marker: str
    number: int
    start: int  # index in Document.text of the marker
    end: int  # end of the item's text (next item or end of paragraph)
    title: str


def _find_inline(text: str, folded: str, segments: list[tuple[int, int]], verbs: list[int]) -> list[_InlineItem]:
    """Inline enumeration items within the given body segments of one section.

    A run starts at 一是/一要, continues across the section's paragraphs while
    the numbers count on by one with the same verb, and counts only with at
    least two items, or as one item that opens a paragraph or follows a colon
    (一是… cut off before its 二是 by the end of an excerpt).
    """
    rules = _rules()
    pattern = rules.inline
    runs: list[list[tuple[int, int, int]]] = []  # items as (start, marker end, number)
    lone: set[int] = set()  # runs whose first item may stand alone
    for a, b in segments:
        for m in _verb_matches(rules, pattern, folded, a, b, verbs):
            if m["free"]:
                if m.start() > a:  # at a segment's start the bounded form matched already
                    runs.append([(m.start(), m.end(), 1)])
                continue
            number = rules.inline_numbers[m[1]]
            if number == 1:
                if m[2] in rules.lone_inline and (m.start() == a or folded[m.start() - 1] in _LONE_INLINE_AFTER):
                    lone.add(len(runs))
                runs.append([(m.start(), m.end(), number)])
            elif runs and number == len(runs[-1]) + 1 and folded[runs[-1][0][1] - 1] == m[2]:
                runs[-1].append((m.start(), m.end(), number))
    found = [item for k, run in enumerate(runs) if len(run) >= 2 or k in lone for item in run]
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
        items.append(_new_tuple(_InlineItem, (text[start:head], number, start, end, title)))
    return items


def _sections_data(doc: Document, nodes: list[_Node], inline: _InlineScan) -> None:
    """The fields of each node's Section, into its `into`, its children's into its `kids`: pydantic
    validates a whole tree of data in one call for half what it costs to validate each Section on its own.

    A node's inline enumerations are carved out of its body first, and go first among its children
    (they sit inside its own text, which comes before its line-start children). The nodes come in
    text order, a parent before its children, so a node's data follow its inline items' in `kids`.
    All are located in one call (Document.spans).
    """
    text = doc.text
    # Each Section's data, in place in the tree; its line and span are filled in once all are located.
    rows: list[dict[str, Any]] = []
    starts: list[int] = []
    ends: list[int] = []
    inline_starts = inline.starts
    n_inline = len(inline_starts)
    items: list[_InlineItem] = []  # the inline items of the node: none in most
    for marker, style, number, level, title, start, end, segments, _, kids, into in nodes:
        if n_inline and segments:
            # No inline marker can start anywhere from the first segment to the end of the last: most sections.
            k = bisect_left(inline_starts, segments[0][0])
            if k < n_inline and inline_starts[k] < segments[-1][1]:
                items, segments = _carve_inline(doc, segments, inline.verbs)
        if not segments:
            body = ""
        elif len(segments) == 1:  # most sections: one run of text, no join
            a, b = segments[0]
            body = text[a:b]
            end = b if b > end else end
        else:
            body = "\n".join([text[a:b] for a, b in segments if b > a])
            # Segments are in text order: the last one ends last.
            end = segments[-1][1] if segments[-1][1] > end else end
        row = {"marker": marker, "style": style, "number": number, "level": level, "title": title, "text": body,
               "children": kids}
        into.append(row)
        rows.append(row)
        starts.append(start)
        ends.append(end)
        if items:
            for item in items:
                row = {"marker": item.marker, "style": "inline", "number": item.number, "level": level + 1,
                       "title": item.title, "text": text[item.start + len(item.marker) : item.end], "children": []}
                kids.append(row)
                rows.append(row)
                starts.append(item.start)
                ends.append(item.end)
            items = []
    spans = doc.spans(starts, ends)
    # A span's start is where text[start] stands in the input: its line.
    lines = doc.raw_linenos(map(_START_OF_SPAN, spans))
    for row, span, line in zip(rows, spans, lines, strict=True):
        row["line"] = line
        row["span"] = span


_START_OF_SPAN = itemgetter(0)


def _carve_inline(
    doc: Document, segments: list[tuple[int, int]], verbs: list[int]
) -> tuple[list[_InlineItem], list[tuple[int, int]]]:
    """A section's inline enumerations, and its own body's segments without them."""
    items = _find_inline(doc.text, doc.fold, segments, verbs)
    if not items:
        return items, segments
    kept: list[tuple[int, int]] = []
    # Items come in text order, so each segment's items are one slice, found by
    # bisection rather than by testing every item against every segment.
    item_starts = [item.start for item in items]
    for a, b in segments:
        pos = a
        for item in items[bisect_left(item_starts, a) : bisect_left(item_starts, b)]:
            if item.start > pos:
                kept.append((pos, item.start))
            pos = max(pos, item.end)
        if pos < b:
            kept.append((pos, b))
    return items, kept


def parse_sections(doc: Document) -> list[Section]:
    """The section tree of a document, every node traceable to the input."""
    nodes, roots = _build(doc)
    _sections_data(doc, nodes, _inline_scan(_rules(), doc.fold))
    return Section.validate_all(roots)
