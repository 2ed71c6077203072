"""The `ecoplan` command line: one click group; thin wiring over the library.

Conventions for every command: data on stdout and nothing else; messages on
stderr as `ecoplan: ...`; exit 0 success, 1 a failed input or invalid output,
2 a usage error; never a traceback (set ECOPLAN_DEBUG=1 to see one). Heavy
modules (pydantic, the parsers) are imported inside commands so that `--help`
and usage errors stay fast.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click

from ecoplan.errors import EcoplanError

F = TypeVar("F", bound=Callable[..., Any])


class _Group(click.Group):
    """Turns anything unexpected into a one-line error instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("ecoplan: interrupted", err=True)
            ctx.exit(130)
        except EcoplanError as exc:
            raise click.ClickException(str(exc)) from None
        except Exception as exc:
            if os.environ.get("ECOPLAN_DEBUG"):
                raise
            raise click.ClickException(
                f"internal error ({type(exc).__name__}: {exc}); rerun with ECOPLAN_DEBUG=1 for details"
            ) from None


@click.group("ecoplan", cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ecoplan")
def main() -> None:
    """Parse Chinese government plan documents (工作计划, 工作要点, 实施方案,
    措施清单) into structured, traceable YAML or JSON.

    \b
    ecoplan parse plan.txt                  YAML on stdout
    ecoplan parse data/raw -o data/out      every *.txt file, one output each
    ecoplan validate data/out/*.yaml        check outputs before loading them
    ecoplan text plan.pdf                   the extracted text that spans index
    ecoplan schema > plan.schema.json       the JSON Schema of the output
    ecoplan export data/out -o tables       one CSV per kind of item (or --format xlsx)
    ecoplan review data/raw -o review       HTML pages with every item in its text

    Exit status: 0 success, 1 some input failed or some output is invalid,
    2 usage error.
    """


# --- shared options ------------------------------------------------------------------------------


def _inputs() -> Callable[[F], F]:
    return click.argument("inputs", nargs=-1, required=True, metavar="FILE...")


def _format_option(choices: list[str], default: str, help_text: str) -> Callable[[F], F]:
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help=help_text)


def _stdout_write(content: str | Callable[[TextIO], None]) -> None:
    """UTF-8 on stdout whatever the locale says, in order with other output.

    `content` is the text, or a function that writes it into a text stream.
    """
    sys.stdout.flush()
    out = getattr(sys.stdout, "buffer", None)
    if out is None:  # a text-only stream (some embedders): it decides the encoding
        sys.stdout.write(content) if isinstance(content, str) else content(sys.stdout)
        sys.stdout.flush()
        return
    if isinstance(content, str):
        out.write(content.encode("utf-8"))
    else:
        fh = io.TextIOWrapper(out, encoding="utf-8", newline="\n")
        try:
            content(fh)
            fh.flush()
        finally:
            fh.detach()  # leaves sys.stdout's buffer open
    out.flush()


def _error(message: str) -> None:
    click.echo(f"ecoplan: {message}", err=True)


# --- parse ---------------------------------------------------------------------------------------


@main.command()
@_inputs()
@click.option("-o", "--output", metavar="PATH",
              help="Output file for one input, or directory for several (DIR/<stem>.<ext>). Default: stdout.")
@_format_option(["yaml", "json", "jsonl"], "yaml",
                "yaml or json (one document per file), or jsonl (one compact JSON line per input).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Parse in N processes (default: the number of CPU cores; 1 = in this process).")
def parse(inputs: tuple[str, ...], output: str | None, fmt: str, jobs: int | None) -> None:
    """Parse plan text FILEs into YAML, JSON or JSON Lines.

    FILE may be a file, a directory (all its plan files), a glob such as
    'plans/*.txt', or - for stdin. Text may be UTF-8 (with or without BOM),
    UTF-16 with BOM, or GB18030/GBK. PDF, Word (.docx; .doc and .wps with
    LibreOffice) and web pages are read too, recognised by content; spans
    then index the extracted text, which `ecoplan text FILE` prints.

    One input is written to stdout, or to -o FILE. Several inputs need -o DIR
    and each becomes DIR/<stem>.yaml (or .json). With --format jsonl all
    inputs stream to stdout (or -o FILE), one JSON object per line.

    A file that cannot be read or parsed is reported on stderr and the run
    goes on; the exit status is then 1. Output files are written atomically:
    an interrupted run leaves complete files or none, never a partial one.
    """
    from ecoplan.batch import Input, expand_inputs, run
    from ecoplan.reading import STDIN
    from ecoplan.writing import EXTENSIONS, write_atomic, write_data

    items, batch = expand_inputs(inputs)
    if sum(1 for i in items if i.path == STDIN) > 1:
        raise click.UsageError("- (stdin) can be given only once")
    to_stdout = output is None or output == "-"
    out_dir: Path | None = None
    if fmt == "jsonl":
        if not to_stdout and Path(output).is_dir():  # type: ignore[arg-type]
            raise click.UsageError(f"-o {output}: --format jsonl writes one file, not a directory")
    elif batch or (not to_stdout and Path(output).is_dir()):  # type: ignore[arg-type]
        if to_stdout:
            raise click.UsageError("several inputs need -o DIR (or use --format jsonl to stream to stdout)")
        out_dir = Path(output)  # type: ignore[arg-type]
        if out_dir.exists() and not out_dir.is_dir():
            raise click.UsageError(f"-o {output}: not a directory, and several inputs need one")

    targets: dict[int, Path] = {}
    if out_dir is not None:
        seen: dict[Path, str] = {}
        for n, item in enumerate(items):
            target = out_dir / (item.stem + EXTENSIONS[fmt])
            if item.error is None and target in seen:
                items[n] = Input(item.path, error=f"{item.name}: would overwrite {target} from {seen[target]}")
            seen.setdefault(target, item.name)
            targets[n] = target
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise click.UsageError(f"-o {output}: cannot create directory ({exc.strerror or exc})") from None

    stdin_data = sys.stdin.buffer.read() if any(i.path == STDIN for i in items) else None
    jobs = jobs or os.cpu_count() or 1
    parsed = failed = 0
    jsonl_lines: list[str] = []
    show_progress = batch and len(items) > 1 and sys.stderr.isatty()
    with click.progressbar(length=len(items), label="Parsing", file=sys.stderr,
                           hidden=not show_progress) as bar:
        # yaml and json outputs converted in this process are streamed from the
        # dumped Plan (result.data) to their file, never held whole in memory.
        for n, result in enumerate(run(items, fmt, jobs, stdin_data, stream=fmt != "jsonl")):
            bar.update(1)
            if not result.ok:
                failed += 1
                _error(result.text)
                continue
            content: str | Callable[[TextIO], None] = (
                result.text if result.data is None else partial(write_data, data=result.data, fmt=fmt))
            try:
                if fmt == "jsonl" and not to_stdout:
                    jsonl_lines.append(result.text)
                elif out_dir is not None:
                    write_atomic(targets[n], content)
                elif to_stdout:
                    _stdout_write(content)
                else:
                    write_atomic(output, content)  # type: ignore[arg-type]
            except EcoplanError as exc:
                failed += 1
                _error(str(exc))
                continue
            parsed += 1
    if fmt == "jsonl" and not to_stdout and (jsonl_lines or not failed):
        try:
            write_atomic(output, "".join(jsonl_lines))  # type: ignore[arg-type]
        except EcoplanError as exc:
            _error(str(exc))
            failed, parsed = failed + parsed, 0
    if batch:
        _error(f"{parsed} parsed, {failed} failed")
    if failed:
        sys.exit(1)


# --- text ----------------------------------------------------------------------------------------


@main.command()
@click.argument("input_file", metavar="FILE")
def text(input_file: str) -> None:
    """Print the text ecoplan reads from FILE: exactly the text spans index.

    For a text file that is the decoded input; for a PDF, Word file or web
    page it is the extracted text (tables as TAB-separated rows), so a span
    [start, end) can be checked with any tool, e.g. in Python
    text[start:end]. Written as UTF-8.
    """
    from ecoplan.reading import read_source

    try:
        source = read_source(input_file)
    except EcoplanError as exc:
        _error(str(exc))
        sys.exit(1)
    for warning in source.warnings:
        _error(f"warning: {warning}")
    _stdout_write(source.text)


# --- validate ------------------------------------------------------------------------------------


@main.command()
@_inputs()
@click.option("--source", metavar="FILE", type=click.Path(dir_okay=False),
              help="The input text the output was parsed from (default: the recorded source.path if it exists).")
@_format_option(["text", "json"], "text", "Report for people (text) or programs (json).")
@click.option("--strict", is_flag=True, help="Count warnings as errors.")
def validate(inputs: tuple[str, ...], source: str | None, fmt: str, strict: bool) -> None:
    """Check ecoplan output FILEs: the schema, then semantic checks.

    Schema errors name their place in the document, e.g. targets[3].value.
    Semantic checks: spans inside the source text and covering their item,
    lines matching spans, real dates, percentages within sense, section
    numbering without gaps or repeats, deadlines not before the plan's date.
    Spans are checked against --source, or else the recorded source.path when
    it exists and its sha256 matches.

    Errors make a file invalid; warnings (doubtful content that may be true to
    the source) do too with --strict.

    Exit status: 0 all valid, 1 some invalid, 2 usage error or unreadable file.
    """
    import json

    from ecoplan.validate import Issue, Report, format_report, validate_file

    reports: list[Report] = []
    unreadable = 0
    for path in inputs:
        try:
            file_reports = validate_file(path, source)
        except EcoplanError as exc:
            unreadable += 1
            _error(str(exc))
            if fmt == "json":
                reports.append(Report(path, [Issue("error", "", "unreadable", str(exc))]))
            continue
        reports += file_reports
        if fmt == "text":
            for report in file_reports:
                _stdout_write(format_report(report, strict) + "\n")
    if fmt == "json":
        payload = [r.to_dict(strict) for r in reports]
        _stdout_write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    invalid = sum(1 for r in reports if not r.valid(strict))
    if len(reports) > 1:
        _error(f"{len(reports)} documents: {len(reports) - invalid} valid, {invalid} invalid")
    if unreadable:
        sys.exit(2)
    if invalid:
        sys.exit(1)


# --- schema --------------------------------------------------------------------------------------


@main.command()
def schema() -> None:
    """Print the JSON Schema of the output (UTF-8 JSON on stdout)."""
    import json

    from ecoplan.schema import Plan

    _stdout_write(json.dumps(Plan.model_json_schema(), ensure_ascii=False, indent=2) + "\n")


# --- export and review (analysts' outputs; the work is in ecoplan/export.py and ecoplan/review.py) ---


@main.command()
@_inputs()
@click.option("-o", "--output", metavar="OUT", required=True,
              help="Directory for the CSV tables (created), or the .xlsx file (DIR/ecoplan.xlsx for a directory).")
@_format_option(["csv", "xlsx"], "csv", "csv (one UTF-8 file per table) or xlsx (one sheet per table).")
@click.option("--excel", is_flag=True, help="Start each CSV with a BOM, so that Excel reads it as UTF-8.")
def export(inputs: tuple[str, ...], output: str, fmt: str, excel: bool) -> None:
    """Flat tables of every extracted item across a batch of plans.

    One table per kind of item: targets, deadlines, departments, tasks (lead
    and support joined by 、), task_departments (one row per task, role and
    department), sections and percentages. Every row names the document
    (path, title, region, year), the item's index, its section path
    (二、 > （一）), line, span_start and span_end; values are typed as in
    the JSON output.

    \b
    ecoplan export data/out -o tables              tables/targets.csv, ...
    ecoplan export data/raw -o plans.xlsx --format xlsx

    FILE may be an ecoplan output (.json, .jsonl, .yaml, .yml), a plan text
    (parsed first), a directory (its outputs, or its *.txt plans when it
    holds no output) or a glob. An input that is not a valid ecoplan output
    is reported on stderr and the batch goes on; the exit status is then 1.
    Files are written atomically; xlsx needs the xlsx extra (xlsxwriter).
    """
    from ecoplan.export import run

    sys.exit(run(inputs, output, fmt, excel))


@main.command()
@_inputs()
@click.option("-o", "--output", metavar="DIR", required=True, help="Directory for the pages (created).")
def review(inputs: tuple[str, ...], output: str) -> None:
    """Static HTML pages showing every extracted item highlighted in its plan's text.

    One page per plan (DIR/<stem>.html) and DIR/index.html listing every plan
    with its counts. A page shows the text with each target, deadline,
    department (first mention), task and percentage in its own colour, the
    section outline, tables of targets and tasks that jump to their
    highlight, and the items whose span could not be placed. Pages work
    offline: no network, inline CSS and JS only.

    FILE may be an ecoplan output (.json, .jsonl, .yaml, .yml), whose
    recorded source text must be found unchanged to be shown, a plan text
    (parsed first), a directory (its outputs, or its *.txt plans when it
    holds no output) or a glob. An input that is not a valid ecoplan output
    is reported on stderr and the batch goes on; the exit status is then 1.
    """
    from ecoplan.review import run

    sys.exit(run(inputs, output))
