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

import marshal
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
    return cast("regex.Pattern[str]", _Lazy(compile_regex, pattern, flags))


# --- compiled patterns kept on disk (ecoplan.kept) --------------------------------------------------

# Entries kept at most for one engine: patterns built from the vocabularies change with them, and old ones go.
_KEPT_MAX = 2000

_Key = tuple[str, int]  # (pattern, flags)
_Entry = tuple[Any, ...]  # what the engine's constructor takes after the pattern text


class _KeptCode:
    """One engine's compiled code: what its compiler hands its constructor, per pattern, kept on disk.

    `entry_of(pattern, flags)` runs the compiler and returns that (None when it cannot
    be had: the pattern is wrong, or the compiler is not the one expected); `build(pattern,
    entry)` is the constructor. The constructor checks the code it is given.
    """

    def __init__(self, name: str, valid_for: tuple[Any, ...], entry_of: Callable[[str, int], _Entry | None],
                 build: Callable[..., Any], fallback: Callable[[str, int], Any]) -> None:
        self.path, self.valid_for = kept_path(__file__, name), valid_for
        self.entry_of, self.build, self.fallback = entry_of, build, fallback
        self.kept: dict[_Key, _Entry] | None = None  # read on first use
        self.made: dict[_Key, _Entry] = {}  # compiled in this process and not kept yet
        self.hits: set[_Key] = set()  # kept entries this process used

    def compile(self, pattern: str, flags: int) -> Any:
        key = (pattern, int(flags))
        if self.kept is None:
            self.kept = self.read()
        entry = self.kept.get(key)
        if entry is not None:
            try:
                compiled = self.build(pattern, *entry)
                self.hits.add(key)
                return compiled
            except (TypeError, ValueError, RuntimeError):  # a damaged entry (the engine checks the code)
                del self.kept[key]
        entry = self.made.get(key) or self.entry_of(*key)
        if entry is None:  # the engine's own compile says what is wrong, if anything
            return self.fallback(pattern, flags)
        self.made[key] = entry
        return self.build(pattern, *entry)

    def read(self) -> dict[_Key, _Entry]:
        entries = read_kept(self.path, self.valid_for)
        return entries if isinstance(entries, dict) else {}

    def save(self) -> None:
        """Keep the entries made in this process (merged with what another process kept meanwhile)."""
        if not self.made or sys.dont_write_bytecode:
            return
        entries = self.read()
        entries.update(self.made)
        if len(entries) > _KEPT_MAX:  # too many for the patterns of one version: keep the ones this process used
            entries = {key: entries[key] for key in self.hits if key in entries} | self.made
        write_kept(self.path, self.valid_for, entries)
        self.kept = entries
        self.made.clear()


def _re_entry(pattern: str, flags: int) -> _Entry | None:
    """What `re._compiler.compile` hands `_sre.compile` after the pattern text."""
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


def _regex_entry(pattern: str, flags: int) -> _Entry | None:
    """What `regex.compile` hands its engine's constructor after the pattern text.

    regex builds it in one long function; the constructor is stood in for while the
    pattern is compiled (uncached, so the compiler runs), and its arguments are read.
    """
    engine = _REGEX_ENGINE
    construct = engine.compile
    given: list[tuple[Any, ...]] = []

    def reading(*args: Any) -> Any:
        given.append(args)
        return construct(*args)

    engine.compile = reading
    try:
        regex.compile(pattern, flags, cache_pattern=False)
    except Exception:  # regex.compile, called next, raises the error the caller should see
        return None
    finally:
        engine.compile = construct
    if len(given) != 1 or given[0][0] != pattern:
        return None
    # Flags and opcodes as plain ints: regex passes its flags as an enum, which marshal does not write.
    flags_given, code, *rest = given[0][1:]
    entry = (int(flags_given), list(map(int, code)), *rest)
    try:
        marshal.dumps(entry)
    except ValueError:  # a named list (a set) or the like: compiled afresh each time
        return None
    return entry


_RE_CODE = None if _sre is None else _KeptCode(
    "patterns", (sys.version, _sre.MAGIC, _sre.CODESIZE), _re_entry, _sre.compile, re.compile)
_REGEX_ENGINE = getattr(getattr(regex, "_main", None), "_regex", None)  # where this regex version keeps it
_REGEX_CODE = None if _REGEX_ENGINE is None else _KeptCode(
    "patterns-regex", (sys.version, regex.__version__, int(regex.DEFAULT_VERSION)), _regex_entry,
    _REGEX_ENGINE.compile, regex.compile)


def compile_re(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`: the same pattern object (equal to it), from the kept code when there is some."""
    return re.compile(pattern, flags) if _RE_CODE is None else _RE_CODE.compile(pattern, flags)


def compile_regex(pattern: str, flags: int = 0) -> regex.Pattern[str]:
    """`regex.compile(pattern, flags)`: the same pattern, from the kept code when there is some."""
    return regex.compile(pattern, flags) if _REGEX_CODE is None else _REGEX_CODE.compile(pattern, flags)


def save_compiled() -> None:
    """Keep the code of the patterns compiled in this process for the next one."""
    for kept in (_RE_CODE, _REGEX_CODE):
        if kept is not None:
            kept.save()
