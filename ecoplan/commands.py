"""The `ecoplan` command line: one click group; thin wiring over the library.

Conventions for every command: data on stdout and nothing else; messages on
stderr as one line `ecoplan: ...`; exit 0 success, 1 a failed input or invalid
output, 2 a usage error or unreadable file, 128 + N after signal N; never a
traceback (set ECOPLAN_DEBUG=1 to see one). Heavy
modules (pydantic, the parsers) are imported inside commands so that `--help`
and usage errors stay fast.
"""

from __future__ import annotations

import atexit
import gc
import io
import os
import signal
import sys
import threading
import types
from collections.abc import Callable
from functools import partial
from typing import Any, TextIO, TypeVar

# Python's cyclic collector finds nothing to free among the tens of thousands of
# objects imports make, but scans them again and again as they pile up (~5 ms of
# a one-plan run). It is off while this module and then a command's modules are
# imported, and what they made is then moved out of its sight (`_imports_done`).
_COLLECTING = gc.isenabled()
gc.disable()

import click  # noqa: E402

from ecoplan.errors import EcoplanError, InputError, StdoutClosed, StdoutError, UsageError  # noqa: E402
from ecoplan.interrupts import ENDING_SIGNALS, Terminated, exit_status, terminate_as_exception  # noqa: E402

F = TypeVar("F", bound=Callable[..., Any])


class _Group(click.Group):
    """One-line errors in the `ecoplan: ...` form and the documented exit statuses, never a traceback."""

    def main(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        global _COLLECTING
        _COLLECTING = gc.isenabled() or _COLLECTING
        gc.disable()
        _without_pydantic_plugins()
        try:
            self._main(*args, **kwargs)
        finally:
            _imports_done()
            _keep_compiled_patterns()

    def _main(self, *args: Any, **kwargs: Any) -> None:
        kwargs["standalone_mode"] = False
        try:
            status = super().main(*args, **kwargs)
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            _error(_one_line(exc.format_message()) + hint)
            status = exc.exit_code
        except click.ClickException as exc:
            _error(_one_line(exc.format_message()))
            status = exc.exit_code
        except click.Abort:
            _error("interrupted")
            status = exit_status(signal.SIGINT)
        sys.exit(status if isinstance(status, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with terminate_as_exception():
                return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            _error(ENDING_SIGNALS[signal.SIGINT])
            ctx.exit(exit_status(signal.SIGINT))
        except Terminated as exc:
            _error(ENDING_SIGNALS[exc.signum])
            ctx.exit(exit_status(exc.signum))
        except StdoutClosed:
            # The reader went away (`| head`): nothing to say, and nothing more to write.
            _quiet_stdout()
            ctx.exit(_EXIT_PIPE_CLOSED)
        except StdoutError as exc:
            _quiet_stdout()
            _error(str(exc))
            ctx.exit(1)
        except UsageError as exc:
            _error(str(exc))
            ctx.exit(2)
        except EcoplanError as exc:
            _error(str(exc))
            ctx.exit(1)
        except Exception as exc:
            if os.environ.get("ECOPLAN_DEBUG"):
                raise
            _error(f"internal error ({type(exc).__name__}: {exc}); rerun with ECOPLAN_DEBUG=1 for details")
            ctx.exit(1)


_FROZEN = False


# The plugin loader pydantic imports when it builds the first model's validator.
_PYDANTIC_PLUGIN_LOADER = "pydantic.plugin._loader"
# PYDANTIC_DISABLE_PLUGINS values that turn every pydantic plugin off.
_ALL_PLUGINS_OFF = ("__all__", "1", "true")


def _without_pydantic_plugins() -> None:
    """No pydantic plugins in a command's process, unless PYDANTIC_DISABLE_PLUGINS says otherwise.

    A pydantic plugin (an observability tool installed for some other project)
    hooks every validation in the process; a command validates its own output as
    a check on itself, which no plugin needs to watch. Looking plugins up is not
    free either: pydantic's loader imports importlib.metadata and reads every
    installed distribution's entry points, ~15 ms of a ~0.25 s one-plan run. The
    loader is therefore stood in for by a module whose `get_plugins` finds none;
    any other name is read from the real loader, so a pydantic that asks for
    more still gets it. PYDANTIC_DISABLE_PLUGINS set to anything but "all off"
    (even empty: every plugin on) leaves pydantic's own loader in charge, and
    the library (`import ecoplan`) never does this.
    """
    if (os.environ.get("PYDANTIC_DISABLE_PLUGINS", _ALL_PLUGINS_OFF[0]) not in _ALL_PLUGINS_OFF
            or _PYDANTIC_PLUGIN_LOADER in sys.modules):
        return
    loader = types.ModuleType(_PYDANTIC_PLUGIN_LOADER)
    loader.get_plugins = tuple  # type: ignore[attr-defined]  # no plugins
    loader.__getattr__ = _real_plugin_loader_attribute  # type: ignore[method-assign]
    sys.modules[_PYDANTIC_PLUGIN_LOADER] = loader


def _real_plugin_loader_attribute(name: str) -> Any:
    """A name the stand-in loader lacks, from pydantic's own loader (which replaces it from then on)."""
    if name.startswith("__"):  # the import system's probes (__path__ ...): a plain module has none
        raise AttributeError(name)
    import importlib

    del sys.modules[_PYDANTIC_PLUGIN_LOADER]
    return getattr(importlib.import_module(_PYDANTIC_PLUGIN_LOADER), name)


def run(**options: Any) -> None:
    """The `ecoplan` program (the console script, cli.py): the command its command line asks for, then the
    end of the process. `main` is the same command for a caller that goes on afterwards."""
    try:
        main(**options)
    except SystemExit as done:
        _exit_without_teardown(done.code)
        raise


def _exit_without_teardown(code: object) -> None:
    """End the process at once, without the interpreter's teardown, when nothing is left for it to do.

    Tearing the interpreter down (clearing ~300 modules, pydantic's among them, and a last
    collection) costs ~10 ms of a ~0.2 s one-plan run whose work is done. It is skipped only
    when nothing was registered to run at exit (atexit: a process pool, a temporary folder's
    finaliser, logging) and no other thread runs; stdout and stderr are flushed first, as the
    teardown would flush them. Otherwise (or if a flush fails) this returns and Python exits as usual.
    """
    pending_at_exit = getattr(atexit, "_ncallbacks", None)  # CPython's count of atexit callbacks
    if (not isinstance(code, int | None) or pending_at_exit is None or pending_at_exit()
            or threading.active_count() > 1):
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code or 0)


def _keep_compiled_patterns() -> None:
    """The code of the patterns this command compiled, kept for the next start (see ecoplan.text.patterns).

    Read from sys.modules: a command that compiled none (--help, a usage error) never imports the module.
    """
    patterns = sys.modules.get("ecoplan.text.patterns")
    if patterns is not None:
        patterns.save_compiled()


def _imports_done() -> None:
    """The collector back on (if it was on), with what the imports made out of its sight (once a process)."""
    global _COLLECTING, _FROZEN
    if _COLLECTING:
        if not _FROZEN:
            gc.freeze()
            _FROZEN = True
        gc.enable()
        _COLLECTING = False


# What a shell reports for a program that SIGPIPE ended (128 + 13), as `yes | head -1` gives.
_EXIT_PIPE_CLOSED = 141


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that the flush at exit does not fail (and complain) again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass  # not a real file descriptor (an embedding): nothing will flush to it


def _one_line(text: str) -> str:
    return " ".join(text.split())


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
    2 usage error or unreadable file, 130/143/129 after Ctrl-C, SIGTERM or
    SIGHUP (outputs then complete or absent), 141 when stdout was closed.
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
    Raises StdoutClosed when the reader has gone, StdoutError when writing fails.
    """
    try:
        _write_stdout(content)
    except BrokenPipeError:
        raise StdoutClosed from None
    except OSError as exc:
        raise StdoutError(f"<stdout>: cannot write ({exc.strerror or exc})") from None


def _write_stdout(content: str | Callable[[TextIO], None]) -> None:
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


def _batch_options(command: F) -> F:
    """Options for runs over many inputs: folders, resuming, splitting, a report."""
    for option in reversed([
        click.option("-r", "--recursive", is_flag=True,
                     help="Search folders below folders too; outputs mirror the input tree below -o DIR."),
        click.option("--skip-existing", is_flag=True,
                     help="Leave out inputs whose output file exists already (to resume an interrupted run)."),
        click.option("--shard", metavar="I/N", default=None,
                     help="Parse only part I of N (1 <= I <= N) of the inputs, split by a hash of each path: "
                          "N runs with I = 1..N (machines, array jobs) parse every input exactly once."),
        click.option("--report", metavar="FILE", type=click.Path(dir_okay=False),
                     help="Also write a JSON run report to FILE: each input, its output, status, error, time."),
    ]):
        command = option(command)
    return command


@main.command()
@_inputs()
@click.option("-o", "--output", metavar="PATH",
              help="Output file for one input, or directory for several (DIR/<stem>.<ext>; a trailing / makes "
                   "PATH a directory). Default: stdout.")
@_format_option(["yaml", "json", "jsonl"], "yaml",
                "yaml or json (one document per file), or jsonl (one compact JSON line per input).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Parse in N processes (default: the number of CPU cores; 1 = in this process).")
@_batch_options
def parse(inputs: tuple[str, ...], output: str | None, fmt: str, jobs: int | None, recursive: bool,
          skip_existing: bool, shard: str | None, report: str | None) -> None:
    """Parse plan text FILEs into YAML, JSON or JSON Lines.

    FILE may be a file, a directory (all its plan files; with --recursive,
    those below it too), a glob such as 'plans/*.txt', or - for stdin. Text
    may be UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK. PDF,
    Word (.docx; .doc and .wps with LibreOffice) and web pages are read too,
    recognised by content; spans then index the extracted text, which
    `ecoplan text FILE` prints.

    One input is written to stdout, or to -o FILE. Several inputs need -o DIR
    and each becomes DIR/<stem>.yaml (or .json), or DIR/<path below the
    folder>.yaml with --recursive. With --format jsonl all inputs stream to
    stdout (or -o FILE), one JSON object per line.

    A file that cannot be parsed is reported on stderr and the run goes on;
    the exit status is then 1 (2 if a file could not be read). Files in a
    folder that are not regular files (FIFOs, devices, broken links) are
    skipped with a warning. Output files are written atomically: an
    interrupted run leaves complete files or none, never a partial one. An
    output path that is one of the inputs is refused.
    """
    from ecoplan.batch import expand_inputs, in_shard, parse_shard
    from ecoplan.destinations import input_ids, plan_outputs, refuse_input
    from ecoplan.reading import STDIN

    items, batch = expand_inputs(inputs, recursive)
    if sum(1 for i in items if i.path == STDIN) > 1:
        raise click.UsageError("- (stdin) can be given only once")
    if shard is not None:
        try:
            part = parse_shard(shard)
        except ValueError:
            raise click.UsageError(f"--shard {shard}: want I/N with 1 <= I <= N, e.g. --shard 2/8") from None
        items = [i for i in items if (i.error is not None and not i.skipped) or in_shard(i, part)]
        batch = True
    outputs = plan_outputs(items, output, fmt, batch)
    if skip_existing:
        if outputs.to_stdout or fmt == "jsonl":
            raise click.UsageError("--skip-existing needs output files: -o DIR (or -o FILE), not jsonl or stdout")
        items = _skip_existing(items, outputs)
    if report is not None:
        refuse_input(report, input_ids(items), "--report")
    _run_parse(items, outputs, fmt, jobs, batch, report)


def _skip_existing(items: list[Any], outputs: Any) -> list[Any]:
    """Mark inputs whose output file exists as skipped: written atomically, an existing one is complete."""
    return [item._replace(error=f"{item.name}: skipped (output {outputs.target(n)} exists)", skipped=True)
            if item.error is None and os.path.exists(outputs.target(n)) else item
            for n, item in enumerate(items)]


def _run_parse(items: list[Any], outputs: Any, fmt: str, jobs: int | None, batch: bool,
               report_path: str | None) -> None:
    """Parse every input and write its output; report as it goes and sum up."""
    import time
    from contextlib import closing

    import ecoplan.pipeline  # noqa: F401  (the parsers, imported before the collector is back: _COLLECTING)
    from ecoplan.batch import run
    from ecoplan.destinations import RunReport
    from ecoplan.reading import STDIN
    from ecoplan.writing import write_data, write_output

    _imports_done()
    started = time.monotonic()
    log = RunReport()
    unreadable = False
    complete = False
    stdin_data = sys.stdin.buffer.read() if any(i.path == STDIN and i.error is None for i in items) else None
    jsonl_lines: list[str] = []
    show_progress = batch and len(items) > 1 and sys.stderr.isatty()
    # Output files (not stdout, not jsonl) are written by the pool workers themselves.
    targets = None if outputs.to_stdout or fmt == "jsonl" else [outputs.target(n) for n in range(len(items))]
    try:
        with (click.progressbar(length=len(items), label="Parsing", file=sys.stderr) if show_progress
              else _NoProgress()) as bar, \
                closing(run(items, fmt, jobs or os.cpu_count() or 1, stdin_data, stream=fmt != "jsonl",
                            targets=targets)) as results:
            # yaml and json outputs converted in this process are streamed from the
            # Plan (result.data) to their file, never held whole in memory.
            for n, result in enumerate(results):
                bar.update(1)
                item = result.input
                if not result.ok:
                    _error(result.text)
                    log.add(item, None, "skipped" if item.skipped else "failed", result.text, result.seconds)
                    unreadable = unreadable or result.unreadable
                    continue
                if result.written:
                    log.add(item, outputs.target(n), "parsed", None, result.seconds)
                    continue
                content: str | Callable[[TextIO], None] = (
                    result.text if result.data is None else partial(write_data, data=result.data, fmt=fmt))
                target = outputs.target(n)
                if fmt == "jsonl" and not outputs.to_stdout:
                    jsonl_lines.append(result.text)
                elif outputs.to_stdout:
                    _stdout_write(content)
                else:
                    try:
                        write_output(target, content)  # type: ignore[arg-type]
                    except EcoplanError as exc:
                        _error(str(exc))
                        log.add(item, None, "failed", str(exc), result.seconds)
                        continue
                log.add(item, target or "<stdout>", "parsed", None, result.seconds)
        if fmt == "jsonl" and outputs.file is not None and (jsonl_lines or not log.counts["failed"]):
            try:
                write_output(outputs.file, "".join(jsonl_lines))
            except EcoplanError as exc:
                _error(str(exc))
                for entry in log.entries:
                    if entry["status"] == "parsed":
                        entry.update(status="failed", output=None, error=str(exc))
                log.counts["failed"] += log.counts["parsed"]
                log.counts["parsed"] = 0
        complete = True
    finally:
        if report_path is not None:
            _write_report(report_path, log, complete, time.monotonic() - started)
    if batch:
        _error(log.summary())
    if unreadable:
        sys.exit(2)
    if log.counts["failed"]:
        sys.exit(1)


class _NoProgress:
    """Stands in for click's progress bar when none is shown (its module is not even imported)."""

    def __enter__(self) -> _NoProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def update(self, steps: int) -> None:
        pass


def _write_report(path: str, log: Any, complete: bool, seconds: float) -> None:
    import json

    from ecoplan.writing import write_output

    try:
        write_output(path, json.dumps(log.to_dict(complete, seconds), ensure_ascii=False, indent=2) + "\n")
    except EcoplanError as exc:
        _error(str(exc))


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

    _imports_done()
    try:
        source = read_source(input_file)
    except EcoplanError as exc:
        _error(str(exc))
        sys.exit(2 if isinstance(exc, InputError) else 1)
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

    _imports_done()
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

    _imports_done()
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

    _imports_done()
    sys.exit(run(inputs, output))


if _COLLECTING:
    gc.enable()  # imported, not run: the collector as it was (main turns it off again)
