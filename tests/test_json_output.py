"""JSON output is written by pydantic-core (in one piece, or in pieces for a big plan), byte for
byte as Python's json module writes it.

Generated plan-shaped data: strings with escapes, control and non-BMP
characters; targets' and percentages' values over the whole float range
(tiny and non-finite ones take json's own path, which refuses NaN/Infinity).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecoplan import writing
from ecoplan.writing import dumps_data

texts = st.text(max_size=10) | st.sampled_from(["", "\"\\/", "\x00\x1f\x7f", "\u2028", "𠀀年", "</script>"])
scalars = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | texts
values = st.floats() | st.integers(-(10**6), 10**6) | st.sampled_from([1e-5, -3e-9, 0.0, -0.0, 1e16, 1e-4])
spans = st.lists(st.integers(0, 99), min_size=2, max_size=2)
located = st.fixed_dictionaries({"text": texts, "line": st.integers(1, 99), "span": spans})
figures = st.builds(lambda item, value: {"value": value, **item}, located, values)
sections = st.recursive(st.just([]), lambda kids: st.lists(st.builds(
    lambda item, children: {**item, "children": children}, located, kids), max_size=3), max_leaves=6)
plans = st.fixed_dictionaries({
    "schema_version": st.just("1"),
    "meta": st.dictionaries(st.sampled_from(["title", "date", "year", "région"]), scalars, max_size=4),
    "sections": sections,
    "targets": st.lists(figures, max_size=3),
    "percentages": st.lists(figures, max_size=2),
    "departments": st.lists(st.dictionaries(texts, scalars, max_size=2), max_size=2),
})


@pytest.mark.parametrize("whole_items", [writing._WHOLE_JSON_ITEMS, 0], ids=["one-piece", "pieces"])
@given(data=plans)
def test_json_and_jsonl_are_what_the_json_module_writes(whole_items: int, data: dict) -> None:
    # whole_items 0: every plan takes the path of a big one, written item by item
    writing._WHOLE_JSON_ITEMS, saved = whole_items, writing._WHOLE_JSON_ITEMS
    try:
        _check_against_json_module(data)
    finally:
        writing._WHOLE_JSON_ITEMS = saved


def _check_against_json_module(data: dict) -> None:
    for fmt, options in (("json", {"indent": 2}), ("jsonl", {"separators": (",", ":")})):
        try:
            expected = json.dumps(data, ensure_ascii=False, allow_nan=False, **options) + "\n"
        except ValueError:
            with pytest.raises(ValueError):
                dumps_data(data, fmt)
            continue
        assert dumps_data(data, fmt) == expected


def test_empty_mapping() -> None:
    assert dumps_data({}, "json") == "{}\n"
