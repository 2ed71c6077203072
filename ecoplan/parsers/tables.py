"""Task tables and 牵头单位/配合单位 items (spec section 6). STUB: to be implemented."""

from __future__ import annotations

from ecoplan.normalise import Document
from ecoplan.schema import Task


def extract_tasks(doc: Document) -> list[Task]:
    return []
