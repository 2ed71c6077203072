"""Section tree (spec section 2). STUB."""

from __future__ import annotations

from ecoplan.normalise import Document
from ecoplan.schema import Section


def find_sections(doc: Document) -> list[Section]:
    return []
