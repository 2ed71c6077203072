"""Targets and percentages (spec section 3).

A target is a number with a unit that the plan commits to: an indicator, a
comparator word or count verb, the number, and maybe 以上/以下 after it. The
text is read clause by clause (a clause ends at ，；。： or a table cell), so the
work per number is bounded by its clause and the whole pass is linear.

Inside a clause the numbers form groups. A number whose text before it ends in
a list connector (、和及) continues the group of the number before it and
shares its verb or comparator (完成16个…、79个…和5处…; 分别达到95%、90%和75%以上).
Each group is judged once:

* a number that only qualifies a noun is not a target: 65蒸吨/小时以上燃煤锅炉
  (以上/以下 then a noun), 排放量大于1吨的企业 (a comparator, then 的);
* a number followed by a noun or 的 is a target only after a count verb
  (完成17个斑块, 建成…190万千瓦海上风电项目, 完成全市30%的民用散煤替代);
* otherwise it is a target after a comparator word (达到, 不超过, 下降…) or
  right after an indicator noun (户数11.78万户, 安全利用率100%: "=").

Every percentage that does not become a target is still reported in
`percentages`, so none is lost. Vocabulary: `ecoplan/vocab/comparators.yaml`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cache

from ecoplan.normalise import Document, Line
from ecoplan.parsers.deadlines import DeadlineMatch
from ecoplan.parsers.headings import match_marker
from ecoplan.parsers.numbers import Quantity, scan_quantities
from ecoplan.schema import Percentage, Target

# Sentence and clause ends, and the brackets inside which a comma does not end
# a clause (（生态保护红线、环境质量底线…）, 《…》). Matched on Document.fold.
RE_PUNCT = re.compile(r"[,;。:!?\t()《》“”\[\]〔〕【】]")
SENTENCE_END = frozenset("。!?\t")
CLAUSE_END = frozenset(",;:")
OPENERS = frozenset("(《“[〔【")
CLOSERS = frozenset(")》”]〕】")
LIST_CONNECTORS = ("以及", "、", "和", "及", "与", "或")
# Characters after a number that end its phrase rather than start a noun it qualifies.
PHRASE_END = frozenset(",;。:!?\t、)”》]〕】(（ ")
# A number may sit this far from the count verb that governs it (建成已获规划批复的190万千瓦).
COUNT_VERB_REACH = 10
# …and this far from a comparator (达到地表水III类).
COMPARATOR_REACH = 4
# A clause longer than this is cut to the number's phrase in a target's text.
MAX_CLAUSE = 200
# An indicator this short (覆盖率, 比例) names a rate of the subject before it.
SHORT_INDICATOR = 3
RE_SPACE = re.compile(r"\s++")
RE_BARE_YEAR = re.compile(r"\s*+(?:\d{4}+|[〇○零一二三四五六七八九]{4}+)\s*+年度?\s*+")
# A parenthetical between the unit and 以下 (20蒸吨/小时(14MW)以下).
RE_PAREN_AFTER = re.compile(r"\([^(),;。]{1,16}+\)")


@dataclass(frozen=True)
class _Rules:
    before: re.Pattern[str]
    before_ops: dict[str, str]
    after: re.Pattern[str]
    after_ops: dict[str, str]
    strict: frozenset[str]
    change: dict[str, str]
    baseline: re.Pattern[str]
    count_verbs: frozenset[str]
    measure: tuple[str, ...]
    past: tuple[str, ...]
    counters: frozenset[str]
    hedges: re.Pattern[str]
    lead: re.Pattern[str]
    trail: re.Pattern[str]
    respectively: str
    shared_heads: tuple[str, ...]


@cache
def rules() -> _Rules:
    """Compile the comparator vocabulary once per process."""
    from ecoplan.vocab import alternation, load

    v = load("comparators")
    # A count verb reads as "=" unless `before` gives it an operator of its own.
    before_ops = {w: "=" for w in v["count_verbs"]} | dict(v["before"])
    base = v["baseline"]
    baseline = re.compile(
        rf"(?:{alternation(base['before'])})于?\x20?+(?P<year>\d{{4}}+)\x20?+年(?:底|末)?(?:{alternation(base['after'])})?"
    )
    return _Rules(
        before=re.compile(alternation(list(before_ops))),
        before_ops=before_ops,
        after=re.compile(alternation(list(v["after"]))),
        after_ops=dict(v["after"]),
        strict=frozenset(v["strict"]),
        change=dict(v["change"]),
        baseline=baseline,
        count_verbs=frozenset(v["count_verbs"]),
        measure=tuple(v["measure_suffixes"]),
        past=tuple(v["past_markers"]),
        counters=frozenset(load("units")["counters"]),
        hedges=re.compile(alternation(v["qualifiers"])),
        lead=re.compile(rf"^(?:[\s,;:、——\-]|{alternation(v['lead_words'])})++"),
        trail=re.compile(rf"(?:{alternation(v['trail_words'])})++$"),
        respectively=v["respectively"],
        shared_heads=tuple(v["shared_heads"]),
    )


@dataclass
class _Item:
    """One number of a clause and what surrounds it (indices into Document.text)."""

    q: Quantity
    head_start: int  # start of the text before the number that belongs to it
    after_end: int  # past the unit, a hedge (左右) and 以上/以下
    after_op: str | None
    follower: str  # "end", "of" (的) or "noun"
    tail_end: int = -1  # end of the noun phrase after the number, if any
    continues: bool = False
    q_prev_end: int = -1  # where the text after the number before ends
    skip: tuple[int, int] | None = None  # a qualifying number inside the head (淘汰35蒸吨/小时以下燃煤锅炉120台)


@dataclass
class _Group:
    items: list[_Item] = field(default_factory=list)


def _clauses(fold: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """(clause start, clause end, sentence index) for fold[start:end], brackets respected."""
    out: list[tuple[int, int, int]] = []
    depth = 0
    clause_start = start
    sentence = 0
    for m in RE_PUNCT.finditer(fold, start, end):
        ch = m.group()
        i = m.start()
        if ch in OPENERS and ch != "“":
            depth += 1
            continue
        if ch in CLOSERS and ch != "”":
            depth = max(depth - 1, 0)
            continue
        if ch in "“”":
            continue
        if ch in SENTENCE_END:
            out.append((clause_start, i, sentence))
            clause_start = i + 1
            sentence += 1
            depth = 0
        elif ch in CLAUSE_END and depth == 0:
            if ch == "," and 0 < i < end - 1 and fold[i - 1].isdigit() and fold[i + 1].isdigit():
                continue  # a thousands separator
            out.append((clause_start, i, sentence))
            clause_start = i + 1
    out.append((clause_start, end, sentence))
    return [c for c in out if c[1] > c[0]]


def _after(doc: Document, r: _Rules, q: Quantity, clause_end: int) -> tuple[int, str | None]:
    fold = doc.fold
    pos = q.approx_end or q.end
    paren = RE_PAREN_AFTER.match(fold, pos, clause_end)
    probe = paren.end() if paren else pos
    m = r.after.match(fold, probe, clause_end)
    if m:
        return m.end(), r.after_ops[m.group()]
    return pos, None


def _follower(fold: str, pos: int, end: int, q: Quantity) -> str:
    if q.range == "low":
        return "end"  # 80%~85%: the phrase goes on after the upper bound
    if pos >= end or fold[pos] in PHRASE_END:
        return "end"
    if fold[pos] == "的":
        return "of"
    if fold.startswith(LIST_CONNECTORS, pos):
        return "end"
    return "noun"


def _top_level_index(fold: str, start: int, end: int, chars: str) -> int:
    """First index in fold[start:end] of one of `chars` outside brackets, or -1."""
    depth = 0
    for i in range(start, end):
        ch = fold[i]
        if ch in OPENERS and ch != "“":
            depth += 1
        elif ch in CLOSERS and ch != "”":
            depth = max(depth - 1, 0)
        elif depth == 0 and ch in chars:
            return i
    return -1


def _ends_with_connector(fold: str, start: int, end: int) -> bool:
    s = fold[start:end].rstrip()
    return s.endswith(LIST_CONNECTORS)


def _items(doc: Document, r: _Rules, cs: int, ce: int, quantities: list[Quantity]) -> list[_Item]:
    """The numbers of the clause fold[cs:ce]; `quantities` are the quantities found in it."""
    fold = doc.fold
    items: list[_Item] = []
    prev_end = cs
    for q in quantities:
        if q.kind == "chinese" and q.unit != "%":
            # A Chinese numeral counts only right after a count verb (开展一次);
            # elsewhere it is part of a phrase (做到“两个维护”, 一个库).
            if not any(fold.startswith(v, q.start - len(v)) for v in r.count_verbs if q.start >= len(v)):
                continue
        after_end, after_op = _after(doc, r, q, ce)
        item = _Item(q, prev_end, after_end, after_op, _follower(fold, after_end, ce, q), q_prev_end=prev_end)
        if items:
            prev = items[-1]
            if q.range == "high" and prev.q.range == "low":
                item.continues = True  # 80%~85%: one phrase, two bounds
                prev.tail_end = prev.after_end
            elif _ends_with_connector(fold, prev_end, q.start):
                item.continues = True
                prev.tail_end = _strip_connector_end(fold, prev_end, q.start)
            else:
                cut = _top_level_index(fold, prev_end, q.start, "、")
                prev.tail_end = cut if cut >= 0 else prev_end
                item.head_start = cut + 1 if cut >= 0 else prev_end
        items.append(item)
        prev_end = after_end
    if items:
        last = items[-1]
        cut = _top_level_index(fold, last.after_end, ce, "、")
        last.tail_end = cut if cut >= 0 else ce
    return items


def _strip_connector_end(fold: str, start: int, end: int) -> int:
    s = fold[start:end].rstrip()
    for c in sorted(LIST_CONNECTORS, key=len, reverse=True):
        if s.endswith(c):
            return start + len(s) - len(c)
    return start + len(s)


@dataclass
class _Reading:
    comparator: str | None  # operator from the word before, None when bare
    word: str | None
    word_start: int
    word_end: int
    change: str | None
    baseline_year: int | None
    subject_end: int  # end of the indicator text in the head
    hedge: str | None = None  # 力争, 基本 before the number in its clause part


def _read_head(doc: Document, r: _Rules, hs: int, he: int, skip: tuple[int, int] | None = None) -> _Reading:
    """The comparator or verb nearest before the number, a change and its baseline."""
    fold = doc.fold
    best: re.Match[str] | None = None
    for m in r.before.finditer(fold, hs, he):
        best = m
    reading = _Reading(None, None, he, he, None, None, he)
    if best is not None:
        word = best.group()
        gap = RE_SPACE.sub("", fold[best.end() : he])
        gap_len = len(gap)
        if skip is not None and skip[0] >= best.end():
            # A qualifying number between verb and number does not count as distance.
            gap_len -= len(RE_SPACE.sub("", fold[skip[0] : skip[1]]))
        reach = COUNT_VERB_REACH if word in r.count_verbs else COMPARATOR_REACH
        past = fold[max(hs, best.start() - 2) : best.start()].endswith(r.past)
        # 达标率100%, 新增装机224万千瓦: the word sits inside the indicator noun.
        inside = bool(gap) and gap.endswith(r.measure)
        if gap_len <= reach and not past and not inside:
            reading = _Reading(r.before_ops[word], word, best.start(), best.end(), None, None, best.start())
    hedge = r.hedges.search(fold, hs, he)
    reading.hedge = hedge.group() if hedge else None
    base = None
    for m in r.baseline.finditer(fold, hs, reading.word_start if reading.word else he):
        base = m
    if reading.word in r.change:
        reading.change = r.change[reading.word]
    if base is not None:
        reading.baseline_year = int(base["year"])
        reading.subject_end = base.start()
        if reading.change is None:
            between = fold[base.end() : reading.word_start if reading.word else he]
            for w, direction in r.change.items():
                if w in between:  # 较2020年下降比例达到18%
                    reading.change = direction
                    break
    return reading


def _is_measure_end(r: _Rules, fold: str, hs: int, he: int) -> bool:
    s = RE_SPACE.sub("", fold[hs:he])
    return bool(s) and s.endswith(r.measure)


def _clean(doc: Document, r: _Rules, a: int, b: int, deadlines: list[DeadlineMatch], starts: list[int]) -> str:
    """Indicator text of doc.text[a:b]: no deadline, marker, lead words or spaces."""
    if b <= a:
        return ""
    # Drop everything up to the end of a deadline inside the range (到2025年,…).
    k = bisect_left(starts, a)
    while k < len(deadlines) and deadlines[k].start < b:
        a = max(a, min(deadlines[k].end, b))
        k += 1
    text = RE_SPACE.sub("", doc.text[a:b])
    fold_text = RE_SPACE.sub("", doc.fold[a:b])
    marker = match_marker(fold_text)
    if marker is not None:
        text, fold_text = text[marker.end :], fold_text[marker.end :]
    while True:
        m = r.lead.match(fold_text)
        if not m or not m.end():
            break
        text, fold_text = text[m.end() :], fold_text[m.end() :]
    m = r.trail.search(fold_text)
    if m:
        text = text[: m.start()]
    return text.strip(",，、")


def _split_subjects(text: str) -> list[str]:
    """Top-level parts of a list of subjects (城市、县城、重点镇生活污水处理率)."""
    parts: list[str] = []
    depth = 0
    cur = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "(（《":
            depth += 1
        elif ch in ")）》":
            depth = max(depth - 1, 0)
        if depth == 0 and ch in "、和及与":
            parts.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    parts.append(cur)
    return [p for p in parts if p]


def _distribute(subjects: list[str], heads: tuple[str, ...]) -> list[str]:
    """Give each subject the noun the last one carries (城市 → 城市生活污水处理率).

    The last part holds its own subject and the shared noun. The shared noun
    starts at a word that begins such nouns (生活, 排放); failing that, the own
    subject ends where the earlier ones end in kind (市, 城, 镇: a place), or
    after as many characters as the subject before it.
    """
    last = subjects[-1]
    found = [i for w in heads if (i := last.find(w, 1)) > 0]
    own = min(found) if found else 0
    ends = {s[-1] for s in subjects[:-1]} | set("市县镇城村区乡省业园")
    for i, ch in enumerate(last[:-1]):
        if own:
            break
        if ch in ends:
            own = i + 1
    if own == 0:
        own = min(len(subjects[-2]), len(last) - 1)
    shared = last[own:]
    return [s + shared for s in subjects[:-1]] + [last]


def extract_targets(doc: Document, deadlines: list[DeadlineMatch]) -> tuple[list[Target], list[Percentage]]:
    """Targets and the percentages that are not targets, in text order."""
    r = rules()
    fold = doc.fold
    governing = sorted((d for d in deadlines if _governs(d)), key=lambda d: d.start)
    starts = [d.start for d in governing]
    heads = _paragraph_heads(doc, governing)
    targets: list[Target] = []
    percentages: list[Percentage] = []
    for li, line in enumerate(doc.lines):
        scan = scan_quantities(fold, line.start, line.end)
        if not scan:
            continue  # most lines hold no number with a unit: no clauses to read
        clauses = _clauses(fold, line.start, line.end)
        found = scan.split([(cs, ce) for cs, ce, _ in clauses])
        prev_sentence = -1
        sent_start = line.start
        subject_prev = ""  # what the sentence spoke of, for a bare 覆盖率 / 占…比例 after it
        for (cs, ce, sentence), quantities in zip(clauses, found, strict=True):
            if sentence != prev_sentence:
                subject_prev = ""
                prev_sentence = sentence
                sent_start = cs
            if not quantities:
                continue
            items = _items(doc, r, cs, ce, quantities)
            if not items:
                continue
            emitted: set[int] = set()
            rejected_head: int | None = None
            rejected_q = -1
            for group in _groups(items):
                first = group[0]
                if rejected_head is not None and first.head_start == first.q_prev_end:
                    # The number before only qualified a noun (好于III类水体比例达到100%):
                    # it is part of this indicator, not a boundary.
                    first.skip = (rejected_q, first.q_prev_end)
                    first.head_start = rejected_head
                found, subject = _read_group(doc, r, group, governing, starts)
                # Extend over one qualifying number only, so heads never chain.
                rejected_head = None if found or first.skip else first.head_start
                rejected_q = first.q.start
                for item, indicator, reading, op in found:
                    if len(indicator) <= SHORT_INDICATOR or indicator.startswith("占"):
                        indicator = subject_prev + indicator if subject_prev else indicator
                    deadline = _deadline_for(doc, item.q.start, sent_start, line, li, governing, starts, heads)
                    targets.append(_target(doc, r, item, indicator, reading, op, deadline, cs, ce))
                    emitted.add(id(item))
                if subject:
                    subject_prev = subject
            for item in items:
                if item.q.unit == "%" and id(item) not in emitted:
                    reading = _read_head(doc, r, item.head_start, item.q.start)
                    op = _operator(r, reading, item.after_op)
                    percentages.append(_percentage(doc, item, op, cs, ce))
    return targets, percentages


def _groups(items: list[_Item]) -> list[list[_Item]]:
    groups: list[list[_Item]] = []
    for item in items:
        if item.continues and groups:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _operator(r: _Rules, reading: _Reading, after_op: str | None) -> str | None:
    if reading.comparator in r.strict:
        return reading.comparator
    return after_op or reading.comparator


def _read_group(
    doc: Document, r: _Rules, group: list[_Item], deadlines: list[DeadlineMatch], starts: list[int]
) -> tuple[list[tuple[_Item, str, _Reading, str]], str]:
    """The targets a group of numbers commits to, and the subject it speaks of."""
    fold = doc.fold
    first = group[0]
    reading = _read_head(doc, r, first.head_start, first.q.start, first.skip)
    word = reading.word
    is_count_verb = word is not None and word in r.count_verbs and word not in r.change
    # 以上 after the last number of a list applies to each (95%、90%和75%以上).
    shared_after = group[-1].after_op
    bare = word is None and _is_measure_end(r, fold, first.head_start, first.q.start)
    out: list[tuple[_Item, str, _Reading, str]] = []
    subject = ""
    if word is None and not bare:
        return out, subject
    for item in group:
        after_op = item.after_op or shared_after
        if item.q.kind == "roman" and not _class_is_target(fold, reading, first, item):
            continue
        if item.after_op in (">=", "<=") and item.follower != "end" and not fold.startswith("以内", item.after_end - 2):
            # 65蒸吨/小时以上燃煤锅炉: the number picks out the noun. After a count
            # verb a counted noun is still a commitment (开展2次以上执法检查).
            counted = item.q.unit.lstrip("万亿") in r.counters
            if not (counted and is_count_verb and reading.word_end >= first.q.start - 2):
                continue
        if item.follower == "of" and not is_count_verb:
            continue  # 排放量大于1吨的企业
        if item.follower == "noun" and not is_count_verb and item.q.kind != "roman":
            continue
        if item.q.range == "low":
            op = ">="
        elif item.q.range == "high":
            op = "<="
        else:
            op = _operator(r, reading, after_op) or "="
        out.append((item, "", reading, op))
    if not out:
        return out, subject
    # Indicators.
    if word is None:
        subject = _clean(doc, r, first.head_start, first.q.start, deadlines, starts)
        indicators = [subject + _tail(doc, r, it) for it, *_ in out]
    elif is_count_verb:
        # The verb is part of what is counted (累计119个示范小区, 新增装机); only
        # plain 完成/实现 are cut, as lead words.
        subject = _clean(doc, r, first.head_start, reading.word_start, deadlines, starts)
        head = _clean(doc, r, first.head_start, first.q.start, deadlines, starts)
        tails = [_tail(doc, r, it) for it, *_ in out]
        for i, (it, *_) in enumerate(out[:-1]):
            if it.q.range == "low" and out[i + 1][0].q.range == "high":
                tails[i] = tails[i + 1]  # 3至5个示范村
        last = out[-1][0]
        if len(out) > 1 and last.follower == "of":
            # 完成17个斑块、67.8万平方米的治理任务: the noun after 的 is what each counts.
            shared = tails[-1]
            tails = [t + shared if it.follower == "noun" else t for t, (it, *_) in zip(tails, out, strict=True)]
        indicators = [head + t for t in tails]
    else:
        subject = _clean(doc, r, first.head_start, reading.subject_end, deadlines, starts)
        indicators = [subject + _tail(doc, r, it) if it.q.kind == "roman" else subject for it, *_ in out]
        respectively = fold[reading.word_start - len(r.respectively) : reading.word_start] == r.respectively
        parts = _split_subjects(subject)
        if respectively and len(out) > 1 and len(parts) == len(out):
            indicators = _distribute(parts, r.shared_heads)
        elif len(out) == 1 and len(parts) > 1 and all(p.endswith(r.measure) for p in parts):
            # 受污染耕地安全利用率和污染地块安全利用率达到92%以上: one number, two indicators.
            item, _, rd, op = out[0]
            out = [(item, "", rd, op) for _ in parts]
            indicators = parts
    result = [(it, ind, rd, op) for (it, _, rd, op), ind in zip(out, indicators, strict=True)]
    return result, subject


def _class_is_target(fold: str, reading: _Reading, first: _Item, item: _Item) -> bool:
    """A water class is a target right after 达到 (达到地表水III类, 稳定达到III类水质),
    not inside a description (达到或好于III类水体比例, (达到或优于III类)比例)."""
    if reading.comparator not in (">=", "=") or item is not first:
        return False
    gap = fold[reading.word_end : item.q.start]
    if "或" in gap or len(gap) > COMPARATOR_REACH or fold.count("(", first.head_start, item.q.start) > fold.count(
        ")", first.head_start, item.q.start
    ):
        return False
    rest = fold[item.after_end : item.tail_end].strip()
    return item.follower == "end" or rest in ("水质", "水体", "标准")


def _tail(doc: Document, r: _Rules, item: _Item) -> str:
    if item.q.kind == "roman" and item.follower == "noun":
        return RE_SPACE.sub("", doc.text[item.after_end : item.tail_end])  # III类水质 -> 水质
    if item.follower == "end" or item.tail_end <= item.after_end:
        return ""
    # 16个行政村的生活污水治理 -> 行政村生活污水治理: the 的 only links count and noun.
    return RE_SPACE.sub("", doc.text[item.after_end : item.tail_end]).lstrip("的").replace("的", "", 1)


def _governs(d: DeadlineMatch) -> bool:
    """A bare year (2021年, 2021年度) frames a plan; it limits nothing."""
    return d.recurring is not None or not RE_BARE_YEAR.fullmatch(d.text)


def _head_deadline(
    doc: Document, line: Line, governing: list[DeadlineMatch], starts: list[int]
) -> DeadlineMatch | None:
    """A deadline that opens the paragraph (到2025年,…), after any list marker."""
    k = bisect_left(starts, line.start)
    if k >= len(governing) or governing[k].start >= line.end:
        return None
    d = governing[k]
    lead = doc.fold[line.start : d.start]
    marker = match_marker(lead.lstrip())
    if marker is not None:
        lead = lead.lstrip()[marker.end :]
    return d if not lead.strip(" -") else None


def _paragraph_heads(doc: Document, governing: list[DeadlineMatch]) -> dict[int, tuple[DeadlineMatch, int]]:
    """Line index -> (head deadline, limit): the deadline that governs the line
    as a whole, and the text index from which it stops (another deadline)."""
    starts = [d.start for d in governing]
    heads: dict[int, tuple[DeadlineMatch, int]] = {}
    lines = doc.lines
    for i, line in enumerate(lines):
        d = _head_deadline(doc, line, governing, starts)
        if d is None:
            continue
        heads[i] = (d, line.end)
        own = match_marker(doc.fold[line.start : line.end])
        own_style = own.style if own else None
        list_style: str | None = None
        j = i + 1
        while j < len(lines):
            nxt = lines[j]
            m = match_marker(doc.fold[nxt.start : nxt.end])
            if m is None or m.style == own_style:
                break
            if list_style is None:
                list_style = m.style
            elif m.style != list_style:
                break
            k = bisect_left(starts, nxt.start)
            if k < len(governing) and governing[k].start < nxt.end:
                # Another deadline appears: the head governs up to it, no further.
                heads[j] = (d, governing[k].start)
                break
            heads[j] = (d, nxt.end)
            j += 1
    return heads


def _deadline_for(
    doc: Document,
    pos: int,
    sent_start: int,
    line: Line,
    line_index: int,
    governing: list[DeadlineMatch],
    starts: list[int],
    heads: dict[int, tuple[DeadlineMatch, int]],
) -> str | None:
    """Date of the deadline governing a number at `pos` (spec 3, "Deadline scope")."""
    k = bisect_right(starts, pos) - 1
    while k >= 0 and governing[k].end > pos:
        k -= 1
    if k >= 0 and governing[k].start >= sent_start:
        return governing[k].date  # the latest deadline earlier in the same sentence
    head = heads.get(line_index)
    if head is not None and pos < head[1]:
        return head[0].date
    if line.is_table:
        return _row_deadline(doc, line, pos, governing, starts)
    return None


def _row_deadline(
    doc: Document, line: Line, pos: int, governing: list[DeadlineMatch], starts: list[int]
) -> str | None:
    """In a task table, a deadline standing in a cell of its own (完成时限) governs its row's targets."""
    k = bisect_left(starts, line.start)
    while k < len(governing) and governing[k].start < line.end:
        d = governing[k]
        if d.start > pos and doc.text[d.start - 1] == "\t":
            return d.date
        k += 1
    return None


def _target(
    doc: Document, r: _Rules, item: _Item, indicator: str, reading: _Reading, op: str,
    deadline: str | None, cs: int, ce: int,
) -> Target:
    text, a, b = _clause_text(doc, cs, ce, item)
    hedge = item.q.approx or reading.hedge
    return Target(
        indicator=indicator or RE_SPACE.sub("", doc.text[item.head_start : item.q.start]) or "?",
        comparator=op,  # type: ignore[arg-type]
        value=item.q.value,
        unit=item.q.unit,
        change=reading.change,  # type: ignore[arg-type]
        baseline_year=reading.baseline_year,
        deadline=deadline,
        qualifier=hedge,
        text=text,
        line=doc.lineno(a),
        span=doc.span(a, b),
    )


def _percentage(doc: Document, item: _Item, op: str | None, cs: int, ce: int) -> Percentage:
    text, a, b = _clause_text(doc, cs, ce, item)
    return Percentage(
        value=item.q.value,
        comparator=op,  # type: ignore[arg-type]
        text=text,
        line=doc.lineno(a),
        span=doc.span(a, b),
    )


def _clause_text(doc: Document, cs: int, ce: int, item: _Item) -> tuple[str, int, int]:
    """The clause as written, without its surrounding spaces, and its bounds.

    A clause that runs on without punctuation (a table dump, a list of
    hundreds of numbers) is cut to the number's own phrase, so each target
    carries a readable text and the pass stays linear."""
    if ce - cs > MAX_CLAUSE:
        cs = max(cs, item.q.start - MAX_CLAUSE // 2)
        ce = min(ce, max(item.tail_end, item.after_end), item.q.end + MAX_CLAUSE // 2)
    raw = doc.text[cs:ce]
    a = cs + (len(raw) - len(raw.lstrip()))
    b = ce - (len(raw) - len(raw.rstrip()))
    return doc.text[a:b], a, b
