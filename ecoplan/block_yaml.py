"""A small block-style YAML emitter for dumped plans: PyYAML's bytes, without its node graph.

PyYAML spends as long writing a plan as ecoplan spends parsing it (a
representer, a serializer and an emitter call per node). A dumped Plan has one
shape, though: mappings of mappings, lists of mappings or of scalars, spans as
`[a, b]`. This module writes that shape directly, deciding each scalar's style
by PyYAML's own rules (its implicit resolvers, its indicator and character
classes), and gives up (`Unsupported`) on anything else: a nested list, a
string that needs double quotes (tabs, control characters, line separators) or
a quoted line break. The caller then hands that piece to PyYAML itself.

tests/test_yaml_emitter.py checks, on generated plans and strings, that the
output is byte for byte what PyYAML writes and reads back through
`yaml.safe_load` to the same data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

# PyYAML's printable characters with allow_unicode are all but these (its line
# breaks \x85 \u2028 \u2029 among them): a string holding one is written
# double-quoted. A negated class of the few compiles far faster than the many.
_NOT_PRINTABLE = "\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff\U0010ffff"


@dataclass(frozen=True)
class _Patterns:
    one_line: re.Pattern[str]  # printable, no line break
    literal: re.Pattern[str]  # printable and line breaks: a literal block (`|`) may hold it
    plain: re.Pattern[str]  # of the one-line strings, those PyYAML may write plain


@cache
def _patterns() -> _Patterns:
    """Compiled at the first YAML output, not at every start (JSON never needs them)."""
    return _Patterns(
        one_line=re.compile(f"[^{_NOT_PRINTABLE}\n]++"),
        literal=re.compile(f"[^{_NOT_PRINTABLE}]++"),
        # PyYAML's analyze_scalar allows a one-line string plain in a block context
        # when no document marker or indicator comes first (`-`, `?`, `:` only before
        # a space or the end), it holds no `: ` or ` #`, no `:` at the end and no
        # space at either end.
        plain=re.compile(r"(?!---|\.\.\.)(?![#,\[\]{}&*!|>'\"%@` ])(?![-?:](?: |$))(?:[^: ]|:(?! |$)| (?!#|$))++"),
    )


# Beyond PyYAML's line width (writing.py sets 1 000 000) it would fold a long line.
_MAX_LINE = 500_000


class Unsupported(ValueError):
    """The piece holds something this emitter leaves to PyYAML."""


@cache
def _resolvers(first: str) -> tuple[re.Pattern[str], ...]:
    # The implicit resolvers PyYAML's SafeDumper tries on a plain scalar starting with `first`.
    return tuple(regexp for _tag, regexp in yaml.SafeDumper.yaml_implicit_resolvers.get(first, ()))


def _is_plain(text: str) -> bool:
    """For a printable one-line string: PyYAML writes it plain (no resolver reads it as another type)."""
    return _patterns().plain.fullmatch(text) is not None and not any(r.match(text) for r in _resolvers(text[0]))


def _float(value: float) -> str:
    # yaml.representer.SafeRepresenter.represent_float
    if value != value:
        return ".nan"
    if value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value).lower()
    return text.replace("e", ".0e", 1) if "." not in text and "e" in text else text


def scalar(value: Any, indent: int) -> str:
    """A scalar as PyYAML writes it in a block context (after `key:` or `-`), with its line break.

    `indent` is the column a literal block's lines start at.
    """
    if value is None:
        return " null\n"
    if value is True or value is False:
        return " true\n" if value else " false\n"
    if isinstance(value, int):
        return f" {value}\n"
    if isinstance(value, float):
        return f" {_float(value)}\n"
    if not isinstance(value, str):
        raise Unsupported(type(value).__name__)
    if "\n" not in value:
        if not value:
            return " ''\n"
        if _patterns().one_line.fullmatch(value) is None or len(value) >= _MAX_LINE:
            raise Unsupported("double-quoted or folded string")
        if _is_plain(value):
            return f" {value}\n"
        return " '" + value.replace("'", "''") + "'\n"
    # Multi-line strings are literal blocks (writing.py's representer asks for `|`).
    if _patterns().literal.fullmatch(value) is None or value.endswith(" ") or " \n" in value:
        raise Unsupported("multi-line string PyYAML would quote")
    hints = "2" if value[0] in " \n" else ""
    if value[-1] != "\n":
        hints += "-"
    elif len(value) == 1 or value[-2] == "\n":
        hints += "+"
    lines = value.split("\n")
    if value.endswith("\n"):
        lines.pop()
    pad = " " * indent
    body = "".join(f"{pad}{line}\n" if line else "\n" for line in lines)
    return f" |{hints}\n{body}"


@cache
def _key(key: str) -> str:
    if not isinstance(key, str) or _patterns().one_line.fullmatch(key) is None or not _is_plain(key) or len(key) >= 128:
        raise Unsupported(f"key {key!r}")
    return key + ":"


def _span(values: list[Any]) -> str:
    if not all(type(v) is int for v in values):
        raise Unsupported("span of non-integers")
    return " [" + ", ".join(map(str, values)) + "]\n"


def mapping(data: dict[str, Any], indent: int, out: list[str]) -> None:
    """A non-empty block mapping whose first key goes where the line already stands (column `indent`)."""
    for n, (key, value) in enumerate(data.items()):
        if n:
            out.append(" " * indent)
        out.append(_key(key))
        if isinstance(value, dict):
            if value:
                out.append("\n" + " " * (indent + 2))
                mapping(value, indent + 2, out)
            else:
                out.append(" {}\n")
        elif isinstance(value, list):
            if not value:
                out.append(" []\n")
            elif key == "span":  # writing.py writes every span as a flow pair
                out.append(_span(value))
            else:
                out.append("\n")
                sequence(value, indent, out)  # a block sequence under a key is not indented
        else:
            out.append(scalar(value, indent + 2))


def sequence(items: list[Any], indent: int, out: list[str]) -> None:
    """A non-empty block sequence, its `-` at column `indent`."""
    pad = " " * indent
    for item in items:
        out.append(pad + "-")
        if isinstance(item, dict) and item:
            out.append(" ")
            mapping(item, indent + 2, out)
        elif isinstance(item, (dict, list)):
            raise Unsupported("nested or empty collection in a list")
        else:
            out.append(scalar(item, indent + 2))
