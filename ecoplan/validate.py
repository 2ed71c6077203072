"""Check ecoplan outputs: the schema first, then what a reviewer would check by hand.

Errors break the output contract (schema, impossible dates, spans outside the
source or not covering their item); warnings are doubtful content that may be
faithful to an odd source (numbering gaps, percentages out of range, deadlines
before the plan was issued).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from ecoplan.errors import EcoplanError, InputError
from ecoplan.outputs import MAX_NESTING, OutputLoader
from ecoplan.provenance import line_at, line_starts, span_holds, squeeze
from ecoplan.reading import STDIN, read_bytes
from ecoplan.schema import Plan, Section
from ecoplan.text.lexicon import CN_ONE_TO_TEN, YEAR_MAX, YEAR_MIN

Severity = Literal["error", "warning"]

_CN_NUMERALS = "零" + CN_ONE_TO_TEN
# Clause words that make a percentage above 100 plausible (growth, ratios).
_RE_CHANGE_WORDS = re.compile("增|提高|提升|上升|翻|倍|比|超过|高于|同比|环比")
_MIN_YEAR, _MAX_YEAR = YEAR_MIN, YEAR_MAX


@dataclass(frozen=True)
class Issue:
    severity: Severity
    path: str  # where in the document, e.g. `targets[3].value`; "" for the whole document
    code: str  # schema, syntax, span, text, line, date, percent, numbering, level, deadline, source
    message: str


@dataclass
class Report:
    file: str
    issues: list[Issue] = field(default_factory=list)
    source: str | None = None  # the source file spans were checked against
    note: str | None = None  # why spans were not checked against a source

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if i.severity == "warning")

    def valid(self, strict: bool = False) -> bool:
        return not self.errors and not (strict and self.warnings)

    def to_dict(self, strict: bool = False) -> dict[str, Any]:
        return {
            "file": self.file,
            "valid": self.valid(strict),
            "errors": self.errors,
            "warnings": self.warnings,
            "source": self.source,
            "note": self.note,
            "issues": [asdict(i) for i in self.issues],
        }


# --- loading -------------------------------------------------------------------------------------


# Cap on what `validate` reads: an ecoplan output of the largest plans is a few hundred MB at most.
MAX_OUTPUT_BYTES = 1 << 30


def load_documents(path: str) -> Iterator[tuple[str, Any, Issue | None]]:
    """Yield (name, data, syntax_issue) for each document in an output file.

    `.jsonl` files hold one document per line, named `FILE:LINE`. Raises
    InputError when the file cannot be read or is not UTF-8 text.
    """
    name = "<stdin>" if path == STDIN else path
    if path != STDIN and (size := _size(path)) > MAX_OUTPUT_BYTES:
        raise InputError(f"{name}: {size} bytes, more than any ecoplan output ({MAX_OUTPUT_BYTES} at most)")
    raw = read_bytes(path)
    if len(raw) > MAX_OUTPUT_BYTES:
        raise InputError(f"{name}: more than {MAX_OUTPUT_BYTES} bytes, more than any ecoplan output")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text, so not an ecoplan output") from None
    if path.endswith(".jsonl"):
        for lineno, line in enumerate(text.splitlines(), 1):
            if line.strip():
                yield _parse(f"{name}:{lineno}", line, json_only=True)
        return
    yield _parse(name, text, json_only=path.endswith(".json"))


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # read_bytes reports why


def _depth(data: Any) -> int:
    """Nesting depth of loaded JSON, without recursion."""
    deepest = 0
    stack = [(data, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_NESTING:
            break
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _parse(name: str, text: str, json_only: bool) -> tuple[str, Any, Issue | None]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        if json_only:
            return name, None, Issue("error", "", "syntax", f"not valid JSON: {_one_line(exc)}")
    else:
        if _depth(data) > MAX_NESTING:
            return name, None, Issue("error", "", "syntax", f"nested deeper than {MAX_NESTING} levels")
        return name, data, None
    try:
        return name, yaml.load(text, Loader=OutputLoader), None  # a SafeLoader
    except RecursionError:
        return name, None, Issue("error", "", "syntax", "nested too deeply")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        return name, None, Issue("error", "", "syntax", f"not valid YAML or JSON{where}: {problem}")


# --- schema --------------------------------------------------------------------------------------


def format_path(loc: Iterable[int | str]) -> str:
    """('targets', 3, 'value') -> 'targets[3].value'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _brief(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def check_schema(data: Any) -> tuple[Plan | None, list[Issue]]:
    """Validate strictly, as JSON: a number written as a string is an error, not coerced."""
    try:
        payload = json.dumps(data, ensure_ascii=False, default=str)
        return Plan.model_validate_json(payload, strict=True), []
    except ValidationError as exc:
        issues = []
        for err in exc.errors(include_url=False):
            message = err["msg"]
            if err["type"] not in ("missing", "extra_forbidden") and "input" in err:
                message += f" (got {_brief(err['input'])})"
            issues.append(Issue("error", format_path(err["loc"]), "schema", message))
        return None, issues


# --- semantic checks -----------------------------------------------------------------------------


def iter_located(plan: Plan) -> Iterator[tuple[str, Any, str | None]]:
    """Every item with a span: (path, item, the text its span must contain or None)."""

    def sections(items: list[Section], prefix: str) -> Iterator[tuple[str, Any, str | None]]:
        for i, sec in enumerate(items):
            path = f"{prefix}[{i}]"
            yield path, sec, sec.title
            yield from sections(sec.children, f"{path}.children")

    yield from sections(plan.sections, "sections")
    for key in ("targets", "percentages", "deadlines", "tasks"):
        for i, item in enumerate(getattr(plan, key)):
            yield f"{key}[{i}]", item, item.text
    for i, dep in enumerate(plan.departments):
        yield f"departments[{i}]", dep, None


def check_spans(plan: Plan, source: str | None) -> list[Issue]:
    """Spans against their items, and against the decoded source text when given."""
    issues: list[Issue] = []
    starts = line_starts(source) if source is not None else []
    for path, item, text in iter_located(plan):
        start, end = item.span
        if source is None:
            if text is not None and end - start < len(squeezed := squeeze(text)):
                issues.append(Issue("error", f"{path}.span", "span",
                                    f"span {[start, end]} is shorter than its text ({len(squeezed)} characters)"))
            continue
        if end > len(source):
            issues.append(Issue("error", f"{path}.span", "span",
                                f"span {[start, end]} is outside the source ({len(source)} characters)"))
            continue
        if text is not None and not span_holds(source, item.span, text):
            issues.append(Issue("error", f"{path}.span", "text",
                                f"source[{start}:{end}] does not contain {_brief(text)}"))
        line = line_at(starts, start)
        if item.line != line:
            issues.append(Issue("error", f"{path}.line", "line",
                                f"line {item.line}, but span starts on line {line} of the source"))
    return issues


def _real_date(text: str) -> dt.date | None:
    """ISO date or --MM-DD (checked against a leap year); None when not a real date."""
    try:
        return dt.date.fromisoformat("2000" + text[1:] if text.startswith("--") else text)
    except ValueError:
        return None


def check_dates(plan: Plan) -> list[Issue]:
    issues: list[Issue] = []
    issued = plan.meta.date
    if issued is not None and not _MIN_YEAR <= issued.year <= _MAX_YEAR:
        issues.append(Issue("warning", "meta.date", "date", f"{issued} is an implausible date for a plan"))
    dated: list[tuple[str, str]] = [(f"deadlines[{i}].date", d.date) for i, d in enumerate(plan.deadlines)]
    dated += [(f"targets[{i}].deadline", t.deadline) for i, t in enumerate(plan.targets) if t.deadline]
    for path, text in dated:
        date = _real_date(text)
        if date is None:
            issues.append(Issue("error", path, "date", f"{text} is not a real date"))
            continue
        if text.startswith("--"):
            continue
        if not _MIN_YEAR <= date.year <= _MAX_YEAR:
            issues.append(Issue("warning", path, "date", f"{text} is an implausible year for a deadline"))
        elif issued is not None and date < issued:
            issues.append(Issue("warning", path, "deadline", f"{text} is before the plan's own date {issued}"))
        elif issued is None and plan.meta.year is not None and date.year < plan.meta.year:
            issues.append(Issue("warning", path, "deadline",
                                f"{text} is before the plan's year {plan.meta.year}"))
    for i, d in enumerate(plan.deadlines):
        if (d.recurring == "yearly") != d.date.startswith("--"):
            issues.append(Issue("error", f"deadlines[{i}]", "date",
                                "recurring deadlines are written --MM-DD and only they"))
    return issues


def check_percentages(plan: Plan) -> list[Issue]:
    """Shares lie in 0-100; increases may exceed 100; decreases cannot exceed 100."""
    issues: list[Issue] = []
    for i, t in enumerate(plan.targets):
        path = f"targets[{i}].value"
        if not math.isfinite(t.value):
            issues.append(Issue("error", path, "percent", f"{t.value} is not a number"))
            continue
        limit = {"%": 100.0, "‰": 1000.0}.get(t.unit.strip())
        if limit is None:
            continue
        if t.value < 0:
            issues.append(Issue("warning", path, "percent",
                                f"negative {t.value}{t.unit}: a decrease is written as change: decrease"))
        elif t.value > limit and t.change != "increase":
            issues.append(Issue("warning", path, "percent", f"{t.value:g}{t.unit} is above {limit:g}{t.unit}"))
    for i, p in enumerate(plan.percentages):
        path = f"percentages[{i}].value"
        if not math.isfinite(p.value):
            issues.append(Issue("error", path, "percent", f"{p.value} is not a number"))
        elif p.value < 0 or (p.value > 100 and not _RE_CHANGE_WORDS.search(p.text)):
            issues.append(Issue("warning", path, "percent", f"{p.value:g}% is outside 0-100"))
    return issues


def _numeral(style: str, number: int) -> str:
    if style in ("cn-dun", "cn-paren", "chapter", "part", "article", "inline") and 0 < number <= 10:
        return _CN_NUMERALS[number]
    return str(number)


def check_sections(plan: Plan) -> list[Issue]:
    """Numbering per style among siblings (一、二、四、 jumps) and nesting levels."""
    issues: list[Issue] = []

    def walk(items: list[Section], prefix: str, parent_level: int) -> None:
        last: dict[str, int] = {}
        for i, sec in enumerate(items):
            path = f"{prefix}[{i}]"
            if sec.level <= parent_level:
                issues.append(Issue("error", f"{path}.level", "level",
                                    f"level {sec.level} is not below its parent's level {parent_level}"))
            if sec.style != "dash" and sec.number > 0:
                prev = last.get(sec.style)
                shown = _numeral(sec.style, sec.number)
                if prev is None and sec.number != 1:
                    issues.append(Issue("warning", path, "numbering",
                                        f"{sec.style} numbering starts at {shown}"))
                elif prev is not None and sec.number == prev:
                    issues.append(Issue("warning", path, "numbering", f"{sec.style} number {shown} repeats"))
                elif prev is not None and sec.number != prev + 1:
                    issues.append(Issue("warning", path, "numbering",
                                        f"{sec.style} numbering goes from {_numeral(sec.style, prev)} to {shown}"))
                last[sec.style] = sec.number
            walk(sec.children, f"{path}.children", sec.level)

    walk(plan.sections, "sections", 0)
    return issues


def check_plan(plan: Plan, source: str | None = None) -> list[Issue]:
    """All semantic checks; span-versus-source checks only when `source` is given."""
    return check_spans(plan, source) + check_dates(plan) + check_percentages(plan) + check_sections(plan)


# --- files ---------------------------------------------------------------------------------------


def find_source(recorded: str | None, output_file: str) -> Path | None:
    """The source file an output was parsed from: its recorded path as given, else relative to
    the output's folder or one of its parents (outputs are often moved together with their
    inputs); None when no such file exists."""
    if not recorded:
        return None
    candidates = [Path(recorded)]
    if not Path(recorded).is_absolute() and output_file != STDIN:
        out_dir = Path(output_file).resolve().parent
        candidates += [out_dir / recorded, *(parent / recorded for parent in out_dir.parents)]
    return next((c for c in candidates if c.is_file()), None)


def _read_source(path: Path | str) -> tuple[str, str]:
    from ecoplan.reading import read_source

    src = read_source(str(path))
    return src.text, src.sha256


def validate_data(data: Any, name: str, source_path: str | None = None, file: str = STDIN) -> Report:
    """Validate one loaded document; `source_path` overrides the recorded source.

    Raises InputError when an explicitly given source cannot be read.
    """
    report = Report(name)
    plan, issues = check_schema(data)
    report.issues += issues
    if plan is None:
        return report
    source: str | None = None
    if source_path is not None:
        source, sha = _read_source(source_path)
        report.source = source_path
        if sha != plan.source.sha256:
            report.issues.append(Issue("warning", "source.sha256", "source",
                                       f"{source_path} is not the file this output was parsed from"))
    else:
        found = find_source(plan.source.path, file)
        if found is None:
            report.note = "source not found; spans checked against their items only"
        else:
            try:
                text, sha = _read_source(found)
            except EcoplanError as exc:
                report.note = f"source unreadable ({exc}); spans checked against their items only"
            else:
                if sha == plan.source.sha256:
                    source, report.source = text, str(found)
                else:
                    report.note = f"{found} changed since parsing; spans checked against their items only"
    report.issues += check_plan(plan, source)
    return report


def validate_file(path: str, source_path: str | None = None) -> list[Report]:
    """Reports for every document in an output file; raises InputError if unreadable."""
    reports = []
    for name, data, syntax in load_documents(path):
        if syntax is not None:
            reports.append(Report(name, [syntax]))
        else:
            reports.append(validate_data(data, name, source_path, path))
    return reports


def format_report(report: Report, strict: bool = False) -> str:
    status = "valid" if report.valid(strict) else "invalid"
    counts = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in
              ((report.errors, "error"), (report.warnings, "warning")) if n]
    head = f"{report.file}: {status}" + (f", {', '.join(counts)}" if counts else "")
    if report.source:
        head += f" (spans checked against {report.source})"
    elif report.note:
        head += f" ({report.note})"
    lines = [head]
    lines += [f"  {i.severity}: {i.path or '(document)'}: {i.message}" for i in report.issues]
    return "\n".join(lines)
