"""Flat tables across a batch of plans, one per kind of item, as CSV files or one Excel workbook.

Every row names its document (path, title, region, year), the item's position
in its list (`index`, as in `targets[3]`), its section path (`二、 > （一）`),
line and span, then the item's own fields in the schema's order with the
values of the JSON output: numbers stay numbers, a list of names is joined
with `、`, a missing value is an empty cell. Columns come from the pydantic
models, so a field added to the schema becomes a column by itself.

xlsxwriter is imported only when a workbook is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ecoplan.documents import SectionLocator, flatten_sections
from ecoplan.schema import Deadline, Department, Percentage, Section, Target, Task
from ecoplan.schema.models import Plan

Cell = str | int | float | None

NAME_JOINER = "、"
DOCUMENT_COLUMNS = ["document", "document_title", "region", "year"]
PLACE_COLUMNS = ["section", "line", "span_start", "span_end"]
# Fields that are columns of their own (place) or not a cell at all (the subtree).
_NOT_FIELD_COLUMNS = frozenset({"line", "span", "children"})
# Excel's limit on the characters of one cell; longer section bodies are cut in the workbook only.
XLSX_CELL_LIMIT = 32767
# Same input, same bytes: the workbook's creation date is fixed, not the time of the run.
XLSX_CREATED = dt.datetime(2000, 1, 1)


def _fields(model: type[Any]) -> list[str]:
    return [name for name in model.model_fields if name not in _NOT_FIELD_COLUMNS]


@dataclass
class Table:
    name: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


def _cell(value: Any) -> Cell:
    if isinstance(value, list):
        return NAME_JOINER.join(str(v) for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    if value is None or isinstance(value, (str, int, float)):
        return value
    return str(value)


def new_tables() -> dict[str, Table]:
    """The empty tables, in the order they are written."""
    place = ["index", *PLACE_COLUMNS]
    return {
        "targets": Table("targets", [*DOCUMENT_COLUMNS, *place, *_fields(Target)]),
        "deadlines": Table("deadlines", [*DOCUMENT_COLUMNS, *place, *_fields(Deadline)]),
        "departments": Table("departments", [*DOCUMENT_COLUMNS, *place, *_fields(Department)]),
        "tasks": Table("tasks", [*DOCUMENT_COLUMNS, *place, *_fields(Task)]),
        "task_departments": Table("task_departments", [*DOCUMENT_COLUMNS, "task_index", *PLACE_COLUMNS,
                                                       "role", "position", "department", "task"]),
        "sections": Table("sections", [*DOCUMENT_COLUMNS, *place, *_fields(Section)]),
        "percentages": Table("percentages", [*DOCUMENT_COLUMNS, *place, *_fields(Percentage)]),
    }


def add_plan(tables: dict[str, Table], plan: Plan, document: str) -> None:
    """Append one plan's rows to every table."""
    data = plan.model_dump(mode="json")  # the values exactly as the JSON output has them
    meta = data["meta"]
    doc: list[Cell] = [document, meta.get("title"), meta.get("region"), meta.get("year")]
    flat = flatten_sections(plan)
    locate = SectionLocator(flat)

    def place(item: dict[str, Any]) -> list[Cell]:
        start, end = item["span"]
        return [locate.path(start), item["line"], start, end]

    for key in ("targets", "deadlines", "departments", "tasks", "percentages"):
        table = tables[key]
        names = table.columns[len(DOCUMENT_COLUMNS) + 1 + len(PLACE_COLUMNS):]
        for n, item in enumerate(data[key]):
            table.rows.append([*doc, n, *place(item), *(_cell(item.get(name)) for name in names)])
    for n, task in enumerate(data["tasks"]):
        for role in ("lead", "support"):
            for position, department in enumerate(task[role], 1):
                tables["task_departments"].rows.append(
                    [*doc, n, *place(task), role, position, department, task["text"]])
    section_names = tables["sections"].columns[len(DOCUMENT_COLUMNS) + 1 + len(PLACE_COLUMNS):]
    dumped_sections = _flat_dumped(data["sections"])
    for item, dumped in zip(flat, dumped_sections, strict=True):
        start, end = item.section.span
        tables["sections"].rows.append([*doc, item.index, " > ".join(item.path), item.section.line, start, end,
                                        *(_cell(dumped.get(name)) for name in section_names)])


def _flat_dumped(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for sec in sections:
        out.append(sec)
        out += _flat_dumped(sec["children"])
    return out


# --- CSV -------------------------------------------------------------------------------------------


def _csv_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float):
        return repr(cell)  # as JSON writes it: 88.9, 30.0
    return str(cell)


def write_csv(table: Table, fh: TextIO, bom: bool = False) -> None:
    """One table as CSV (RFC 4180: CRLF rows, quotes where needed); `bom` for Excel."""
    if bom:
        fh.write("\ufeff")
    writer = csv.writer(fh, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_csv_text(c) for c in row])


def csv_writer(table: Table, bom: bool) -> Callable[[TextIO], None]:
    return lambda fh: write_csv(table, fh, bom)


# --- Excel -----------------------------------------------------------------------------------------


def xlsx_bytes(tables: Iterable[Table]) -> bytes:
    """A workbook with one sheet per table: frozen header, autofilter, every string as text."""
    import xlsxwriter

    buffer = io.BytesIO()
    # No formulas and no links from the plan's text: a clause starting with `=` stays text.
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False})
    workbook.set_properties({"created": XLSX_CREATED, "title": "ecoplan export"})
    header = workbook.add_format({"bold": True, "bg_color": "#EEEEEE", "bottom": 1})
    for table in tables:
        sheet = workbook.add_worksheet(table.name[:31])
        sheet.write_row(0, 0, table.columns, header)
        widths = [min(60, max(8, _display_width(c) + 2)) for c in table.columns]
        for r, row in enumerate(table.rows, 1):
            for c, cell in enumerate(row):
                if cell is None:
                    continue
                if isinstance(cell, (int, float)):
                    sheet.write_number(r, c, cell)
                else:
                    sheet.write_string(r, c, cell[:XLSX_CELL_LIMIT])
                if r <= 200:  # widths from the first rows are enough to read the sheet
                    widths[c] = min(60, max(widths[c], _display_width(str(cell)) + 2))
        for c, width in enumerate(widths):
            sheet.set_column(c, c, width)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(table.rows), 1), len(table.columns) - 1)
    workbook.close()
    return buffer.getvalue()


def _display_width(text: str) -> int:
    # A CJK character takes about two Latin columns.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text[:80])


def xlsx_path(output: str) -> Path:
    """-o for a workbook: a file, or a folder to hold ecoplan.xlsx."""
    path = Path(output)
    return path / "ecoplan.xlsx" if path.is_dir() else path


# --- the command -------------------------------------------------------------------------------------


def run(inputs: tuple[str, ...], output: str, fmt: str, bom: bool) -> int:
    """`ecoplan export`: load the batch, write the tables; returns the exit status."""
    import click

    from ecoplan.documents import Batch
    from ecoplan.errors import EcoplanError
    from ecoplan.writing import write_atomic

    if fmt == "xlsx":
        import importlib.util

        if importlib.util.find_spec("xlsxwriter") is None:
            raise click.UsageError("--format xlsx needs xlsxwriter: pip install 'ecoplan[xlsx]'")
        target = xlsx_path(output)
        if not target.parent.is_dir():
            raise click.UsageError(f"-o {output}: no such directory {target.parent}")
    else:
        out_dir = Path(output)
        if out_dir.exists() and not out_dir.is_dir():
            raise click.UsageError(f"-o {output}: CSV tables go into a directory, and this is a file")
    tables = new_tables()
    batch = Batch(inputs, "Exporting")
    for doc in batch:
        add_plan(tables, doc.plan, doc.plan.source.path or doc.name)
    status = 1 if batch.failed else 0
    if batch.loaded:
        try:
            if fmt == "xlsx":
                data = xlsx_bytes(tables.values())
                write_atomic(target, lambda fh: fh.buffer.write(data))
            else:
                out_dir.mkdir(parents=True, exist_ok=True)
                for table in tables.values():
                    write_atomic(out_dir / f"{table.name}.csv", csv_writer(table, bom))
        except (EcoplanError, OSError) as exc:
            click.echo(f"ecoplan: {exc}", err=True)
            status = 1
    summary = batch.summary("exported")
    if summary:
        click.echo(f"ecoplan: {summary}", err=True)
    return status
