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
- a place name counts only as the subject of a clause (瓦房店市、庄河市力争…,
  各设区市完成…); elsewhere it is a site (在普兰店区建立…);
- a web page's navigation, label and title lines name no actor; nor does a
  name that opens a document number (川委厅〔2016〕12号) or locates an
  indicator (市（州）政府所在城市);
- spec §5: names joined by 和/及/与 are two, the first one's qualifier
  distributed (各区法院和检察院 -> 各区检察院, 区人大及其常委会 -> 区人大常委会);
  a bracketed alternative stays in the name (各街道（园区）); a suffix shared
  by a 、 list is distributed with its bracket.

Names are matched on Document.fold (traditional characters folded too) and
given back in the characters of the input.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from operator import attrgetter, itemgetter
from re import _constants as sre
from re import _parser as sre_parser
from typing import Any

from ecoplan.schema import Department, Task
from ecoplan.text.bodies import (
    BRACKET_BEFORE,
    PLACE_LEVELS,
    BodyLexicon,
    BodyToken,
    NameReadings,
    as_written,
    body_lexicon,
    body_token,
    body_words_in,
    ends_with_body,
    is_place,
    joined_right,
    place_hint_spans,
    places_in,
    shared_suffix,
    split_names,
)
from ecoplan.text.clauses import quoted_spans
from ecoplan.text.document import Block, Document
from ecoplan.text.lexicon import (
    CLOSE_PARENS,
    COLONS,
    DOCUMENT_NUMBER_MARK,
    PADDING,
    PLACE_SUFFIXES,
    PROSE_MARKS,
    QUOTE_CLOSE,
    QUOTE_OPEN,
    RE_DOCUMENT_NUMBER,
    is_han,
)
from ecoplan.text.normalise import fold
from ecoplan.text.patterns import compile_re, lazy_re, lazy_regex

_MAX_NAME = 32
# The longest field before 与 (or a verb) inside a division's name (固体废物 | 与化学品管理处).
_DIVISION_FIELD = 6
# A site's banner is a name: a longer line is text.
_BANNER_MAX = 30
# A link list holds no more lines than this.
_LINKS_MAX = 20
_PLACE_SUFFIX = lazy_re("[" + re.escape(PLACE_SUFFIXES) + "]")
_PROSE_MARK = lazy_re("[。：:]")  # a cell holding one is a sentence or a label, no list of names
_ANY_PROSE_MARK = lazy_re("[" + re.escape(PROSE_MARKS) + "]")  # one search, not a Python step per character
# A title line (市生态环境局2024年工作计划) is short.
_TITLE_LINE = 60
# Longest list item before a shared suffix: a place item may be a long zone name.
_BARE_ITEM, _BARE_PLACE_ITEM = 6, 16
# Latin letters and marks standing for a masked place name: xx市, XX县, ××区, **省.
_PLACEHOLDERS = "xX×*＊"
# What opens a new name right after a layout space.
_SPACE_OPENERS = frozenset(PLACE_LEVELS + "各")
_ALTERNATIVE_OPENERS, _ALTERNATIVE_CLOSERS = "（(", ("）", ")")
_ALTERNATIVE_AFTER = lazy_regex(
    r"[" + _ALTERNATIVE_OPENERS + r"](\p{Han}{1,8})[" + "".join(_ALTERNATIVE_CLOSERS) + "]")


# ---------------------------------------------------------------------------
# Finding names in running text


@dataclass(slots=True)
class _Mention:
    name: str  # as found on the fold
    start: int  # index into Document.text
    end: int


_START, _END = attrgetter("start"), attrgetter("end")


def _stop_before(v: BodyLexicon, text: str, pos: int, floor: int) -> str | None:
    """The stop word ending at `pos`, if any."""
    ch = text[pos - 1]
    # Only the lengths of the stop words ending with this character (most end none), longest first.
    for k in v.stop_lengths_by_last.get(ch, ()):
        if k == 1:
            return ch
        if pos - k >= floor and text[pos - k : pos] in v.stop:
            return text[pos - k : pos]
    return None


# Characters of text (rounded up to a line end) scanned at a time.
_SCAN_SLICE = 1 << 20


class _Found:
    """The matches of one pattern over a whole document, found in one scan and handed out by
    line or cell: `pattern.finditer(text, lo, hi)` for any range, two bisections."""

    def __init__(self, pattern: re.Pattern[str], text: str,
                 find: Callable[[str], Sequence[tuple[int, int]]]) -> None:
        self.pattern, self.text = pattern, text
        # Starts and ends as machine integers, found a slice of whole lines at a time: no match
        # holds a line break, so the matches of a slice are the text's; the whole text at
        # once (reversed, and its words as tuples) peaked at some 60 MB on a 50 MB plan.
        self.starts: array[int] = array("q")
        self.ends: array[int] = array("q")
        lo = 0
        while lo < len(text):
            hi = text.find("\n", lo + _SCAN_SLICE) + 1 or len(text)
            spans = find(text[lo:hi])
            if lo:  # past the first slice of a long text: its offsets from the slice's start
                spans = [(start + lo, end + lo) for start, end in spans]
            # Read off in C, no Python step per match.
            self.starts.extend(map(itemgetter(0), spans))
            self.ends.extend(map(itemgetter(1), spans))
            lo = hi

    def within(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """`(m.start(), m.end())` for the matches of `pattern.finditer(text, lo, hi)`."""
        starts, ends = self.starts, self.ends
        i = bisect_left(starts, lo)
        j = bisect_left(starts, hi, i)
        if (i and ends[i - 1] > lo) or (j > i and ends[j - 1] > hi):
            # A match of the whole text runs over an edge of the range: the range alone may read otherwise.
            return [m.span() for m in self.pattern.finditer(self.text, lo, hi)]
        return list(zip(starts[i:j], ends[i:j], strict=True))  # most ranges: none, or a few built in C

    def any_within(self, lo: int, hi: int) -> bool:
        """Whether `pattern.search(text, lo, hi)` finds one, without listing the matches."""
        starts, ends = self.starts, self.ends
        i = bisect_left(starts, lo)
        inside = i < len(starts) and starts[i] < hi
        if (i and ends[i - 1] > lo) or (inside and ends[i] > hi):
            return self.pattern.search(self.text, lo, hi) is not None  # a match runs over an edge
        return inside


def _scan_line(v: BodyLexicon, text: str, lo: int, hi: int, words: list[tuple[int, int]], out: list[_Mention],
               spaced: Callable[[int], bool] | None = None) -> None:
    """Find body names in text[lo:hi] (one logical line or one table cell) from its body words."""
    if not words:
        return
    skip = quoted_spans(text, lo, hi)
    if text.find(DOCUMENT_NUMBER_MARK, lo, hi) >= 0:
        skip.extend(m.span() for m in RE_DOCUMENT_NUMBER.finditer(text, lo, hi))
    matches = []
    ends: dict[int, int] = {}  # end -> start of each body word kept
    for start, end in words:
        for a, b in skip:
            if a < end and start < b:
                break  # quoted or a document number: no actor
        else:
            if token := body_token(v, text, start, end):
                matches.append((start, end, token))
                ends[end] = start
    if not matches:
        return
    found: list[_Mention] = []
    for ts, te, token in matches:
        mention = _extend(v, text, lo, ts, te, token, ends, spaced)
        if mention:
            found.append(mention)
    if len(found) < 2:
        out.extend(found)  # nothing to sort, nest or join
        return
    # A name inside a longer one (市政府 in 市政府督查部门) is part of it.
    # By start, the longest first: two stable sorts by attributes read in C, no key built per mention.
    found.sort(key=_END, reverse=True)
    found.sort(key=_START)
    kept: list[_Mention] = []
    for m in found:
        if kept and kept[-1].start <= m.start and m.end <= kept[-1].end:
            continue
        kept.append(m)
    out.extend(_join_pairs(v, text, kept))


def _join_pairs(v: BodyLexicon, text: str, mentions: list[_Mention]) -> list[_Mention]:
    """Two names joined by 和/及/与 (spec §5): the second takes the first's qualifier.

    各区法院和检察院 -> 各区法院, 各区检察院; 区人大及其常委会 -> 区人大, 区人大常委会.
    """
    for k in range(1, len(mentions)):
        left, right = mentions[k - 1], mentions[k]
        gap = text[left.end : right.start]
        if gap in ("和", "及", "与"):
            joined = joined_right(v, left.name, right.name)
        elif gap in ("和其", "及其", "与其"):
            joined = joined_right(v, left.name, "其" + right.name)
        else:
            continue
        if joined != right.name:
            mentions[k] = _Mention(joined, left.start, right.end)
    return mentions


def _extend(v: BodyLexicon, text: str, lo: int, ts: int, te: int, token: BodyToken, ends: dict[int, int],
            spaced: Callable[[int], bool] | None = None) -> _Mention | None:
    if token.relational and ts not in ends:
        # 成员单位 belong to the body named right before them (环委会成员单位);
        # without one only 各/相关/其他成员单位 stand alone.
        return _Mention(text[ts:te], ts, te) if token.complete else None
    start = ts
    boundary: str | None = None
    joined = False  # right after 和/及/与 (其) closing another name: a bare body word takes its qualifier
    stop_before, stop_at, run_stops = _step_marks()
    stop_last_chars = v.stop_last_chars
    floor = max(lo, te - _MAX_NAME - 1)  # the walk steps left from `start` only while start > floor
    while start > lo:
        ch = text[start - 1]
        if ("\u4e00" <= ch <= "\u9fff" and ch not in stop_before and text[start] not in stop_at
                and start not in ends and te - start <= _MAX_NAME):
            # Most of a modifier: a Han character none of the checks below stops at but a stop word's end.
            if ch in stop_last_chars and (boundary := _stop_before(v, text, start, lo)):
                break
            start -= 1
            if ch in stop_at:
                continue  # the next step asks the character after it
            # Then a run of Han characters that end no stop word, stop no step and start no mark
            # for the next: the checks above pass each, asked in fewer steps.
            while start > floor and (ch := text[start - 1]) not in run_stops and "\u4e00" <= ch <= "\u9fff" and (
                    start not in ends):
                start -= 1
            continue
        if te - start > _MAX_NAME:
            return None
        if ch in CLOSE_PARENS:
            m = BRACKET_BEFORE.search(text, max(lo, start - 10), start)
            if m and m.start() > lo and is_han(text[m.start() - 1]):
                start = m.start()  # 各县（市、区）人民政府
                continue
        if ch in QUOTE_CLOSE and start - 1 > lo:
            # 省…“三大战役”领导小组 (「…」 too): a short quotation between Han runs is part of the name
            opener = text.rfind(QUOTE_OPEN[QUOTE_CLOSE.index(ch)], max(lo, start - 12), start - 1)
            if opener > lo and is_han(text[opener - 1]) and all(is_han(c) for c in text[opener + 1 : start - 1]):
                start = opener
                continue
        if not is_han(ch):
            k = start
            while k > lo and start - k < 3 and text[k - 1] in _PLACEHOLDERS:
                k -= 1
            if k < start and text[start] in PLACE_LEVELS and (k == lo or not text[k - 1].isascii()
                                                               or not text[k - 1].isalnum()):
                start = k  # xx市生态环境局: a place name masked by the publisher
            break
        if spaced is not None and text[start] in _SPACE_OPENERS and start < ts and spaced(start):
            break  # 年底前 市生态环境局: a layout space before a place word starts a new name
        partial = text[start:te]
        if partial.startswith(v.level_prefixes) and not (token.relational and start in ends):
            start -= _qualifier_before_level(v, text, lo, start, ends)
            break
        if start in ends:
            if start < ts and partial[0] in PLACE_SUFFIXES and token.word not in v.joint_units:
                break  # 市委市政府: two names; 市委市政府督查室 is one office of both
            if start < ts and spaced is not None and spaced(start):
                break  # 某省生态环境厅    某省水利厅: a layout space between two bodies (a joint signature)
            start = ends[start]  # a body word inside the name (领导小组各成员单位)
            continue
        if ch == "其" and start - 1 > lo and text[start - 2] in v.joiners:
            joined = start - 2 in ends
            break  # 区人大及其常委会: 其 is the name before, joined in _join_pairs
        if ch in v.joiners and not _in_joiner_word(v, text, lo, start - 1):
            # 精神和省委: a name opening with a place word does not reach back over 和;
            # nor does anything over 以及.
            # Nor does a name open with a prepositional joiner after a clause break (。与气象部门会商).
            if (start - 1 in ends or start == ts or text[start] in PLACE_LEVELS
                    or (ch in v.prepositional_joiners and (start - 1 <= lo or not is_han(text[start - 2])))
                    or _place_before(v, text, lo, start - 1) or _stop_before(v, text, start - 1, lo)):
                joined = start - 1 in ends and ch != "、"
                break
            start -= 1
            continue
        boundary = _stop_before(v, text, start, lo)
        if boundary or (ch in v.level_prepositions and text[start] in PLACE_LEVELS):
            break
        start -= 1
    if boundary is not None and len(boundary) == 1 and token.word in v.divisions:
        start = _division_start(v, text, lo, start)
        boundary = None if text[start] != boundary else boundary
    if not token.min_len <= te - start <= _MAX_NAME:
        return None
    name = text[start:te]
    modifier = text[start:ts]
    if token.bounded:
        bounded = te >= len(text) or bool(v.name_end.match(text, te))
        if token.any_modifier and (len(modifier.rsplit("各", 1)[-1].removeprefix("级")) < 2 or not bounded):
            return None  # 住房城乡建设委、: a body; 委托 / 各委 are not
        if not token.any_modifier and not modifier and bounded:
            return _Mention(name, start, te)  # 发展改革委 stands alone where the name ends
    if not modifier and not token.complete and not (joined and name in v.tokens):
        if not (token.bare_in_list and start - 1 > lo and text[start - 1] == "、" and start - 1 in ends):
            return None
    ends = v.modifier_ends.get(token.word)
    if ends and modifier and name[ts - start :] == token.word and modifier[-1] not in ends:
        return None  # 数字政府, 坚持党委: a modifier of this word names a place or level
    if token.any_modifier and modifier and not token.complete:
        banned = v.not_modifier.get(token.word, ())
        if modifier in banned or any(len(b) > 1 and modifier.endswith(b) for b in banned):
            return None
    after = text[te : te + 1]  # the character after the name ("" at the end of the text)
    if after and after in COLONS and any(lab.match(name + after) for lab in v.labels):
        return None  # 牵头单位：… is a label
    if boundary in v.creation and not name.startswith((*v.level_prefixes, *v.generic_prefixes)):
        return None  # 成立工作专班, 建立…中心: set up by the plan; a generic name (有关部门) is kept
    if name.startswith(v.inner_creation):
        for verb in v.inner_creation:
            if name.startswith(verb) and len(name) - len(verb) > te - ts:
                return None  # 建设某省区域交易服务中心: a centre the plan sets up
    if after in v.not_actor_first and text.startswith(v.not_actor_after, te):
        return None
    if v.any_role_label.search(name):
        role = next((label for label in v.role_labels if name.endswith(label)), None)
        if (role is not None and name.removesuffix(role) not in v.level_prefixes) or sum(
                name.count(label) for label in v.role_labels) > 1:
            return None  # 各项任务责任单位, 牵头单位配合单位完成时限: a role, header cells; 各责任单位 acts
    if after and after in _ALTERNATIVE_OPENERS and (end := _alternative_end(v, text, te)) > te:
        return _Mention(text[start:end], start, end)
    return _Mention(name, start, te)  # most names: no bracketed alternative after them


def _division_start(v: BodyLexicon, text: str, lo: int, start: int) -> int:
    """Start of a division's name whose walk stopped at a one-character stop word at text[start - 1]:
    固体废物与化学品管理处, 应对气候变化处. The field before that character reaches back to the start of
    the clause (a punctuation mark or the line's start) over a few characters, none a stop word, and
    is no name of its own (市生态环境局与大气处 are two). Else `start` as it is."""
    stop = start - 1
    k = stop
    while k > lo and stop - k < _DIVISION_FIELD and "\u4e00" <= text[k - 1] <= "\u9fff":
        k -= 1
    field = text[k:stop]
    if (not field or (k > lo and is_han(text[k - 1])) or any(ch in v.stop_chars for ch in field)
            or ends_with_body(v, field) or is_place(v, field)):
        return start
    return k


@cache
def _step_marks() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """What may stop _extend's walk to the left, but for a stop word: the character before the
    name so far (a bracket, a quotation, 其, a joiner) and its first one (a place level or 各
    after a layout space, a level prefix); and both with the last characters of stop words,
    what ends a run of plain steps."""
    v = body_lexicon()
    before = frozenset(CLOSE_PARENS + QUOTE_CLOSE + "其") | v.joiners
    at = frozenset(PLACE_LEVELS + "各") | {prefix[0] for prefix in v.level_prefixes}
    return before, at, before | at | v.stop_last_chars


def _alternative_end(v: BodyLexicon, text: str, te: int) -> int:
    """End of a name, taking in a bracketed alternative right after it (各镇（街道）, 区人民政府（管委会）)."""
    if te >= len(text) or text[te] not in _ALTERNATIVE_OPENERS:
        return te  # no bracket follows: most names
    m = _ALTERNATIVE_AFTER.match(text, te)
    if not m:
        return te
    inner = m.group(1)
    # An alternative is a name as a whole: a stop character inside makes the bracket a note
    # about the body (（设在…局）, where its office sits), not another body it goes by.
    if inner in v.alternatives or (ends_with_body(v, inner) and not _stop_before(v, inner, len(inner) - 1, 0)
                                   and not any(c in v.stop_chars for c in inner)):
        return m.end()
    return te


def _qualifier_before_level(v: BodyLexicon, text: str, lo: int, pos: int, ends: dict[int, int]) -> int:
    """Length of what qualifies a 各 at `pos` as part of one name.

    各级各部门, 全市各级人民政府 (a scope word), 市府直属各单位 / 市直各部门, and a
    body whose members are meant (区政府各部门); 各地区各相关部门 stays two names.
    """
    if pos in ends:
        body_start = ends[pos]
        if body_start - 1 >= lo and text[body_start - 1] in PLACE_LEVELS and (
                body_start - 1 == lo or not is_han(text[body_start - 2])):
            body_start -= 1  # 市人民政府各部门: the level word the body's name opens with
        before = text[body_start:pos]
        return 0 if before.startswith(v.level_prefixes) else pos - body_start
    if pos - 1 >= lo and text[pos - 1] in PLACE_LEVELS and (pos - 1 == lo or not is_han(text[pos - 2])):
        return 1  # 市各直属单位, 区各部门: the level word alone
    for word in v.level_qualifiers:
        if text.startswith(word, pos - len(word)) and pos - len(word) >= lo:
            k = pos - len(word)
            if word in ("直", "直属"):  # 市府直属 / 区直: the Han run before belongs too
                while k > lo and is_han(text[k - 1]) and pos - k < 8 and not _stop_before(v, text, k, lo):
                    k -= 1
            return pos - k
    return 0


def _in_joiner_word(v: BodyLexicon, text: str, lo: int, pos: int) -> bool:
    """Whether the joiner character at `pos` is part of a word that joins nothing (碳中和)."""
    return any(pos - k >= lo and text.startswith(word, pos - k) for word, k in v.joiner_words.get(text[pos], ()))


def _place_before(v: BodyLexicon, text: str, lo: int, pos: int) -> bool:
    """Whether the Han run ending at `pos` is a place, which split_names also treats as a name."""
    if pos <= lo or text[pos - 1] not in PLACE_SUFFIXES:
        return False  # a place ends with its suffix: no run to read (most runs before a joiner)
    k = pos
    while k > lo and pos - k < _MAX_NAME and ("\u4e00" <= (ch := text[k - 1]) <= "\u9fff" or is_han(ch)) and (
            ch not in v.joiners):
        k -= 1
    return is_place(v, text[k:pos])


# A 、 between places, not one inside a bracket of alternatives (各县(市、区)).
RE_LIST_COMMA_OUTSIDE_BRACKETS = lazy_re(r"、(?![^()]*\))")


def _scan_places(v: BodyLexicon, text: str, lo: int, hi: int, hints: _Found, out: list[_Mention]) -> None:
    """Places named as the subject of a clause (瓦房店市、庄河市力争…), in a line v.place_hint finds."""
    for m in places_in(v, text, lo, hi, hints.starts, hints.ends):
        pos = m.start(1)
        for place in RE_LIST_COMMA_OUTSIDE_BRACKETS.split(m.group(1)):
            level = place.startswith(v.level_prefixes)  # 各市, 各设区市: the level of places acting
            if ((level or (not place.endswith(v.not_place) and place[:-1] not in v.determiners))
                    and v.stop_chars.isdisjoint(place)):
                out.append(_Mention(place, pos, pos + len(place)))
            pos += len(place) + 1


def _distribute(v: BodyLexicon, text: str, lo: int, mention: _Mention, out: list[_Mention]) -> None:
    """临汾、侯马经济开发区管委会 in running text names 临汾经济开发区管委会 too."""
    end = mention.start
    heads: list[tuple[int, str]] = []
    while end - 1 > lo and text[end - 1] == "、":
        start = end - 1
        while start > lo:
            ch = text[start - 1]
            if not ("\u4e00" <= ch <= "\u9fff" or is_han(ch)) or (
                    ch in v.stop_last_chars and _stop_before(v, text, start, lo)):
                break
            start -= 1
        bare = text[start : end - 1]
        if "各" in bare[1:]:
            start += bare.rindex("各")  # 均需各县、区人民政府: the name starts at 各
            bare = text[start : end - 1]
        # An item ending in a place word may be long (东山经济技术开发区、…管理区管委会).
        longest = _BARE_PLACE_ITEM if bare[-1:] in PLACE_LEVELS else _BARE_ITEM
        if (not (2 <= len(bare) <= longest) or v.reversed_token_re.search(bare[::-1])
                or (ends_with_body(v, bare) and not is_place(v, bare))):
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


def _whole_line_name(text: str, lo: int, hi: int, mention: _Mention) -> _Mention:
    """The name a line holds and nothing else, opening with its place (a signature or a header:
    某省全面禁塑工作联席会议办公室): whole. The walk to the left ends at a stop word, as in running
    text it must (报告, 全面, 推进 before a body are verbs there); in such a line they are the
    title of a coordinating body. Only where nothing but Han characters stands before the name
    and no body word among them (the caller checks the line's first body word)."""
    start = lo
    while start < mention.start and text[start] in PADDING:
        start += 1
    head = text[start : mention.start]
    if (len(head) < 2 or mention.end - start > _MAX_NAME or text[mention.end : hi].strip()
            or not all(is_han(c) for c in head) or not any(c in PLACE_SUFFIXES for c in head[1:6])):
        return mention
    return _Mention(text[start : mention.end], start, mention.end)


def _is_title_line(v: BodyLexicon, fold: str, line: Block) -> bool:
    """A title line (市生态环境局2024年工作计划, …关于印发…的通知): the body there issues the
    document, the plan gives it no work there. Short, unpunctuated, ending in a document word."""
    if line.end - line.start > _TITLE_LINE:
        return False
    content = fold[line.start : line.end].rstrip()
    return content.endswith(v.document_words) and not any(ch in content for ch in "，,。；;：:！!？?")


def _find(doc: Document) -> Iterator[_Mention]:
    """Every mention of a body, line by line in text order.

    A generator: the mentions of a long plan, held all at once, cost more than
    the departments they rank (some 28 MB on a 50 MB plan).
    """
    v = body_lexicon()
    text = doc.fold  # matched on the fold (traditional characters too); names come from doc.text
    words = _Found(v.token_re, text, lambda part: body_words_in(v, part))
    # A place before an actor verb: a line without one cannot match the slower place_re.
    place_hints = _Found(v.place_hint, text, lambda part: place_hint_spans(v, part))
    # Whether the input had layout whitespace right before an index (年底前 市生态环境局): asked
    # only inside a line, where it is what the line's space gaps would tell.
    spaced = doc.space_dropped_before
    known_names: dict[str, bool] = {}
    list_items = doc.name_readings  # tasks has read most of its 责任单位 cells
    lines = doc.lines
    # The words and hints of a line by cursors that move with the lines (both come in text
    # order), not a lookup per line: most lines hold neither, and are passed by two comparisons.
    word_starts, word_ends, hint_starts, hint_ends = words.starts, words.ends, place_hints.starts, place_hints.ends
    n_words, n_hints = len(word_starts), len(hint_starts)
    wi = hk = 0  # the first word, the first hint, starting at the line or after it
    past_end = len(text) + 1
    # Where the next word or hint starts, and where the last one before the cursors ends: a line
    # ending by the one and starting after the other holds none and none runs into it.
    next_start = min(word_starts[0] if n_words else past_end, hint_starts[0] if n_hints else past_end)
    busy_until = 0
    for i, line in enumerate(lines):
        lo, hi = line.start, line.end
        if next_start < lo:
            wi = bisect_left(word_starts, lo, wi)
            hk = bisect_left(hint_starts, lo, hk)
            next_start = min(word_starts[wi] if wi < n_words else past_end,
                             hint_starts[hk] if hk < n_hints else past_end)
            busy_until = max(word_ends[wi - 1] if wi else 0, hint_ends[hk - 1] if hk else 0)
        if line.kind == "table_row":
            out: list[_Mention] = []
            for cell in line.cells:
                lo, hi = cell.start, cell.end
                if hi > lo and not _scan_cell(v, text, lo, hi, out, known_names, list_items):
                    _scan_line(v, text, lo, hi, words.within(lo, hi), out)
            if len(out) > 1:
                out = _without_row_places(v, out)
            yield from out
            continue
        if hi <= next_start and lo >= busy_until:
            continue  # no word nor hint starts in the line, none runs into it: most lines
        # The line's words and whether a hint starts in it, read from the cursors (the first word and
        # hint at or after its start): `words.within(lo, hi)`, `place_hints.any_within(lo, hi)`.
        if wi and word_ends[wi - 1] > lo:
            line_words = words.within(lo, hi)  # a word runs into the line: rare
        else:
            wj = bisect_left(word_starts, hi, wi)
            line_words = (words.within(lo, hi) if wj > wi and word_ends[wj - 1] > hi
                          else list(zip(word_starts[wi:wj], word_ends[wi:wj], strict=True)))
        places = hk < n_hints and hint_starts[hk] < hi
        if (hk and hint_ends[hk - 1] > lo) or (places and hint_ends[hk] > hi):
            places = place_hints.any_within(lo, hi)  # a hint runs over an edge of the line: rare
        if not line_words and not places:
            continue  # nothing to find
        found: list[_Mention] = []
        if line_words:
            _scan_line(v, text, lo, hi, line_words, found, spaced)
            if len(found) == 1 and line_words[0][0] >= found[0].start:
                found[0] = _whole_line_name(text, lo, hi, found[0])
            for mention in found[:]:
                if text[mention.start - 1 : mention.start] == "、":
                    _distribute(v, text, lo, mention, found)
        if places:
            _scan_places(v, text, lo, hi, place_hints, found)
        # Asked only of a line that names something (most lines name nothing):
        if found and line.kind != "label_line" and not _is_page_text(v, text, lines, i):
            yield from found


# ---------------------------------------------------------------------------
# Web page lines (navigation, link lists): a prefilter read from their patterns


def _needed_strings(items: list[tuple[object, Any]]) -> frozenset[str] | None:
    """Strings one of which every match of the parsed sequence `items` holds: a run of literals in
    it, or the characters of a class of literals, or what a group, a branch or a repeat in it
    needs. Of those, the set whose shortest string is longest, then the smallest: a word such as
    位置 is rare in plan text where its characters alone (位 of 单位) are not. None when none."""
    options: list[frozenset[str]] = []
    run = ""
    for op, av in items:
        if op is sre.LITERAL:
            run += chr(av)
            continue
        if run:
            options.append(frozenset((run,)))
            run = ""
        found = _item_strings(op, av)
        if found is not None:
            options.append(found)
    if run:
        options.append(frozenset((run,)))
    return max(options, key=lambda found: (min(map(len, found)), -len(found)), default=None)


def _item_strings(op: object, av: Any) -> frozenset[str] | None:
    """`_needed_strings` of one parsed item but a literal: a class of literals, a group, a branch
    of sequences that each need some, or a repeat of one at least once."""
    if op is sre.IN:
        if any(kind is not sre.LITERAL for kind, _ in av):
            return None  # a negated class, a range or a category: no short list
        return frozenset(chr(code) for _, code in av)
    if op is sre.SUBPATTERN:
        _, add_flags, _, inner = av
        return None if add_flags & re.IGNORECASE else _needed_strings(list(inner))
    if op is sre.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            found = _needed_strings(list(branch))
            if found is None:
                return None
            union |= found
        return frozenset(union)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] >= 1:
        return _needed_strings(list(av[2]))
    return None


@cache
def _page_prefilters() -> tuple[re.Pattern[str] | None, re.Pattern[str] | None, re.Pattern[str] | None]:
    """For v.navigation and v.link_list, a pattern of strings one of which a line must hold for the
    pattern to match in it (None: no such strings), and one of the strings of both: most lines
    that name a body hold none, and the strings are searched several times faster than the
    patterns' alternatives. Read from the patterns' parse, on first use: the vocabulary's
    patterns are the only list of what they need."""
    v = body_lexicon()
    needs: list[frozenset[str] | None] = []
    for pattern in (v.navigation.pattern, v.link_list.pattern):
        try:
            parsed = sre_parser.parse(pattern)
        except re.error:
            needed = None  # a form of the `regex` module's own: no prefilter
        else:
            needed = None if parsed.state.flags & re.IGNORECASE else _needed_strings(list(parsed))
        needs.append(needed)
    navigation, link_list = needs
    both = None if navigation is None or link_list is None else navigation | link_list
    navigation_gate, link_gate, either_gate = (
        compile_re("|".join(map(re.escape, sorted(needed)))) if needed else None
        for needed in (navigation, link_list, both))
    return navigation_gate, link_gate, either_gate


def _is_page_text(v: BodyLexicon, text: str, lines: Sequence[Block], i: int) -> bool:
    """Whether line `i`, which names something, is a web page's, naming no actor: navigation (来源：…,
    首页 > 政府部门, 欢迎来到…), a link list (its label, the name lines below it), a banner, a title."""
    line = lines[i]
    gate = _page_prefilters()[2]
    # One search for the strings of both patterns: most lines hold none, and are neither
    # navigation nor a link-list label.
    if (gate is None or gate.search(text, line.start, line.end) is not None) and (
            _is_page_line(v, text, line.start, line.end) or _is_link_label(v, text, line.start, line.end)):
        return True
    return (_is_title_line(v, text, line) or (i + 1 < len(lines) and _is_banner(v, text, line, lines[i + 1]))
            or _below_link_label(v, text, lines, i))


def _is_page_line(v: BodyLexicon, text: str, lo: int, hi: int) -> bool:
    """`v.navigation.search(text, lo, hi) is not None`, the prefilter asked first."""
    gate = _page_prefilters()[0]
    return (gate is None or gate.search(text, lo, hi) is not None) and v.navigation.search(text, lo, hi) is not None


def _is_link_label(v: BodyLexicon, text: str, lo: int, hi: int) -> bool:
    """`v.link_list.search(text, lo, hi) is not None`, the prefilter asked first."""
    gate = _page_prefilters()[1]
    return (gate is None or gate.search(text, lo, hi) is not None) and v.link_list.search(text, lo, hi) is not None


def _is_name_line(text: str, line: Block) -> bool:
    """A short line without a sentence mark: a name on its own (a banner, a link)."""
    return line.end - line.start <= _BANNER_MAX and _ANY_PROSE_MARK.search(text, line.start, line.end) is None


def _below_link_label(v: BodyLexicon, text: str, lines: Sequence[Block], i: int) -> bool:
    """Whether line `i` is one of the name lines right below a link-list label (相关链接：)."""
    j = i
    while j >= 0 and i - j < _LINKS_MAX and _is_name_line(text, lines[j]):
        j -= 1
        if j >= 0 and _is_link_label(v, text, lines[j].start, lines[j].end):
            return True
    return False


def _is_banner(v: BodyLexicon, text: str, line: Block, below: Block) -> bool:
    """A site's banner: a line of a name and no sentence (某市人民政府) right above a navigation line."""
    return _is_name_line(text, line) and _is_page_line(v, text, below.start, below.end)


def _is_name(v: BodyLexicon, name: str) -> bool:
    """Whether `name` on its own reads as one whole body name (or an actor place)."""
    if len(name) > _MAX_NAME:
        return False
    if is_place(v, name):
        return True
    if name[-1:] not in v.last_chars and not name.endswith(_ALTERNATIVE_CLOSERS):
        return False  # a name ends with its body word or the bracketed alternative after it
    found: list[_Mention] = []
    _scan_line(v, name, 0, len(name), body_words_in(v, name), found)
    for m in found:
        if m.start == 0 and m.end == len(name):
            return True
    return False


def _without_row_places(v: BodyLexicon, row: list[_Mention]) -> list[_Mention]:
    """A row's mentions without a bare place whose body another cell of the row names:
    蓬江区 in a 所在地区 column beside 蓬江区人民政府 says where the work is, not who does it."""
    places = {m.name for m in row if is_place(v, m.name)}
    if not places:
        return row  # most rows name no bare place: no need to read which names end with a body
    bodies = [m.name for m in row if ends_with_body(v, m.name)]
    return [m for m in row if not (m.name in places and any(b != m.name and b.startswith(m.name) for b in bodies))]


def _scan_cell(v: BodyLexicon, text: str, lo: int, hi: int, out: list[_Mention], known: dict[str, bool],
               items: NameReadings) -> bool:
    """A table cell that is a list of names (the 责任单位 column): take it whole.

    A 责任单位 column repeats its bodies: `known` holds the document's names already judged
    by _is_name, `items` its cells and list items already read by split_names.
    """
    cell = text[lo:hi].strip()
    if not cell or len(cell) > 400 or _PROSE_MARK.search(cell) or cell[0].isdigit():
        return False
    if not v.last_char.search(cell) and not _PLACE_SUFFIX.search(cell):
        return False  # every name holds the end of a body word or is a place: this cell names nothing
    names = split_names(cell, items=items)
    if not names:
        return False
    for name in names:
        is_name = known.get(name)
        if is_name is None:
            is_name = known[name] = _is_name(v, name)
        if not is_name:
            return False
    offset = text.find(cell, lo, hi)
    pos = offset
    for name in names:
        at = text.find(name, pos, hi)
        if at >= 0:
            out.append(_Mention(name, at, at + len(name)))
            pos = at + len(name)
        else:  # a distributed name: point from its first piece to its last
            found = _pieces(text, name, offset, offset + len(cell))
            out.append(_Mention(name, *(found or (offset, offset + len(cell)))))
    return True


def _locate(doc: Document, name: str) -> tuple[int, int] | None:
    """doc.text range where a task's name is first written: as is, or for a name built
    by spec §5 (各区检察院 of 各区法院和检察院) from its first piece to its last, the
    pieces in order within one line."""
    at = doc.text.find(name)
    if at >= 0:
        return at, at + len(name)
    folded = fold(name)
    for line in doc.lines:
        if folded[:1] in doc.fold[line.start : line.end]:
            found = _pieces(doc.fold, folded, line.start, line.end)
            if found is not None:
                return found
    return None


def _pieces(fold_text: str, name: str, start: int, end: int) -> tuple[int, int] | None:
    """Range of fold_text[start:end] holding `name` as pieces in order, longest pieces first."""
    i, cursor, first = 0, start, -1
    while i < len(name):
        j = len(name)
        while j > i and (at := fold_text.find(name[i:j], cursor, end)) < 0:
            j -= 1
        if j == i:
            return None
        first = at if first < 0 else first
        cursor, i = at + j - i, j
    return first, cursor


def parse_departments(doc: Document, tasks: list[Task]) -> list[Department]:
    """Unique body names in order of first mention, with mention counts."""
    order: dict[str, list] = {}  # name -> [raw_start, mentions, line, span]
    fold, text = doc.fold, doc.text
    for m in _find(doc):
        name, start, end = m.name, m.start, m.end
        if fold is not text:  # a text with nothing to fold is its own fold: the name is as written
            # Most names are the text of their range: as_written would find them there first.
            if end - start == len(name) and fold[start:end] == name:
                name = text[start:end]
            else:
                name = as_written(name, fold, text, start, end)
        entry = order.get(name)
        if entry is None:
            span = doc.span(start, end)
            order[name] = [span[0], 1, doc.raw_lineno(span[0]), span]  # lineno(start), its span known
        else:
            entry[1] += 1
    for task in tasks:
        for name in (*task.lead, *task.support):
            if not name or name in order:
                continue
            found = _locate(doc, name)
            if found is not None:
                span = doc.span(*found)
                order[name] = [span[0], 1, doc.raw_lineno(span[0]), span]
            else:
                order[name] = [task.span[0], 1, task.line, tuple(task.span)]
    ranked = sorted(order.items(), key=lambda item: item[1][0])
    return Department.validate_all(
        [{"name": name, "mentions": n, "line": line, "span": span} for name, (_, n, line, span) in ranked])
