"""Review pages: a plan's own text with every extracted item highlighted in it, as static HTML.

All positions are worked out here, by code point of the decoded input: the
text is cut at every span boundary into flat segments, each carrying the ids
of all the items that cover it (a deadline inside a target inside a task gives
one segment with three ids), so the browser never indexes the string. The page
is self-contained for an intranet: inline CSS and JS only (allowed by their
hashes in a Content-Security-Policy), item data as inert JSON, every piece of
text HTML-escaped.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from itertools import pairwise
from typing import Any

from ecoplan.documents import FlatSection, Loaded, SectionLocator, flatten_sections
from ecoplan.schema.models import Plan

# Highlighted kinds: (kind, plan attribute, id prefix, legend label). Sections are an outline, not a highlight.
KINDS: list[tuple[str, str, str, str]] = [
    ("target", "targets", "tg", "目标 target"),
    ("deadline", "deadlines", "dl", "时限 deadline"),
    ("department", "departments", "dp", "部门 department"),
    ("task", "tasks", "tk", "任务 task"),
    ("percentage", "percentages", "pc", "百分比 percentage"),
]
# Which kind's colour fills a segment covered by several (the most specific first);
# departments are underlined instead, so they show on top of any fill.
FILL_ORDER = ("deadline", "target", "percentage", "task")
_FIELDS_NOT_SHOWN = frozenset({"span", "children"})
_SUMMARY_LIMIT = 60


def _asset(name: str) -> str:
    return resources.files("ecoplan").joinpath("assets", name).read_text(encoding="utf-8")


def _csp_hash(content: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(content.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(style: str, script: str | None) -> str:
    """Nothing from anywhere, except this page's own inline style and script (by hash)."""
    script_src = _csp_hash(script) if script is not None else "'none'"
    return (f"default-src 'none'; style-src {_csp_hash(style)}; script-src {script_src}; img-src data:; "
            "base-uri 'none'; form-action 'none'")


def _esc(text: str) -> str:
    """Escape text for an element's content; CR is written as a reference so the parser keeps it."""
    return html.escape(text, quote=False).replace("\r", "&#13;")


def _attr(text: str) -> str:
    return html.escape(text, quote=True).replace("\r", "&#13;").replace("\n", "&#10;")


def _number(value: float | int) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "—"
    if isinstance(value, float):
        return _number(value)
    return str(value)


def _short(text: str, limit: int = _SUMMARY_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Item:
    id: str
    kind: str
    index: int
    start: int
    end: int
    line: int
    title: str  # one-line summary (hover text, table cell)
    fields: list[tuple[str, str]]  # every field, for the details panel
    departments: list[str]  # names the item is filed under, for the department filter
    placed: bool


def _summary(kind: str, data: dict[str, Any]) -> str:
    if kind == "target":
        qualifier = f"{data['qualifier']} " if data.get("qualifier") else ""
        deadline = f" by {data['deadline']}" if data.get("deadline") else ""
        return (f"{data['indicator']} {qualifier}{data['comparator']} {_number(data['value'])}{data['unit']}"
                f"{deadline}")
    if kind == "deadline":
        return f"{data['text']} → {data['date']}" + (f" ({data['recurring']})" if data.get("recurring") else "")
    if kind == "department":
        return f"{data['name']} ({data['mentions']} mention{'s' if data['mentions'] != 1 else ''}; first shown)"
    if kind == "task":
        lead = "、".join(data["lead"]) or "—"
        support = f"; support {'、'.join(data['support'])}" if data["support"] else ""
        return f"{_short(data['text'], 40)} — lead {lead}{support}"
    comparator = f"{data['comparator']} " if data.get("comparator") else ""
    return f"{comparator}{_number(data['value'])}% in {_short(data['text'], 40)}"


def collect_items(plan: Plan, text: str | None) -> list[Item]:
    """Every highlightable item, with whether its span can be placed in `text`."""
    data = plan.model_dump(mode="json")
    tasks = data["tasks"]
    items: list[Item] = []
    for kind, key, prefix, _label in KINDS:
        for n, entry in enumerate(data[key]):
            start, end = entry["span"]
            placed = text is not None and 0 <= start < end <= len(text)
            if kind == "task":
                departments = [*entry["lead"], *entry["support"]]
            elif kind == "department":
                departments = [entry["name"]]
            else:  # filed under the departments of the tasks it stands in
                departments = [d for t in tasks if t["span"][0] <= start and end <= t["span"][1]
                               for d in (*t["lead"], *t["support"])]
            fields = [(name, _show(value)) for name, value in entry.items() if name not in _FIELDS_NOT_SHOWN]
            fields.append(("span", f"{start}–{end}"))
            items.append(Item(f"{prefix}{n}", kind, n, start, end, entry["line"], _summary(kind, entry), fields,
                              list(dict.fromkeys(departments)), placed))
    return items


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    ids: tuple[str, ...]  # the items covering it, shortest span first


def segments(length: int, items: list[Item], anchors: list[int]) -> list[Segment]:
    """Cut [0, length) at every placed item's boundaries and at `anchors` into flat segments."""
    placed = [i for i in items if i.placed]
    points = sorted({0, length, *anchors, *(i.start for i in placed), *(i.end for i in placed)})
    starting: dict[int, list[Item]] = defaultdict(list)
    ending: dict[int, list[str]] = defaultdict(list)
    for item in placed:
        starting[item.start].append(item)
        ending[item.end].append(item.id)
    active: dict[str, Item] = {}
    out: list[Segment] = []
    for a, b in pairwise(points):
        for item_id in ending.get(a, ()):
            active.pop(item_id, None)
        for item in starting.get(a, ()):
            active[item.id] = item
        ids = tuple(i.id for i in sorted(active.values(), key=lambda i: (i.end - i.start, i.start, i.id)))
        out.append(Segment(a, b, ids))
    return out


def _fill(kinds: list[str]) -> str:
    return next((k for k in FILL_ORDER if k in kinds), "")


def render_text(text: str, items: list[Item], flat: list[FlatSection]) -> str:
    """The plan's text as HTML: highlight spans and section anchors, nothing else added."""
    by_id = {i.id: i for i in items}
    anchors: dict[int, list[str]] = defaultdict(list)
    for sec in flat:
        if sec.section.span[0] <= len(text):
            anchors[sec.section.span[0]].append(f"s{sec.index}")
    parts: list[str] = []
    for seg in segments(len(text), items, list(anchors)):
        parts += [f'<span class="anchor" id="{a}"></span>' for a in anchors.pop(seg.start, ())]
        chunk = _esc(text[seg.start:seg.end])
        if not seg.ids:
            parts.append(chunk)
            continue
        kinds = list(dict.fromkeys(by_id[i].kind for i in seg.ids))
        title = "\n".join(f"{by_id[i].kind}: {by_id[i].title}" for i in seg.ids)
        classes = "hl" + (" dept" if "department" in kinds else "")
        parts.append(f'<span class="{classes}" data-ids="{" ".join(seg.ids)}" data-kinds="{" ".join(kinds)}" '
                     f'data-fill="{_fill(kinds)}" title="{_attr(title)}">{chunk}</span>')
    parts += [f'<span class="anchor" id="{a}"></span>' for ids in anchors.values() for a in ids]
    return "".join(parts)


def _outline(plan: Plan, flat: list[FlatSection]) -> str:
    index_of = {id(f.section): f.index for f in flat}

    def walk(sections: list[Any]) -> str:
        if not sections:
            return ""
        rows = []
        for sec in sections:
            label = f"{sec.marker} {sec.title}".strip()
            rows.append(f'<li><a href="#s{index_of[id(sec)]}" title="line {sec.line}">{_esc(_short(label, 40))}</a>'
                        f"{walk(sec.children)}</li>")
        return "<ul>" + "".join(rows) + "</ul>"

    return walk(plan.sections) or '<p class="empty">no headings found</p>'


def _table(kind: str, rows: list[Item], headers: list[str], cells: list[list[str]]) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in headers)
    body = "".join(
        f'<tr data-item="{item.id}" class="{"" if item.placed else "unplaced"}" tabindex="0">'
        + "".join(f"<td>{_esc(c)}</td>" for c in row) + "</tr>"
        for item, row in zip(rows, cells, strict=True))
    empty = "" if rows else f'<p class="empty">no {kind}s</p>'
    return (f'<table class="items" id="table-{kind}" data-kind="{kind}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>{empty}")


def counts(plan: Plan) -> dict[str, int]:
    return {"sections": len(flatten_sections(plan)), **{key: len(getattr(plan, key)) for _, key, _, _ in KINDS}}


def render_page(doc: Loaded) -> tuple[str, int]:
    """One plan's review page; returns the HTML and the number of items that could not be placed."""
    plan, text = doc.plan, doc.text
    flat = flatten_sections(plan)
    items = collect_items(plan, text)
    locate = SectionLocator(flat)
    by_kind: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_kind[item.kind].append(item)
    unplaced = [i for i in items if not i.placed]

    targets = by_kind["target"]
    target_cells = [[str(i.index), _field(i, "indicator"),
                     f"{_field(i, 'comparator')} {_field(i, 'value')}{_field(i, 'unit')}",
                     _field(i, "deadline"), locate.path(i.start), str(i.line)] for i in targets]
    tasks = by_kind["task"]
    task_cells = [[str(i.index), _short(_field(i, "text"), 50), _field(i, "lead"), _field(i, "support"),
                   locate.path(i.start), str(i.line)] for i in tasks]
    departments = list(dict.fromkeys([*(d.name for d in plan.departments),
                                      *(n for t in plan.tasks for n in (*t.lead, *t.support))]))

    meta = plan.meta
    title = meta.title or doc.stem
    facts = [("document", plan.source.path or doc.name), ("region", meta.region), ("year", meta.year),
             ("issuer", meta.issuer), ("date", meta.date)]
    facts_html = "".join(f"<span><b>{k}</b> {_esc(str(v))}</span>" for k, v in facts if v is not None)
    legend = "".join(
        f'<label class="key" data-kind="{kind}"><input type="checkbox" checked data-kind="{kind}">'
        f'<span class="swatch {kind}"></span>{_esc(label)} <b>{len(by_kind[kind])}</b></label>'
        for kind, _, _, label in KINDS)
    note = f'<p class="note">{_esc(doc.note)}: every item is listed below as unplaced.</p>' if doc.note else ""
    text_html = render_text(text, items, flat) if text is not None else ""
    unplaced_html = "".join(
        f'<li id="u-{i.id}" data-item="{i.id}"><span class="swatch {i.kind}"></span>{_esc(i.kind)} '
        f"{_esc(i.title)} <small>line {i.line}, span {i.start}–{i.end}</small></li>" for i in unplaced)
    payload = {i.id: {"kind": i.kind, "title": i.title, "fields": i.fields, "departments": i.departments,
                      "placed": i.placed} for i in items}
    style, script = _asset("review.css"), _asset("review.js")
    options = "".join(f'<option value="{_attr(d)}">{_esc(d)}</option>' for d in departments)
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{content_security_policy(style, script)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ecoplan review">
<title>{_esc(title)} — ecoplan review</title>
<style>{style}</style>
</head>
<body>
<header>
<h1>{_esc(title)}</h1>
<p class="facts">{facts_html} <a href="index.html">all plans</a></p>
<div class="legend">{legend}</div>
</header>
<main>
<nav id="outline" aria-label="sections"><h2>sections <b>{len(flat)}</b></h2>{_outline(plan, flat)}</nav>
<article id="text" lang="zh-CN">{note}<div class="plan-text">{text_html}</div></article>
<aside id="side">
<section id="details"><h2>details</h2>
<div id="details-body"><p class="empty">click a highlight or a row</p></div></section>
<div class="side-scroll">
<div class="filters"><label>department
<select id="dept-filter"><option value="">all</option>{options}</select></label></div>
<section class="side-table" data-kind="target"><h2>targets <b>{len(targets)}</b></h2>
{_table("target", targets, ["#", "indicator", "value", "deadline", "section", "line"], target_cells)}</section>
<section class="side-table" data-kind="task"><h2>tasks <b>{len(tasks)}</b></h2>
{_table("task", tasks, ["#", "task", "lead", "support", "section", "line"], task_cells)}</section>
<section id="unplaced"><h2>not placed in the text <b>{len(unplaced)}</b></h2>
<ul>{unplaced_html}</ul>{"" if unplaced else '<p class="empty">every item is highlighted in the text</p>'}</section>
</div>
</aside>
</main>
<script type="application/json" id="items">{_json_for_script(payload)}</script>
<script>{script}</script>
</body>
</html>
"""
    return page, len(unplaced)


def _field(item: Item, name: str) -> str:
    return next((v for k, v in item.fields if k == name), "")


def _json_for_script(data: Any) -> str:
    # Inside <script> only `</script` or `<!--` could end or confuse the element: no `<` survives.
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


@dataclass(frozen=True)
class IndexEntry:
    page: str  # file name of the plan's page
    title: str
    document: str
    region: str | None
    year: int | None
    counts: dict[str, int]
    unplaced: int
    note: str | None


def render_index(entries: list[IndexEntry]) -> str:
    style = _asset("review.css")
    columns = ["sections", *(key for _, key, _, _ in KINDS)]
    head = "".join(f"<th>{c}</th>" for c in ["plan", "document", "region", "year", *columns, "not placed"])
    rows = []
    for e in entries:
        cells = [f'<td><a href="{_attr(e.page)}">{_esc(e.title)}</a></td>', f"<td>{_esc(e.document)}</td>",
                 f"<td>{_esc(e.region or '—')}</td>", f"<td>{e.year or '—'}</td>",
                 *(f'<td class="num">{e.counts[c]}</td>' for c in columns),
                 f'<td class="num">{e.unplaced}</td>']
        rows.append("<tr>" + "".join(cells) + "</tr>")
    totals = [f'<td class="num">{sum(e.counts[c] for e in entries)}</td>' for c in columns]
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{content_security_policy(style, None)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ecoplan review">
<title>ecoplan review — {len(entries)} plans</title>
<style>{style}</style>
</head>
<body class="index">
<header><h1>ecoplan review <b>{len(entries)}</b> plans</h1></header>
<table class="items index-table"><thead><tr>{head}</tr></thead>
<tbody>{"".join(rows)}</tbody>
<tfoot><tr><td colspan="4">total</td>{"".join(totals)}
<td class="num">{sum(e.unplaced for e in entries)}</td></tr></tfoot>
</table>
</body>
</html>
"""


# --- the command -------------------------------------------------------------------------------------


def _page_name(stem: str, taken: set[str]) -> str:
    base = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in stem) or "plan"
    name, n = base, 1
    while f"{name}.html".lower() in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(f"{name}.html".lower())
    return f"{name}.html"


def run(inputs: tuple[str, ...], output: str) -> int:
    """`ecoplan review`: one page per plan and an index into DIR; returns the exit status."""
    from pathlib import Path

    import click

    from ecoplan.documents import Batch
    from ecoplan.errors import EcoplanError
    from ecoplan.writing import write_atomic

    out_dir = Path(output)
    if out_dir.exists() and not out_dir.is_dir():
        raise click.UsageError(f"-o {output}: review pages go into a directory, and this is a file")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.UsageError(f"-o {output}: cannot create directory ({exc.strerror or exc})") from None
    entries: list[IndexEntry] = []
    taken = {"index.html"}
    failed = 0
    batch = Batch(inputs, "Reviewing")
    for doc in batch:
        page, unplaced = render_page(doc)
        name = _page_name(doc.stem, taken)
        try:
            write_atomic(out_dir / name, page)
        except EcoplanError as exc:
            click.echo(f"ecoplan: {exc}", err=True)
            failed += 1
            continue
        if doc.note:
            click.echo(f"ecoplan: {doc.name}: {doc.note}; its items are listed as not placed", err=True)
        plan = doc.plan
        entries.append(IndexEntry(name, plan.meta.title or doc.stem, plan.source.path or doc.name,
                                  plan.meta.region, plan.meta.year, counts(plan), unplaced, doc.note))
    if entries:
        try:
            write_atomic(out_dir / "index.html", render_index(entries))
        except EcoplanError as exc:
            click.echo(f"ecoplan: {exc}", err=True)
            failed += 1
    summary = batch.summary("reviewed")
    if summary:
        click.echo(f"ecoplan: {summary}", err=True)
    return 1 if batch.failed or failed else 0
