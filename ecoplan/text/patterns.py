"""Patterns compiled on first use.

Compiling ecoplan's ~170 patterns took ~70 ms of every start, more than any
other one thing a one-plan run does, and a typical plan uses only half of them
(a plan without tables never needs the table patterns, one in simplified
characters never the rare date forms...). `lazy_re` and `lazy_regex` stand in
for `re.compile` and `regex.compile`: the pattern is compiled when it is first
used, then the compiled pattern's methods and attributes are the stand-in's
own, so a loop calling `.search` pays nothing more than on the compiled
pattern. `.pattern` is there from the start: a pattern that is a building block
of another is never compiled for that.

What compiling a `re` pattern yields is kept on disk as Python keeps bytecode
(`__pycache__`, or under PYTHONPYCACHEPREFIX; nothing when bytecode is not
written): `re` parses and compiles a pattern in Python, ~30 ms of a one-plan
run for the patterns a plan uses, where the engine's own constructor takes the
kept code in microseconds. See `compile_re` and `save_compiled`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any, cast

import regex

from ecoplan.kept import kept_path, read_kept, write_kept

try:  # the engine's constructor and the compiler's two steps before it: CPython's own, not public
    import _sre
    from re import _compiler, _parser  # type: ignore[attr-defined]
except ImportError:  # another Python: patterns are compiled by re.compile, and nothing is kept
    _sre = None

# A compiled pattern's type -> the names of its methods and attributes (dir() once, not once a pattern).
_PUBLIC_NAMES: dict[type, tuple[str, ...]] = {}


class _Compiled:
    """A compiled pattern's methods and attributes, as instance attributes (set by `_Lazy`)."""

    pattern: str


class _Lazy(_Compiled):
    """A pattern not compiled yet: the first attribute it lacks compiles it."""

    def __init__(self, compile: Callable[[str, int], Any], pattern: str, flags: int) -> None:
        self._compile, self.pattern, self._flags = compile, pattern, flags

    def __getattr__(self, name: str) -> Any:
        # Private and special names are never a pattern's: answering them would compile on a
        # copy's or a pickle's probe, or recurse on an instance made without __init__.
        if name.startswith("_"):
            raise AttributeError(name)
        compiled = self._compile(self.pattern, self._flags)
        attributes = self.__dict__
        attributes.clear()
        kind = type(compiled)
        names = _PUBLIC_NAMES.get(kind) or _PUBLIC_NAMES.setdefault(
            kind, tuple(name for name in dir(kind) if not name.startswith("_")))
        attributes.update((name, getattr(compiled, name)) for name in names)
        # Done with __getattr__: a class without one is looked up the plain (fast) way.
        self.__class__ = _Compiled
        return attributes[name]


def lazy_re(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, compiled on first use (by `compile_re`)."""
    return cast("re.Pattern[str]", _Lazy(compile_re, pattern, flags))


def lazy_regex(pattern: str, flags: int = 0) -> regex.Pattern[str]:
    """`regex.compile(pattern, flags)`, compiled on first use."""
    return cast("regex.Pattern[str]", _Lazy(regex.compile, pattern, flags))


# --- compiled patterns kept on disk (ecoplan.kept) --------------------------------------------------

# What a kept entry is valid for: the interpreter (its re compiler) and the engine's code format.
_KEPT_FOR = (sys.version, getattr(_sre, "MAGIC", None), getattr(_sre, "CODESIZE", None))
_KEPT_PATH = kept_path(__file__, "patterns")
# Entries kept at most: patterns built from the vocabularies change with them, and old ones go.
_KEPT_MAX = 2000

# (pattern, flags) -> (flags, code, groups, groupindex, indexgroup): _sre.compile's arguments.
_Entry = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]
_kept: dict[tuple[str, int], _Entry] | None = None  # read on first use
_made: dict[tuple[str, int], _Entry] = {}  # compiled in this process and not kept yet
_hits: set[tuple[str, int]] = set()  # kept entries this process used


def compile_re(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`: the same pattern object (equal to it), from the kept code when there is some."""
    global _kept
    if _sre is None:
        return re.compile(pattern, flags)
    flags = int(flags)
    key = (pattern, flags)
    if _kept is None:
        _kept = _read_kept()
    entry = _kept.get(key)
    if entry is not None:
        try:
            compiled = _sre.compile(pattern, *entry)
            _hits.add(key)
            return cast("re.Pattern[str]", compiled)
        except (TypeError, ValueError, RuntimeError):  # a damaged entry (the engine checks the code): compile anew
            del _kept[key]
    entry = _made.get(key) or _compiled_entry(pattern, flags)
    if entry is None:  # an error, or a compiler unlike the one expected: re.compile says what is wrong
        return re.compile(pattern, flags)
    _made[key] = entry
    return cast("re.Pattern[str]", _sre.compile(pattern, *entry))


def _compiled_entry(pattern: str, flags: int) -> _Entry | None:
    """What `re._compiler.compile` hands the engine for `pattern`, or None if it cannot be had."""
    try:
        parsed = _parser.parse(pattern, flags)
        # As plain ints: the compiler emits its opcodes as an int subclass, which marshal does not write.
        code = list(map(int, _compiler._code(parsed, flags)))
        state = parsed.state
        groupindex = dict(state.groupdict)
        indexgroup: list[str | None] = [None] * state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        return int(flags | state.flags), code, state.groups - 1, groupindex, tuple(indexgroup)
    except Exception:  # re.compile, called next, raises the error the caller should see
        return None


def _read_kept() -> dict[tuple[str, int], _Entry]:
    entries = read_kept(_KEPT_PATH, _KEPT_FOR)
    return entries if isinstance(entries, dict) else {}


def save_compiled() -> None:
    """Keep the code of the patterns compiled in this process for the next one (merged with what
    another process kept meanwhile)."""
    global _kept
    if not _made or sys.dont_write_bytecode or _sre is None:
        return
    entries = _read_kept()
    entries.update(_made)
    if len(entries) > _KEPT_MAX:  # too many for the patterns of one version: keep the ones this process used
        entries = {key: entries[key] for key in _hits if key in entries} | _made
    write_kept(_KEPT_PATH, _KEPT_FOR, entries)
    _kept = entries
    _made.clear()
