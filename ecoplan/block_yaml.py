"""A small block-style YAML emitter for dumped plans: PyYAML's bytes, without its node graph.

PyYAML spends as long writing a plan as ecoplan spends parsing it (a
representer, a serializer and an emitter call per node). A dumped Plan has one
shape, though: mappings of mappings, lists of mappings or of scalars, spans as
`[a, b]`. This module writes that shape directly (and a Plan's items as their
dump would be written, without dumping them), deciding each scalar's style
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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import is_dataclass
from functools import cache
from itertools import chain
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

import yaml

from ecoplan.text.patterns import lazy_re

# PyYAML's printable characters with allow_unicode are all but these (its line
# breaks \x85 \u2028 \u2029 among them): a string holding one is written
# double-quoted. A negated class of the few compiles far faster than the many.
_NOT_PRINTABLE = "\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff\U0010ffff"
# Indicators no plain scalar starts with (nor a space): a string starting with one is never plain.
_NEVER_PLAIN_FIRST = "#,[]{}&*!|>'\"%@` "


class _Patterns(NamedTuple):
    one_line: re.Pattern[str]  # printable, no line break
    literal: re.Pattern[str]  # printable and line breaks: a literal block (`|`) may hold it
    plain: Callable[[str], re.Match[str] | None]  # fullmatch: a one-line string PyYAML may write plain
    # By first character: matches where one of PyYAML's resolvers reads a string as another type.
    claimed: dict[str, re.Pattern[str]]
    # A value's first character that is an indicator or a resolver's, or a last one that is `:` or a
    # space, in values joined by _SEPARATOR (see `_plain_column`).
    column_edge: re.Pattern[str]


@cache
def _patterns() -> _Patterns:
    """Compiled at the first YAML output, not at every start (JSON never needs them)."""
    return _Patterns(
        one_line=lazy_re(f"[^{_NOT_PRINTABLE}\n]++"),
        literal=lazy_re(f"[^{_NOT_PRINTABLE}]++"),
        # PyYAML's analyze_scalar allows a printable one-line string plain in a block
        # context when no document marker or indicator comes first (`-`, `?`, `:` only
        # before a space or the end), it holds no `: ` or ` #`, no `:` at the end and no
        # space at either end. One pattern checks the characters and the shape at once.
        plain=lazy_re(f"(?!---|\\.\\.\\.)(?![{re.escape(_NEVER_PLAIN_FIRST)}])(?![-?:](?: |$))"
                      f"(?:[^: \n{_NOT_PRINTABLE}]|:(?! |$)| (?!#|$))++").fullmatch,
        claimed={first: _any_match(regexps) for first, regexps in _RESOLVERS.items()},
        # The separator first: a literal the search finds at C speed.
        column_edge=lazy_re(f"{_SEPARATOR}(?:[{re.escape(''.join(sorted(_INDICATORS | set(_RESOLVERS))))}]"
                            f"|(?<=[{re.escape(''.join(sorted(_LAST_NOT_PLAIN)))}]{_SEPARATOR}))"),
    )


def _any_match(regexps: tuple[re.Pattern[str], ...]) -> re.Pattern[str]:
    """One pattern that matches where any of `regexps` does: one call instead of several (a
    date is tried as a float, an integer and a timestamp). Each keeps its flags (PyYAML writes
    most verbose), scoped to its own group."""
    def scoped(regexp: re.Pattern[str]) -> str:
        letters = "".join(letter for flag, letter in _SCOPED_FLAGS if regexp.flags & flag)
        return f"(?{letters}:{regexp.pattern})"

    # The last added first: for a digit that is the timestamp, and a date is what plans hold most.
    return lazy_re("|".join(map(scoped, reversed(regexps))))


# The flags a group can set for itself, and their letters.
_SCOPED_FLAGS = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"), (re.VERBOSE, "x"))


# PyYAML's implicit resolvers (SafeDumper's), by the first character of the plain scalars they claim.
_RESOLVERS: dict[str, tuple[re.Pattern[str], ...]] = {
    first: tuple(regexp for _tag, regexp in resolvers)
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}
# First characters that send a string to the full test of `_string`: indicators and the
# starts of `- `, `? `, `: `, `---`, `...`.
_INDICATORS = frozenset("#,[]{}&*!|>'\"%@` -?:.")


# Beyond PyYAML's line width (writing.py sets 1 000 000) it would fold a long line.
_MAX_LINE = 500_000


class Unsupported(ValueError):
    """The piece holds something this emitter leaves to PyYAML."""


def _float(value: float) -> str:
    # yaml.representer.SafeRepresenter.represent_float
    if value != value:
        return ".nan"
    if value in _INFINITIES:
        return ".inf" if value > 0 else "-.inf"
    # The repr of a finite float is lower case already (PyYAML lowers it for its `e`).
    text = repr(value)
    return text.replace("e", ".0e", 1) if "." not in text and "e" in text else text


# Made once: float("inf") parses its text at every call.
_INFINITIES = (float("inf"), float("-inf"))


def _string(value: str, indent: int) -> str:
    """A string as PyYAML writes it in a block context, with the space before it and its line break."""
    if "\n" not in value:
        if not value:
            return " ''\n"
        if len(value) >= _MAX_LINE:
            raise Unsupported("folded string")
        patterns = _patterns()
        first = value[0]
        # Plain, unless PyYAML's rules forbid it or one of its resolvers would read it as
        # another type (null, 1.5, yes, a date …). Tested in the order that settles the
        # strings which reach here most often soonest: a date, a comparator, a % unit.
        if first not in _NEVER_PLAIN_FIRST and not ((claimed := patterns.claimed.get(first)) and claimed.match(value)):
            if patterns.plain(value) is not None:
                return f" {value}\n"
        if patterns.one_line.fullmatch(value) is None:
            raise Unsupported("double-quoted string")
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


def scalar(value: Any, indent: int) -> str:
    """A scalar as PyYAML writes it in a block context (after `key:` or `-`), with its line break.

    `indent` is the column a literal block's lines start at.
    """
    kind = type(value)
    if kind is str:
        return _string(value, indent)
    if value is None:
        return " null\n"
    if value is True or value is False:
        return " true\n" if value else " false\n"
    if isinstance(value, int):
        return f" {value}\n"
    if isinstance(value, float):
        return f" {_float(value)}\n"
    if isinstance(value, str):
        return _string(value, indent)
    raise Unsupported(kind.__name__)


@cache
def _key(key: str) -> str:
    patterns = _patterns()
    if (not isinstance(key, str) or not key or len(key) >= 128 or patterns.plain(key) is None
            or any(r.match(key) for r in _RESOLVERS.get(key[0], ()))):
        raise Unsupported(f"key {key!r}")
    return key + ":"


def _span(values: list[Any]) -> str:
    if len(values) == 2 and type(values[0]) is int and type(values[1]) is int:
        return f" [{values[0]}, {values[1]}]\n"
    if not all(type(v) is int for v in values):
        raise Unsupported("span of non-integers")
    return " [" + ", ".join(map(str, values)) + "]\n"


def _plain_at_sight(value: str) -> bool:
    """Whether a non-empty string is plain on cheap tests alone (most plan text is).

    A sufficient condition for `_string`'s full test: printable by Python's
    rules (stricter than YAML's, no line break), a first character that is no
    indicator (`-`, `?`, `:`, `.` are left to the full test too), no `: ` nor
    ` #`, no `:` or space at the end, and no resolver to ask: none claims the
    first character, or the string is not all ASCII (every SafeDumper resolver
    matches ASCII characters only: numbers, dates, yes/no, null). Strings it
    refuses take the full test.
    """
    first = value[0]
    if first in _INDICATORS or (first in _RESOLVERS and value.isascii()):
        return False
    return (value.isprintable() and ": " not in value and " #" not in value and value[-1] not in ": "
            and len(value) < _MAX_LINE)


# Each key as it starts a line at an indent (`    title:`), by indent.
_HEADS: dict[int, dict[str, str]] = {}


def _head(key: str, indent: int) -> str:
    head = _HEADS.setdefault(indent, {})[key] = " " * indent + _key(key)
    return head


# Values written as block sequences (or a span's flow pair); a tuple of types, as isinstance
# takes one faster than a union.
_SEQUENCES = (list, tuple)


def mapping(data: dict[str, Any], indent: int, out: list[str]) -> None:
    """A non-empty block mapping whose first key goes where the line already stands (column `indent`)."""
    pairs(data.items(), indent, out)


def pairs(items: Iterable[tuple[str, Any]], indent: int, out: list[str]) -> None:
    """`mapping` of the (key, value) pairs `items` (at least one)."""
    heads = _HEADS.get(indent) or {}
    first = len(out)
    for key, value in items:
        head = heads.get(key) or _head(key, indent)
        kind = type(value)
        # The common cases first, key and scalar on one line: a string (plain on
        # sight: see `_plain_at_sight`, inlined here), an integer, null, a span.
        if kind is str:
            if (value and not (value[0] in _INDICATORS or (value[0] in _RESOLVERS and value.isascii()))
                    and value.isprintable() and ": " not in value and " #" not in value
                    and value[-1] not in ": " and len(value) < _MAX_LINE):
                out.append(f"{head} {value}\n")
            else:
                out.append(head + _string(value, indent + 2))
        elif kind is int:
            out.append(f"{head} {value}\n")
        elif value is None:
            out.append(head + " null\n")
        elif isinstance(value, _SEQUENCES):  # a record's span is a tuple, its dump's a list
            if not value:
                out.append(head + " []\n")
            elif key == "span":  # writing.py writes every span as a flow pair
                if len(value) == 2 and type(start := value[0]) is int and type(end := value[1]) is int:
                    out.append(f"{head} [{start}, {end}]\n")
                else:
                    out.append(head + _span(value))
            else:
                out.append(head + "\n")
                sequence(value, indent, out)  # a block sequence under a key is not indented
        elif isinstance(value, dict):
            if value:
                out.append(head + "\n" + " " * (indent + 2))
                pairs(value.items(), indent + 2, out)
            else:
                out.append(head + " {}\n")
        else:
            out.append(head + scalar(value, indent + 2))
    if indent:
        # Every key was written at its column, the first too: it goes where the line stands.
        out[first] = out[first][indent:]


def sequence(items: Sequence[Any], indent: int, out: list[str]) -> None:
    """A non-empty block sequence, its `-` at column `indent`."""
    fields = fields_of(type(items[0]))
    if fields is not None and set(map(type, items)) == {type(items[0])}:
        out.extend(_record_texts(items, fields, indent))
        return
    dash = " " * indent + "-"
    for item in items:
        fields = fields_of(type(item))
        if fields is not None:
            out.append(dash + " ")
            names, values = fields
            # Not strict: the getter gives a value per name by construction, and the check costs.
            pairs(zip(names, values(item), strict=False), indent + 2, out)
        elif isinstance(item, dict) and item:
            out.append(dash + " ")
            pairs(item.items(), indent + 2, out)
        elif isinstance(item, dict | list | tuple):
            raise Unsupported("nested or empty collection in a list")
        elif type(item) is str and item and _plain_at_sight(item):
            out.append(f"{dash} {item}\n")
        else:
            out.append(dash + scalar(item, indent + 2))


def _record_texts(items: Sequence[Any], fields: _Fields, indent: int) -> list[str]:
    """Records of one class, their `-` at column `indent`, as `pairs` writes each: one text per record.

    Written a field at a time over all the records: the values of a field are settled
    together (a field of plan text is mostly plain, which one test of all its values
    tells; a field of dates or comparators holds a few values, each settled once), the
    children of all the records are written together the same way, a level at a time,
    and each record is then one `%` of a template holding its keys.
    """
    names, values = fields
    inner = indent + 2  # the column of the keys; a literal block's lines go 2 further
    template: list[str] = []
    columns: list[Sequence[Any]] = []
    for n, (key, column) in enumerate(zip(names, zip(*map(values, items), strict=True), strict=True)):
        head = (" " * indent + "- " if n == 0 else " " * inner) + _key(key).replace("%", "%%")
        kinds = set(map(type, column))
        if kinds == _INT:
            template.append(head + " %s\n")
            columns.append(column)
        elif kinds == _FLOAT:
            # Each distinct figure written once (repr is the cost); no int or bool shares a key here.
            template.append(head + " %s\n")
            figures = {value: _float(value) for value in set(column)}
            columns.append(list(map(figures.__getitem__, column)))
        elif kinds <= _TEXT:
            template.append(head + " %s\n")
            if kinds == _STR and _plain_column(column):
                columns.append(column)
            else:
                settled = {value: _scalar_text(value, inner + 2) for value in set(column)}
                columns.append(list(map(settled.__getitem__, column)))
        elif key == "span" and kinds == _TUPLE and set(map(len, column)) == _PAIR and (
                set(map(type, chain.from_iterable(column))) == _INT):
            template.append(head + " [%s, %s]\n")  # writing.py writes every span as a flow pair
            columns.extend((list(map(itemgetter(0), column)), list(map(itemgetter(1), column))))
        elif kinds.isdisjoint(_COLLECTIONS):
            template.append(head + " %s\n")
            columns.append([_scalar_text(value, inner + 2) for value in column])
        else:
            template.append(head + "%s")
            columns.append(_collection_texts(key, column, inner))
    return list(map("".join(template).__mod__, zip(*columns, strict=True)))


# Kinds of a field's values (sets of types), for `_record_texts`. A field of strings and
# None is settled value by value through a dict: no two values of other kinds (1, 1.0,
# True) may share one entry.
_INT, _FLOAT, _STR, _TEXT, _TUPLE, _PAIR = {int}, {float}, {str}, {str, type(None)}, {tuple}, {2}
_COLLECTIONS = {list, tuple, dict}


def _plain_column(column: Sequence[str]) -> bool:
    """Whether every string of a field is plain on sight (see `_plain_at_sight`), tested on
    them all at once: joined by a letter, which adds no `: `, ` #` nor anything unprintable,
    and the sets of their first and last characters."""
    joined = _SEPARATOR.join(column)
    if not (joined.isprintable() and ": " not in joined and " #" not in joined and len(joined) < _MAX_LINE
            and all(column)):
        return False
    # Most columns hold no value starting with an indicator or a resolver's character nor ending in
    # `:` or a space, which one search of the joined values tells (a separator inside a value may
    # send a column to the exact test below, never past it): a set of the first and the last
    # characters makes a string of each, for most values an ideograph.
    if (_patterns().column_edge.search(joined) is None and column[0][0] not in _INDICATORS
            and column[0][0] not in _RESOLVERS and column[-1][-1] not in _LAST_NOT_PLAIN):
        return True
    firsts = set(map(itemgetter(0), column))
    if not firsts.isdisjoint(_INDICATORS) or not _LAST_NOT_PLAIN.isdisjoint(map(itemgetter(-1), column)):
        return False
    return firsts.isdisjoint(_RESOLVERS) or not any(v.isascii() for v in column if v[0] in _RESOLVERS)


_LAST_NOT_PLAIN = frozenset(": ")
# Joins a column's values for `_plain_column`: printable, adding no `: ` nor ` #`, and rare in plan text.
_SEPARATOR = "\xa4"


def _scalar_text(value: Any, indent: int) -> Any:
    """A scalar as `pairs` writes it after `key: ` (without its line break; a plain string or
    an integer as it is, for `%s`), a literal block's lines at column `indent`."""
    kind = type(value)
    if kind is str:
        return value if value and _plain_at_sight(value) else _string(value, indent)[1:-1]
    if kind is int:
        return value
    return scalar(value, indent)[1:-1]


def _collection_texts(key: str, column: Sequence[Any], indent: int) -> list[str]:
    """What `pairs` writes after `key:` (key at column `indent`) for each value of a field of lists
    or mappings. Lists of records (a section's children) are written all together, and so are
    lists of strings (a task's departments), each distinct string settled once."""
    if set(map(type, column)) == {list}:
        flat = list(chain.from_iterable(column))
        kinds = set(map(type, flat))
        fields = fields_of(next(iter(kinds))) if len(kinds) == 1 else None
        if not flat or kinds == _STR or fields is not None:
            if fields is not None:
                texts = _record_texts(flat, fields, indent)
            else:
                dash = " " * indent + "-"
                settled = {value: f"{dash} {value}\n" if value and _plain_at_sight(value)
                           else dash + _string(value, indent + 2) for value in set(flat)}
                texts = list(map(settled.__getitem__, flat))
            out = []
            start = 0
            for value in column:
                if value:
                    end = start + len(value)
                    out.append("\n" + "".join(texts[start:end]))
                    start = end
                else:
                    out.append(" []\n")
            return out
    return [_pair_text(key, value, indent) for value in column]


def _pair_text(key: str, value: Any, indent: int) -> str:
    """What `pairs` writes after `key:` for `value`, the key at column `indent`."""
    out: list[str] = []
    pairs(((key, value),), indent, out)
    return "".join(out)[len(key) + 1 :]


# A record is an item of a Plan as the schema makes it (a pydantic dataclass): written as
# `mapping` writes its dump, without the dump. Its fields' values are what the dump holds
# (strings, numbers, None, lists of strings or of records), but for a span, a tuple.
# By class: the field names in output order and a getter of their values; None for a
# class that is no record.
_Fields = tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]
_records: dict[type, _Fields | None] = {}
_UNSEEN: Any = object()


def fields_of(cls: type) -> _Fields | None:
    """The field names and getter of a record class; None for a class that is no record."""
    record = _records.get(cls, _UNSEEN)
    if record is _UNSEEN:
        fields = getattr(cls, "__pydantic_fields__", None)
        # attrgetter of one name gives the value, not a tuple: the schema's items have several.
        names = tuple(fields) if isinstance(fields, dict) and is_dataclass(cls) and len(fields) > 1 else ()
        _records[cls] = record = (names, attrgetter(*names)) if names else None
    return record
