"""Rule vocabularies, kept as YAML data files, one per rule family.

Format (see README.md in this folder): each file is a mapping of list or
mapping entries; loaders here only read and cache them. Parsers compile their
patterns from these words once, at first use.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

import yaml

# libyaml reads the vocabularies about 8 times faster than the pure-Python
# loader (~50 ms of every cold start); same safe subset, same data.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def load(name: str) -> dict[str, Any]:
    """Load `ecoplan/vocab/<name>.yaml` once per process."""
    text = resources.files(__package__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    data = yaml.load(text, Loader=_Loader) or {}
    if not isinstance(data, dict):
        raise ValueError(f"vocabulary {name}.yaml must be a mapping")
    return data


def alternation(words: list[str]) -> str:
    """Regex alternation of literal words, longest first, so 截至 wins over 至.

    The escaping suits both `re` and `regex`.
    """
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
