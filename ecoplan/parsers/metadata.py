"""Metadata (spec section 1). STUB."""

from __future__ import annotations

from ecoplan.normalise import Document
from ecoplan.schema import Meta


def extract_meta(doc: Document) -> Meta:
    return Meta()
