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
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, cast

import regex

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
    """`re.compile(pattern, flags)`, compiled on first use."""
    return cast("re.Pattern[str]", _Lazy(re.compile, pattern, flags))


def lazy_regex(pattern: str, flags: int = 0) -> regex.Pattern[str]:
    """`regex.compile(pattern, flags)`, compiled on first use."""
    return cast("regex.Pattern[str]", _Lazy(regex.compile, pattern, flags))
