"""The text layer's start-up helpers: patterns compiled on first use, and rule records."""

from __future__ import annotations

import copy
import pickle
import re

import pytest
import regex

from ecoplan.text.patterns import lazy_re, lazy_regex
from ecoplan.text.records import rule_record


def test_a_lazy_pattern_matches_as_the_compiled_one_and_is_compiled_on_first_use() -> None:
    source = r"(?P<year>\d{4})年(?:底|末)?"
    lazy, compiled = lazy_re(source), re.compile(source)
    assert lazy.pattern == source  # a building block of other patterns, read without compiling
    assert "search" not in vars(lazy)
    text = "到2025年底，2030年前"
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in compiled.finditer(text)]
    assert "search" in vars(lazy)  # bound once: later calls go straight to the compiled pattern
    assert (lazy.groups, lazy.groupindex, lazy.flags) == (compiled.groups, compiled.groupindex, compiled.flags)
    assert lazy.sub("Y", text) == compiled.sub("Y", text)


def test_a_lazy_regex_pattern_keeps_the_flags_and_the_regex_features() -> None:
    lazy = lazy_regex(r"^\p{Han}+$", regex.MULTILINE)
    assert lazy.findall("生态\nab\n环境") == ["生态", "环境"]
    assert lazy.flags & regex.MULTILINE


def test_a_lazy_pattern_survives_copy_and_pickle_probes() -> None:
    lazy = lazy_re("a+")
    assert copy.copy(lazy).pattern == "a+"
    assert pickle.loads(pickle.dumps(lazy)).pattern == "a+"
    assert lazy_re("b+").fullmatch("bb")


def test_a_rule_record_takes_every_field_once_and_is_read_only() -> None:
    @rule_record
    class Rules:
        """Two fields."""

        words: tuple[str, ...]
        pattern: re.Pattern[str]

        def first(self) -> str:
            return self.words[0]

    rules = Rules(("局",), pattern=re.compile("局"))
    assert (rules.first(), rules.pattern.pattern, Rules.__doc__) == ("局", "局", "Two fields.")
    with pytest.raises(AttributeError):
        rules.words = ()  # type: ignore[misc]
    for values in ({}, {"words": (), "pattern": None, "other": 1}):
        with pytest.raises(TypeError):
            Rules(**values)
    with pytest.raises(TypeError):
        Rules((), None, words=())  # type: ignore[misc]
