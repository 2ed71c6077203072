"""Meta (spec section 1): title, issuer, date of issue, plan year, region.

The title is found among the lines before the body (skipping site navigation),
joined when a layout break split it over two lines; the issuer is a header or
signature line ending in a body suffix; the date of issue is a labelled date
or a line that is only a date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from ecoplan.schema import Meta
from ecoplan.text.document import Document
from ecoplan.text.lexicon import PLACE_SUFFIXES, RANGE_DASHES, squash
from ecoplan.text.markers import DATE_CORE, ISO_CORE, RE_DATE_ONLY_LINE
from ecoplan.text.quantities import cn_int
from ecoplan.vocab import alternation, load

_SPAN_MARKS = re.escape(RANGE_DASHES) + "至到"
# A year of its own, not an end of a span of years (2021-2025年).
RE_YEAR = re.compile(rf"(?<![\d{_SPAN_MARKS}])(\d{{4}}+)\s*+年(?!\s*+[{_SPAN_MARKS}])")
RE_COVER_NOTICE = re.compile(r".{0,40}?关于印发(?P<title>.{4,60}?)的通知")
RE_PROSE = re.compile(r"[。，,；;：:！？]")
# The title and header sit in the first lines; navigation junk can push them down a little.
_FRONT_LINES = 15
RE_LEADING_YEAR = re.compile(r"^\d{4}+年(?:度)?")


@dataclass(frozen=True)
class _Vocab:
    title_end: re.Pattern[str]
    continuation: tuple[str, ...]
    issuer_end: re.Pattern[str]
    labelled_date: re.Pattern[str]
    labelled_issuer: re.Pattern[str]
    issuer_word: re.Pattern[str]
    junk: tuple[str, ...]
    region: re.Pattern[str]
    title_prefixes: tuple[str, ...]


@cache
def _vocab() -> _Vocab:
    v = load("metadata")
    return _Vocab(
        title_end=re.compile(f"(?:{alternation(v.title_endings)})(?:[(（][^()（）]{{1,20}}+[)）])?$"),
        continuation=tuple(v.title_continuations),
        issuer_end=re.compile(f"(?:{alternation(v.issuer_suffixes)})$"),
        labelled_date=re.compile(
            f"(?:{alternation(v.date_labels)})\\s*+[:：]\\s*+(?:{DATE_CORE}|{ISO_CORE})"
        ),
        # Web pages put several labels on one line: 发布时间：… 来源：某市生态环境局 浏览次数：….
        labelled_issuer=re.compile(f"(?:{alternation(v.issuer_labels)})\\s*+[:：]\\s*+(?P<name>[^\\s:：|]{{2,60}}+)"),
        issuer_word=re.compile(alternation(v.issuer_suffixes)),
        junk=tuple(v.junk_markers),
        # A suffix followed by another one (湖州 + 市) is part of the name, not its end.
        region=re.compile(
            f"^(?:[\u4e00-\u9fff]{{1,8}}?(?:{alternation(v.region_suffixes)})(?![{PLACE_SUFFIXES}]))++"
        ),
        title_prefixes=tuple(v.title_prefixes),
    )


def _date(m: re.Match[str]) -> dt.date | None:
    try:
        if m.groupdict().get("y"):
            return dt.date(cn_int(m["y"]), cn_int(m["m"]), cn_int(m["d"]))  # type: ignore[arg-type]
        return dt.date(int(m["iy"]), int(m["im"]), int(m["id"]))
    except (ValueError, TypeError):
        return None


@dataclass(frozen=True)
class _FrontLine:
    text: str
    index: int  # position in doc.lines


def _front_lines(doc: Document) -> list[_FrontLine]:
    """Lines before the body starts: no section marker yet, no running prose."""
    vocab = _vocab()
    out: list[_FrontLine] = []
    for i, line in enumerate(doc.lines[: _FRONT_LINES * 2]):
        text = doc.text[line.start : line.end]
        if line.is_table or line.marker is not None or len(out) >= _FRONT_LINES:
            break
        if any(j in text for j in vocab.junk):
            continue
        out.append(_FrontLine(squash(text), i))
    return out


def _title(front: list[_FrontLine]) -> tuple[str | None, int]:
    """The title and the index (in `front`) of its first line, or (None, -1)."""
    vocab = _vocab()
    for k, line in enumerate(front):
        text = line.text
        if RE_PROSE.search(text) or not 4 <= len(text) <= 80 or not vocab.title_end.search(text):
            continue
        inner = RE_COVER_NOTICE.fullmatch(text)
        if inner:
            # A cover notice (关于印发…的通知) around the plan: the plan's own title follows it.
            plan_title = inner["title"].strip("《》")
            for later in front[k + 1 :]:
                if later.text == plan_title:
                    return plan_title, k
        if k > 0:
            prev = front[k - 1]
            prev_is_title_part = (
                prev.index == line.index - 1
                and not RE_PROSE.search(prev.text)
                and not vocab.issuer_end.search(prev.text)
                and not vocab.title_end.search(prev.text)
                and not RE_DATE_ONLY_LINE.match(prev.text)
                and (len(text) <= 12 or text.startswith(vocab.continuation))
            )
            if prev_is_title_part:
                return prev.text + text, k - 1
        return text, k
    return None, -1


def _issue_date_and_signature(doc: Document) -> tuple[dt.date | None, str | None]:
    vocab = _vocab()
    labelled = vocab.labelled_date.search(doc.fold)
    if labelled:
        date = _date(labelled)
        if date:
            return date, None
    previous = ""
    for line in doc.lines:
        if line.kind == "date_line":
            m = RE_DATE_ONLY_LINE.match(squash(doc.fold[line.start : line.end]))
            date = _date(m) if m else None
            if date:
                return date, (previous if vocab.issuer_end.search(previous) else None)
        previous = squash(doc.text[line.start : line.end])
    return None, None


def _region(title: str | None, issuer: str | None) -> str | None:
    vocab = _vocab()
    for source in (title, issuer):
        if not source:
            continue
        text = source
        for prefix in vocab.title_prefixes:
            text = text.removeprefix(prefix)
        text = RE_LEADING_YEAR.sub("", text)
        m = vocab.region.match(text)
        if m:
            return m.group(0)
    return None


def _year(title: str | None) -> int | None:
    if not title:
        return None
    years = {int(y) for y in RE_YEAR.findall(title)}
    return years.pop() if len(years) == 1 else None


def parse_meta(doc: Document) -> Meta:
    """Metadata of a plan; fields the text does not state are None."""
    vocab = _vocab()
    front = _front_lines(doc)
    title, title_at = _title(front)
    issuer = None
    for line in front[: max(title_at, 0)]:
        # A letterhead names the body with 文件 after it: 大连市生态环境局文件.
        name = line.text.removesuffix("文件")
        if vocab.issuer_end.search(name) and not RE_PROSE.search(name) and len(name) <= 40:
            issuer = name
    for line in doc.lines[: _FRONT_LINES * 2]:
        if issuer is not None:
            break
        m = vocab.labelled_issuer.search(doc.fold, line.start, line.end)
        ends = [w.end() for w in vocab.issuer_word.finditer(m["name"])] if m else []
        if m and ends:
            # Labels can run together once spaces are gone (…生态环境局浏览次数): cut after the last body word.
            issuer = doc.text[m.start("name") : m.start("name") + ends[-1]]
    date, signature = _issue_date_and_signature(doc)
    if issuer is None and signature and len(signature) <= 40 and not RE_PROSE.search(signature):
        issuer = signature
    return Meta(title=title, issuer=issuer, date=date, year=_year(title), region=_region(title, issuer))
