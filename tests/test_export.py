"""`ecoplan export` and the review pages' HTML: tables that read back as the JSON outputs, batches, bad inputs."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from ecoplan.documents import SectionLocator, flatten_sections
from ecoplan.export import DOCUMENT_COLUMNS, new_tables
from ecoplan.review import Item, segments
from ecoplan.schema import Plan

# Table -> the output list its rows come from.
ITEM_TABLES = {"targets": "targets", "deadlines": "deadlines", "departments": "departments", "tasks": "tasks",
               "percentages": "percentages"}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def read_xlsx(path: Path) -> dict[str, list[list[Any]]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}
    finally:
        book.close()


def as_cell(value: Any) -> Any:
    """A JSON value as the tables write it."""
    if isinstance(value, list):
        return "、".join(value)
    return value


def csv_equals(text: str, value: Any) -> bool:
    """A CSV cell read back equals the JSON value: numbers by value, missing as empty."""
    if value is None:
        return text == ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return text == str(as_cell(value))
    return float(text) == value and (isinstance(value, float) or text == str(value))


@pytest.fixture
def seed_outputs(cli, seed_paths: list[Path], tmp_path: Path) -> list[Path]:
    out = tmp_path / "out"
    result = cli("parse", *seed_paths, "--format", "json", "-o", out, "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    return sorted(out.glob("*.json"))


def test_csv_tables_read_back_as_the_json_values(cli, seed_outputs: list[Path], tmp_path: Path) -> None:
    result = cli("export", *seed_outputs, "-o", tmp_path / "tables")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == sorted(f"{t}.csv" for t in new_tables())
    outputs = {(d := json.loads(p.read_text(encoding="utf-8")))["source"]["path"]: d for p in seed_outputs}
    checked = 0
    for table, key in ITEM_TABLES.items():
        rows = read_csv(tmp_path / "tables" / f"{table}.csv")
        assert len(rows) == sum(len(d[key]) for d in outputs.values()), table
        for row in rows:
            data = outputs[row["document"]]
            item = data[key][int(row["index"])]
            assert row["document_title"] == data["meta"]["title"]
            assert csv_equals(row["year"], data["meta"]["year"])
            assert [int(row["span_start"]), int(row["span_end"])] == item["span"]
            assert int(row["line"]) == item["line"]
            for name, value in item.items():
                if name not in ("span", "line"):
                    assert csv_equals(row[name], value), (table, name, row[name], value)
                    checked += 1
    assert checked > 100
    long_rows = read_csv(tmp_path / "tables" / "task_departments.csv")
    assert len(long_rows) == sum(len(t["lead"]) + len(t["support"]) for d in outputs.values() for t in d["tasks"])
    for row in long_rows:
        task = outputs[row["document"]]["tasks"][int(row["task_index"])]
        assert task[row["role"]][int(row["position"]) - 1] == row["department"]


def test_section_path_names_the_markers_from_the_top(synthetic_output: tuple[Path, Path], cli,
                                                     tmp_path: Path) -> None:
    output, _ = synthetic_output
    assert cli("export", output, "-o", tmp_path / "t").exit_code == 0
    sections = {r["indicator"]: r["section"] for r in read_csv(tmp_path / "t" / "targets.csv")}
    assert sections == {"细颗粒物浓度": "一、", "优良天数比率": "二、 > （一）"}
    paths = [r["section"] for r in read_csv(tmp_path / "t" / "sections.csv")]
    assert paths == ["一、", "二、", "二、 > （一）"]


def test_a_section_owns_its_body_and_its_childrens_gaps_but_not_what_follows_it() -> None:
    plan = Plan.model_validate({
        "source": {"path": None, "sha256": "0" * 64, "encoding": "utf-8"}, "meta": {},
        "sections": [{"marker": "一、", "style": "cn-dun", "number": 1, "level": 1, "title": "a", "text": "",
                      "line": 1, "span": [0, 10], "children": [
                          {"marker": "（一）", "style": "cn-paren", "number": 1, "level": 2, "title": "b",
                           "text": "", "line": 2, "span": [12, 20]}]}]})
    locate = SectionLocator(flatten_sections(plan))
    assert [locate.path(n) for n in (0, 9, 10, 12, 19, 20, 30)] == ["一、", "一、", "一、", "一、 > （一）",
                                                                    "一、 > （一）", "", ""]


def test_xlsx_gives_the_csv_rows_typed_and_the_same_bytes_each_time(cli, synthetic_output: tuple[Path, Path],
                                                                    seed_outputs: list[Path],
                                                                    tmp_path: Path) -> None:
    output, _ = synthetic_output
    inputs = [*seed_outputs, output]
    assert cli("export", *inputs, "-o", tmp_path / "csv").exit_code == 0
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    for path in (first, second):
        result = cli("export", *inputs, "-o", path, "--format", "xlsx")
        assert result.exit_code == 0, result.stderr
    assert first.read_bytes() == second.read_bytes()
    sheets = read_xlsx(first)
    assert list(sheets) == list(new_tables())
    for name, rows in sheets.items():
        with (tmp_path / "csv" / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
            csv_rows = list(csv.reader(fh))
        assert rows[0] == csv_rows[0]
        assert len(rows) == len(csv_rows), name
        for got, want in zip(rows[1:], csv_rows[1:], strict=True):
            for cell, text in zip(got, want, strict=True):
                if cell is None:
                    assert text == ""
                elif isinstance(cell, (int, float)):
                    assert float(text) == cell
                else:
                    assert cell == text
        header = rows[0]
        for row in rows[1:]:
            for column in ("line", "span_start", "span_end", "year"):
                if column in header and row[header.index(column)] is not None:
                    assert isinstance(row[header.index(column)], int), (name, column)
    formula_text = next(r for r in sheets["targets"][1:] if r[-1].startswith("="))[-1]
    assert formula_text.startswith('=HYPERLINK("')
    book = openpyxl.load_workbook(first)
    cell = next(c for row in book["targets"].iter_rows() for c in row if c.value == formula_text)
    assert cell.data_type == "s"  # a string cell, not a formula
    assert book["targets"].freeze_panes == "A2"
    assert book["targets"].auto_filter.ref.startswith("A1:")


def test_a_text_starting_with_equals_stays_a_string_in_csv(cli, synthetic_output: tuple[Path, Path],
                                                          tmp_path: Path) -> None:
    output, _ = synthetic_output
    assert cli("export", output, "-o", tmp_path).exit_code == 0
    (row, _) = read_csv(tmp_path / "targets.csv")
    assert row["text"].startswith('=HYPERLINK("') and row["value"] == "30.0" and row["year"] == "2030"


def test_excel_flag_adds_a_bom_and_nothing_else(cli, synthetic_output: tuple[Path, Path], tmp_path: Path) -> None:
    output, _ = synthetic_output
    assert cli("export", output, "-o", tmp_path / "plain").exit_code == 0
    assert cli("export", output, "-o", tmp_path / "excel", "--excel").exit_code == 0
    plain = (tmp_path / "plain" / "tasks.csv").read_bytes()
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert (tmp_path / "excel" / "tasks.csv").read_bytes() == b"\xef\xbb\xbf" + plain
    assert plain.decode("utf-8").splitlines()[0].split(",")[: len(DOCUMENT_COLUMNS)] == DOCUMENT_COLUMNS


def test_plan_texts_and_folders_are_parsed_first(cli, seed_paths: list[Path], seed_outputs: list[Path],
                                                 tmp_path: Path) -> None:
    from_texts, from_outputs = tmp_path / "texts", tmp_path / "outputs"
    assert cli("export", seed_paths[0].parent, "-o", from_texts).exit_code == 0
    assert cli("export", seed_outputs[0].parent, "-o", from_outputs).exit_code == 0
    for table in new_tables():
        assert read_csv(from_texts / f"{table}.csv") == read_csv(from_outputs / f"{table}.csv"), table


@pytest.mark.parametrize("command", ["export", "review"])
def test_bad_inputs_are_one_line_errors_and_the_batch_goes_on(cli, command: str,
                                                             synthetic_output: tuple[Path, Path],
                                                             tmp_path: Path) -> None:
    output, _ = synthetic_output
    not_ours = tmp_path / "other.json"
    not_ours.write_text('{"name": "something else"}', encoding="utf-8")
    invalid = tmp_path / "invalid.json"
    data = json.loads(output.read_text(encoding="utf-8"))
    data["targets"][0]["value"] = "thirty"
    invalid.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    out = tmp_path / "out"
    result = cli(command, not_ours, invalid, broken, output, "-o", out)
    assert result.exit_code == 1
    errors = result.stderr.strip().splitlines()
    assert errors[0] == f"ecoplan: {not_ours}: not an ecoplan output (no meta and source keys)"
    assert errors[1].startswith(f"ecoplan: {invalid}: fails validation: targets[0].value")
    assert errors[2].startswith(f"ecoplan: {broken}: not an ecoplan output (not valid JSON")
    assert errors[3] == f"ecoplan: 1 {'exported' if command == 'export' else 'reviewed'}, 3 failed"
    assert "Exporting" not in result.stderr and "Reviewing" not in result.stderr  # no progress bar off a terminal
    assert (out / ("targets.csv" if command == "export" else "plan.html")).is_file()


def test_a_plan_text_export_never_loads_xlsxwriter(plan_file: Path, tmp_path: Path) -> None:
    code = ("import sys; from ecoplan.commands import main\n"
            "try:\n    main(['export', sys.argv[1], '-o', sys.argv[2]])\nexcept SystemExit:\n    pass\n"
            "try:\n    main(['parse', sys.argv[1], '-o', sys.argv[3]])\nexcept SystemExit:\n    pass\n"
            "print('xlsxwriter' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(plan_file), str(tmp_path / "t"), str(tmp_path / "p.yaml")],
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
    assert (tmp_path / "t" / "targets.csv").is_file() and (tmp_path / "p.yaml").is_file()


# --- review pages without a browser -------------------------------------------------------------------


def _item(item_id: str, start: int, end: int) -> Item:
    return Item(item_id, "target", 0, start, end, 1, "", [], [], True)


def test_segments_are_flat_and_carry_every_covering_item() -> None:
    spans = {"a": (2, 10), "b": (5, 15), "c": (5, 7), "d": (15, 18), "e": (0, 20)}
    cut = segments(20, [_item(i, *s) for i, s in spans.items()], anchors=[12])
    assert [(s.start, s.end) for s in cut] == [(0, 2), (2, 5), (5, 7), (7, 10), (10, 12), (12, 15), (15, 18),
                                               (18, 20)]
    for seg in cut:
        assert set(seg.ids) == {i for i, (start, end) in spans.items() if start <= seg.start and seg.end <= end}
    assert cut[2].ids == ("c", "a", "b", "e")  # shortest first: the most specific item leads


def test_review_page_escapes_text_and_allows_only_its_own_inline_code(cli, synthetic_output: tuple[Path, Path],
                                                                      tmp_path: Path) -> None:
    output, _ = synthetic_output
    assert cli("review", output, "-o", tmp_path / "r").exit_code == 0
    page = (tmp_path / "r" / "plan.html").read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "市发展改革委&lt;b&gt;" in page and "<b>；" not in page
    assert "&#13;" in page  # CR kept through the HTML parser
    csp = page.split('http-equiv="Content-Security-Policy" content="')[1].split('"')[0]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp and "script-src 'sha256-" in csp
    assert "http://" not in page.replace("http://example.invalid", "")  # nothing fetched from anywhere
    assert "<script src" not in page and "<link" not in page


def test_review_without_the_source_lists_every_item_as_not_placed(cli, synthetic_output: tuple[Path, Path],
                                                                  tmp_path: Path) -> None:
    output, source = synthetic_output
    source.unlink()
    result = cli("review", output, "-o", tmp_path / "r")
    assert result.exit_code == 0
    assert "source text not found" in result.stderr
    page = (tmp_path / "r" / "plan.html").read_text(encoding="utf-8")
    assert page.count('<li id="u-') == 2 + 2 + 3 + 1 + 1
    assert 'class="hl' not in page
    index = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert 'href="plan.html"' in index
