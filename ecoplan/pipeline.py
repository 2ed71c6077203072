"""One pipeline, one direction: decode → normalise → parsers → validate.

The parsers run as the stages declared in `STAGES`: each names what it needs
(the document, or what an earlier stage assigned) and what it assigns. One
stage per output key; a stage sees only its declared inputs. The whole
pipeline is pure: same text in, same Plan out, safe in a process pool.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from ecoplan.parsers.deadlines import parse_deadlines
from ecoplan.parsers.departments import parse_departments
from ecoplan.parsers.meta import read_meta
from ecoplan.parsers.sections import parse_sections
from ecoplan.parsers.targets import parse_targets
from ecoplan.parsers.tasks import parse_tasks
from ecoplan.reading import SourceText
from ecoplan.schema import Plan, Source
from ecoplan.text.document import Document
from ecoplan.text.normalise import normalise


class Stage(NamedTuple):  # not a frozen dataclass: ten times cheaper to make at every start
    name: str
    run: Callable[..., Any]
    needs: tuple[str, ...]  # keys of the state passed to `run`, in order
    assigns: tuple[str, ...]  # keys `run` returns (a tuple when more than one)
    reads_input: bool = False  # reads the decoded input itself (doc.raw), not only the normalised text

    def apply(self, state: dict[str, Any]) -> None:
        """Run the stage on `state` and store what it assigns."""
        result = self.run(*map(state.__getitem__, self.needs))  # a map: no generator frame per call
        if len(self.assigns) == 1:
            state[self.assigns[0]] = result
        else:
            state.update(zip(self.assigns, result, strict=True))


STAGES: tuple[Stage, ...] = (
    # Metadata reads the page head and foot as the input lays them out (reads_input), and so does
    # the year 年底前 / 9月底前 fall in (the title's year, else the preamble's working year): one
    # stage, as both read the same front lines.
    Stage("meta", read_meta, needs=("doc", "page"), assigns=("meta", "plan_year"), reads_input=True),
    Stage("sections", parse_sections, needs=("doc",), assigns=("sections",)),
    Stage("deadlines", parse_deadlines, needs=("doc", "plan_year"), assigns=("deadlines", "deadline_scope")),
    # Sections tell the targets which parts of a plan report the work done (2024年工作完成情况).
    Stage("targets", parse_targets, needs=("doc", "deadline_scope", "sections"), assigns=("targets", "percentages")),
    Stage("tasks", parse_tasks, needs=("doc",), assigns=("tasks",)),
    Stage("departments", parse_departments, needs=("doc", "tasks"), assigns=("departments",)),
)
# The state keys that make up a Plan, besides its source.
PLAN_KEYS = ("meta", "sections", "targets", "percentages", "deadlines", "departments", "tasks")


def initial_state(doc: Document, page: Mapping[str, str] | None = None) -> dict[str, Any]:
    """What the first stage starts from.

    `page` is metadata a reader found outside the text (a web page's <meta> tags), by
    name; the meta stage ranks each name where vocab/metadata.yaml lists it.
    """
    return {"doc": doc, "page": dict(page or {})}


# For each stage, the state keys that no later stage needs and no Plan holds: dropped once it
# has run (a stage's helper data, such as the deadlines' scope, can weigh tens of MB).
_SPENT_AFTER: tuple[tuple[str, ...], ...] = tuple(
    tuple(key for key in dict.fromkeys((*stage.needs, *stage.assigns))
          if key not in PLAN_KEYS and key != "doc" and not any(key in later.needs for later in STAGES[n + 1 :]))
    for n, stage in enumerate(STAGES)
)


# How many stages read the decoded input: after them, a pipeline that owns the document lets it go.
_INPUT_READERS = max((n + 1 for n, stage in enumerate(STAGES) if stage.reads_input), default=0)


def run_stages(doc: Document, page: Mapping[str, str] | None = None, release_input: bool = False) -> dict[str, Any]:
    """Every stage over a normalised document, in order; the state they assigned (what a Plan holds, and the doc).

    With `release_input`, the document's decoded input is let go once no later stage reads it.
    """
    state = initial_state(doc, page)
    for n, (stage, spent) in enumerate(zip(STAGES, _SPENT_AFTER, strict=True), 1):
        stage.apply(state)
        for key in spent:
            del state[key]
        if release_input and n == _INPUT_READERS:
            doc.release_input()
    return state


def build_plan(state: dict[str, Any], source: Source) -> Plan:
    """The validated Plan from the stages' state."""
    return Plan(source=source, **{key: state[key] for key in PLAN_KEYS})


def parse_document(doc: Document, source: Source, page: Mapping[str, str] | None = None) -> Plan:
    """Structure and extract everything from a normalised document."""
    return build_plan(run_stages(doc, page), source)


def parse_source(source: SourceText) -> Plan:
    """Parse a read source into a validated Plan.

    The decoded input is as big as the normalised text: a caller that hands `source`
    over as a temporary (`parse_source(read_source(path))`) lets it be freed once the
    stages that read it are done, as the document is this function's own.
    """
    # Python's cyclic garbage collector is off while a document is parsed. Parsing allocates
    # millions of small objects (blocks, matches, items) that form no reference cycles; the
    # collector would only scan them again and again as they pile up (5-8 % of the time on
    # inputs of tens of MB). Reference counting still frees everything as usual. Paused here,
    # not by a context manager, whose generator and object cost as much as a small stage.
    pausing = gc.isenabled()
    if pausing:
        gc.disable()
    try:
        # What the publisher stated outside the text (a web page's <meta> tags) ranks among the
        # metadata sources by its name, in the one order vocab/metadata.yaml keeps.
        page = source.meta
        info = Source(
            path=source.path, sha256=source.sha256, encoding=source.encoding,
            format=source.format,  # type: ignore[arg-type]
            reader=source.reader, reader_version=source.reader_version, text_sha256=source.text_sha256)
        doc = normalise(source.text)
        del source
        return build_plan(run_stages(doc, page, release_input=True), info)
    finally:
        if pausing:
            gc.enable()


def parse_text(text: str, path: str | None = None) -> Plan:
    """Parse plan text (already decoded) into a validated `Plan`."""
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return parse_source(SourceText(path=path, text=text, encoding="utf-8", sha256=sha))
