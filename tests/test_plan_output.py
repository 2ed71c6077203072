"""A Plan is written without being dumped first, byte for byte as its dump is written.

The YAML writer takes a Plan's items as they are (a span is a tuple there, a
list in the dump) and JSON comes from the Plan's own serializer; both must give
what `dumps_data` gives for `plan.model_dump(mode="json")`, which
tests/test_yaml_emitter.py and tests/test_json_output.py hold to PyYAML's and
the json module's bytes. Generated plans: item texts with the characters that
decide a YAML style or a JSON escape, values over the whole float range, nested
sections, lists of names.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecoplan import writing
from ecoplan.schema import Deadline, Department, Meta, Percentage, Plan, Section, Source, Target, Task
from ecoplan.writing import dumps, dumps_data

_TRICKY = [
    *"-?:,[]{}#&*!|>'\"%@`. \n\t~=0123456789", "\x85", "\u2028", "\x00", "𠀀", "年", "达到", "：",
    "yes", "null", "2025-12-31", "1.5", "---", ": ", " #", "\n\n",
]
texts = st.lists(st.sampled_from(_TRICKY), max_size=6).map("".join) | st.text(max_size=8)
values = st.floats() | st.integers(-(10**6), 10**6) | st.sampled_from([1e-5, 0.0, -0.0, 1e16, 85.0])
spans = st.tuples(st.integers(0, 10**4), st.integers(0, 50)).map(lambda a: (a[0], a[0] + a[1]))
lines = st.integers(1, 999)

targets = st.builds(
    lambda indicator, value, unit, text, line, span: Target(
        indicator=indicator, comparator=">=", value=value, unit=unit, text=text, line=line, span=span),
    texts, values, texts, texts, lines, spans)
percentages = st.builds(lambda value, text, line, span: Percentage(value=value, text=text, line=line, span=span),
                        st.floats(), texts, lines, spans)
deadlines = st.builds(lambda text, line, span: Deadline(text=text, date="2025-12-31", line=line, span=span),
                      texts, lines, spans)
departments = st.builds(lambda name, line, span: Department(name=name, mentions=1, line=line, span=span),
                        texts, lines, spans)
tasks = st.builds(lambda text, lead, line, span: Task(text=text, lead=lead, line=line, span=span),
                  texts, st.lists(texts, max_size=3), lines, spans)
sections = st.recursive(st.just([]), lambda kids: st.lists(st.builds(
    lambda title, text, line, span, children: Section(
        marker="一、", style="cn-dun", number=1, level=1, title=title, text=text, line=line, span=span,
        children=children),
    texts, texts, lines, spans, kids), max_size=3), max_leaves=6)
plans = st.builds(
    lambda title, sections, targets, percentages, deadlines, departments, tasks: Plan(
        source=Source(path=None, sha256="0" * 64, encoding=None), meta=Meta(title=title, year=2025),
        sections=sections, targets=targets, percentages=percentages, deadlines=deadlines,
        departments=departments, tasks=tasks),
    texts, sections, st.lists(targets, max_size=3), st.lists(percentages, max_size=2),
    st.lists(deadlines, max_size=3), st.lists(departments, max_size=3), st.lists(tasks, max_size=2))


@pytest.mark.parametrize("whole_items", [writing._WHOLE_JSON_ITEMS, 0], ids=["one-piece", "pieces"])
@given(plan=plans)
def test_a_plan_is_written_as_its_dump_is_written(whole_items: int, plan: Plan) -> None:
    # whole_items 0: every plan takes the path of a big one
    writing._WHOLE_JSON_ITEMS, saved = whole_items, writing._WHOLE_JSON_ITEMS
    try:
        data = plan.model_dump(mode="json")
        for fmt in ("yaml", "json", "jsonl"):
            try:
                expected = dumps_data(data, fmt)
            except ValueError:  # JSON of a value that is not finite
                with pytest.raises(ValueError):
                    dumps(plan, fmt)
                continue
            assert dumps(plan, fmt) == expected
    finally:
        writing._WHOLE_JSON_ITEMS = saved
