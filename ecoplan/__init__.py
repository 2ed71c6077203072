"""ecoplan: structured, traceable extraction from Chinese government plan documents.

    >>> import ecoplan
    >>> plan = ecoplan.parse_text(text)      # -> ecoplan.schema.Plan
    >>> plan = ecoplan.parse_file("plan.txt")
    >>> plan = ecoplan.load_output("plan.yaml")  # an output read back, validated
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["__version__", "load_output", "parse_file", "parse_text"]

if TYPE_CHECKING:
    from ecoplan.schema import Plan


def parse_text(text: str, path: str | None = None) -> Plan:
    """Parse decoded plan text into a validated `Plan` (pure, picklable result)."""
    from ecoplan.pipeline import parse_text as _parse_text

    return _parse_text(text, path)


def parse_file(path: str) -> Plan:
    """Read and parse one file (`-` for stdin): text, PDF, Word or a web page, recognised by content.

    What could not be read (PDF pages without a text layer …) is reported with `warnings.warn`.
    """
    import warnings

    from ecoplan.pipeline import parse_source
    from ecoplan.reading import read_source

    source = read_source(path)
    for message in source.warnings:
        warnings.warn(message, stacklevel=2)
    return parse_source(source)


def load_output(path: str) -> Plan:
    """Read an output file written by `ecoplan parse` (YAML or JSON) back into a validated `Plan`."""
    from ecoplan.outputs import load_output as _load_output

    return _load_output(path)
