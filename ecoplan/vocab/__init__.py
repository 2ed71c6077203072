"""Rule vocabularies, kept as YAML data files, one per rule family.

`load(name)` reads `<name>.yaml` once and validates it against the small
pydantic model below: an unknown key or a value of the wrong type is an error
that names the file and the key. The format of each file is in its comments
and in README.md in this folder.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any, Literal, overload

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

# libyaml reads the vocabularies about 8 times faster than the pure-Python
# loader (~50 ms of every cold start); same safe subset, same data.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Words = list[str]


class _Vocab(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HeadingsVocab(_Vocab):
    inline_markers: Words
    lone_inline_markers: Words
    inline_boundary: str
    inline_not_after: str
    gap_tolerant_styles: Words
    restartable_styles: Words
    non_section_prefixes: Words


class LabelledSource(_Vocab):
    """Web page labels (or page metadata names) that rank together as a source."""

    labels: Words
    government_body_only: bool = False


# One rank of a source order: the document's own header line or signature, or labels.
SourceRank = Literal["document"] | LabelledSource


class MetadataVocab(_Vocab):
    title_endings: Words
    title_continuations: Words
    title_labels: Words
    wrapper_verbs: Words
    wrapper_nouns: Words
    file_suffixes: Words
    attachment_labels: Words
    issuer_suffixes: Words
    issuer_sources: list[SourceRank]
    date_sources: list[SourceRank]
    government_body_words: Words
    web_labels: Words
    junk_markers: Words
    region_suffixes: Words
    region_not_names: Words
    region_not_place_words: Words
    provinces: Words
    placeholder_names: Words
    title_prefixes: Words
    working_year_verbs: Words

    @property
    def source_labels(self) -> Words:
        """Every label of the issuer and date sources, in rank order."""
        ranks = [*self.issuer_sources, *self.date_sources]
        return [label for rank in ranks if isinstance(rank, LabelledSource) for label in rank.labels]


class DeadlinesVocab(_Vocab):
    triggers: Words
    before_suffix: Words
    year_end: Words
    month_word: Words
    month_part: dict[str, int | Literal["last"]]
    day_words: Words
    halves: dict[str, str]
    quarter_word: str
    quarter_end: Words
    quarters: dict[str, str]
    relative_years: dict[str, int]
    recurring: Words
    not_before: Words
    not_year_owner: Words
    not_after: Words
    not_after_before_suffix: Words
    counted_units: Words
    five_year_plans: dict[str, tuple[int, int]]
    five_year_plan_words: Words
    period_ends: Words


class TablesVocab(_Vocab):
    header: dict[str, Words]
    lead_labels: Words
    support_labels: Words
    lead_verbs: Words
    support_verbs: Words
    name_noise: Words
    max_name_length: int
    not_cell_wrap: Words
    role_complements: Words
    first_is_lead: Words
    other_labels: Words
    lead_marks: Words
    name_leads: Words
    indicator_table: dict[str, Words]


class WeakBodyWord(_Vocab):
    after: Words = Field(default_factory=list)
    any: bool = False
    complete: Words = Field(default_factory=list)
    not_modifier: Words = Field(default_factory=list)
    min_len: int = 2
    bare_in_list: bool = False
    bounded: bool = False
    modifier_ends: str = ""


class DepartmentsVocab(_Vocab):
    strong: Words
    complete: Words
    weak: dict[str, WeakBodyWord]
    not_before: dict[str, Words]
    not_after: dict[str, Words]
    stop: Words
    stop_chars: str
    level_prepositions: str
    complete_endings: Words
    joiners: str
    level_prefixes: Words
    generic_prefixes: Words
    determiners: Words
    relational: Words
    creation: Words
    creation_inside: Words
    actor_verbs: Words
    not_place: Words
    trailing: Words
    labels: Words
    alternatives: Words
    level_qualifiers: Words
    not_actor_after: Words
    role_labels: Words
    joint_units: Words
    navigation: Words
    document_words: Words


class UnitsVocab(_Vocab):
    units: dict[str, Words]
    multipliers: Words
    counters: Words
    class_units: Words
    percent_prefix: Words

    def surfaces(self) -> dict[str, str]:
        """Every written surface of a unit -> its canonical name (the name is a surface too)."""
        out: dict[str, str] = {}
        for name, written in self.units.items():
            for surface in (name, *written):
                out[surface] = name
        return out


class ComparatorsVocab(_Vocab):
    before: dict[str, Literal[">=", ">", "<=", "<", "="]]
    after: dict[str, Literal[">=", ">", "<=", "<", "="]]
    strict: Words
    within: Words
    class_nouns: Words
    change: dict[str, Literal["decrease", "increase"]]
    baseline: dict[Literal["before", "after", "relative"], Words]
    count_verbs: Words
    measure_suffixes: Words
    past_markers: Words
    qualifiers: Words
    approx_before: Words
    approx_after: Words
    lead_words: Words
    trail_words: Words
    shared_heads: Words
    respectively: Words
    population_words: Words
    area_not_first: Words
    area_suffixes: Words
    area_generic: Words
    list_summary: Words
    frame_words: Words
    class_or_better: Words


class PublishedVocab(_Vocab):
    pinyin_initials: Words
    pinyin_finals: Words
    neutral_tone_glosses: Words
    chunk_marker_min_cut: int


MODELS: dict[str, type[_Vocab]] = {
    "headings": HeadingsVocab,
    "metadata": MetadataVocab,
    "deadlines": DeadlinesVocab,
    "tables": TablesVocab,
    "departments": DepartmentsVocab,
    "units": UnitsVocab,
    "comparators": ComparatorsVocab,
    "published": PublishedVocab,
}


class VocabularyError(ValueError):
    """A vocabulary file does not match its model."""


@overload
def load(name: Literal["headings"]) -> HeadingsVocab: ...
@overload
def load(name: Literal["metadata"]) -> MetadataVocab: ...
@overload
def load(name: Literal["deadlines"]) -> DeadlinesVocab: ...
@overload
def load(name: Literal["tables"]) -> TablesVocab: ...
@overload
def load(name: Literal["departments"]) -> DepartmentsVocab: ...
@overload
def load(name: Literal["units"]) -> UnitsVocab: ...
@overload
def load(name: Literal["comparators"]) -> ComparatorsVocab: ...
@overload
def load(name: Literal["published"]) -> PublishedVocab: ...
@cache
def load(name: str) -> Any:
    """Load and validate `ecoplan/vocab/<name>.yaml` once per process."""
    text = resources.files(__package__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return parse(name, yaml.load(text, Loader=_Loader))


def parse(name: str, data: Any) -> Any:
    """Validate already-read vocabulary data of `<name>.yaml` against its model."""
    model = MODELS[name]
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as err:
        first = err.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise VocabularyError(f"vocabulary {name}.yaml: key {key}: {first['msg']}") from None


def alternation(words: list[str]) -> str:
    """Regex alternation of literal words, longest first, so 截至 wins over 至.

    The escaping suits both `re` and `regex`.
    """
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
