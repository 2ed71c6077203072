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
Which deadline governs a target is the deadlines parser's `DeadlineScope`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import repeat
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

from ecoplan.parsers.deadlines import DeadlineScope
from ecoplan.schema import Percentage, Section, Target
from ecoplan.text.clauses import (
    clauses,
    distribute_shared_head,
    ends_with_connector,
    sentence_start,
    split_spans,
    strip_connector_end,
    top_level_index,
)
from ecoplan.text.document import Block, Document
from ecoplan.text.indicator_tables import SIGN_OPERATORS, IndicatorRow, indicator_rows
from ecoplan.text.lexicon import (
    ACTOR_PLACE_SUFFIXES,
    CLAUSE_ENDS,
    CLOSE_BRACKETS_FOLDED,
    CN_ONE_TO_TEN,
    CN_YEAR_DIGITS,
    LIST_CONNECTORS,
    OPEN_PARENS,
    QUOTE_CLOSE,
    QUOTE_OPEN,
    SENTENCE_ENDS,
    squash,
)
from ecoplan.text.markers import match_marker
from ecoplan.text.normalise import fold as fold_text  # `fold` names Document.fold here
from ecoplan.text.patterns import lazy_re
from ecoplan.text.quantities import Quantity, QuantityScan, scan_lines, unit_name
from ecoplan.text.records import rule_record
from ecoplan.text.reports import report_cell_starts
from ecoplan.vocab import alternation, load, trie_alternation

# Characters after a number that end its phrase rather than start a noun it qualifies.
PHRASE_END = frozenset(SENTENCE_ENDS + CLAUSE_ENDS + "\t、 " + CLOSE_BRACKETS_FOLDED + OPEN_PARENS)
# A number may sit this far from the count verb that governs it (建成已列入年度计划的3座泵站; 完成
# 甲、乙等行业120家企业…: a list of the sectors or places the count covers stands between).
COUNT_VERB_REACH = 14
# A place suffix followed by one of these is a word of its own (区域, 市级, 区内), not a place.
AREA_WORD_GOES_ON = "域级内划"
# Between two comparator words that both apply (达到或优于III类).
EITHER = "或"
# …and further when the number closes its phrase (淘汰国三及以下排放标准柴油货车1200辆).
CLOSING_COUNT_VERB_REACH = 20
# …and this far from a comparator (达到地表水III类).
COMPARATOR_REACH = 4
# A clause longer than this is cut to the number's phrase in a target's text.
MAX_CLAUSE = 200
# An indicator this short (覆盖率, 比例) names a rate of the subject before it.
SHORT_INDICATOR = 3
# An indicator starting with an action word (登记率, 排查点位) this long may name the
# action of the clause before it; the object it takes from there is at most this long.
ACTION_WORD = 2
MAX_ACTION_OBJECT = 24
# An indicator of one action word (安装) or this short ending in a measure (治理面积), the clause
# before not ending in it, is a bare action.
BARE_ACTION = 4
# …when what follows the action word is a measure or a counted noun (率, 完成率, 企业),
# not an object of its own (淘汰国三及以下柴油货车).
ACTION_MEASURE = 3
# A head carried over qualifying numbers inside a bracket reaches back no
# further than this (keeps the pass linear on a run of brackets).
MAX_CHAINED_HEAD = 80
# A bare year at the head of an indicator (2025年全市PM2.5浓度): a time frame, not part of it.
BARE_YEAR = rf"(?:\d{{4}}+|[{CN_YEAR_DIGITS}]{{4}}+)年度?"
RE_DIGIT = lazy_re(r"\d")
# Pollutant codes run together where a list lost its 、 (PM2.5PM10年均浓度).
RE_CODE = lazy_re(r"[A-Z][A-Za-z]*+\d++(?:\.\d++)?+")
RE_GLUED_CODES = lazy_re(rf"(?:{RE_CODE.pattern}){{2,}}+")
# Sentence numbers kept apart per table cell (no cell holds this many sentences).
CELL_SENTENCES = 10_000
# The longest quoted name (slogan) whose number is no target: “六个百分之百”.
QUOTED_NAME_MAX = 12
_QUOTE_CLOSERS = tuple(QUOTE_CLOSE)  # for str.endswith
RE_QUOTE_OPEN = lazy_re(f"[{re.escape(QUOTE_OPEN)}]")
# How far past a listed value (2、3、5家) its shared unit may be written.
UNIT_LIST_REACH = 40
# A parenthetical between the unit and 以下 (20蒸吨/小时(14MW)以下).
PAREN_AFTER_OPEN = "("
RE_PAREN_AFTER = lazy_re(rf"{re.escape(PAREN_AFTER_OPEN)}[^(),;。]{{1,16}}+\)")


@rule_record
class _Rules:
    before: re.Pattern[str]
    before_ops: dict[str, str]
    after: re.Pattern[str]
    after_ops: dict[str, str]
    strict: frozenset[str]
    change: dict[str, str]
    baseline: re.Pattern[str]
    count_verbs: frozenset[str]
    count_verb_words: tuple[str, ...]  # the same, for str.endswith
    measure: tuple[str, ...]
    # The last characters of count verbs, measures and trail words: a text that ends in none of them is
    # told at once, where str.endswith compares each word of the tuple (47 count verbs).
    count_verb_ends: frozenset[str]
    measure_ends: frozenset[str]
    trail_ends: frozenset[str]
    past: tuple[str, ...]
    review_titles: tuple[str, ...]  # endings of a section title that reports the work done
    counters: frozenset[str]
    multipliers: str
    within: tuple[str, ...]
    class_nouns: frozenset[str]
    hedges: re.Pattern[str]
    # What an indicator's text never starts with, matched at its start: lead words and separators
    # (the match ends in the empty group `lead`); else an enumeration word (三要, 一是), a closed
    # parenthetical the line ran into (a responsibility clause), a stray closer, or a bare year.
    # One pattern: its branches are tried in that order, as one call each would be.
    lead: re.Pattern[str]
    trail: re.Pattern[str]
    trail_words: tuple[str, ...]  # the same, for str.endswith: most indicators end in none
    respectively: tuple[str, ...]
    shared_heads: tuple[str, ...]
    population: tuple[str, ...]
    area: re.Pattern[str]
    list_summary: tuple[str, ...]
    frames: tuple[str, ...]
    class_or_better: tuple[str, ...]
    inline_item: re.Pattern[str]
    area_generic: tuple[str, ...]  # an inline item marker (二是) opening a clause
    action_opener: re.Pattern[str]  # one or more action words, lead words between them
    occasions: frozenset[str]  # units of a number of times (一次, 一轮)
    periods: frozenset[str]  # units of a length of time (个工作日, 天)
    within_period: str  # right after a length of time: a time limit (15个工作日内)
    subsets: tuple[str, ...]  # words opening a clause about a part of the figure before (其中)


@cache
def rules() -> _Rules:
    """Compile the comparator vocabulary once per process."""
    v = load("comparators")
    # A count verb reads as "=" unless `before` gives it an operator of its own.
    before_ops = {w: "=" for w in v.count_verbs} | dict(v.before)
    base = v.baseline
    baseline = lazy_re(
        rf"(?:{trie_alternation(base['before'])})于?\x20?+(?:(?P<year>\d{{4}}+)\x20?+年(?:底|末)?|{trie_alternation(base['relative'])})"
        rf"(?:{trie_alternation(base['after'])})?"
    )
    return _Rules(
        before=lazy_re(trie_alternation(list(before_ops))),
        before_ops=before_ops,
        after=lazy_re(trie_alternation(list(v.after))),
        after_ops=dict(v.after),
        strict=frozenset(v.strict),
        change=dict(v.change),
        baseline=baseline,
        count_verbs=frozenset(v.count_verbs),
        count_verb_words=tuple(v.count_verbs),
        measure=tuple(v.measure_suffixes),
        count_verb_ends=frozenset(w[-1] for w in v.count_verbs),
        measure_ends=frozenset(w[-1] for w in v.measure_suffixes),
        trail_ends=frozenset(w[-1] for w in v.trail_words),
        past=tuple(v.past_markers),
        review_titles=tuple(load("headings").review_titles),
        counters=frozenset(load("units").counters),
        multipliers="".join(load("units").multipliers),
        within=tuple(v.within),
        class_nouns=frozenset(v.class_nouns),
        hedges=lazy_re(trie_alternation(v.qualifiers)),
        lead=lazy_re(
            rf"(?:[\s,;:、——\-]|{trie_alternation(v.lead_words)})++(?P<lead>)"
            rf"|[{CN_ONE_TO_TEN}]{{1,3}}+(?:{alternation(load('headings').inline_markers)})|\([^()]*+\)|\)|{BARE_YEAR}"
        ),
        trail=lazy_re(rf"(?:{trie_alternation(v.trail_words)})++$"),
        trail_words=tuple(v.trail_words),
        respectively=tuple(v.respectively),
        shared_heads=tuple(v.shared_heads),
        population=tuple(v.population_words),
        area=lazy_re(
            rf"(?!{alternation(v.area_not_first)})[\u4e00-\u9fff]{{1,8}}?(?<!城)[{ACTOR_PLACE_SUFFIXES}]"
            rf"(?:及[\u4e00-\u9fff]{{1,6}}?(?:{alternation(v.area_suffixes)}))?"
        ),
        list_summary=tuple(v.list_summary),
        area_generic=tuple(v.area_generic),
        frames=tuple(v.frame_words),
        class_or_better=tuple(v.class_or_better),
        inline_item=lazy_re(rf"[\s,;:、]*+[{CN_ONE_TO_TEN}]{{1,3}}+(?:{alternation(load('headings').inline_markers)})"),
        occasions=frozenset(v.occasion_units),
        periods=frozenset(v.period_units),
        within_period=v.within_period,
        subsets=tuple(v.subset_words),
        action_opener=lazy_re(rf"(?:\s|{alternation(v.action_openers)}|{alternation(v.lead_words)})*?"
                                 rf"(?:{alternation(v.action_openers)})++"),
    )


@dataclass(slots=True)
class _Item:
    """One number of a clause and what surrounds it (indices into Document.text)."""

    q: Quantity
    head_start: int  # start of the text before the number that belongs to it
    after_end: int  # past the unit, a hedge (左右) and 以上/以下
    after_op: str | None
    follower: str  # "end", "of" (的) or "noun"
    tail_end: int = -1  # end of the noun phrase after the number, if any
    continues: bool = False
    joined: bool = False  # right after the number before: two counts of one noun (5家11条生产线)
    q_prev_end: int = -1  # where the text after the number before ends
    skip: tuple[int, int] | None = None  # a qualifying number inside the head (淘汰35蒸吨/小时以下燃煤锅炉120台)
    emitted: bool = False  # a target was made of it (else a percentage is reported)
    count: bool = False  # a count of things (`_is_count`), read once for the several tests that ask


def _items(doc: Document, r: _Rules, cs: int, ce: int, quantities: list[Quantity]) -> list[_Item]:
    """The numbers of the clause fold[cs:ce]; `quantities` are the quantities found in it."""
    fold = doc.fold
    items: list[_Item] = []
    prev_end = cs
    counters, multipliers, after, after_ops = r.counters, r.multipliers, r.after, r.after_ops
    for q in quantities:
        count = q.unit.lstrip(multipliers) in counters  # `_is_count`, inlined: asked of every number
        if count and q.kind == "chinese":
            # A Chinese numeral before a counter counts only right after a count verb (开展一次);
            # elsewhere it is part of a phrase (做到“两个维护”, 一个库). Before a unit of measure
            # (三十五微克每立方米, 两个百分点) it is a figure written out.
            if not fold.endswith(r.count_verb_words, 0, q.start):
                continue
        # What follows the number, read here for every number: past the unit, a hedge (左右) and a
        # parenthetical (20蒸吨/小时(14MW)以下), a comparator word after it (以上, 以下)…
        after_end = q.approx_end or q.end
        probe = after_end
        if fold.startswith(PAREN_AFTER_OPEN, after_end):
            paren = RE_PAREN_AFTER.match(fold, after_end, ce)
            probe = paren.end() if paren else after_end
        after_op = None
        m = after.match(fold, probe, ce)
        if m:
            after_end, after_op = m.end(), after_ops[m.group()]
        # …then whether the phrase ends there, or goes on with 的 or a noun the number qualifies.
        if q.range == "low":
            follower = "end"  # 80%~85%: the phrase goes on after the upper bound
        elif after_end >= ce or fold[after_end] in PHRASE_END:
            follower = "end"
        elif fold[after_end] == "的":
            follower = "of"
        elif fold.startswith(LIST_CONNECTORS, after_end):
            follower = "end"
        else:
            follower = "noun"
        # Every field by position (tail_end, continues, joined, q_prev_end, skip, emitted, then count):
        # no keyword matching.
        item = _Item(q, prev_end, after_end, after_op, follower, -1, False, False, prev_end, None, False, count)
        if items:
            prev = items[-1]
            if q.range == "high" and prev.q.range == "low":
                item.continues = True  # 80%~85%: one phrase, two bounds
                prev.tail_end = prev.after_end
            elif q.start == prev_end and count and prev.count:
                item.continues = item.joined = True  # 5家11条生产线: two counts of one thing
                prev.tail_end = prev.after_end
            elif ends_with_connector(fold, prev_end, q.start):
                item.continues = True
                prev.tail_end = strip_connector_end(fold, prev_end, q.start)
            else:
                cut = top_level_index(fold, prev_end, q.start, "、")
                prev.tail_end = cut if cut >= 0 else prev_end
                item.head_start = cut + 1 if cut >= 0 else prev_end
        items.append(item)
        prev_end = after_end
    if items:
        last = items[-1]
        cut = top_level_index(fold, last.after_end, ce, "、")
        if cut >= 0 and "的" in fold[cut:ce] and not RE_DIGIT.search(fold, cut, ce):
            cut = -1  # 5家6000万标砖/年以下、规划区内的砖瓦生产线: modifiers of one noun
        last.tail_end = cut if cut >= 0 else ce
    return items


def _no_items(fold: str, r: _Rules, scan: QuantityScan) -> bool:
    """Whether no quantity of a line can be a number `_items` reads: each is a Chinese numeral and
    counter without a count verb before it (一个, 两家: a line the gate let through for such a numeral alone).

    Only when each match found one such quantity: a Chinese numeral and its counter hold
    no punctuation, so no match crosses a clause and no clause is read again on its own.
    """
    found = scan.found
    if not found or found[0][0].kind != "chinese":
        return False  # most lines: the first quantity is written in digits
    return len(found) == len(scan.spans) and all(
        q.kind == "chinese" and _is_count(r, q) and not fold.endswith(r.count_verb_words, 0, q.start) for q, _ in found
    )


def _is_count(r: _Rules, q: Quantity) -> bool:
    return q.unit.lstrip(r.multipliers) in r.counters


def _inside_bracket(fold: str, start: int, end: int) -> bool:
    """Whether fold[start:end] leaves a bracket open."""
    return fold.count("(", start, end) > fold.count(")", start, end)


_new_tuple = tuple.__new__  # a named tuple made without its Python-level __new__


class _Reading(NamedTuple):  # made once per group of numbers; read, never changed
    comparator: str | None  # operator from the word before, None when bare
    word: str | None
    word_start: int
    word_end: int
    change: str | None
    baseline_year: int | None
    subject_end: int  # end of the indicator text in the head
    hedge: str | None = None  # 力争, 基本 before the number in its clause part


_TITLE, _CHILDREN = attrgetter("title"), attrgetter("children")  # of a Section
_QUANTITIES = itemgetter(1)  # of a (clause index, its quantities) pair: filtered in C
_SENTENCE = itemgetter(2)  # of a clause (start, end, sentence index)
# Comparators that bound a figure, as a count verb right after them keeps (至少建成, 不超过新增).
BOUNDS = frozenset((">", ">=", "<", "<="))


def _read_head(
    doc: Document, r: _Rules, hs: int, he: int, skip: tuple[int, int] | None = None, closes: bool = False
) -> _Reading:
    """The comparator or verb nearest before the number, a change and its baseline.

    `closes`: the number ends its phrase, so a count verb reaches further back
    (淘汰国三及以下排放标准柴油货车1200辆)."""
    fold = doc.fold
    # The last word found, and the one before it when 或 joins them (达到或优于): read from a list
    # the matcher fills, not a Python loop over every word of the head.
    words = list(r.before.finditer(fold, hs, he))
    best = words[-1] if words else None
    either: re.Match[str] | None = None  # 达到或优于: the first of two words joined by 或
    bound: re.Match[str] | None = None  # 至少建成: a bound word right before the count verb
    if len(words) > 1:
        prev_end = words[-2].end()
        if prev_end + 1 == words[-1].start() and fold[prev_end] == EITHER:
            either = words[-2]
        if prev_end == words[-1].start():
            bound = words[-2]
    op: str | None = None
    word: str | None = None
    word_start = word_end = subject_end = he
    if best is not None:
        best_start, best_end = best.span()
        found = best.group()
        gap = squash(fold[best_end:he])
        gap_len = len(gap)
        if skip is not None and skip[0] >= best_end:
            # A qualifying number between verb and number does not count as distance.
            gap_len -= len(squash(fold[skip[0] : skip[1]]))
        reach = COMPARATOR_REACH
        if found in r.count_verbs:
            reach = CLOSING_COUNT_VERB_REACH if closes else COUNT_VERB_REACH
        # Too far; the word sits inside the indicator noun (达标率100%, 新增装机224万千瓦); or the
        # thing was done before (已达到): no comparator, each test made only when the one before passed.
        # 达标率确保100%: a trailing word (确保, 保持) between the noun and the number hides no measure.
        if gap and gap[-1] in r.trail_ends and gap.endswith(r.trail_words):
            gap = r.trail.sub("", gap)
        if (gap_len <= reach and not (gap and gap[-1] in r.measure_ends and gap.endswith(r.measure))
                and not _reported(r, fold, hs, words, best_start)):
            op = r.before_ops[found]
            if either is not None:
                # 达到或超过90%: reaching counts too, so the bound is not strict.
                both = {op, r.before_ops[either.group()]}
                if both <= {">", ">=", "="} and both & {">", ">="}:
                    op = ">="
                elif both <= {"<", "<=", "="} and both & {"<", "<="}:
                    op = "<="
            word, word_start, word_end = found, best_start, best_end
            subject_end = either.start() if either is not None else best_start
            if bound is not None and found in r.count_verbs and r.before_ops[bound.group()] in BOUNDS:
                op, subject_end = r.before_ops[bound.group()], bound.start()  # 至少建成1个: ">="
    hedge = r.hedges.search(fold, hs, he)
    # The last baseline of the head. Most heads hold none: one search tells, where a finditer's
    # scanner costs several times as much; the matches after the first are those of a finditer
    # from its end (no match is empty, and the pattern reads nothing behind its start).
    base = r.baseline.search(fold, hs, word_start)
    if base is not None:
        for m in r.baseline.finditer(fold, base.end(), word_start):
            base = m
    change = r.change.get(word) if word is not None else None
    baseline_year = None
    if base is not None:
        baseline_year = int(base["year"]) if base["year"] else None  # 较上年: no year written
        subject_end = base.start()
        if change is None:
            between = fold[base.end() : word_start]
            for w, direction in r.change.items():
                if w in between:  # 较2020年下降比例达到18%
                    change = direction
                    break
    hedge_word = hedge.group() if hedge else None
    return _new_tuple(_Reading, (op, word, word_start, word_end, change, baseline_year, subject_end, hedge_word))


def _reported(r: _Rules, fold: str, hs: int, words: list[re.Match[str]], best_start: int) -> bool:
    """Whether the verb nearest the number reports what was done (已达到): a past marker right before
    it, or, when it is a count verb, before an earlier verb of the head that runs on to it without 的
    (已完成管网改造38公里: 改造 is still what was done). A past verb before a measure qualifies a noun
    (已建设施运行率达到85%, 巩固已建成的示范村), and says nothing of the number."""
    if fold.endswith(r.past, max(hs, best_start - 2), best_start):
        return True
    if words[-1].group() not in r.count_verbs:
        return False
    for word in words[:-1]:
        at = word.start()
        if fold.endswith(r.past, max(hs, at - 2), at) and "的" not in fold[word.end() : best_start]:
            return True
    return False


def _review_spans(r: _Rules, sections: Sequence[Section], traditional: bool) -> list[tuple[int, int]]:
    """The input spans of the sections whose titles report the work done (2024年工作完成情况, 主要成效),
    each with its subsections, in text order: what they hold are results, not commitments."""
    spans: list[tuple[int, int]] = []
    titles = map(_TITLE, sections) if not traditional else map(fold_text, map(_TITLE, sections))  # 完成情況
    if not any(map(str.endswith, titles, repeat(r.review_titles))):
        # No title of this level reports (most levels): only the sections with subsections are visited.
        for section in filter(_CHILDREN, sections):
            spans.extend(_review_spans(r, section.children, traditional))
        return spans
    for section in sections:
        title = fold_text(section.title) if traditional else section.title
        if title.endswith(r.review_titles):
            spans.append((section.span[0], _subtree_end(section)))
        elif section.children:
            spans.extend(_review_spans(r, section.children, traditional))
    return spans


def _subtree_end(section: Section) -> int:
    """Where a section's text ends in the input, its subsections' included."""
    return max(section.span[1], _subtree_end(section.children[-1])) if section.children else section.span[1]


def _is_measure_end(r: _Rules, fold: str, hs: int, he: int) -> bool:
    s = squash(fold[hs:he])
    if not s:
        return False
    if s[-1] in r.trail_ends and s.endswith(r.trail_words):
        s = r.trail.sub("", s)  # 优良率确保100%: the measure before the trailing word
    return bool(s) and s[-1] in r.measure_ends and s.endswith(r.measure)


def _clean(doc: Document, r: _Rules, a: int, b: int, scope: DeadlineScope) -> str:
    """Indicator text of doc.text[a:b]: no deadline, marker, lead words or spaces."""
    return _clean_pair(doc, r, a, b, scope)[0]


def _clean_pair(doc: Document, r: _Rules, a: int, b: int, scope: DeadlineScope) -> tuple[str, str]:
    """`_clean` of doc.text[a:b] and the same characters of Document.fold, for matching words."""
    if b <= a:
        return "", ""
    # Drop everything up to the end of a deadline inside the range (到2025年,…).
    a = scope.cut_before(a, b)
    text = squash(doc.text[a:b])
    fold_text = squash(doc.fold[a:b])
    marker = match_marker(fold_text)
    if marker is not None:
        text, fold_text = text[marker.end :], fold_text[marker.end :]
    while True:
        m = r.lead.match(fold_text)
        if m is None:
            break
        if m.lastgroup != "lead" and (m.end() >= len(fold_text) or fold_text.startswith(r.past, m.end())):
            break  # 2020年已有…企业: the year dates the noun
        if not m.end():
            break
        text, fold_text = text[m.end() :], fold_text[m.end() :]
    # A run of trail words ends in one: only then is the search (tried at every position) worth it.
    m = r.trail.search(fold_text) if fold_text and fold_text[-1] in r.trail_ends and fold_text.endswith(
        r.trail_words) else None
    if m:
        text, fold_text = text[: m.start()], fold_text[: m.start()]
    text, fold_text = text.strip(",，、"), fold_text.strip(",，、")
    return text, fold_text if len(fold_text) == len(text) else text


def parse_targets(
    doc: Document, scope: DeadlineScope, sections: Sequence[Section] = (),
) -> tuple[list[Target], list[Percentage]]:
    """Targets and the percentages that are not targets, in text order. `sections` (the section tree)
    tells which parts report the work done; without it none does."""
    r = rules()
    fold = doc.fold
    # The fields of each, in order: all validated in one call at the end.
    targets: list[dict[str, Any]] = []
    percentages: list[dict[str, Any]] = []
    lines = doc.lines
    # 主要指标 rows: their figures stand in columns, not in clauses; emitted in text order.
    table_rows = list(indicator_rows(doc))
    row_lines = {row.line_index for row in table_rows}
    next_row = 0
    reported: frozenset[int] | None = None  # the starts of progress cells (report_cell_starts), when asked
    # Sections that report the work done (一、2024年工作完成情况): their figures are results.
    reviews = _review_spans(r, sections, doc.traditional)
    # Only the lines that can hold a number with a unit: most hold none, and no
    # state carries from one line to the next.
    for li, scan in scan_lines(fold, lines):
        while next_row < len(table_rows) and table_rows[next_row].line_index < li:
            row = table_rows[next_row]
            targets.append(_indicator_target(doc, r, row, scope, lines[row.line_index]))
            next_row += 1
        if li in row_lines:
            continue
        if not scan or _no_items(fold, r, scan):
            continue
        line = lines[li]
        if line.is_table and line.cells:
            if reported is None:  # found once a document, at its first table row with a figure
                reported = report_cell_starts(doc)
            # A row's cells are clauses of their own, whatever separates them (tab, spaces);
            # a progress column's (整改进展) report what was done, and are not read.
            line_clauses = [
                (a, b, n * CELL_SENTENCES + k)
                for n, cell in enumerate(line.cells)
                if cell.end > cell.start and cell.start not in reported
                for a, b, k in clauses(fold, cell.start, cell.end)
            ]
            found = scan.split(line_clauses)
        else:
            # Only the clauses from the sentence of the first number to the clause of
            # the last: the others hold no number, and every state restarts with a sentence.
            first, last = scan.extent()
            line_clauses = clauses(fold, sentence_start(fold, line.start, first), line.end, until=last)
            within = scan.split_within(line_clauses)
            if within is None:  # a match across clauses: each clause of the line is read on its own
                line_clauses = clauses(fold, line.start, line.end)
                within = scan.split(line_clauses)
            found = within
        prev_sentence = -1
        sent_start = sent_first = line.start
        looks_back: bool | None = None
        quoted: bool | None = None  # whether the line opens a quote anywhere: only then can a name hold a number
        subject_prev = ""  # what the sentence spoke of, for a bare 覆盖率 / 占…比例 after it
        read_to = -1  # the clauses up to this index have been read for an inline item
        # Only the clauses that hold a number are visited (most hold none): the sentence's first clause,
        # the clause before and the clauses read for an inline item are looked up by index.
        for k, quantities in filter(_QUANTITIES, enumerate(found)):
            cs, ce, sentence = line_clauses[k]
            if sentence != prev_sentence:
                # Clauses come in sentence order: the sentence's first clause is found by bisection.
                first_clause = bisect_left(line_clauses, sentence, 0, k, key=_SENTENCE)
                read_to = first_clause  # the sentence's first clause is never an inline item of it
                subject_prev = ""
                measured = ""  # the indicator of the sentence's last target
                # The named area the sentence's first target speaks of, read from that target's indicator
                # (and its fold, when made) only when a later target needs it: most sentences hold one.
                area: str | None = None
                first_indicator: tuple[str, str | None] | None = None
                owners: list[str] = []  # the subjects of a 分别 list earlier in the sentence
                prev_sentence = sentence
                sent_start = sent_first = line_clauses[first_clause][0]
                looks_back = None  # read when the sentence has a target to judge: most have none
            # The clause before in the sentence (-1: none), kept as two ints.
            before_start, before_end = line_clauses[k - 1][:2] if k > first_clause else (-1, -1)
            # 一是…6月底前完成…;二是…: each inline item is a measure of its own, and a
            # deadline inside one does not govern the next. Only the latest one counts.
            for j in range(k, read_to, -1):
                item_start, item_end, _ = line_clauses[j]
                if r.inline_item.match(fold, item_start, item_end):
                    sent_start = item_start
                    subject_prev = ""  # nor does its subject name a bare rate in the next
                    break
            read_to = k
            items = _items(doc, r, cs, ce, quantities)
            if not items:
                continue
            rejected_head: int | None = None
            rejected_q = -1
            count_before: _Reading | None = None  # the count verb of the group before, for a list after it
            for group in _groups(items) if len(items) > 1 else (items,):
                first = group[0]
                if rejected_head is not None and first.head_start == first.q_prev_end:
                    # The number before only qualified a noun (好于III类水体比例达到100%):
                    # it is part of this indicator, not a boundary.
                    first.skip = (rejected_q, first.q_prev_end)
                    first.head_start = rejected_head
                found, subject, owners = _read_group(doc, r, group, scope, owners, count_before)
                count_before = found[-1][2] if found and found[-1][2].word in r.count_verbs else None
                # Extend over one qualifying number only, so heads never chain,
                # unless the number stands inside a bracket the indicator goes on
                # past (水质优良(达到或优于III类)比例 after 11个断面).
                if found:
                    rejected_head = None
                elif not first.skip:
                    rejected_head, rejected_q = first.head_start, first.q.start
                elif (
                    not _inside_bracket(fold, first.q_prev_end, first.q.start)
                    or first.q.start - first.head_start > MAX_CHAINED_HEAD
                ):
                    rejected_head = None
                if found and looks_back is None:
                    looks_back = scope.looks_back(sent_first, line.end) or (
                        bool(reviews) and any(a <= doc.to_raw(line.start) < b for a, b in reviews))
                for item, indicator, reading, op in found:
                    if looks_back:
                        continue  # 2020年，…达到93.4%: a result reported, not a commitment
                    if quoted is None:  # a substring search per mark skips text far faster than a class
                        quoted = any(map(fold[line.start : line.end].__contains__, QUOTE_OPEN))
                    if quoted and _in_quoted_name(fold, line.start, item.q.start, item.q.end):
                        continue  # “六个百分之百”, “一厂一策”: a slogan's number names, it sets nothing
                    if op == "=" and item.q.kind == "chinese" and item.q.value == 1 and item.q.unit in r.occasions:
                        continue  # 开展一次排查, 每季度开展一次抽查: how often, no count to reach (不少于1次 is)
                    name = unit_name(item.q.unit)  # read once, for this test and the target
                    if op == "=" and name in r.periods and fold.startswith(r.within_period, item.q.end):
                        continue  # 届满后15个工作日内提出申请: a time limit for an act, no figure to reach
                    if len(indicator) <= SHORT_INDICATOR or indicator.startswith("占"):
                        indicator = subject_prev + indicator if subject_prev else indicator
                    # The indicator's fold, made once for the word tests below and again only
                    # when the indicator changes.
                    indicator_fold = None
                    if before_start >= 0:
                        obj = _action_object(doc, r, scope, (before_start, before_end), indicator)
                        if obj:
                            indicator = obj + indicator
                    part = fold.startswith(r.subsets, cs)
                    if measured and part:
                        indicator_fold = indicator_fold or fold_text(indicator)
                        if _is_bare_area(r, indicator_fold):
                            # 新建管网110公里，其中东区不少于70公里: the part of the figure before in that area
                            area = _sentence_area(r, area, first_indicator)
                            indicator += measured.removeprefix(area)
                            indicator_fold = None
                    if first_indicator is None:
                        first_indicator = indicator, indicator_fold
                    else:
                        area = _sentence_area(r, area, first_indicator)
                        if (area and not indicator.startswith(area)
                                and not _area(r, indicator, indicator_fold or fold_text(indicator))):
                            # 某市城区PM2.5浓度下降10%,优良天数比例85%以上: the same area.
                            indicator = area + indicator
                    deadline = scope.date_for(item.q.start, sent_start, line, li)
                    targets.append(_target(doc, item, indicator, reading, op, deadline, cs, ce, name))
                    if not part:
                        measured = indicator  # the whole the parts after 其中 belong to
                    item.emitted = True
                if subject:
                    subject_prev = subject
            for item in items:
                if not item.emitted and item.q.unit == "%":
                    reading = _read_head(doc, r, item.head_start, item.q.start)
                    op = _operator(r, reading, item.after_op)
                    percentages.append(_percentage(doc, item, op, cs, ce))
    for row in table_rows[next_row:]:
        targets.append(_indicator_target(doc, r, row, scope, lines[row.line_index]))
    return Target.validate_all(targets), Percentage.validate_all(percentages)


def _action_object(doc: Document, r: _Rules, scope: DeadlineScope, clause: tuple[int, int], indicator: str) -> str:
    """The object of the action the clause before names, when the indicator starts with that action; else "".

    开展某类设备编码登记，登记率达到95%: the clause opens on an action word and ends on
    the word the indicator starts with (登记), so the rate is that of 某类设备编码登记.
    """
    if len(indicator) - ACTION_WORD > ACTION_MEASURE:
        return ""  # more than an action word and a measure: most indicators, told without folding them
    whole = fold_text(indicator)
    word = whole[:ACTION_WORD]  # the fold keeps lengths: its first characters are the word's
    if len(word) < ACTION_WORD or not word.isalpha():
        return ""
    start = scope.cut_before(*clause)  # no deadline (6月底前完成…)
    end = clause[1]
    clause_fold = doc.fold[start:end].rstrip()
    if clause_fold.endswith(_QUOTE_CLOSERS):  # …登记“回头看”: a quoted name of the campaign
        opened = max(clause_fold.rfind(q) for q in QUOTE_OPEN)
        clause_fold = clause_fold[:opened].rstrip() if opened > 0 else clause_fold
    # 推进某类设施在线监控建设，完成安装120座: a bare action (安装, 治理面积) names no object
    # of its own; the clause before says what it is done to, its own last word kept.
    if clause_fold.endswith(whole):  # …开展调查评估，完成调查评估2个: the clause names just the measure
        clause_fold = clause_fold[: -len(whole)]
        named = False
    else:
        named = clause_fold.endswith(word)
        if not named and not (len(indicator) == ACTION_WORD or (len(indicator) <= BARE_ACTION
                                                                  and indicator.endswith(r.measure))):
            return ""  # 植树造林, 执法检查: an action with its own object
    marker = match_marker(clause_fold)
    opener = r.action_opener.match(clause_fold, marker.end if marker is not None else 0)
    if opener is None:
        return ""
    obj = squash(doc.text[start + opener.end() : start + len(clause_fold) - (len(word) if named else 0)])
    if (not 2 <= len(obj) <= MAX_ACTION_OBJECT or any(ch in PHRASE_END or ch.isdigit() for ch in obj)
            or indicator.startswith(obj)):
        return ""
    return obj


def _is_bare_area(r: _Rules, folded: str) -> bool:
    """Whether the indicator whose fold is `folded` is a named area and nothing else (东区, 某某县)."""
    m = r.area.match(folded)
    return m is not None and m.end() == len(folded)


def _sentence_area(r: _Rules, area: str | None, first: tuple[str, str | None] | None) -> str:
    """`area` once read; else the area of the sentence's first target, read from `first` (its indicator,
    and the indicator's fold when made)."""
    if area is not None:
        return area
    assert first is not None  # a later target of the sentence: the first one was kept
    indicator, folded = first
    return _area(r, indicator, folded or fold_text(indicator))


def _area(r: _Rules, indicator: str, folded: str) -> str:
    """The named area an indicator (its fold `folded`) starts with (东坪县, 西河市及周边地区), or ""."""
    m = r.area.match(folded)
    if m is None or m.end() >= len(folded) or folded[m.end()] in AREA_WORD_GOES_ON:
        return ""
    if any(word in m.group() for word in r.area_generic):
        return ""  # 县城建成区, 主城区: a kind of place, each target names its own
    return indicator[: m.end()]


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
    doc: Document, r: _Rules, group: list[_Item], scope: DeadlineScope, owners: list[str],
    count_before: _Reading | None = None,
) -> tuple[list[tuple[_Item, str, _Reading, str]], str, list[str]]:
    """The targets a group of numbers commits to, the subject it speaks of, and
    the subjects of a 分别 list (`owners`: those of an earlier list in the sentence).

    `count_before` is the count verb of the group right before in the clause: a group
    after its 、 with no word of its own counts under it (创建示范村10个、示范户30户)."""
    fold = doc.fold
    first = group[0]
    closes = len(group) == 1 and first.follower == "end" and first.count
    reading = _read_head(doc, r, first.head_start, first.q.start, first.skip, closes)
    if (reading.word is None and count_before is not None and first.head_start > 0
            and fold[first.head_start - 1] == "、" and not _is_measure_end(r, fold, first.head_start, first.q.start)):
        reading = count_before
    word = reading.word
    is_count_verb = word is not None and word in r.count_verbs and word not in r.change
    # 完成不少于10家单位的排查: a bound on a count verb's number keeps the verb's licence for a
    # number followed by a noun (the bound still gives the comparator).
    counts = is_count_verb or (word is not None and reading.comparator is not None
                               and reading.word_start > first.head_start
                               and fold[reading.word_start - 1] in r.count_verb_ends
                               and fold.endswith(r.count_verb_words, first.head_start, reading.word_start))
    # 以上 after the last number of a list applies to each (95%、90%和75%以上).
    shared_after = group[-1].after_op
    bare = word is None and _is_measure_end(r, fold, first.head_start, first.q.start)
    out: list[tuple[_Item, str, _Reading, str]] = []
    subject = ""
    if word is None and not bare:
        return out, subject, owners
    for item in group:
        after_op = item.after_op or shared_after
        if item.q.kind == "roman" and not _class_is_target(r, fold, reading, first, item):
            continue
        if (item.after_op in (">=", "<=") and item.follower != "end"
                and not fold.endswith(r.within, 0, item.after_end)):  # 以内 bounds the number itself
            # 65蒸吨/小时以上燃煤锅炉: the number picks out the noun. After a count
            # verb a counted noun is still a commitment (开展2次以上执法检查).
            if not (item.count and is_count_verb and reading.word_end >= first.q.start - 2):
                continue
        if is_count_verb and fold.endswith(r.population, max(first.head_start, item.q.start - 4), item.q.start):
            continue  # 退出全国168个重点城市后20名: the count names the field of a ranking
        if item.follower == "of" and not counts:
            continue  # 排放量大于1吨的企业
        if item.follower == "noun" and not counts and item.q.kind != "roman":
            continue
        if item.q.kind == "roman":
            # A lower class is cleaner water: reaching a class is "at most" it (spec 3).
            op = "<=" if reading.comparator in (">=", ">") else "="
        elif item.q.range == "low":
            op = ">="
        elif item.q.range == "high":
            op = "<="
        else:
            op = _operator(r, reading, after_op) or "="
        out.append((item, "", reading, op))
    if not out:
        return out, subject, owners
    # Indicators.
    if word is None:
        subject = _clean(doc, r, first.head_start, first.q.start, scope)
        indicators = [subject + _tail(doc, r, it) for it, _, _, _ in out]
    elif counts:
        # The verb is part of what is counted (累计119个示范小区, 新增装机); only
        # plain 完成/实现 are cut, as lead words.
        subject, subject_fold = _clean_pair(doc, r, first.head_start, reading.word_start, scope)
        # With a bound on the verb (完成不少于10家), the bound is no part of what is counted.
        # (Without a count verb the head is the subject just cleaned: not cleaned again.)
        head = _clean(doc, r, first.head_start, first.q.start, scope) if is_count_verb else subject
        if is_count_verb and reading.subject_end < reading.word_start:
            # 至少建成1个示范点: nor is a bound before the verb (the subject, then the verb)
            head = (_clean(doc, r, first.head_start, reading.subject_end, scope)
                    + _clean(doc, r, reading.word_start, first.q.start, scope))
        tails = [_tail(doc, r, it) for it, _, _, _ in out]
        for i, (it, _, _, _) in enumerate(out[:-1]):
            if (it.q.range == "low" and out[i + 1][0].q.range == "high") or out[i + 1][0].joined:
                tails[i] = tails[i + 1]  # 3至5个示范村, 5家11条生产线
        last = out[-1][0]
        if len(out) > 1 and last.follower == "of":
            # 完成17个斑块、67.8万平方米的治理任务: the noun after 的 is what each counts.
            shared = tails[-1]
            tails = [t + shared if it.follower == "noun" else t for t, (it, _, _, _) in zip(tails, out, strict=True)]
        indicators = [head + t for t in tails]
        if len(out) > 1 and fold[first.head_start : reading.word_start].rstrip().endswith(r.respectively):
            # 甲县、乙县、丙县分别完成2、3、5家企业整治: one count for each subject.
            spans = split_spans(subject_fold)
            if len(spans) == len(out):
                verb = _clean(doc, r, reading.word_start, first.q.start, scope)
                noun = next((t for t in reversed(tails) if t), "")
                indicators = [subject[a:b] + verb + noun for a, b in spans]
    else:
        # Words are matched on the folded subject (simplified characters), cut from the written one.
        subject, subject_fold = _clean_pair(doc, r, first.head_start, reading.subject_end, scope)
        indicators = [subject + _tail(doc, r, it) if it.q.kind == "roman" else subject for it, _, _, _ in out]
        respectively = fold[first.head_start : reading.word_start].endswith(r.respectively)
        spans = split_spans(subject_fold)
        if respectively:
            indicators, owners, out = _respectively(r, subject, subject_fold, spans, indicators, owners, out)
        elif len(out) == 1 and len(spans) > 1:
            parts_fold = [subject_fold[a:b] for a, b in spans]
            if all(p.endswith(r.measure) for p in parts_fold):
                # 林地保护率和湿地保护率达到92%以上: one number, two indicators.
                item, _, rd, op = out[0]
                out = [(item, "", rd, op) for _ in spans]
                indicators = [subject[a:b] for a, b in spans]
    result = [(it, ind, rd, op) for (it, _, rd, op), ind in zip(out, indicators, strict=True)]
    return result, subject, owners


def _respectively(
    r: _Rules, subject: str, subject_fold: str, spans: list[tuple[int, int]], indicators: list[str],
    owners: list[str], out: list[tuple[_Item, str, _Reading, str]],
) -> tuple[list[str], list[str], list[tuple[_Item, str, _Reading, str]]]:
    """The indicators of a group whose subject goes on with 分别 (依次): one for each number, as the
    list of subjects before it pairs up with the numbers; with the subjects such a list names
    (`owners`) and the group's targets (one number may hold for each subject)."""
    if len(out) > 1 and len(spans) != len(out):
        # 中心城区及周边乡镇PM2.5、臭氧浓度分别…: 及 inside a subject, 、 between them.
        by_comma = split_spans(subject_fold, "、")
        spans = by_comma if len(by_comma) == len(out) else spans
    parts = [subject[a:b] for a, b in spans]
    parts_fold = [subject_fold[a:b] for a, b in spans]
    glued = RE_GLUED_CODES.match(subject_fold) if len(parts) == 1 else None
    if glued and len(codes := RE_CODE.findall(glued.group())) == len(out):
        # PM2.5PM10年均浓度分别不高于20.5、37: codes whose 、 was lost.
        indicators = [code + subject[glued.end() :] for code in codes]
    elif len(out) > 1 and len(parts) == len(out) and _complete(parts_fold):
        indicators = parts  # 单位产值能耗、单位产值用水量: each names its own noun
    elif len(out) > 1 and len(parts) == len(out):
        indicators, owners = distribute_shared_head(parts, r.shared_heads, r.list_summary, r.frames, folded=parts_fold)
    elif len(out) > 1 and len(parts) == 1 and len(owners) == len(out):
        # 东坪区、南岭县PM10分别为60、58微克/立方米,PM2.5分别为38、36微克/立方米:
        # a later list in the sentence goes over the same subjects.
        indicators = [owner + subject for owner in owners]
    elif len(out) == 1 and len(parts) > 1:
        # 二氧化硫、氮氧化物排放总量分别下降8%以上: the one number holds for each subject.
        indicators, owners = distribute_shared_head(parts, r.shared_heads, r.list_summary, r.frames, folded=parts_fold)
        out = out * len(parts)
    return indicators, owners, out


def _complete(parts: list[str]) -> bool:
    """Whether the earlier subjects of a list end in the noun the last one ends in."""
    noun = parts[-1][-2:]
    return len(noun) == 2 and all(p.endswith(noun) and len(p) > 2 for p in parts[:-1])


def _class_is_target(r: _Rules, fold: str, reading: _Reading, first: _Item, item: _Item) -> bool:
    """A water class is a target right after 达到 (达到地表水III类, 稳定达到III类水质),
    not inside a description (达到或好于III类水体比例, (达到或优于III类)比例)."""
    if reading.comparator not in (">=", "=") or item is not first:
        return False
    gap = fold[reading.word_end : item.q.start]
    for better in r.class_or_better:
        gap = gap.removeprefix(better)  # 达到或优于III类
    if "或" in gap or len(gap) > COMPARATOR_REACH or fold.count("(", first.head_start, item.q.start) > fold.count(
        ")", first.head_start, item.q.start
    ):
        return False
    rest = fold[item.after_end : item.tail_end].strip()
    return item.follower == "end" or rest in r.class_nouns


def _tail(doc: Document, r: _Rules, item: _Item) -> str:
    if item.q.kind == "roman" and item.follower == "noun":
        return squash(doc.text[item.after_end : item.tail_end])  # III类水质 -> 水质
    if item.follower == "end" or item.tail_end <= item.after_end:
        return ""
    tail = squash(doc.text[item.after_end : item.tail_end])
    of = tail.rfind("的")
    if of > 0 and "、" in tail[:of]:
        return tail[of + 1 :]  # 年产6万吨以下、位于城区的砖瓦企业 -> 砖瓦企业: a list of modifiers
    # 16个行政村的生活污水治理 -> 行政村生活污水治理: the 的 only links count and noun.
    return tail.lstrip("的").replace("的", "", 1)


def _target(
    doc: Document, item: _Item, indicator: str, reading: _Reading, op: str,
    deadline: str | None, cs: int, ce: int, name: str,
) -> dict[str, Any]:
    """A target's fields (validated with the others by `Target.validate_all`); `name` is its unit's `unit_name`."""
    q = item.q  # a named tuple: its fields read once each
    text, a, b = _clause_text(doc, cs, ce, item)
    span = doc.span(a, b)
    value = q.value
    return {  # a dict display: no keyword call
        "indicator": indicator or squash(doc.text[item.head_start : q.start]) or "?",
        "comparator": op,
        "value": int(value) if item.count and value.is_integer() else value,
        "unit": _unit_as_written(doc, q),
        "unit_name": name,
        "change": reading.change,
        "baseline_year": reading.baseline_year,
        "deadline": deadline,
        "qualifier": q.approx or reading.hedge,
        "text": text,
        "line": doc.raw_lineno(span[0]),  # span[0] is where text[a] stands in the input
        "span": span,
    }


def _indicator_target(
    doc: Document, r: _Rules, row: IndicatorRow, scope: DeadlineScope, line: Block
) -> dict[str, Any]:
    """The fields of a 主要指标 row's target: the indicator's figure in the target column, in the unit
    column's unit."""
    indicator = squash(doc.text[row.indicator[0] : row.indicator[1]])
    op = SIGN_OPERATORS[row.sign] if row.sign else r.after_ops.get(row.after, "=")
    value = float(row.number)
    unit_fold = fold_text(row.unit)
    is_count = unit_fold.lstrip(r.multipliers) in r.counters
    # 2025年目标值: the column's year; failing that, the deadline governing the table (到2025年，主要指标…).
    deadline = f"{row.year}-12-31" if row.year else scope.date_for(row.value[0], line.start, line, row.line_index)
    text, a, b = doc.text[line.start : line.end].strip(), line.start, line.end
    return dict(
        indicator=indicator,
        comparator=op,
        value=int(value) if is_count and value.is_integer() else value,
        unit=row.unit,
        unit_name=unit_name(unit_fold),
        # An indicator named by its change (单位地区生产总值二氧化碳排放降低): the figure is that change.
        change=next((d for w, d in r.change.items() if indicator.endswith(w)), None),
        baseline_year=None,
        deadline=deadline,
        qualifier=None,
        text=text,
        line=doc.lineno(a),
        span=doc.span(a, b),
    )


def _in_quoted_name(fold: str, line_start: int, start: int, end: int) -> bool:
    """Whether fold[start:end] stands inside a short quoted name on its line (“六个百分之百”)."""
    if not RE_QUOTE_OPEN.search(fold, max(line_start, start - QUOTED_NAME_MAX), start):
        return False  # no quote opens near enough before the number for a name to hold it
    before = fold[line_start:start]
    opened = -1
    for open_q, close_q in zip(QUOTE_OPEN, QUOTE_CLOSE, strict=True):
        if open_q == close_q:  # a straight quote opens and closes: inside when an odd number stands before
            if before.count(open_q) % 2:
                opened = max(opened, line_start + before.rfind(open_q))
        elif before.rfind(open_q) > before.rfind(close_q):
            opened = max(opened, line_start + before.rfind(open_q))
    if opened < 0 or start - opened > QUOTED_NAME_MAX:
        return False
    closes = [i for q in QUOTE_CLOSE if (i := fold.find(q, end, opened + QUOTED_NAME_MAX + 1)) >= 0]
    return bool(closes)


def _unit_as_written(doc: Document, q: Quantity) -> str:
    """The unit in the plan's own script (萬畝 stays 萬畝): q.unit is read on the folded text.

    A water class keeps the spec's unit 类 whatever the script (§3). A value of
    a list (2、3、5家) shares a unit written after the last value.
    """
    if q.kind == "roman":
        return q.unit
    unit_start = q.end - len(q.unit)
    if unit_start >= q.start and doc.fold.startswith(q.unit, unit_start) and doc.text.startswith(q.unit, unit_start):
        return q.unit  # written as read, right before the end: what the search below finds
    end, left = q.end, len(q.unit)
    start = end
    while left and start > q.start:
        start -= 1
        if not doc.fold[start].isspace():
            left -= 1
    if squash(doc.fold[start:end]) != q.unit:
        start = doc.fold.find(q.unit, q.start, q.end + UNIT_LIST_REACH)
        if start < 0:
            return q.unit
        end = start + len(q.unit)
    return squash(doc.as_written(start, end))


def _percentage(doc: Document, item: _Item, op: str | None, cs: int, ce: int) -> dict[str, Any]:
    """A percentage's fields (validated with the others by `Percentage.validate_all`)."""
    text, a, b = _clause_text(doc, cs, ce, item)
    span = doc.span(a, b)
    return dict(
        value=item.q.value,
        comparator=op,
        text=text,
        line=doc.raw_lineno(span[0]),  # span[0] is where text[a] stands in the input
        span=span,
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
