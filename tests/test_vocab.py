from __future__ import annotations

import pytest

from ecoplan.text.quantities import unit_name
from ecoplan.vocab import MODELS, VocabularyError, load, parse


@pytest.mark.parametrize("name", sorted(MODELS))
def test_shipped_vocabularies_load(name: str) -> None:
    assert load(name).model_dump()


@pytest.mark.parametrize(
    ("name", "change", "key"),
    [
        ("units", {"bogus_key": ["x"]}, "bogus_key"),
        ("units", {"multipliers": "万"}, "multipliers"),
        ("headings", {"inline_boundary": ["。"]}, "inline_boundary"),
        ("deadlines", {"month_part": {"底": "soon"}}, "month_part.底"),
    ],
)
def test_a_bad_vocabulary_names_file_and_key(name: str, change: dict, key: str) -> None:
    data = load(name).model_dump() | change
    with pytest.raises(VocabularyError, match=rf"{name}\.yaml: key {key}"):
        parse(name, data)


@pytest.mark.parametrize(
    ("written", "canonical"),
    [("μg/m3", "微克/立方米"), ("ug/m3", "微克/立方米"), ("微克每立方米", "微克/立方米"), ("平方千米", "平方公里"),
     ("万平方千米", "万平方公里"), ("个百分点", "百分点"), ("%", "%"), ("万千瓦", "万千瓦"),
     ("吨每日", "吨/日"), ("万吨每日", "万吨/日"), ("μg/m³", "微克/立方米")],
)
def test_unit_names(written: str, canonical: str) -> None:
    assert unit_name(written) == canonical
