from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecoplan import vocab
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


_LETTERS = st.text(alphabet="ab中文.*", max_size=4)


@given(st.lists(_LETTERS, max_size=10), st.text(alphabet="ab中文.*x", max_size=30))
def test_a_trie_alternation_matches_what_the_plain_alternation_does(words: list[str], text: str) -> None:
    # Longest first at every position, as alternation's order gives; re special characters stay literal.
    plain = re.compile(vocab.alternation(words) if words else "(?!)")
    trie = re.compile(vocab.trie_alternation(words) if words else "(?!)")
    assert [m.span() for m in trie.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert vocab.trie_alternation(words) == vocab.trie_alternation(list(reversed(words)))
