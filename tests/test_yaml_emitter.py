"""The block YAML emitter writes what PyYAML writes, and what it writes reads back to the same data.

Generated plan-shaped data (mappings in the schema's order, lists of items,
spans, every kind of scalar) with strings drawn from the characters that
decide a YAML style: indicators, quotes, spaces, colons, hashes, line breaks,
tabs, control and non-BMP characters, and the words PyYAML's resolvers claim
(null, yes, 2025-12-31, 1.5).
"""

from __future__ import annotations

import json

import yaml
from hypothesis import given
from hypothesis import strategies as st

from ecoplan import block_yaml
from ecoplan.writing import _flow_spans, _yaml_modules, dumps_data

_TRICKY = [
    *"-?:,[]{}#&*!|>'\"%@`. \n\t\r~=<+0123456789eE",
    "\x85", "\u2028", "\ufeff", "\x7f", "\x00", "\u3000", "\xa0", "𠀀", "年", "达到", "％", "：",
    "yes", "null", "No", "on", "2025-12-31", "1.5", "1e3", "---", "...", ": ", " #", "\n\n",
]
texts = st.lists(st.sampled_from(_TRICKY), max_size=8).map("".join) | st.text(max_size=12)
scalars = st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats(allow_nan=False) | texts
spans = st.lists(st.integers(0, 10**6), min_size=2, max_size=2)
keys = st.sampled_from(["text", "title", "marker", "unit", "value", "line", "date", "null", "2025", "a b", "on"])


def _item(children: st.SearchStrategy) -> st.SearchStrategy:
    # A located item: some scalar fields, its span, maybe a list of names or of child items.
    return st.builds(
        lambda fields, span, names, kids: {**fields, "span": span, "names": names, "children": kids},
        st.dictionaries(keys, scalars, max_size=4), spans, st.lists(texts, max_size=3), children,
    )


items = st.recursive(st.just([]), lambda kids: st.lists(_item(kids), max_size=3), max_leaves=8)
plans = st.fixed_dictionaries({
    "schema_version": st.just("1"),
    "meta": st.dictionaries(keys, scalars, max_size=5),
    "sections": items,
    "targets": st.lists(_item(st.just([])), max_size=3),
    "tail": scalars,
})


def _pyyaml(data: object) -> str:
    python_dumper = _yaml_modules()[2]
    return yaml.dump(_flow_spans(data), Dumper=python_dumper, allow_unicode=True, sort_keys=False, width=1_000_000)


@given(plans)
def test_plans_are_written_as_pyyaml_writes_them_and_read_back(data: dict) -> None:
    text = dumps_data(data, "yaml")
    assert text == _pyyaml(data)
    # PyYAML itself loses a U+0085 (NEL) it wrote single-quoted; plan text never holds one
    # (normalise ends a line there), and the emitter leaves such strings to PyYAML.
    if "\\u0085" not in json.dumps(data):
        assert yaml.safe_load(text) == data


@given(texts, st.integers(0, 3))
def test_each_string_takes_pyyaml_style_or_is_declined(value: str, depth: int) -> None:
    # A string alone at some depth: the emitter's own output (no fallback) must be PyYAML's.
    data: object = {"text": value}
    for _ in range(depth):
        data = {"items": [data]}
    out: list[str] = []
    try:
        block_yaml.mapping(data, 0, out)  # type: ignore[arg-type]
    except block_yaml.Unsupported:
        return
    text = "".join(out)
    if out[-1].startswith((" |+", " |2+")):
        text += "...\n"  # PyYAML marks the end of a document whose last scalar keeps its final line breaks
    assert text == _pyyaml(data)
    assert yaml.safe_load(text) == data


def test_plan_text_needs_no_fallback() -> None:
    # Chinese prose, quoted dates, comparators, literal blocks: all written by the emitter itself.
    data = {"meta": {"title": "大连市2024年生态环境保护工作计划", "date": "2024-03-01", "year": 2024, "issuer": None},
            "targets": [{"comparator": ">=", "value": 85.0, "unit": "%", "text": "达到85%以上", "span": [3, 9]}],
            "sections": [{"marker": "一、", "text": "第一行\n第二行", "children": []}]}
    out: list[str] = []
    block_yaml.mapping(data, 0, out)
    assert "".join(out) == _pyyaml(data)


def test_a_document_ending_in_a_kept_block_ends_as_pyyaml_ends_it() -> None:
    # PyYAML closes a document whose last scalar keeps its final line breaks (`|+`) with `...`;
    # a plain scalar that merely ends in ` |+` is no such block.
    for data in ({"tail": "a\n\n"}, {"tail": "\n\n"}, {"items": [{"text": "a\n\n"}]}, {"text": "a |+"},
                 {"items": [{"text": "a\n\n"}], "after": 1}):
        assert dumps_data(data, "yaml") == _pyyaml(data)


def test_long_lists_are_written_as_pyyaml_writes_them_around_a_declined_item() -> None:
    # Items are written in runs; a run holding an item the emitter declines (a tab makes
    # PyYAML double-quote) is written item by item, that one by PyYAML.
    items = [{"text": f"第{n}项\t" if n == 250 else f"第{n}项", "line": n + 1, "span": [n, n + 3]} for n in range(450)]
    data = {"schema_version": "1", "targets": items, "tasks": items[:5]}
    assert dumps_data(data, "yaml") == _pyyaml(data)
