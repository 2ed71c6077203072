"""Bodies: the body-word lexicon of plan text and the splitting of lists of names.

A body name in a plan is closed on the right by a body word (局, 委员会,
成员单位, 公安机关 …) from `ecoplan/vocab/departments.yaml`; this module
compiles those words once and splits a list of names (a 责任单位 cell, a
牵头单位：… clause) into names. Finding names in running text is the
departments parser's work; reading responsibility clauses is the tasks parser's.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

import regex

from ecoplan.text.lexicon import (
    ACTOR_PLACE_SUFFIXES,
    CLOSE_PARENS,
    JOINERS,
    LIST_SEPARATORS,
    OPEN_PARENS,
    PLACE_SUFFIXES,
    RE_WHITESPACE,
)
from ecoplan.text.patterns import lazy_re, lazy_regex
from ecoplan.text.records import rule_record
from ecoplan.vocab import alternation, load, trie_alternation

_LIST_SEPARATOR_RUN = lazy_re("[" + re.escape(LIST_SEPARATORS) + r"\n]+")
_LIST_SEPARATOR_CHAR = lazy_re("[" + re.escape(LIST_SEPARATORS) + "\n]")  # a piece without one is one part
# Punctuation after which a clause (and so a place as its subject) starts.
CLAUSE_PUNCT = "，。；：！？,;:!?）)】"
_CLAUSE_BREAKS = "\n" + CLAUSE_PUNCT  # what a clause starts right after (or the start of the text)
# A short bracketed list of places inside a name: 各县（市、区）人民政府.
BRACKET_BEFORE = lazy_regex(r"[（(][\p{Han}、]{1,8}[）)]$")
_BRACKETED_LIST = lazy_regex(r"[（(][\p{Han}、]{1,8}[）)]")
# A bracketed alternative closing a name: 区人民政府（管委会）, 各镇（街道）.
_ALTERNATIVE_CLOSERS = ("）", ")")
_ALTERNATIVE_AT_END = lazy_regex(r"[（(]\p{Han}{1,8}[" + "".join(_ALTERNATIVE_CLOSERS) + "]$")
# Any bracket inside a name, for checks that read the name without it.
_BRACKETED_ANY = lazy_regex(r"[（(][^（()）]*[）)]")
# The level words of places, as a name or a list item starts or ends with them
# (各县、区人民政府, 各乡、镇人民政府; 盟 and 旗 are Inner Mongolia's levels).
PLACE_LEVELS = PLACE_SUFFIXES + "盟乡镇"
_CLOSER = dict(zip(OPEN_PARENS, CLOSE_PARENS, strict=True))
_OPEN_PARENS, _CLOSE_PARENS = tuple(OPEN_PARENS), tuple(CLOSE_PARENS)  # for startswith / endswith
_OPENER = dict(zip(CLOSE_PARENS, OPEN_PARENS, strict=True))
_MATCH_START = re.Match.start


@dataclass(frozen=True)
class BodyToken:
    word: str  # the base body word (局, 部门, 单位 …), key of not_modifier / modifier_ends
    complete: bool  # a whole name without further modifier
    any_modifier: bool  # a generic word: any modifier except not_modifier
    min_len: int
    bare_in_list: bool
    relational: bool
    bounded: bool = False  # counts only where a name ends: before 、，；, a role word or a verb
    # The vocabulary's not_before / not_after of its word, kept on the token: read for every word found.
    not_before: frozenset[str] = frozenset()  # right before it (one or two characters), part of a common word
    not_after: frozenset[str] = frozenset()  # right after it, part of a common word


@rule_record
class BodyLexicon:
    # Body words run under stdlib `re`: it skips ahead by the set of first
    # characters, about five times faster here than `regex`.
    token_re: re.Pattern[str]
    # The body words spelt backwards, for body_words_in and body_word_at_end:
    # every body word ends in one of a few characters (局, 会, 门 …), so over
    # reversed text `re` skips ahead to those; forwards it stops at each of ~100
    # common first characters (市, 区, 各 …) and tries them one by one.
    reversed_token_re: re.Pattern[str]
    longest_token: int
    last_chars: frozenset[str]  # the characters body words end with
    last_char: re.Pattern[str]  # one of them
    # Keyed by a body word spelt backwards: the lengths of the body words it ends with (itself
    # too), and the distances from its end of the last_chars inside it.
    backward_suffixes: dict[str, tuple[int, ...]]
    backward_inner_ends: dict[str, tuple[int, ...]]
    tokens: dict[str, BodyToken]
    not_modifier: dict[str, tuple[str, ...]]
    modifier_ends: dict[str, str]  # word -> what a modifier outside its `after` list must end with
    stop: frozenset[str]
    stop_chars: frozenset[str]
    stop_last_chars: frozenset[str]  # the characters stop words and stop characters end with
    # Each of them -> the lengths of the stop words ending with it, longest first (1: itself).
    stop_lengths_by_last: dict[str, tuple[int, ...]]
    joiners: frozenset[str]
    prepositional_joiners: frozenset[str]  # joiners opening no name after a clause break
    # A joiner character -> (word, the character's index in it) for each word holding it that joins nothing.
    joiner_words: dict[str, tuple[tuple[str, int], ...]]
    level_prefixes: tuple[str, ...]
    # Where a list item may hold two names (和/及/与, a new 各): the first characters of both.
    split_points: re.Pattern[str]
    generic_prefixes: tuple[str, ...]
    level_prepositions: str
    complete_endings: tuple[str, ...]
    determiners: frozenset[str]
    creation: frozenset[str]
    inner_creation: tuple[str, ...]
    place_re: regex.Pattern[str]
    clause_break: re.Pattern[str]  # place_re can match only right after one (see places_in)
    # A place suffix right before an actor verb: a line without one cannot
    # match place_re, and the cheap search spares most lines the slow pattern.
    place_hint: re.Pattern[str]
    # Per place suffix, the suffix where the character after it may go on into a place_hint match
    # (a bracket or a verb's first): a pattern opening with one literal is scanned for it in C.
    place_hint_openers: tuple[re.Pattern[str], ...]
    not_place: tuple[str, ...]
    trailing: tuple[regex.Pattern[str], ...]
    any_trailing: regex.Pattern[str]  # the trailing patterns in one: most parts hold none, one search tells
    labels: tuple[regex.Pattern[str], ...]
    # What may follow the last character of a name: a list or clause mark, a
    # particle, a verb of the stop list or an actor verb.
    name_end: re.Pattern[str]
    alternatives: frozenset[str]  # bracketed after a name, an alternative body: 各镇（街道）
    level_qualifiers: tuple[str, ...]
    not_actor_after: tuple[str, ...]
    not_actor_first: frozenset[str]  # their first characters: a name followed by none is no case for them
    role_labels: tuple[str, ...]
    any_role_label: re.Pattern[str]  # one search tells a name holding none, most names
    joint_units: frozenset[str]
    divisions: frozenset[str]  # a department's divisions (处): a stop character may stand inside their names
    navigation: regex.Pattern[str]
    link_list: regex.Pattern[str]
    document_words: tuple[str, ...]


@cache
def body_lexicon() -> BodyLexicon:
    data = load("departments")
    complete = set(data.complete)
    relational = set(data.relational)
    tokens: dict[str, BodyToken] = {}
    not_modifier: dict[str, tuple[str, ...]] = {}
    modifier_ends: dict[str, str] = {}

    def add(token: str, word: str, *, is_complete: bool, any_modifier: bool = False, min_len: int = 2,
            bare_in_list: bool = False, bounded: bool = False) -> None:
        tokens[token] = BodyToken(word, is_complete or token in complete, any_modifier, min_len, bare_in_list,
                                  token.endswith(tuple(relational)), bounded,
                                  frozenset(data.not_before.get(word, ())), frozenset(data.not_after.get(word, ())))

    for word in data.strong:
        add(word, word, is_complete=False)
    for word in complete:
        add(word, word, is_complete=True)
    for word, rule in data.weak.items():
        done = set(rule.complete)
        min_len = rule.min_len
        bare = rule.bare_in_list
        for head in rule.after:
            # 发展改革委: a long head makes a bounded word a name on its own where the name ends
            add(head + word, word, is_complete=head in done, min_len=min_len, bare_in_list=bare,
                bounded=rule.bounded and len(head) > 1)
        if rule.any or bare:
            add(word, word, is_complete=False, any_modifier=rule.any, min_len=min_len, bare_in_list=bare)
        elif rule.bounded:
            add(word, word, is_complete=False, any_modifier=True, min_len=min_len, bounded=True)
        not_modifier[word] = tuple(rule.not_modifier)
        if rule.modifier_ends:
            modifier_ends[word] = rule.modifier_ends
    # As a prefix tree: a flat alternation of ~226 words is tried word by word at every candidate
    # position; the tree reads each character once, twice as fast over plan text.
    body_words = trie_alternation(list(tokens))
    last_chars = frozenset(word[-1] for word in tokens)
    actor_verbs = data.actor_verbs
    stop = frozenset(data.stop) | frozenset(data.creation)
    place_suffix = ACTOR_PLACE_SUFFIXES
    # A place (瓦房店市) or a level of places (各设区市, 各市) as the subject of a clause,
    # before an actor verb (各设区市完成…, 各市对照…).
    # A bracket of alternative places may follow (各县(市、区)要…; matched on the fold, brackets half-width).
    place = rf"(?:各\p{{Han}}{{0,3}}?|\p{{Han}}{{2,6}}?)[{place_suffix}](?:\([\p{{Han}}、]{{1,8}}\))?"
    place_verbs = alternation(actor_verbs)
    return BodyLexicon(
        token_re=lazy_re(body_words),
        reversed_token_re=lazy_re(trie_alternation([word[::-1] for word in tokens])),
        longest_token=max(map(len, tokens)),
        last_chars=last_chars,
        last_char=lazy_re("[" + re.escape("".join(sorted(last_chars))) + "]"),
        backward_suffixes={
            word[::-1]: tuple(k for k in range(len(word), 0, -1) if word[-k:] in tokens) for word in tokens},
        backward_inner_ends={
            word[::-1]: tuple(k for k in range(1, len(word)) if word[-k - 1] in last_chars) for word in tokens},
        tokens=tokens,
        not_modifier=not_modifier,
        modifier_ends=modifier_ends,
        stop=stop,
        stop_chars=frozenset(data.stop_chars),
        stop_last_chars=frozenset(word[-1] for word in (*stop, *data.stop_chars)),
        stop_lengths_by_last={
            last: tuple(sorted({len(w) for w in (*stop, *data.stop_chars) if w[-1] == last and len(w) > 1},
                               reverse=True)) + ((1,) if last in stop or last in data.stop_chars else ())
            for last in {word[-1] for word in (*stop, *data.stop_chars)}},
        joiners=frozenset(data.joiners),
        prepositional_joiners=frozenset(data.prepositional_joiners),
        joiner_words={ch: tuple((w, w.index(ch)) for w in data.joiner_words if ch in w) for ch in data.joiners
                      if any(ch in w for w in data.joiner_words)},
        level_prefixes=tuple(data.level_prefixes),
        split_points=lazy_re("[" + re.escape("".join(sorted({*JOINERS, *(w[0] for w in data.level_prefixes)})))
                                + "]"),
        generic_prefixes=tuple(data.generic_prefixes),
        level_prepositions=data.level_prepositions,
        complete_endings=tuple(data.complete_endings),
        determiners=frozenset(data.determiners),
        creation=frozenset(data.creation),
        inner_creation=tuple(data.creation_inside),
        place_re=lazy_regex(
            rf"(?:(?<=^|[{regex.escape(_CLAUSE_BREAKS)}])|^)"
            rf"((?:{place}、)*{place})"
            rf"(?=(?:{place_verbs}))"
        ),
        clause_break=lazy_re("[" + re.escape(_CLAUSE_BREAKS) + "]"),
        place_hint=lazy_re(rf"[{place_suffix}](?:\([^()]{{1,8}}\))?(?:{place_verbs})"),
        place_hint_openers=tuple(
            lazy_re(re.escape(suffix) + "(?=[" + re.escape("".join(sorted({"(", *(verb[0] for verb in actor_verbs)})))
                    + "])")
            for suffix in place_suffix),
        not_place=tuple(data.not_place),
        trailing=tuple(lazy_regex(p) for p in data.trailing),
        any_trailing=lazy_regex("|".join(f"(?:{p})" for p in data.trailing) or "(?!)"),
        labels=tuple(lazy_regex(p) for p in data.labels),
        name_end=lazy_re(
            "[" + re.escape(CLAUSE_PUNCT + "、。（(〔【[\t \n" + data.stop_chars) + "]|$|"
            + alternation(sorted(stop | set(actor_verbs)))
        ),
        alternatives=frozenset(data.alternatives),
        level_qualifiers=tuple(sorted(data.level_qualifiers, key=len, reverse=True)),
        not_actor_after=tuple(data.not_actor_after),
        not_actor_first=frozenset(word[0] for word in data.not_actor_after),
        role_labels=tuple(data.role_labels),
        any_role_label=lazy_re(alternation(data.role_labels) if data.role_labels else "(?!)"),
        joint_units=frozenset(data.joint_units),
        divisions=frozenset(data.divisions),
        navigation=lazy_regex("|".join(data.navigation) or "(?!)", regex.MULTILINE),
        link_list=lazy_regex("|".join(data.link_lists) or "(?!)", regex.MULTILINE),
        document_words=tuple(data.document_words),
    )


def body_words_in(v: BodyLexicon, text: str) -> list[tuple[int, int]]:
    """Spans of the body words in `text`, the ones `v.token_re.finditer(text)` yields.

    That scan takes, from the left, the longest body word at the first place one
    starts, then goes on after it. The same spans come from the longest word
    ending at each place one ends (a backward scan, fast, see reversed_token_re)
    and the shorter words that end there (its suffixes that are body words): a
    start's longest word is the farthest end any word starting there reaches.
    """
    n = len(text)
    backwards = text[::-1]
    reversed_token_re = v.reversed_token_re
    suffixes = v.backward_suffixes
    inner_ends = v.backward_inner_ends
    spans: list[tuple[int, int]] = []  # right to left
    # Most found words stand alone: the words ending inside one start inside it. Where one
    # starts before (各街道 in 各街道办事处), the words reaching into each other make a
    # cluster, read by the rule above: ends come right to left (the backward scan, and inside
    # a word its inner ends nearest the end first), so the first end noted for a start is
    # its farthest.
    farthest: dict[int, int] = {}  # the open cluster: start -> end of the longest body word starting there
    cluster_start = 0  # the leftmost start in the open cluster
    for m in reversed_token_re.finditer(backwards):
        word = m.group()
        offsets = inner_ends[word]
        if not offsets and not farthest:
            spans.append((n - m.end(), n - m.start()))  # most words: alone, no word ends inside
            continue
        start, end = n - m.end(), n - m.start()
        if farthest and end <= cluster_start:
            spans.extend(reversed(_leftmost_longest(farthest)))
            farthest = {}
        leftmost = start
        inner_words = []
        for offset in offsets:
            if inner := reversed_token_re.match(backwards, m.start() + offset):
                inner_words.append((end - offset, inner.group()))
                leftmost = min(leftmost, n - inner.end())
        if not farthest and leftmost == start:
            spans.append((start, end))
            continue
        cluster_start = min(cluster_start, leftmost) if farthest else leftmost
        for k in suffixes[word]:
            farthest.setdefault(end - k, end)
        for inner_end, inner_word in inner_words:
            for k in suffixes[inner_word]:
                farthest.setdefault(inner_end - k, inner_end)
    if farthest:
        spans.extend(reversed(_leftmost_longest(farthest)))
    spans.reverse()
    return spans


def _leftmost_longest(farthest: dict[int, int]) -> list[tuple[int, int]]:
    """From the left, the longest word at the first start, then the next start after its end."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for start in sorted(farthest):
        if start >= pos:
            pos = farthest[start]
            spans.append((start, pos))
    return spans


def places_in(v: BodyLexicon, text: str, lo: int, hi: int, hint_starts: Sequence[int],
              hint_ends: Sequence[int]) -> Iterator[regex.Match[str]]:
    """The matches of `v.place_re.finditer(text, lo, hi)`, tried only where a clause starts.

    place_re opens with a look behind for a clause break that holds at few positions; the
    `regex` engine tries it at every one, which costs a long line more than the rest.
    `hint_starts`/`hint_ends` are the spans of `v.place_hint.finditer` over the whole text:
    a clause that no such span reaches into holds no place_hint match (a match inside it
    starts where the whole-text scan found one, or inside one it found), so only the few
    clauses a span reaches are searched.
    """
    # The clause breaks of the line, found in one scan: each starts a clause to try.
    breaks = [m.start() for m in v.clause_break.finditer(text, max(lo - 1, 0), hi)]
    n_breaks = len(breaks)
    k = 0  # the first break at or after pos - 1
    pos = lo
    while pos < hi:
        while k < n_breaks and breaks[k] < pos - 1:
            k += 1
        if pos == 0:
            start, j = 0, k  # j: the first break at or after start
        elif k < n_breaks and breaks[k] < hi - 1:
            start, j = breaks[k] + 1, k + 1
        else:
            return
        stop = breaks[j] if j < n_breaks else hi
        if j < n_breaks and text[stop] == ")" and "(" in text[start:stop]:
            # A bracket of alternatives closes inside the subject (各县(市、区)要…): read on past it.
            stop = breaks[j + 1] if j + 1 < n_breaks else hi
        # A match ends at a place suffix before an actor verb (place_hint) inside this clause.
        h = bisect_right(hint_ends, start)
        if h == len(hint_starts):
            return  # no hint ends past the clause's start: none reaches a later clause either
        if hint_starts[h] >= stop:
            # The next hint starts past this clause: so it does past every clause before the
            # one holding it, or the one before that (whose stop a bracket may carry on to it).
            # Read on from there, not clause by clause.
            q = bisect_right(breaks, hint_starts[h]) - 2
            pos = breaks[q] + 1 if q > k else start + 1
        elif v.place_hint.search(text, start, stop) and (m := v.place_re.match(text, start, hi)):
            yield m
            pos = m.end()
        else:
            pos = start + 1


def place_hint_spans(v: BodyLexicon, text: str) -> list[tuple[int, int]]:
    """The spans of `v.place_hint.finditer(text)`. The pattern opens with one of a few place
    suffixes: it is tried where one stands before a character that may go on into a match, found
    per suffix by a pattern that opens with it (re skips ahead to a literal first character in a
    tight loop), rather than at every character by the pattern's scan, which tests each against
    its first class; most suffixes open a body's name (市生态环境局) and are passed in that loop."""
    starts: list[int] = []
    for opener in v.place_hint_openers:
        starts.extend(map(_MATCH_START, opener.finditer(text)))
    starts.sort()
    spans: list[tuple[int, int]] = []
    match = v.place_hint.match
    end = 0  # as the scan does, the next match starts at or after the end of the last
    for at in starts:
        if at >= end and (m := match(text, at)):
            end = m.end()
            spans.append((at, end))
    return spans


def token_ok(v: BodyLexicon, text: str, start: int, end: int) -> bool:
    """Whether the token at text[start:end] is a body word and not part of a common word."""
    return body_token(v, text, start, end) is not None


def body_token(v: BodyLexicon, text: str, start: int, end: int) -> BodyToken | None:
    """The token at text[start:end] if it is a body word and not part of a common word."""
    token = v.tokens[text[start:end]]
    before = token.not_before
    # 产业集团 and the like: two-character exclusions
    if before and start > 0 and (text[start - 1] in before or (start > 1 and text[start - 2 : start] in before)):
        return None
    after = token.not_after
    return None if after and end < len(text) and text[end] in after else token


# ---------------------------------------------------------------------------
# Splitting a list of names (责任单位 cells, 牵头单位：… clauses)


def without_alternative(part: str) -> str:
    """The name before a bracketed alternative at its end: 区人民政府（管委会） -> 区人民政府."""
    if not part.endswith(_ALTERNATIVE_CLOSERS):
        return part  # most names: no need to search
    m = _ALTERNATIVE_AT_END.search(part)
    return part[: m.start()] if m and m.start() > 0 else part


def body_word_at_end(v: BodyLexicon, text: str) -> str:
    """The longest body word `text` ends with, "" when it ends with none."""
    m = v.reversed_token_re.match(text[: -v.longest_token - 1 : -1])
    return m.group()[::-1] if m else ""


def ends_with_body(v: BodyLexicon, part: str) -> bool:
    part = without_alternative(part)
    word = body_word_at_end(v, part)
    if word and token_ok(v, part, len(part) - len(word), len(part)):
        return True
    # A place that is itself the actor (瓦房店市、庄河市); 等/的… never stand inside a place name.
    return (len(part) >= 3 and part[-1] in PLACE_SUFFIXES and not part.endswith(v.not_place)
            and v.stop_chars.isdisjoint(part))


def strip_trailing(v: BodyLexicon, part: str) -> str:
    if not v.any_trailing.search(part):
        return part
    changed = True
    while changed and part:
        changed = False
        for pattern in v.trailing:
            new = pattern.sub("", part)
            if new != part:
                part, changed = new.strip(), True
    return part


def _qualifier(v: BodyLexicon, name: str) -> str:
    """What stands before the body word of `name`: 各级 of 各级法院, 各县（市、区） of 各县（市、区）党委."""
    core = without_alternative(name)
    found = body_word_at_end(v, core)
    if not found:
        return ""
    word = v.tokens[found].word
    head = found[: -len(word)]
    # 县党委 is 县 + 党委: the place stays with the qualifier; 党工委 is one word.
    return name[: len(core) - len(word)] if set(head) <= set(PLACE_LEVELS) else name[: len(core) - len(found)]


def _is_bare_body(v: BodyLexicon, name: str) -> bool:
    """A body word with no modifier of its own (检察院, 人民政府, 管委会): it takes the one before 和."""
    core = without_alternative(name)
    return core in v.tokens and core[0] not in PLACE_LEVELS and not core.startswith(v.level_prefixes)


def joined_right(v: BodyLexicon, left: str, right: str) -> str:
    """The second of two names joined by 和/及/与, the first one's qualifier distributed (spec §5).

    各级法院和检察院 -> 各级检察院; 市人大及其常委会 -> 市人大常委会 (其 is the first name);
    a second name with a modifier of its own stays as written (省政府和水利部).
    """
    if right.startswith("其"):
        return left + right[1:]
    if _is_bare_body(v, right):
        qualifier = _qualifier(v, left)
        if qualifier and qualifier[-1] not in v.joiners:
            return qualifier + right
    return right


def _split_joined(v: BodyLexicon, part: str) -> list[str]:
    """Split at 和/及/与 and at a new 各 where both sides are body names (各级法院和检察院)."""
    out: list[str] = []
    rest = part
    pos = 1
    while found := v.split_points.search(rest, pos, len(rest) - 1):  # other characters split nothing
        pos = found.start()
        ch = rest[pos]
        if ch in JOINERS:
            left, right = rest[:pos], rest[pos + 1 :]
            if ends_with_body(v, left) and ends_with_body(v, right.removeprefix("其")):
                out.append(left)
                rest = joined_right(v, left, right)
                pos = 1
                continue
        elif rest.startswith(v.level_prefixes, pos):
            left, right = rest[:pos], rest[pos:]
            if ends_with_body(v, left) and ends_with_body(v, right) and not is_relational_end(v, right):
                out.append(left)
                rest = right
                pos = 1
                continue
        pos += 1
    out.append(rest)
    return out


def is_relational_end(v: BodyLexicon, name: str) -> bool:
    """各成员单位 and the like: members of the body named before them."""
    found = body_word_at_end(v, name)
    return bool(found and v.tokens[found].relational and len(found) == len(name))


def is_place(v: BodyLexicon, part: str) -> bool:
    """A place name and nothing more (瓦房店市, 金州区)."""
    return (len(part) >= 3 and part[-1] in PLACE_SUFFIXES and not part.endswith(v.not_place)
            and v.stop_chars.isdisjoint(part) and not body_word_at_end(v, part))


def shared_suffix(v: BodyLexicon, bare: str, last: str) -> str | None:
    """The part of `last` that a bare list item before it shares (临汾、侯马经济开发区管委会).

    An item ending in a place word shares what follows the first place word of
    `last` (金州区、普兰店区生态环境分局; 各县、区人民政府（管委会） shares
    人民政府（管委会）, bracket kept); a level word opening `last` is shared only
    by level words (庄河市、市生态环境局 shares nothing); a place list
    (瓦房店市、庄河市) shares nothing. A generic name (各有关部门, 相关单位) means
    "the others": no item before it shares its words; nor does an item that ends as an
    organisation's name does (市供销社、市生态环境局).
    """
    if (last.removeprefix("各").startswith(v.generic_prefixes) or bare.endswith(v.complete_endings)
            or bare[-1:] in v.divisions):
        return None
    if bare[-1] in PLACE_LEVELS:
        for k, ch in enumerate(last[:-2]):
            if k == 0 and len(bare.removeprefix("各")) > 1:
                continue
            # A place both items open with (泉州开发区、泉州台商投资区管委会) qualifies them: its
            # level word is not the one the shared part follows.
            if last[k + 1] in PLACE_LEVELS:
                continue  # 盘州市, 广州市: a level word inside the place's name; its own comes next
            if ch in PLACE_LEVELS and not bare.startswith(last[: k + 1]):
                suffix = last[k + 1 :]
                if suffix[:1] in OPEN_PARENS and (close := suffix.find(_CLOSER[suffix[0]])) > 0:
                    # 各区、县（市）人民政府: the bracket qualifies 县 alone; 人民政府 is shared.
                    suffix = suffix[close + 1 :]
                if len(without_alternative(suffix)) >= 2 and ends_with_body(v, suffix):
                    return suffix
        if is_place(v, bare):
            return None
    suffix = last[len(bare) :]
    if len(suffix) >= 2 and ends_with_body(v, suffix):
        return suffix
    if ends_with_body(v, bare):
        return None  # 港务分公司、市生态环境局: a whole name before another
    core = without_alternative(last)
    start = len(core) - len(body_word_at_end(v, core))
    return last[start:] if start < len(core) and start > 0 else None


def strip_unbalanced(part: str) -> str:
    """Drop brackets left over at the ends by splitting, keep balanced ones: 各镇（街道）."""
    while part and part[0] in OPEN_PARENS and part.count(part[0]) > part.count(_CLOSER[part[0]]):
        part = part[1:]
    while part and part[-1] in CLOSE_PARENS and part.count(part[-1]) > part.count(_OPENER[part[-1]]):
        part = part[:-1]
    while part.startswith(_OPEN_PARENS) and part.endswith(_CLOSE_PARENS):
        part = part[1:-1]  # a whole bracketed name (牵头) -> 牵头
    return part


class NameReadings:
    """What split_names has read in one document, by its text: list items (their names, whether
    they wait for a later item's suffix) and whole cells with their `cut` (their names). A
    责任单位 column repeats its bodies row after row, and tasks and departments both read its
    cells: the Document carries one, so that each cell is read once per document, not per stage."""

    __slots__ = ("cells", "items")

    def __init__(self) -> None:
        self.items: dict[str, tuple[list[str], bool]] = {}
        self.cells: dict[tuple[str, bool], tuple[str, ...]] = {}


def split_names(cell: str, *, cut: bool = False, items: NameReadings | None = None) -> list[str]:
    """Split a list of body names (a 责任单位 cell, a 牵头单位：… clause) into names.

    Splits at 、，；, at 和/及 only between two body names, drops trailing
    等 / 等成员单位按照职责分工负责 / （牵头）, and distributes a suffix shared by
    a 、 list: 临汾、侯马经济开发区管委会 → 临汾经济开发区管委会, 侯马经济开发区管委会.
    Names joined by 和/及 are two, the first one's qualifier distributed
    (各县（市、区）党委和人民政府); an item before such a pair shares both suffixes.
    With `cut` (the list runs into the end of the text) a last item that is no
    body name is a fragment: it and the items waiting for its suffix are dropped
    (…示范区、高 keeps nothing of 示范区、高). `items`, if given, keeps what is read for the
    next cell of the same document.
    """
    if items is not None:
        read = items.cells.get((cell, cut))
        if read is None:
            read = items.cells[cell, cut] = tuple(_split_names(cell, cut, items.items))
        return list(read)  # a list of its own: callers may change theirs
    return _split_names(cell, cut, None)


def _split_names(cell: str, cut: bool, items: dict[str, tuple[list[str], bool]] | None) -> list[str]:
    v = body_lexicon()
    text = cell.strip()
    for label in v.labels:
        text = label.sub("", text)
    # Spaces inside a cell are layout, unless they separate two whole names. Every whitespace
    # character but the space is unprintable: most cells, which hold none, are one chunk unsplit.
    if text.isprintable() and " " not in text:
        chunks = [text] if text else []
    else:
        chunks = [c for c in RE_WHITESPACE.split(text) if c]
    joined: list[str] = []
    for chunk in chunks:
        if joined and not (ends_with_body(v, joined[-1]) and ends_with_body(v, strip_trailing(v, chunk))
                           and not _serves_before(v, chunk)):
            joined[-1] += chunk
        else:
            joined.append(chunk)
    # The names of each list item (one, or several joined by 和), and whether it waits for
    # the suffix of a later item (a bare name or a place: 临汾、侯马经济开发区管委会).
    groups: list[tuple[list[str], bool]] = []
    for piece in joined:
        # Keep 、 inside a bracketed place list (各县（市、区）人民政府).
        if "、" in piece and ("（" in piece or "(" in piece):
            piece = _BRACKETED_LIST.sub(lambda m: m.group().replace("、", "\0"), piece)
        parts = _LIST_SEPARATOR_RUN.split(piece) if _LIST_SEPARATOR_CHAR.search(piece) else [piece]
        for part in parts:
            item = items.get(part) if items is not None else None
            if item is None:
                item = _read_item(v, part)
                if items is not None:
                    items[part] = item
            if item[0]:
                groups.append(item)
    names: list[str] = []
    pending: list[str] = []  # items waiting for the name whose suffix they share
    for group, waits in groups:
        if waits:
            pending.append(group[0])
            continue
        for item in pending:
            # An item closed by a bracketed alternative is complete: 各乡镇（街道）.
            # Before names joined by 和 it shares each suffix: 甲区、乙区党工委和管委会.
            for part in group:
                suffix = None if item.endswith(("）", ")")) else shared_suffix(v, item, part)
                names.append(item + suffix if suffix and not item.endswith(suffix) else item)
        pending = []
        names.extend(group)
    if not (cut and pending and _unfinished(v, pending[-1])):
        names.extend(pending)
    return list(dict.fromkeys(names))  # each name once, in order




def _read_item(v: BodyLexicon, part: str) -> tuple[list[str], bool]:
    """The names of one list item (what trails it dropped, split at 和/及 between two names)
    and whether it waits for a later item's suffix: one name, no body word or a place."""
    part = part.replace("\0", "、")
    stripped = strip_trailing(v, part.strip())
    part = strip_unbalanced(stripped.strip(" \t"))
    if part != stripped:  # what strip_trailing left it leaves as it is
        part = strip_trailing(v, part)
    for label in v.labels:
        part = label.sub("", part)
    if not any(ch.isalpha() for ch in part):
        return [], False  # a dash or a slash standing for an empty cell names nobody
    group = [p for p in _split_joined(v, part) if p] if part else []
    return group, len(group) == 1 and (not ends_with_body(v, group[0]) or is_place(v, group[0]))


def _unfinished(v: BodyLexicon, item: str) -> bool:
    """A last list item that may be cut short: no place, no level name (各镇), not closed by
    its bracketed alternative (各镇（街道）)."""
    return not (is_place(v, item) or item.startswith(v.level_prefixes) or item.endswith(_CLOSE_PARENS))


def _serves_before(v: BodyLexicon, chunk: str) -> bool:
    """An office of the bodies written before it, broken off by a cell wrap (县委县政府 督查室)."""
    found = body_word_at_end(v, chunk)
    return bool(found and v.tokens[found].word in v.joint_units and chunk[0] not in PLACE_LEVELS
                and not chunk.startswith(v.level_prefixes))


def has_stop_char(name: str) -> bool:
    """Whether `name` holds a character that never stands inside a body name (以下…, 的, 等), but
    for one between the fields of a division's name (固体废物与化学品管理处, 应对气候变化处)."""
    v = body_lexicon()
    # A name without an opening bracket (most) has no bracketed part: no call of the pattern.
    plain = _BRACKETED_ANY.sub("", name) if "(" in name or "（" in name else name
    if v.stop_chars.isdisjoint(plain):
        return False  # most names
    stops = [k for k, ch in enumerate(plain) if ch in v.stop_chars]
    return not (len(stops) == 1 and 0 < stops[0] < len(plain) - 2 and plain[-1] in v.divisions)


def as_written(name: str, fold: str, text: str, start: int = 0, end: int | None = None) -> str:
    """`name`, found or built on the fold of text[start:end], in the characters of `text`.

    A built name (各级检察院 from 各级法院和检察院) is made of pieces of the region in
    order: each piece is read back from where it stands.
    """
    end = len(fold) if end is None else end
    at = fold.find(name, start, end)
    if at >= 0:
        return text[at : at + len(name)]
    out: list[str] = []
    i, cursor = 0, start
    while i < len(name):
        j = len(name)
        while j > i and (at := fold.find(name[i:j], cursor, end)) < 0:
            j -= 1
        if j == i:  # a character not in the region: keep it as found
            out.append(name[i])
            i += 1
            continue
        out.append(text[at : at + j - i])
        cursor, i = at + j - i, j
    return "".join(out)


def ends_with_body_word(name: str) -> bool:
    """Whether `name` ends like the name of a body (…局, …委员会, 各…).

    For stages that must tell a list of bodies from prose (task tables).
    """
    return name.startswith("各") or ends_with_body(body_lexicon(), name)
