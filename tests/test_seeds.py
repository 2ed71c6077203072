"""The five real plans in data/raw against their hand-checked answers in tests/gold.

The gold files follow ../shared/spec/extraction.md; these tests pin the
section tree and metadata exactly and the extractions to minimum scores, so a
rule change that helps one plan and breaks another shows up here.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import yaml

import ecoplan
from ecoplan.schema import Plan, Section

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = Path(__file__).parent / "gold"
SEEDS = sorted(p.name.removesuffix(".gold.yaml") for p in GOLD_DIR.glob("*.gold.yaml"))
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"


def squash(text: object) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text or "")).split())


@cache
def parsed(stem: str) -> Plan:
    return ecoplan.parse_file(str(ROOT / "data" / "raw" / f"{stem}.txt"))


@cache
def gold(stem: str) -> dict:
    return yaml.safe_load((GOLD_DIR / f"{stem}.gold.yaml").read_text(encoding="utf-8"))


def flatten(sections: list[Section], out: list | None = None) -> list[Section]:
    out = [] if out is None else out
    for s in sections:
        out.append(s)
        flatten(s.children, out)
    return out


def section_key(marker: str, title: str) -> tuple[str, str]:
    return squash(marker).lstrip("-"), squash(title)[:6]


@pytest.mark.parametrize("stem", SEEDS)
def test_section_tree_matches_gold(stem: str) -> None:
    got = [(s.level, *section_key(s.marker, s.title)) for s in flatten(parsed(stem).sections)]
    want = [(depth, *section_key(marker, title)) for depth, marker, title in gold(stem)["sections"]]
    assert got == want


@pytest.mark.parametrize("stem", SEEDS)
def test_every_section_span_contains_its_title(stem: str) -> None:
    raw = (ROOT / "data" / "raw" / f"{stem}.txt").read_text(encoding="utf-8")
    lines = raw.splitlines()
    for s in flatten(parsed(stem).sections):
        start, end = s.span
        assert "".join(s.title.split()) in "".join(raw[start:end].split()), (s.marker, s.title)
        assert s.marker.strip()[0] in lines[s.line - 1], (s.line, s.marker)


@pytest.mark.parametrize("stem", SEEDS)
def test_metadata_matches_gold(stem: str) -> None:
    got = parsed(stem).meta.model_dump(mode="json")
    want = gold(stem)["meta"]
    assert {k: squash(v) for k, v in got.items()} == {k: squash(v) for k, v in want.items()}


def recall_and_precision(want: list, got: list) -> tuple[float, float]:
    """Multiset match; gold items marked optional count when found, cost nothing when missed."""
    free = Counter(got)
    required = matched_required = matched = 0
    for key, optional in sorted(want, key=lambda kv: kv[1]):
        required += not optional
        if free[key] > 0:
            free[key] -= 1
            matched += 1
            matched_required += not optional
    recall = matched_required / required if required else 1.0
    precision = matched / len(got) if got else (1.0 if not required else 0.0)
    return recall, precision


def test_deadlines_against_gold() -> None:
    want, got = [], []
    for stem in SEEDS:
        want += [((d["date"], d.get("recurring")), bool(d.get("optional"))) for d in gold(stem)["deadlines"]]
        got += [(d.date, d.recurring) for d in parsed(stem).deadlines]
    recall, precision = recall_and_precision(want, got)
    assert recall >= 0.9 and precision >= 0.9, (recall, precision)


def test_targets_against_gold() -> None:
    want, got = [], []
    for stem in SEEDS:
        want += [((float(t["value"]), squash(t["unit"])), bool(t.get("optional"))) for t in gold(stem)["targets"]]
        got += [(t.value, squash(t.unit)) for t in parsed(stem).targets]
    recall, precision = recall_and_precision(want, got)
    assert recall >= 0.9 and precision >= 0.85, (recall, precision)


def test_departments_against_gold() -> None:
    want, got = [], []
    for stem in SEEDS:
        for d in gold(stem)["departments"]:
            name, optional = (d["name"], bool(d.get("optional"))) if isinstance(d, dict) else (d, False)
            want.append(((stem, squash(name)), optional))
        got += [(stem, squash(d.name)) for d in parsed(stem).departments]
    recall, precision = recall_and_precision(want, got)
    assert recall >= 0.8 and precision >= 0.8, (recall, precision)


def test_tasks_against_gold() -> None:
    def triples(tasks: list) -> set:
        out = set()
        for t in tasks:
            key = squash(t["text"] if isinstance(t, dict) else t.text).lstrip("0123456789.、")[:10]
            for role in ("lead", "support"):
                for name in (t[role] if isinstance(t, dict) else getattr(t, role)) or []:
                    out.add((key, role, squash(name)))
        return out

    for stem in SEEDS:
        want, got = triples(gold(stem)["tasks"]), triples(parsed(stem).tasks)
        if want or got:
            f1 = 2 * len(want & got) / (len(want) + len(got))
            assert f1 >= 0.9, (stem, f1)
