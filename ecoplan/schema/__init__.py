"""The output contract: pydantic models of a parsed plan."""

from ecoplan.schema.models import (
    SCHEMA_VERSION,
    Comparator,
    Deadline,
    Department,
    Meta,
    Percentage,
    Plan,
    Section,
    SectionStyle,
    Source,
    Target,
    Task,
)

__all__ = [
    "SCHEMA_VERSION",
    "Comparator",
    "Deadline",
    "Department",
    "Meta",
    "Percentage",
    "Plan",
    "Section",
    "SectionStyle",
    "Source",
    "Target",
    "Task",
]
