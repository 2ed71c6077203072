"""Targets and percentages (spec section 3). STUB: to be implemented."""

from __future__ import annotations

from ecoplan.normalise import Document
from ecoplan.parsers.deadlines import DeadlineMatch
from ecoplan.schema import Percentage, Target


def extract_targets(doc: Document, deadlines: list[DeadlineMatch]) -> tuple[list[Target], list[Percentage]]:
    return [], []
