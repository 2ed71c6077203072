"""Deadlines (spec section 4). STUB: to be implemented."""

from __future__ import annotations

from dataclasses import dataclass

from ecoplan.normalise import Document
from ecoplan.schema import Deadline


@dataclass(frozen=True)
class DeadlineMatch:
    """A deadline found in Document.text[start:end]."""

    start: int
    end: int
    text: str  # as written in Document.text
    date: str  # ISO YYYY-MM-DD, or --MM-DD when recurring
    recurring: str | None  # "yearly" or None


def find_deadlines(doc: Document, plan_year: int | None) -> list[DeadlineMatch]:
    return []


def deadline_models(doc: Document, matches: list[DeadlineMatch]) -> list[Deadline]:
    out = []
    for m in matches:
        start, end = doc.span(m.start, m.end)
        out.append(
            Deadline(text=m.text, date=m.date, recurring=m.recurring, line=doc.lineno(m.start), span=(start, end))
        )
    return out
