"""Responsible departments (spec section 5): the bodies a plan gives work to.

Why no jieba: a body name in a plan is closed on the right by a small set of
body words (局, 委员会, 成员单位, 公安机关 …) and on the left by punctuation,
a verb or preposition (配合, 按照, 会同, 与 …) or the start of another name.
Finding the body word with one compiled regex and walking left over the
modifier with a stop-word set is linear, needs only the vocabulary in
`ecoplan/vocab/departments.yaml`, and costs nothing at start-up; jieba's
default dictionary costs about a second to load and its general-language
segmentation cuts unknown proper names (向应街道, 侯马经济开发区管委会)
no better than the stop words do. Precision comes from the vocabulary: words
that are also ordinary nouns (部, 委, 单位, 中心, 政府) count only after the
words listed for them (宣传部, 市委, 成员单位, 交易中心, 市政府).

Judgement rules (spec: bodies "that the plan gives work to or names as
actors"):
- text inside 《…》 titles and “…” quotations is not scanned: bodies there
  issue or are quoted by another document;
- a generic word alone (部门, 单位, 街道) is no name; with a determiner
  (各部门, 有关单位, 各街道) it is, except 多/跨部门 (a manner of working);
- a body that is the object of a creation verb (建设…服务中心, 成立…) is set
  up by the plan, not an actor;
- a place name counts only as the subject of a clause (瓦房店市、庄河市力争…);
  elsewhere it is a site (在普兰店区建立…).
"""

from __future__ import annotations

from dataclasses import dataclass

from ecoplan.schema import Department, Task
from ecoplan.text.bodies import (
    BRACKET_BEFORE,
    BodyLexicon,
    BodyToken,
    body_lexicon,
    ends_with_body,
    is_place,
    shared_suffix,
    split_names,
    token_ok,
)
from ecoplan.text.clauses import quoted_spans
from ecoplan.text.document import Document
from ecoplan.text.lexicon import CLOSE_PARENS, COLONS, PLACE_SUFFIXES, is_han

_MAX_NAME = 32


# ---------------------------------------------------------------------------
# Finding names in running text


@dataclass
class _Mention:
    name: str
    start: int  # index into Document.text
    end: int


def _stop_before(v: BodyLexicon, text: str, pos: int, floor: int) -> str | None:
    """The stop word ending at `pos`, if any."""
    for k in v.stop_lengths:
        if pos - k >= floor and text[pos - k : pos] in v.stop:
            return text[pos - k : pos]
    ch = text[pos - 1]
    if ch in v.stop_chars or ch in v.stop:
        return ch
    return None


def _scan_line(v: BodyLexicon, text: str, lo: int, hi: int, out: list[_Mention]) -> None:
    """Find body names in text[lo:hi] (one logical line or one table cell)."""
    skip = quoted_spans(text, lo, hi)
    matches = []
    for m in v.token_re.finditer(text, lo, hi):
        if any(a < m.end() and m.start() < b for a, b in skip):
            continue
        if token_ok(v, text, m.start(), m.end()):
            matches.append((m.start(), m.end(), v.tokens[m.group()]))
    if not matches:
        return
    ends = {e: s for s, e, _ in matches}
    found: list[_Mention] = []
    for ts, te, token in matches:
        mention = _extend(v, text, lo, ts, te, token, ends)
        if mention:
            found.append(mention)
    # A name inside a longer one (市政府 in 市政府督查部门) is part of it.
    found.sort(key=lambda m: (m.start, -m.end))
    kept: list[_Mention] = []
    for m in found:
        if kept and kept[-1].start <= m.start and m.end <= kept[-1].end:
            continue
        kept.append(m)
    out.extend(kept)


def _extend(
    v: BodyLexicon, text: str, lo: int, ts: int, te: int, token: BodyToken, ends: dict[int, int]
) -> _Mention | None:
    if token.relational and ts not in ends:
        # 成员单位 belong to the body named right before them (环委会成员单位);
        # without one only 各/相关/其他成员单位 stand alone.
        return _Mention(text[ts:te], ts, te) if token.complete else None
    start = ts
    boundary: str | None = None
    while start > lo:
        if te - start > _MAX_NAME:
            return None
        ch = text[start - 1]
        if ch in CLOSE_PARENS:
            m = BRACKET_BEFORE.search(text, max(lo, start - 10), start)
            if m and m.start() > lo and is_han(text[m.start() - 1]):
                start = m.start()  # 各县（市、区）人民政府
                continue
        if not is_han(ch):
            break
        partial = text[start:te]
        if partial.startswith(v.level_prefixes) and not (token.relational and start in ends):
            break
        if start in ends:
            if start < ts and partial[0] in PLACE_SUFFIXES:
                break  # 市委市政府: two names
            start = ends[start]  # a body word inside the name (领导小组各成员单位)
            continue
        if ch in v.joiners:
            if text.startswith("其", start):
                start -= 1  # 市人大及其常委会
                continue
            if start - 1 in ends or start == ts or _place_before(v, text, lo, start - 1):
                break
            start -= 1
            continue
        boundary = _stop_before(v, text, start, lo)
        if boundary:
            break
        start -= 1
    name = text[start:te]
    modifier = text[start:ts]
    if len(name) < token.min_len or len(name) > _MAX_NAME:
        return None
    if not modifier and not token.complete:
        if not (token.bare_in_list and start - 1 > lo and text[start - 1] == "、" and start - 1 in ends):
            return None
    if token.any_modifier and modifier and not token.complete:
        banned = v.not_modifier.get(token.word, ())
        if modifier in banned or any(len(b) > 1 and modifier.endswith(b) for b in banned):
            return None
    if te < len(text) and text[te] in COLONS and any(lab.match(name + text[te]) for lab in v.labels):
        return None  # 牵头单位：… is a label
    generic = name.startswith((*v.level_prefixes, *v.generic_prefixes))
    if boundary in v.creation and not generic:
        return None  # 成立工作专班, 建立…中心: set up by the plan
    for verb in v.inner_creation:
        if name.startswith(verb) and len(name) - len(verb) > te - ts:
            return None  # 建设全国碳市场辽宁服务中心
    return _Mention(name, start, te)


def _place_before(v: BodyLexicon, text: str, lo: int, pos: int) -> bool:
    """Whether the Han run ending at `pos` is a place, which split_names also treats as a name."""
    k = pos
    while k > lo and pos - k < _MAX_NAME and is_han(text[k - 1]) and text[k - 1] not in v.joiners:
        k -= 1
    return is_place(v, text[k:pos])


def _scan_places(v: BodyLexicon, text: str, lo: int, hi: int, out: list[_Mention]) -> None:
    """Places named as the subject of a clause (瓦房店市、庄河市力争…)."""
    if not v.place_hint.search(text, lo, hi):
        return
    for m in v.place_re.finditer(text, lo, hi):
        pos = m.start(1)
        for place in m.group(1).split("、"):
            if (not place.endswith(v.not_place) and place[:-1] not in v.determiners
                    and v.stop_chars.isdisjoint(place)):
                out.append(_Mention(place, pos, pos + len(place)))
            pos += len(place) + 1


def _distribute(v: BodyLexicon, text: str, lo: int, mention: _Mention, out: list[_Mention]) -> None:
    """临汾、侯马经济开发区管委会 in running text names 临汾经济开发区管委会 too."""
    end = mention.start
    heads: list[tuple[int, str]] = []
    while end - 1 > lo and text[end - 1] == "、":
        start = end - 1
        while start > lo and is_han(text[start - 1]) and not _stop_before(v, text, start, lo):
            start -= 1
        bare = text[start : end - 1]
        if not (2 <= len(bare) <= 6) or v.token_re.search(bare) or ends_with_body(v, bare):
            break
        heads.append((start, bare))
        end = start
    if not heads:
        return
    suffix = shared_suffix(v, heads[0][1], mention.name)
    if not suffix or suffix == mention.name:
        return
    for start, bare in heads:
        out.append(_Mention(bare + suffix, start, mention.end))


def _find(doc: Document) -> list[_Mention]:
    v = body_lexicon()
    text = doc.text
    out: list[_Mention] = []
    for line in doc.lines:
        if line.is_table:
            for cell in line.cells:
                if cell.end > cell.start and not _scan_cell(v, text, cell.start, cell.end, out):
                    _scan_line(v, text, cell.start, cell.end, out)
            continue
        before = len(out)
        _scan_line(v, text, line.start, line.end, out)
        for mention in out[before:]:
            if text[mention.start - 1 : mention.start] == "、":
                _distribute(v, text, line.start, mention, out)
        _scan_places(v, text, line.start, line.end, out)
    return out


def _is_name(v: BodyLexicon, name: str) -> bool:
    """Whether `name` on its own reads as one whole body name (or an actor place)."""
    if len(name) > _MAX_NAME:
        return False
    if is_place(v, name):
        return True
    found: list[_Mention] = []
    _scan_line(v, name, 0, len(name), found)
    return any(m.start == 0 and m.end == len(name) for m in found)


def _scan_cell(v: BodyLexicon, text: str, lo: int, hi: int, out: list[_Mention]) -> bool:
    """A table cell that is a list of names (the 责任单位 column): take it whole."""
    cell = text[lo:hi].strip()
    if not cell or len(cell) > 400 or any(ch in cell for ch in "。：:") or cell[0].isdigit():
        return False
    names = split_names(cell)
    if not names or not all(_is_name(v, n) for n in names):
        return False
    offset = text.find(cell, lo, hi)
    pos = offset
    for name in names:
        at = text.find(name, pos, hi)
        if at >= 0:
            out.append(_Mention(name, at, at + len(name)))
            pos = at + len(name)
        else:  # a distributed name: point at the whole list
            out.append(_Mention(name, offset, offset + len(cell)))
    return True


def parse_departments(doc: Document, tasks: list[Task]) -> list[Department]:
    """Unique body names in order of first mention, with mention counts."""
    order: dict[str, list] = {}  # name -> [raw_start, mentions, line, span]
    for m in _find(doc):
        span = doc.span(m.start, m.end)
        entry = order.get(m.name)
        if entry is None:
            order[m.name] = [span[0], 1, doc.lineno(m.start), span]
        else:
            entry[1] += 1
    for task in tasks:
        for name in (*task.lead, *task.support):
            if not name or name in order:
                continue
            at = doc.text.find(name)
            if at >= 0:
                span = doc.span(at, at + len(name))
                order[name] = [span[0], 1, doc.lineno(at), span]
            else:
                order[name] = [task.span[0], 1, task.line, tuple(task.span)]
    ranked = sorted(order.items(), key=lambda item: item[1][0])
    return [Department(name=name, mentions=n, line=line, span=span) for name, (_, n, line, span) in ranked]
