"""PDF: pypdfium2 for the text layer, pdfplumber only on pages with ruled tables.

pypdfium2 (Apache-2.0/BSD, Chrome's PDFium in a wheel) gives every character
with its box, CJK CID fonts included, at a few milliseconds a page. From the
boxes the reader rebuilds what layout broke:
- lines that run to the right margin and continue unindented on the next line
  (or the next page) are one paragraph, and are joined (deleting the break is
  safe between CJK characters; between Latin words it was a space);
- running headers and footers (the same text at the top or bottom of most
  pages, page numbers aside) and page numbers (`—1—`, `- 2 -`, `第3页`) are
  dropped.
Pages whose vector graphics draw a grid go to pdfplumber (MIT, pdfminer.six),
which finds ruled tables from their lines; its rows and cell boxes, filled with
PDFium's characters inside each box, become TAB-separated lines in place of
the lines inside the table, each cell's broken lines rejoined, and a row that
a page end split is merged back into one.
A page without a text layer (a scan) is reported, never silently empty.
"""

from __future__ import annotations

import io
import itertools
import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ecoplan.errors import ReadError
from ecoplan.readers import Extracted, missing_extra, version_of
from ecoplan.readers.layout import cell_text, join_broken, table_row
from ecoplan.text.lexicon import CIRCLED_FIRST, CIRCLED_LAST, CLOSE_PARENS, CN_ONE_TO_TEN, OPEN_PARENS, char_class

# Running headers and footers sit in the top and bottom eighth of the page.
_MARGIN_SHARE = 0.125
# A header/footer text (digits aside) on at least this share of pages is furniture.
_RUNNING_SHARE = 0.5
_RE_PAGE_NUMBER = re.compile(
    r"^[\s\-—–－_·•]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*(?:/|of|共)\s*\d{1,4}\s*页?)?[\s\-—–－_·•]*$",
    re.IGNORECASE,
)
_RE_DIGITS = re.compile(r"\d+")
# Room left at the end of a line broken by the margin, in character widths, beyond its next word:
# justification and punctuation compression leave a little.
_FULL_LINE_SLACK = 0.6
# The first word of a line: a run of Latin letters and digits (kept whole by line breaking), or one character.
_LATIN_WIDTH = 0.65
# The unit that did not fit at the end of the line before: line breaking keeps brackets, quotes and
# punctuation with the characters beside them (no line starts with 。 or ）, none ends with （ or “, and
# nothing breaks on either side of a curly quote), and Latin words and numbers whole. So: the run of
# non-ideographs at the start, one ideograph, and the non-ideographs glued to it (〔2021〕40, “绿, 件“),
# with the space a PDF may show before a quote drawn apart (动 “).
_RE_FIRST_WORD = re.compile(r"[^\s\u3400-\u9fff]*[\u3400-\u9fff]?(?: ?[^\s\u3400-\u9fff]+)?")
# A character this many widths left of the one before it was drawn out of reading order.
_BACKWARDS = 0.5
# A line starting this many character widths right of the left margin begins a paragraph (first-line indent).
_INDENT = 0.8
# Punctuation that ends a sentence; a table cell ending otherwise was cut by the page end.
_SENTENCE_END = "。！？!?；;）)」』”"
# How a new item starts in a cell: 1. 1、 (1) （一） 一、 一是 ①.
_RE_ITEM_START = re.compile(
    rf"^(?:\d+\s*[.．、)）]|{char_class(OPEN_PARENS)}[{CN_ONE_TO_TEN}\d]+{char_class(CLOSE_PARENS)}"
    rf"|[{CN_ONE_TO_TEN}]+[、是]|[{CIRCLED_FIRST}-{CIRCLED_LAST}])"
)
# Vector graphics that may rule a table: thin horizontal and vertical strokes (lines, or hairline rectangles).
_THIN = 3.0
_MIN_RULES = 2


_Box = tuple[float, float, float, float]  # left, bottom, right, top in PDF coordinates


@dataclass
class _Line:
    text: str
    left: float
    right: float
    top: float  # PDF coordinates: y grows upwards
    bottom: float
    size: float  # typical character width
    chars: tuple[tuple[str, _Box], ...] = ()  # characters with their boxes, in reading order, for table cells


@dataclass
class _Table:
    rows: list[list[str]]
    top: float
    bottom: float
    columns: list[float] = field(default_factory=list)  # x of the column edges, to match a table across pages


@dataclass
class _Page:
    number: int  # 1-based
    height: float
    items: list[_Line | _Table]
    has_images: bool
    has_rules: bool  # vector strokes both ways: maybe a ruled table, for pdfplumber

    @property
    def has_text(self) -> bool:
        return bool(self.items)


def read(data: bytes, name: str) -> Extracted:
    try:
        import pypdfium2 as pdfium
    except ImportError:
        raise missing_extra(name, "PDF", "pypdfium2", "pdf") from None
    if b"%%EOF" not in data[-4096:]:
        raise ReadError(f"{name}: truncated PDF (no end-of-file marker); download it again")
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ReadError(f"{name}: {_open_error(exc)}") from None
    try:
        pages = [_read_page(document, i) for i in range(len(document))]
    finally:
        document.close()
    ruled = [p.number for p in pages if p.has_rules]
    reader, version = "pypdfium2", version_of("pypdfium2")
    warnings: list[str] = []
    if ruled:
        warnings += _add_tables(data, name, pages, ruled)
        reader, version = "pypdfium2+pdfplumber", f"{version}+{version_of('pdfplumber')}"
    _drop_running_lines(pages)
    if not any(p.has_text for p in pages):
        raise ReadError(f"{name}: no text layer (scanned?); run OCR first, e.g. ocrmypdf")
    # A page with pictures but no text beyond its header, footer or page number is a scan.
    scanned = [p.number for p in pages if p.has_images and not p.has_text]
    if scanned:
        which = f"page {scanned[0]}" if len(scanned) == 1 else "pages " + ", ".join(map(str, scanned))
        warnings.append(f"{name}: {which} of {len(pages)} without a text layer (scanned?), content missing; "
                        "run OCR first, e.g. ocrmypdf")
    text = _assemble(pages)
    return Extracted(text=text, reader=reader, reader_version=version, warnings=tuple(warnings))


def _open_error(exc: Any) -> str:
    import pypdfium2.raw as raw

    code = getattr(exc, "err_code", None)
    if code == raw.FPDF_ERR_PASSWORD:
        return "encrypted PDF (needs a password); save an unprotected copy first"
    if code == raw.FPDF_ERR_SECURITY:
        return "PDF with an unsupported security handler"
    return "damaged or truncated PDF (PDFium cannot open it)"


# --- characters into lines -----------------------------------------------------------------------


def _read_page(document: Any, index: int) -> _Page:
    page = document[index]
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range(0, count) if count else ""
        lines: list[_Line] = []
        start = 0
        # PDFium marks its own line ends with \r\n; one character index per character of `text`.
        for piece in text.split("\r\n"):
            end = start + len(piece)
            line = _line(textpage, piece, start)
            if line is not None:
                lines.append(line)
            start = end + 2
    finally:
        textpage.close()
    import pypdfium2.raw as raw

    height = page.get_height()
    has_images = next(iter(page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE])), None) is not None
    has_rules = _has_rules(page)
    page.close()
    lines.sort(key=lambda ln: (-round(ln.top), ln.left))
    return _Page(number=index + 1, height=height, items=list(lines), has_images=has_images, has_rules=has_rules)


def _line(textpage: Any, piece: str, start: int) -> _Line | None:
    if not piece.strip():
        return None
    chars = [(ch, textpage.get_charbox(start + i, loose=True)) for i, ch in enumerate(piece)]
    boxes = [b for ch, b in chars if not ch.isspace()]
    boxes = [b for b in boxes if b[2] > b[0] or b[3] > b[1]] or boxes
    widths = [b[2] - b[0] for b in boxes if b[2] > b[0]]
    heights = [b[3] - b[1] for b in boxes if b[3] > b[1]]
    size = statistics.median(heights or widths or [10.0])
    ordered = _in_reading_order(chars, size)
    return _Line(text="".join(ch for ch, _ in ordered).strip(), left=min(b[0] for b in boxes),
                 right=max(b[2] for b in boxes), top=max(b[3] for b in boxes), bottom=min(b[1] for b in boxes),
                 size=size, chars=tuple(ordered))


def _in_reading_order(chars: list[tuple[str, _Box]], size: float) -> list[tuple[str, _Box]]:
    """The line's characters left to right.

    PDFium gives them in content-stream order, which is reading order unless a
    producer drew some characters in a second pass: LibreOffice draws the
    curly quotes of CJK text in another font after the line, so “十四五” comes
    out as 十四五 with “” at the end. Spaces stay behind the character before them.
    """
    lefts = [box[0] for ch, box in chars if not ch.isspace()]
    if all(b >= a - _BACKWARDS * size for a, b in itertools.pairwise(lefts)):
        return chars
    keyed = []
    key = -math.inf
    for char in chars:
        if not char[0].isspace():
            key = char[1][0]
        keyed.append((key, char))
    return [char for _, char in sorted(keyed, key=lambda kv: kv[0])]


# --- ruled tables --------------------------------------------------------------------------------


def _has_rules(page: Any) -> bool:
    """Whether the page's vector graphics could rule a table: strokes both ways."""
    import pypdfium2.raw as raw

    horizontal = vertical = 0
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH]):
        left, bottom, right, top = obj.get_bounds()
        width, height = right - left, top - bottom
        if height <= _THIN and width > 4 * _THIN:
            horizontal += 1
        elif width <= _THIN and height > 2 * _THIN:
            vertical += 1
        elif width > 4 * _THIN and height > 2 * _THIN:
            # A rectangle (a cell's border) or a path drawing several rules at once.
            horizontal += 2
            vertical += 2
        if horizontal >= _MIN_RULES and vertical >= _MIN_RULES:
            return True
    return False


def _add_tables(data: bytes, name: str, pages: list[_Page], numbers: list[int]) -> list[str]:
    """Ruled tables on pages `numbers`, found by pdfplumber, in place of the lines inside them.

    pdfplumber gives the structure (rows, cells and their boxes); the text of
    each cell is PDFium's characters inside its box, the same text layer as the
    rest of the page (pdfminer cannot map some CJK fonts and gives "(cid:123)").
    Returns warnings for pages whose tables could not be read.
    """
    try:
        import pdfplumber
    except ImportError:
        raise missing_extra(name, "PDF tables", "pdfplumber", "pdf") from None
    failed: list[int] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number in numbers:
            page = pages[number - 1]
            try:
                found_tables = pdf.pages[number - 1].find_tables()
            except Exception:  # pdfminer raises many kinds on odd content streams; the lines stay as they are
                failed.append(number)
                continue
            lines = [it for it in page.items if isinstance(it, _Line)]
            for found in found_tables:
                if len(found.columns) < 2:
                    continue
                x0, top, x1, bottom = found.bbox
                rows = [[_cell_text(lines, page.height, cell) if cell else "" for cell in row.cells]
                        for row in found.rows]
                table = _Table(rows=rows, top=page.height - top, bottom=page.height - bottom,
                               columns=sorted({round(c.bbox[0]) for c in found.columns} | {round(x1)}))
                page.items = [it for it in page.items
                              if not (isinstance(it, _Line) and _within(it, x0, x1, table))]
                page.items.append(table)
            page.items.sort(key=lambda it: -it.top)
    if not failed:
        return []
    which = f"page {failed[0]}" if len(failed) == 1 else "pages " + ", ".join(map(str, failed))
    return [f"{name}: {which}: tables could not be read (pdfplumber failed); their rows are kept as lines"]


def _cell_text(lines: list[_Line], height: float, cell: tuple[float, float, float, float]) -> str:
    """The characters inside a cell's box (pdfplumber's coordinates: y grows downwards), line by line.

    Lines are rebuilt from the characters' positions: in a table PDFium's own
    lines may run across cells and mix the lines of neighbouring cells.
    """
    x0, top, x1, bottom = cell
    y_top, y_bottom = height - top, height - bottom
    inside = [(ch, box) for line in lines if not (line.bottom > y_top or line.top < y_bottom)
              for ch, box in line.chars
              if x0 <= (box[0] + box[2]) / 2 <= x1 and y_bottom <= (box[1] + box[3]) / 2 <= y_top]
    inside.sort(key=lambda c: -(c[1][1] + c[1][3]) / 2)
    rows: list[list[tuple[str, _Box]]] = []
    row_middle = math.inf
    for ch, box in inside:
        middle, half_height = (box[1] + box[3]) / 2, max(box[3] - box[1], 1.0) / 2
        if middle < row_middle - half_height:
            rows.append([])
            row_middle = middle
        rows[-1].append((ch, box))
    return cell_text("".join(ch for ch, _ in sorted(row, key=lambda c: c[1][0])) for row in rows)


def _within(line: _Line, x0: float, x1: float, table: _Table) -> bool:
    middle_y = (line.top + line.bottom) / 2
    middle_x = (line.left + line.right) / 2
    return table.bottom <= middle_y <= table.top and x0 <= middle_x <= x1


# --- running headers, footers and page numbers ---------------------------------------------------


def _drop_running_lines(pages: list[_Page]) -> None:
    def key(line: _Line) -> str:
        return _RE_DIGITS.sub("#", "".join(line.text.split()))

    def in_margin(line: _Line, page: _Page) -> bool:
        return line.bottom >= page.height * (1 - _MARGIN_SHARE) or line.top <= page.height * _MARGIN_SHARE

    seen: Counter[str] = Counter()
    for page in pages:
        seen.update({key(it) for it in page.items if isinstance(it, _Line) and in_margin(it, page)})
    with_text = sum(1 for p in pages if p.items)
    running = {k for k, n in seen.items() if n >= 2 and n >= _RUNNING_SHARE * with_text}
    for page in pages:
        page.items = [it for it in page.items
                      if not (isinstance(it, _Line) and in_margin(it, page)
                              and (key(it) in running or _RE_PAGE_NUMBER.match(it.text)))]


# --- lines into paragraphs, tables into rows -----------------------------------------------------


def _assemble(pages: list[_Page]) -> str:
    lines = [it for p in pages for it in p.items if isinstance(it, _Line)]
    left = _left_margin(lines)
    right = max((ln.right for ln in lines), default=0.0)
    out: list[str] = []
    paragraph: list[str] = []
    previous: _Line | None = None
    last_table: _Table | None = None

    def flush() -> None:
        if paragraph:
            out.append(join_broken(paragraph))
            paragraph.clear()

    for page in pages:
        for item in page.items:
            if isinstance(item, _Table):
                flush()
                previous = None
                rows = item.rows
                if last_table is not None and out and out[-1] is _TABLE_END:
                    rows = _continue_table(last_table, item, out)
                out.extend(table_row(r) for r in rows if table_row(r))
                out.append(_TABLE_END)
                last_table = item
                continue
            if previous is not None and _continues(previous, item, left, right):
                paragraph.append(item.text)
            else:
                flush()
                paragraph.append(item.text)
            if out and out[-1] is _TABLE_END:
                out.pop()
                last_table = None
            previous = item
    flush()
    text_lines = [line for line in out if line is not _TABLE_END]
    return "\n".join(text_lines) + "\n" if text_lines else ""


# Marks the end of a table in the output list until text follows it: a table
# right after another one (across a page end) may continue it.
_TABLE_END = "\x00table-end"


def _continues(previous: _Line, line: _Line, left: float, right: float) -> bool:
    """Whether `line` goes on with `previous`'s paragraph.

    It does when the first word of `line` would not have fitted after
    `previous` (so layout broke the line there) and `line` is not indented
    (a first-line indent starts a paragraph).
    """
    size = max(previous.size, line.size, 1.0)
    word = _RE_FIRST_WORD.match(line.text)
    # Latin letters and digits are a half to two thirds as wide as a CJK character; the wider
    # estimate errs towards joining, which a first-line indent still stops.
    width = sum(size * (_LATIN_WIDTH if ch.isascii() else 1.0) for ch in word[0]) if word and word[0] else size
    full = previous.right + width > right - _FULL_LINE_SLACK * size
    indented = line.left > left + _INDENT * size
    return full and not indented


def _continue_table(before: _Table, table: _Table, out: list[str]) -> list[list[str]]:
    """Rows of `table` (top of a page) after `before` (end of the previous page), a split row merged back.

    A table going on after a page end has the same columns. A header row
    repeated on the new page is dropped. Its first row continues the last row
    of the page before when its first cell is empty (a new row has its number
    or name there, or lies under a merged cell) and each of its filled cells
    goes on with a filled cell above, mid-sentence rather than with a new
    numbered item.
    """
    rows = table.rows
    if not _same_columns(before.columns, table.columns) or not rows:
        return rows
    if before.rows and rows[0] == before.rows[0] and len(rows) > 1:
        rows = rows[1:]
    out.pop()  # the table-end mark: these rows go on with the table above
    last = _last_row(before)
    first = rows[0]
    if last is None or len(first) != len(last):
        return rows
    filled = [i for i, cell in enumerate(first) if cell]
    if (filled and not first[0] and all(last[i] and not _RE_ITEM_START.match(first[i]) for i in filled)
            and any(last[i][-1] not in _SENTENCE_END for i in filled)):
        merged = [join_broken([a, b]) for a, b in zip(last, first, strict=True)]
        out[-1] = table_row(merged)
        before.rows[-1] = merged
        return rows[1:]
    return rows


def _last_row(table: _Table) -> list[str] | None:
    for row in reversed(table.rows):
        if any(row):
            return row
    return None


def _same_columns(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= 2 for x, y in zip(a, b, strict=True))


def _left_margin(lines: list[_Line]) -> float:
    """Where unindented lines start: the leftmost start shared by two lines or more.

    Not the most common start: in a plan of one-line paragraphs most lines are
    first lines, indented.
    """
    counts = Counter(round(ln.left) for ln in lines)
    shared = [x for x, n in counts.items() if n >= 2]
    return float(min(shared or counts or [0]))
