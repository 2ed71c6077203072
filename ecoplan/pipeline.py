"""One pipeline, one direction: decode → normalise → structure → extract → validate.

Each stage is a plain function over plain data; the CLI only wires them. The
whole pipeline is pure: same text in, same Plan out, safe in a process pool.
"""

from __future__ import annotations

import hashlib

from ecoplan.normalise import Document, normalise
from ecoplan.parsers.deadlines import deadline_models, find_deadlines
from ecoplan.parsers.departments import extract_departments
from ecoplan.parsers.headings import find_sections
from ecoplan.parsers.metadata import extract_meta
from ecoplan.parsers.tables import extract_tasks
from ecoplan.parsers.targets import extract_targets
from ecoplan.reading import SourceText
from ecoplan.schema import Plan, Source


def parse_document(doc: Document, source: Source) -> Plan:
    """Structure and extract everything from a normalised document."""
    meta = extract_meta(doc)
    sections = find_sections(doc)
    deadlines = find_deadlines(doc, meta.year)
    targets, percentages = extract_targets(doc, deadlines)
    tasks = extract_tasks(doc)
    departments = extract_departments(doc, tasks)
    return Plan(
        source=source,
        meta=meta,
        sections=sections,
        targets=targets,
        percentages=percentages,
        deadlines=deadline_models(doc, deadlines),
        departments=departments,
        tasks=tasks,
    )


def parse_source(source: SourceText) -> Plan:
    doc = normalise(source.text)
    plan = parse_document(doc, Source(
        path=source.path, sha256=source.sha256, encoding=source.encoding, format=source.format,  # type: ignore[arg-type]
        reader=source.reader, reader_version=source.reader_version, text_sha256=source.text_sha256))
    if source.meta:
        from ecoplan.readers import fill_meta

        fill_meta(plan.meta, source.meta)
    return plan


def parse_text(text: str, path: str | None = None) -> Plan:
    """Parse plan text (already decoded) into a validated `Plan`."""
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return parse_source(SourceText(path=path, text=text, encoding="utf-8", sha256=sha))
