"""Word .docx: python-docx, the body walked in order, tables as TAB-separated rows.

python-docx (MIT, pure Python over lxml) reads the document XML as Word wrote
it, without rendering: paragraphs and tables come in body order from
`iter_inner_content`. `row.cells` repeats a merged cell once per grid column
and row it covers, so rows are read from their `w:tc` elements instead: a
vertically merged continuation cell (`vMerge` without `restart`) is an empty
cell, and a cell spanning several grid columns is followed by empty cells, so
no cell text is duplicated and columns stay aligned.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from ecoplan.errors import ReadError
from ecoplan.readers import Extracted, missing_extra, version_of
from ecoplan.readers.layout import cell_text, table_row


def read(data: bytes, name: str) -> Extracted:
    try:
        import docx
    except ImportError:
        raise missing_extra(name, "Word .docx", "python-docx", "docx") from None
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, EOFError):
        raise ReadError(f"{name}: damaged or truncated .docx (not a complete zip archive)") from None
    except (PackageNotFoundError, KeyError):
        raise ReadError(f"{name}: not a Word .docx (no main document part)") from None
    except Exception as exc:  # lxml and python-docx raise many kinds for broken XML
        raise ReadError(f"{name}: damaged .docx ({type(exc).__name__}: {exc})") from None
    lines = list(_body_lines(document))
    text = "\n".join(lines) + "\n" if lines else ""
    if not text.strip():
        raise ReadError(f"{name}: the .docx has no text in its body")
    return Extracted(text=text, reader="python-docx", reader_version=version_of("python-docx"))


def _body_lines(container: Any) -> Any:
    from docx.table import Table

    for block in container.iter_inner_content():
        if isinstance(block, Table):
            yield from _table_lines(block)
        else:
            # A TAB in a paragraph aligns text (a signature, a date); as a cell separator it would make a table.
            for part in block.text.replace("\t", " ").splitlines():
                if part.strip():
                    yield part.strip()


def _table_lines(table: Any) -> Any:
    from docx.table import _Cell

    rows = table._tbl.tr_lst
    columns = max((sum(tc.grid_span for tc in tr.tc_lst) for tr in rows), default=0)
    if columns <= 1:
        # A one-column table is a frame around paragraphs (a boxed note), not a table of items.
        for tr in rows:
            for tc in tr.tc_lst:
                yield from _body_lines(_Cell(tc, table))
        return
    for tr in rows:
        cells: list[str] = [""] * tr.grid_before  # a row starting right of the first grid column
        for tc in tr.tc_lst:
            if tc.vMerge == "continue":
                cells.append("")  # the text stands in the first cell of the merge, above
            else:
                cells.append(cell_text(_cell_lines(_Cell(tc, table))))
            cells.extend([""] * (tc.grid_span - 1))
        row = table_row(cells)
        if row:
            yield row


def _cell_lines(cell: Any) -> Any:
    """A cell's paragraphs, and the text of tables nested in it, in order."""
    from docx.table import Table

    for block in cell.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                for inner in row.cells:
                    yield from _cell_lines(inner)
        else:
            yield block.text
