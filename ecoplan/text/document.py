"""The span-aware Document: normalised text, its folded twin, typed blocks, and the map back to the input.

`text` keeps the input's characters without layout artefacts; `fold` is the
same text with full-width forms folded to ASCII (same length, one index serves
both); `to_raw`/`span`/`lineno` turn any index back into the decoded input.
`blocks` are the typed units normalise found, each with its text range.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, compress, islice, repeat
from operator import attrgetter, sub
from typing import Literal, NamedTuple, TypeAlias, overload

from ecoplan.text.bodies import NameReadings
from ecoplan.text.markers import MarkerMatch

BlockKind = Literal["heading", "paragraph", "table_row", "date_line", "label_line", "toc_entry", "page_artefact"]


# Cell and Block are named tuples: immutable like frozen dataclasses, and made several
# times faster (a Block is made per line, by normalise or on each read: BlockColumns).
class Cell(NamedTuple):
    """One cell of a table row: Document.text[start:end], padding stripped (start == end when empty)."""

    start: int
    end: int


class Block(NamedTuple):
    """One logical line of the document, typed once by normalise.

    A physical line, or several glued across a page break. `start`/`end` index
    Document.text (text[end] is "\n" or the end); a page artefact was dropped
    from the text, so its range is empty and `lineno` says where it stood.
    """

    kind: BlockKind
    start: int
    end: int
    lineno: int  # 1-based physical line of the first character
    marker: MarkerMatch | None = None  # the heading marker at the start (heading, and table rows that have one)
    cells: tuple[Cell, ...] = ()  # table rows only
    lead_tabs: int = 0  # tabs before the text in the input: empty leading cells of a table row written as text

    @property
    def is_table(self) -> bool:
        return self.kind == "table_row"


_new_tuple = tuple.__new__


def new_block(
    kind: BlockKind, start: int, end: int, lineno: int, marker: MarkerMatch | None = None,
    cells: tuple[Cell, ...] = (), lead_tabs: int = 0,
) -> Block:
    """Block(kind, start, end, lineno, marker, cells, lead_tabs) without the Python-level __new__ of a named
    tuple. tests/test_normalise.py checks that it fills every field."""
    return _new_tuple(Block, (kind, start, end, lineno, marker, cells, lead_tabs))  # type: ignore[arg-type]


def new_cell(start: int, end: int) -> Cell:
    """Cell(start, end), made as new_block makes a Block: normalise makes one per table cell."""
    return _new_tuple(Cell, (start, end))  # type: ignore[arg-type]


# A column of offsets or counts: a list, or a machine-integer array on a long input.
Offsets: TypeAlias = "list[int] | array[int]"
# Below this many characters of input an offset column is a list: an array converts every entry it
# stores or reads (twice the cost of a list's append, and of a bisect over it), which its memory (4 bytes
# an entry instead of ~40) pays for on inputs of megabytes only.
_LIST_LIMIT = 1 << 20


def offset_column(limit: int) -> Offsets:
    """An empty column for offsets and counts up to `limit` (the offset maps have an entry per line and
    per dropped run): a list on an input of ordinary length, else an array of 4 bytes an entry where
    they fit, as they do but for inputs of gigabytes."""
    if limit < _LIST_LIMIT:
        return []
    return array("i" if limit < 2**31 else "q")


def blocks_of(
    kinds: Iterable[BlockKind], starts: Iterable[int], ends: Iterable[int], linenos: Iterable[int],
    markers: Iterable[MarkerMatch | None], cells: Iterable[tuple[Cell, ...]], lead_tabs: Iterable[int],
) -> Iterator[Block]:
    """The Blocks whose fields the columns hold, line by line, each made in C (a map over a zip)."""
    return map(_new_tuple, repeat(Block), zip(  # type: ignore[arg-type]
        kinds, starts, ends, linenos, markers, cells, lead_tabs, strict=True))


class BlockColumns(Sequence[Block]):
    """Blocks stored by field, one column each; a Block is made whenever one is read.

    As objects, a block costs ~300 bytes (the tuple, its three offsets, its marker and cells),
    which on an input of tens of MB outweighs its text; as columns ~30. Parsers walk the lines
    a few times, so a document of ordinary length keeps them as a tuple of Blocks instead
    (normalise chooses). Markers and cells, which most lines lack, are stored for the lines
    that have them only, field by field, and made again on each read.
    """

    __slots__ = ("cell_ends", "cell_firsts", "cell_starts", "celled", "ends", "kinds", "lead_tabs", "linenos",
                 "marked", "marker_ends", "marker_lines", "marker_numbers", "marker_paths", "marker_strays",
                 "marker_styles", "row_lines", "starts")

    def __init__(self, kinds: list[BlockKind], starts: Offsets, ends: Offsets, linenos: Offsets,
                 markers: Sequence[MarkerMatch | None], cells: Sequence[tuple[Cell, ...]],
                 lead_tabs: Offsets) -> None:
        self.kinds = kinds
        self.starts = starts
        self.ends = ends
        self.linenos = linenos
        self.lead_tabs = lead_tabs
        # A list holds the offsets of an input below _LIST_LIMIT characters: they fit 4 bytes.
        typecode = starts.typecode if isinstance(starts, array) else "i"
        self.marked = bytes(m is not None for m in markers)  # 1 for a line with a marker
        self.marker_lines = array(typecode, compress(range(len(markers)), self.marked))
        found = [m for m in markers if m is not None]
        self.marker_styles = [m.style for m in found]
        self.marker_numbers = [m.number for m in found]  # small ints: shared objects
        self.marker_ends = array(typecode, [m.end for m in found])
        self.marker_strays = [m.stray for m in found]
        self.marker_paths = [m.path for m in found]
        self.celled = bytes(bool(c) for c in cells)  # 1 for a table row with cells
        self.row_lines = array(typecode, compress(range(len(cells)), self.celled))
        rows = [c for c in cells if c]
        # The cells of the j-th row with cells are cell_starts/cell_ends[cell_firsts[j]:cell_firsts[j + 1]].
        self.cell_firsts = array(typecode, accumulate(map(len, rows), initial=0))
        self.cell_starts = array(typecode, [c.start for row in rows for c in row])
        self.cell_ends = array(typecode, [c.end for row in rows for c in row])

    @classmethod
    def of(cls, blocks: Sequence[Block], limit: int) -> BlockColumns:
        """The columns of `blocks`, whose offsets and line numbers are below `limit`."""
        starts, ends, linenos, lead_tabs = (offset_column(limit) for _ in range(4))
        for column, name in ((starts, "start"), (ends, "end"), (linenos, "lineno"), (lead_tabs, "lead_tabs")):
            column.extend(map(attrgetter(name), blocks))
        return cls([b.kind for b in blocks], starts, ends, linenos, [b.marker for b in blocks],
                   [b.cells for b in blocks], lead_tabs)

    def __len__(self) -> int:
        return len(self.starts)

    def __iter__(self) -> Iterator[Block]:
        # A line without a marker takes None from a repeat, one with a marker the next marker
        # made from the columns (so too for cells): in C, as the zip, with no Python step per line.
        every_marker = map(_new_tuple, repeat(MarkerMatch), zip(  # type: ignore[arg-type]
            self.marker_styles, self.marker_numbers, self.marker_ends, self.marker_strays, self.marker_paths,
            strict=True))
        markers = map(next, map((repeat(None), every_marker).__getitem__, self.marked))
        every_cell = map(_new_tuple, repeat(Cell), zip(self.cell_starts, self.cell_ends, strict=True))
        # Each row's tuple takes its count of cells from the one stream of them, in order.
        counts = map(sub, islice(self.cell_firsts, 1, None), self.cell_firsts)
        rows = map(tuple, map(islice, repeat(every_cell), counts))
        cells = map(next, map((repeat(()), rows).__getitem__, self.celled))
        return blocks_of(self.kinds, self.starts, self.ends, self.linenos, markers, cells, self.lead_tabs)

    @overload
    def __getitem__(self, index: int) -> Block: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Block, ...]: ...

    def __getitem__(self, index: int | slice) -> Block | tuple[Block, ...]:
        if isinstance(index, slice):
            return tuple(map(self.__getitem__, range(*index.indices(len(self)))))
        start = self.starts[index]  # raises IndexError as a tuple would
        k = index + len(self) if index < 0 else index
        marker = None
        if self.marked[k]:
            j = bisect_left(self.marker_lines, k)
            marker = _new_tuple(MarkerMatch, (  # type: ignore[arg-type]
                self.marker_styles[j], self.marker_numbers[j], self.marker_ends[j], self.marker_strays[j],
                self.marker_paths[j]))
        cells: tuple[Cell, ...] = ()
        if self.celled[k]:
            j = bisect_left(self.row_lines, k)
            cells = tuple(map(new_cell, self.cell_starts[self.cell_firsts[j] : self.cell_firsts[j + 1]],
                              self.cell_ends[self.cell_firsts[j] : self.cell_firsts[j + 1]]))
        return _new_tuple(Block, (  # type: ignore[arg-type]
            self.kinds[k], start, self.ends[k], self.linenos[k], marker, cells, self.lead_tabs[k]))


@dataclass(frozen=True)
class Document:
    raw: str  # the decoded input; None once let go (release_input)
    text: str
    fold: str
    lines: Sequence[Block]  # the blocks that hold text (all but page artefacts), in order
    page_artefacts: tuple[Block, ...]  # the page numbers and running headers dropped from the text
    # Whether the input holds a character the fold turns into another ideograph (script.has_traditional):
    # normalise checks the input once, so that a stage reading its lines folds only their width.
    traditional: bool
    # Offset maps as offset columns (offset_column): on long inputs machine-integer arrays, 4 bytes an entry instead
    # of ~40 for a tuple of ints, which counts on inputs of tens of MB.
    _clean_starts: Offsets = field(repr=False, hash=False)
    _raw_starts: Offsets = field(repr=False, hash=False)
    _raw_line_starts: Offsets = field(repr=False, hash=False)
    # Per run of the offset map: whether the input dropped right before it is whitespace
    # (see _space_flags); made on first use, and before the input is released.
    _space_before: bytearray | None = field(default=None, repr=False, hash=False, compare=False)
    # The body names split_names has read in the document's cells and clauses: tasks and departments
    # both read its 责任单位 column, and each cell needs reading once.
    name_readings: NameReadings = field(default_factory=NameReadings, repr=False, hash=False, compare=False)

    @property
    def blocks(self) -> tuple[Block, ...]:
        """Every block in input order, page artefacts included (made on each call: no stage reads it)."""
        if not self.page_artefacts:
            return tuple(self.lines)
        return tuple(sorted((*self.lines, *self.page_artefacts), key=lambda b: b.lineno))

    def to_raw(self, index: int) -> int:
        """Offset in the decoded input of the character at `index` of `text`."""
        k = bisect_right(self._clean_starts, index) - 1
        if k < 0:
            return 0
        return self._raw_starts[k] + (index - self._clean_starts[k])

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Input span [start, end) covering text[start:end]."""
        if end <= start:
            pos = self.to_raw(start)
            return pos, pos
        # to_raw of both ends, inlined: every located item asks for its span.
        clean_starts, raw_starts = self._clean_starts, self._raw_starts
        k = bisect_right(clean_starts, start) - 1
        first = 0 if k < 0 else raw_starts[k] + (start - clean_starts[k])
        last = end - 1
        k = bisect_right(clean_starts, last, k if k > 0 else 0) - 1
        return first, (0 if k < 0 else raw_starts[k] + (last - clean_starts[k])) + 1

    def spans(self, starts: Sequence[int], ends: Sequence[int]) -> list[tuple[int, int]]:
        """span(start, end) of each pair of `starts` and `ends` (as many of each), in one call (a map in C)."""
        return list(map(self.span, starts, ends))

    def raw_linenos(self, offsets: Iterable[int]) -> list[int]:
        """raw_lineno of each offset, in one call (a map in C)."""
        return list(map(bisect_right, repeat(self._raw_line_starts), offsets))

    def space_dropped_before(self, index: int) -> bool:
        """Whether input whitespace (a layout space, a flattened line break) was dropped right before text[index]."""
        if index <= 0 or index >= len(self.text):
            return False
        # Input is dropped only between two runs of the offset map: before a run's first character.
        k = bisect_right(self._clean_starts, index) - 1
        return k > 0 and self._clean_starts[k] == index and self._spaces()[k] == 1

    def release_input(self) -> None:
        """Let the decoded input go, for a pipeline whose remaining stages do not read it: on
        long inputs it weighs as much as the text. Spans, line numbers and the whitespace
        questions are still answered, from the offset map; `raw` is None from then on, so
        that a stage reading it after all fails loudly rather than reading nothing."""
        self._spaces()
        object.__setattr__(self, "raw", None)

    def _spaces(self) -> bytearray:
        spaces = self._space_before
        if spaces is None:
            spaces = _space_flags(self.raw, self._clean_starts, self._raw_starts)
            object.__setattr__(self, "_space_before", spaces)
        return spaces

    def joins(self, start: int, end: int) -> Sequence[int]:
        """Indices in (start, end) where text joins input that is not contiguous (a space, a gloss or a
        line break was dropped before text[index]), in order: where `space_gaps` looks, found without it."""
        return self._clean_starts[bisect_right(self._clean_starts, start) : bisect_left(self._clean_starts, end)]

    def space_gaps(self, start: int, end: int) -> Iterator[int]:
        """Indices in (start, end) of text right after dropped input whitespace, in order."""
        clean_starts, spaces = self._clean_starts, self._spaces()
        k = max(bisect_right(clean_starts, start), 1)  # text[0] has nothing dropped before it
        last = min(end, len(self.text))
        while k < len(clean_starts) and clean_starts[k] < last:
            if spaces[k]:
                yield clean_starts[k]
            k += 1

    def as_written(self, start: int, end: int) -> str:
        """text[start:end] with full-width forms folded but the script kept.

        fold also turns traditional characters into simplified ones, which the
        matchers want; an output field "as written" (a unit: 萬噸, 個) wants the
        plan's own characters, with only the width of ASCII forms (％) folded.
        """
        return "".join(f if f.isascii() else t for t, f in zip(self.text[start:end], self.fold[start:end], strict=True))

    def lineno(self, index: int) -> int:
        """1-based input line of the character at `index` of `text`."""
        return bisect_right(self._raw_line_starts, self.to_raw(index))

    def raw_lineno(self, offset: int) -> int:
        """1-based input line of the character at `offset` of the decoded input (a `span` start)."""
        return bisect_right(self._raw_line_starts, offset)


def _space_flags(raw: str, clean_starts: Offsets, raw_starts: Offsets) -> bytearray:
    """For each run k of the offset map, 1 when the input between run k - 1 and run k is
    whitespace: space_dropped_before(index) for index = clean_starts[k], since text[index - 1]
    ends run k - 1 and text[index] starts run k."""
    flags = bytearray(len(clean_starts))
    for k in range(1, len(clean_starts)):
        a = raw_starts[k - 1] + (clean_starts[k] - clean_starts[k - 1])
        b = raw_starts[k]
        if b > a and raw[a:b].isspace():
            flags[k] = 1
    return flags
