"""Rule vocabularies, kept as YAML data files, one per rule family.

`load(name)` reads `<name>.yaml` once and checks it against the small typed
class below: an unknown key, a missing one or a value of the wrong type is an
error that names the file and the key. The format of each file is in its
comments and in README.md in this folder.

The classes are checked by their annotations here rather than as pydantic
models: every run loads every vocabulary, and building a dozen pydantic models
cost more start-up time (~11 ms) than reading all the files. The annotations are
evaluated when the classes are made (no `from __future__ import annotations`):
evaluating them from strings at each start would cost as much again.
"""

import os
import re
import types
import typing
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin, overload

from ecoplan.kept import kept_path, read_kept, write_kept

Words = list[str]
_T = TypeVar("_T")


class _Default:
    def __init__(self, factory: Callable[[], Any]) -> None:
        self.factory = factory


def default(factory: Callable[[], _T]) -> _T:
    """A field's default built afresh for each vocabulary that leaves the key out (e.g. `default(list)`)."""
    return typing.cast(_T, _Default(factory))


class _Invalid(ValueError):
    def __init__(self, loc: tuple[Any, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


_V = TypeVar("_V", bound="_Vocab")


class _Vocab:
    """A vocabulary's data: one attribute per annotated key, checked on creation, read-only."""

    def __init__(self, **values: Any) -> None:
        for key, value in values.items():
            object.__setattr__(self, key, value)

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"

    @classmethod
    def model_validate(cls: type[_V], data: Any) -> _V:
        """The vocabulary in `data` (what its YAML file holds), checked; _Invalid names the bad key."""
        return _model(cls, data, ())

    def model_dump(self) -> dict[str, Any]:
        """The data again, as plain dicts and lists."""
        return {key: _dump(value) for key, value in vars(self).items()}


@cache
def _fields(cls: type[_Vocab]) -> dict[str, Any]:
    """The annotated keys of a vocabulary class, its bases' first."""
    return {key: annotation for base in reversed(cls.__mro__) for key, annotation in
            vars(base).get("__annotations__", {}).items()}


def _model(cls: type[_V], data: Any, loc: tuple[Any, ...]) -> _V:
    if not isinstance(data, dict):
        raise _Invalid(loc, "Input should be a valid dictionary")
    fields = _fields(cls)
    for key in data:
        if key not in fields:
            raise _Invalid((*loc, key), "Extra inputs are not permitted")
    values = {}
    for key, annotation in fields.items():
        if key in data:
            values[key] = _check(annotation, data[key], (*loc, key))
        elif isinstance(fallback := cls.__dict__.get(key, _MISSING), _Default):
            values[key] = fallback.factory()
        elif fallback is not _MISSING:
            values[key] = fallback
        else:
            raise _Invalid((*loc, key), "Field required")
    return cls(**values)


_MISSING = object()
_SCALARS = {str: "a valid string", int: "a valid integer", bool: "a valid boolean"}


def _check(annotation: Any, value: Any, loc: tuple[Any, ...]) -> Any:
    """`value` if it is of the type `annotation` (lists, dicts and vocabularies rebuilt), else _Invalid."""
    if annotation in _SCALARS:
        if type(value) is not annotation:  # a bool is no integer here, an integer no string
            raise _Invalid(loc, f"Input should be {_SCALARS[annotation]}")
        return value
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is list:
        if not isinstance(value, list):
            raise _Invalid(loc, "Input should be a valid list")
        if args[0] in _SCALARS and all(type(item) is args[0] for item in value):
            return list(value)  # the common case (a list of words) in one pass
        return [_check(args[0], item, (*loc, n)) for n, item in enumerate(value)]
    if origin is tuple:
        if not isinstance(value, list | tuple) or len(value) != len(args):
            raise _Invalid(loc, f"Input should be a list of {len(args)} items")
        return tuple(_check(arg, item, (*loc, n)) for n, (arg, item) in enumerate(zip(args, value, strict=True)))
    if origin is dict:
        if not isinstance(value, dict):
            raise _Invalid(loc, "Input should be a valid dictionary")
        return {_check(args[0], k, (*loc, k)): _check(args[1], v, (*loc, k)) for k, v in value.items()}
    if origin is Literal:
        if not any(type(value) is type(arg) and value == arg for arg in args):
            raise _Invalid(loc, "Input should be " + " or ".join(repr(arg) for arg in args))
        return value
    if origin is typing.Union or origin is types.UnionType:
        problems = []
        for arg in args:
            if isinstance(value, dict) and isinstance(arg, type) and issubclass(arg, _Vocab):
                return _model(arg, value, loc)  # a mapping can only be this: its own error names the key
            try:
                return _check(arg, value, loc)
            except _Invalid as exc:
                problems.append(exc.message)
        raise _Invalid(loc, "; ".join(problems))
    if isinstance(annotation, type) and issubclass(annotation, _Vocab):
        return _model(annotation, value, loc)
    raise TypeError(f"vocabulary field type {annotation!r} is not supported")


def _dump(value: Any) -> Any:
    if isinstance(value, _Vocab):
        return value.model_dump()
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    return value


class HeadingsVocab(_Vocab):
    inline_markers: Words
    lone_inline_markers: Words
    inline_boundary: str
    inline_not_after: str
    gap_tolerant_styles: Words
    restartable_styles: Words
    non_section_prefixes: Words
    review_titles: Words


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
    comment_openers: Words
    junk_markers: Words
    region_suffixes: Words
    region_not_names: Words
    region_not_place_words: Words
    branch_suffixes: Words
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
    within_year: Words
    year_count_chars: Words
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
    record_labels: Words
    lead_marks: Words
    name_leads: Words
    indicator_table: dict[str, Words]


class WeakBodyWord(_Vocab):
    after: Words = default(list)
    any: bool = False
    complete: Words = default(list)
    not_modifier: Words = default(list)
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
    prepositional_joiners: str
    joiner_words: Words
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
    divisions: Words
    navigation: Words
    link_lists: Words
    document_words: Words


class UnitsVocab(_Vocab):
    units: dict[str, Words]
    multipliers: Words
    counters: Words
    class_units: Words
    percent_prefix: Words
    points_units: Words

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
    subset_words: Words
    population_words: Words
    area_not_first: Words
    area_suffixes: Words
    area_generic: Words
    list_summary: Words
    frame_words: Words
    class_or_better: Words
    action_openers: Words
    occasion_units: Words
    period_units: Words
    within_period: str


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


# The files sit next to this module (the package is installed as files, as the
# text layer's checked-in tables are); importlib.resources would cost its own
# import and tempfile's (~4 ms) at every start.
_HERE = Path(__file__).parent


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
    """Load and validate `ecoplan/vocab/<name>.yaml` once per process.

    What the YAML reads as is kept for the next process (ecoplan.kept) while the file is
    unchanged, as Python keeps a module's bytecode: YAML is then neither imported nor read.
    """
    path = _HERE / f"{name}.yaml"
    stat = os.stat(path)
    source = (stat.st_mtime_ns, stat.st_size)
    kept_at = kept_path(__file__, f"vocab-{name}")
    data = read_kept(kept_at, source)
    if data is None:
        import yaml

        # libyaml reads the vocabularies about 8 times faster than the pure-Python
        # loader; same safe subset, same data.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        write_kept(kept_at, source, data)
    return parse(name, data)


def parse(name: str, data: Any) -> Any:
    """Check already-read vocabulary data of `<name>.yaml` against its class."""
    model = MODELS[name]
    try:
        return model.model_validate(data if data is not None else {})
    except _Invalid as err:
        key = ".".join(str(p) for p in err.loc) or "(top level)"
        raise VocabularyError(f"vocabulary {name}.yaml: key {key}: {err.message}") from None


def alternation(words: list[str]) -> str:
    """Regex alternation of literal words, longest first, so 截至 wins over 至.

    The escaping suits both `re` and `regex`. Words of one length (which never match at one
    place together) are in code point order: the same pattern text in every process, whatever
    order a set gave them in, so its compiled code is found again (ecoplan.text.patterns).
    """
    return "|".join(re.escape(w) for w in sorted(set(words), key=longest_first))


def longest_first(word: str) -> tuple[int, str]:
    """Sort key of alternations: longest first, then in code point order (one text in every process)."""
    return -len(word), word


def trie_alternation(words: list[str]) -> str:
    """`alternation(words)` written as a trie: words sharing a first character share one branch.

    The same matches: the words found at one position are prefixes of one another, all on one
    path of the trie, and a node tries its longer continuations before ending there, so the
    longest wins as in `alternation`. `re` tries the branches of an alternation one by one, so
    a pattern of 150 words tests 150 branches wherever one could start; the trie tests about
    as many as there are first characters, then only the continuations of the one that matched.
    """
    # The trie is read off the words in code point order, never built: the words under one
    # node are a run of that list (sharing its first `depth` characters), the word ending at
    # the node first among them, and its children are the runs sharing one more character.
    ordered = sorted(set(words))

    def branches(lo: int, hi: int, depth: int) -> tuple[list[str], bool]:
        """The node of ordered[lo:hi] at `depth`: its children's patterns, and whether a word ends there."""
        ends = lo < hi and len(ordered[lo]) == depth
        start = lo + ends
        alts = []
        while start < hi:
            ch = ordered[start][depth]
            stop = start + 1
            while stop < hi and ordered[stop][depth] == ch:
                stop += 1
            alts.append(re.escape(ch) + rest(start, stop, depth + 1))
            start = stop
        return alts, ends

    def rest(lo: int, hi: int, depth: int) -> str:
        alts, ends = branches(lo, hi, depth)
        if not alts:
            return ""
        group = f"(?:{'|'.join(alts)})"
        return group + "?" if ends else (alts[0] if len(alts) == 1 else group)

    top, ends = branches(0, len(ordered), 0)
    return "|".join([*top, ""] if ends else top)
