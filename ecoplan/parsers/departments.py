"""Responsible departments (spec section 5). STUB: to be implemented."""

from __future__ import annotations

from ecoplan.normalise import Document
from ecoplan.schema import Department, Task


def extract_departments(doc: Document, tasks: list[Task]) -> list[Department]:
    return []
