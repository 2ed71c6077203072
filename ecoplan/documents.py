"""Plans for the analysts' commands (export, review): ecoplan outputs or plan texts, as validated Plans.

An input is an ecoplan output (.json, .jsonl, .yaml, .yml), which is loaded and
validated as `ecoplan validate` does, or a plan text (any other file, or `-`),
which is parsed first. Folders contribute their outputs, or their *.txt plans
(or PDF, Word, web pages) when they hold no output. Each loaded document comes with the decoded text its
spans index, when that text can be had: the parsed input itself, or the
output's recorded source when it is found unchanged (same sha256).

Loading never raises for one bad input: it yields a one-line reason naming the
file, so a batch goes on.
"""

from __future__ import annotations

import glob
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecoplan.batch import PLAN_SUFFIXES
from ecoplan.errors import EcoplanError
from ecoplan.reading import STDIN
from ecoplan.schema import Plan, Section

OUTPUT_SUFFIXES = frozenset({".json", ".jsonl", ".yaml", ".yml"})
_GLOB_CHARS = frozenset("*?[")
# Keys every ecoplan output has: without them a file is some other JSON/YAML.
_OUTPUT_KEYS = frozenset({"source", "meta"})


@dataclass(frozen=True)
class Loaded:
    """One plan ready for the analysts' commands."""

    name: str  # how the document is named in messages: the input path (FILE:LINE in .jsonl)
    stem: str  # a file-name stem for per-plan outputs
    plan: Plan
    text: str | None  # the decoded source text that spans index; None when it was not found
    note: str | None = None  # why `text` is None


@dataclass(frozen=True)
class Failed:
    name: str
    reason: str  # one line, starting with the name


def expand(args: Sequence[str]) -> list[str]:
    """Files, folders and globs to a stable list of input paths (nonexistent paths kept, to fail by name)."""
    paths: list[str] = []
    for arg in args:
        path = Path(arg)
        if arg != STDIN and path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
            outputs = [p for p in files if p.suffix.lower() in OUTPUT_SUFFIXES]
            chosen = outputs or [p for p in files if p.suffix.lower() in PLAN_SUFFIXES]
            paths += [str(p) for p in chosen] or [arg]
        elif arg != STDIN and not path.exists() and _GLOB_CHARS & set(arg):
            paths += sorted(m for m in glob.glob(arg, recursive=True) if Path(m).is_file()) or [arg]
        else:
            paths.append(arg)
    return paths


def is_output(path: str) -> bool:
    return path != STDIN and Path(path).suffix.lower() in OUTPUT_SUFFIXES


def load(path: str) -> Iterator[Loaded | Failed]:
    """Every document of one input, loaded and validated; never raises."""
    name = "<stdin>" if path == STDIN else path
    try:
        if is_output(path):
            yield from _load_output(path)
        else:
            yield _parse_plan(path)
    except EcoplanError as exc:
        reason = " ".join(str(exc).split())
        yield Failed(name, reason if reason.startswith(f"{name}: ") else f"{name}: {reason}")
    except RecursionError:
        yield Failed(name, f"{name}: nested too deeply")


def _parse_plan(path: str) -> Loaded:
    from ecoplan.pipeline import parse_source
    from ecoplan.reading import read_source

    source = read_source(path)
    plan = parse_source(source)
    return Loaded(name=source.path or "<stdin>", stem=_stem(path), plan=plan, text=source.text)


def _load_output(path: str) -> Iterator[Loaded | Failed]:
    from ecoplan.validate import check_plan, check_schema, load_documents

    documents = list(load_documents(path))
    for n, (name, data, syntax) in enumerate(documents, 1):
        if syntax is not None:
            yield Failed(name, f"{name}: not an ecoplan output ({syntax.message})")
            continue
        if not isinstance(data, dict) or not _OUTPUT_KEYS <= data.keys():
            yield Failed(name, f"{name}: not an ecoplan output (no {' and '.join(sorted(_OUTPUT_KEYS))} keys)")
            continue
        plan, issues = check_schema(data)
        if plan is None:
            yield Failed(name, f"{name}: fails validation: {_summary(issues)}")
            continue
        text, note = _source_text(plan, path)
        errors = [i for i in check_plan(plan, text) if i.severity == "error"]
        if errors:
            yield Failed(name, f"{name}: fails validation: {_summary(errors)}")
            continue
        stem = _stem(path) if len(documents) == 1 else (_stem(plan.source.path) if plan.source.path
                                                         else f"{_stem(path)}-{n}")
        yield Loaded(name=name, stem=stem, plan=plan, text=text, note=note)


def _summary(issues: list[Any]) -> str:
    first = issues[0]
    more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
    return f"{first.path or '(document)'}: {first.message}{more}"


def _source_text(plan: Plan, output_file: str) -> tuple[str | None, str | None]:
    """The recorded source's decoded text if it is found and unchanged, else (None, why)."""
    from ecoplan.reading import read_source
    from ecoplan.validate import find_source

    found = find_source(plan.source.path, output_file)
    if found is None:
        return None, f"source text not found (recorded path: {plan.source.path or 'none, read from stdin'})"
    try:
        source = read_source(str(found))
    except EcoplanError as exc:
        return None, f"source text unreadable ({exc})"
    if source.sha256 != plan.source.sha256:
        return None, f"{found} changed since it was parsed"
    return source.text, None


def _stem(path: str) -> str:
    return "stdin" if path == STDIN else Path(path).stem


# --- sections --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlatSection:
    index: int  # position in document order (pre-order)
    section: Section
    path: tuple[str, ...]  # markers from the top: ("二、", "（一）")
    subtree_end: int  # end of the last span in the section's subtree


def flatten_sections(plan: Plan) -> list[FlatSection]:
    out: list[FlatSection] = []

    def walk(sections: list[Section], parents: tuple[str, ...]) -> int:
        end = 0
        for sec in sections:
            n = len(out)
            out.append(FlatSection(n, sec, (*parents, sec.marker), 0))
            sub_end = max(sec.span[1], walk(sec.children, (*parents, sec.marker)))
            out[n] = FlatSection(n, sec, out[n].path, sub_end)
            end = max(end, sub_end)
        return end

    walk(plan.sections, ())
    return out


class SectionLocator:
    """The section an offset falls in: the one whose own span holds it, else the deepest whose subtree does.

    A section's span covers its heading and own body, not its children, so an
    item in a child's body belongs to the child; an item outside every section
    (a table after the last heading) belongs to none.
    """

    def __init__(self, flat: list[FlatSection]) -> None:
        self._flat = flat

    def find(self, offset: int) -> FlatSection | None:
        best: FlatSection | None = None
        for item in self._flat:
            start, end = item.section.span
            if start <= offset < end:
                return item
            if start <= offset < item.subtree_end and (best is None or len(item.path) >= len(best.path)):
                best = item
        return best

    def path(self, offset: int, separator: str = " > ") -> str:
        found = self.find(offset)
        return separator.join(found.path) if found else ""


# --- batches ---------------------------------------------------------------------------------


class Batch:
    """Load every input in turn: yields the good documents, reports each bad one on stderr as it comes.

    A progress bar is drawn on stderr only when both stdout and stderr are terminals.
    """

    def __init__(self, args: Sequence[str], label: str) -> None:
        self.paths = expand(args)
        self.label = label
        self.loaded = 0
        self.failed = 0

    def __iter__(self) -> Iterator[Loaded]:
        import sys

        import click

        show = len(self.paths) > 1 and sys.stdout.isatty() and sys.stderr.isatty()
        with click.progressbar(length=len(self.paths), label=self.label, file=sys.stderr, hidden=not show) as bar:
            for path in self.paths:
                for result in load(path):
                    if isinstance(result, Failed):
                        self.failed += 1
                        click.echo(f"ecoplan: {result.reason}", err=True)
                    else:
                        self.loaded += 1
                        yield result
                bar.update(1)

    def summary(self, verb: str) -> str | None:
        """`3 exported, 1 failed` for a batch; None for a single document."""
        if self.loaded + self.failed <= 1:
            return None
        return f"{self.loaded} {verb}, {self.failed} failed"
