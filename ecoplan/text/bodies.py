"""Bodies: the body-word lexicon of plan text and the splitting of lists of names.

A body name in a plan is closed on the right by a body word (局, 委员会,
成员单位, 公安机关 …) from `ecoplan/vocab/departments.yaml`; this module
compiles those words once and splits a list of names (a 责任单位 cell, a
牵头单位：… clause) into names. Finding names in running text is the
departments parser's work; reading responsibility clauses is the tasks parser's.
"""

from __future__ import annotations

import re
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
from ecoplan.vocab import alternation, load

_LIST_SEPARATOR_RUN = regex.compile("[" + regex.escape(LIST_SEPARATORS) + r"\n]+")
# Punctuation after which a clause (and so a place as its subject) starts.
CLAUSE_PUNCT = "，。；：！？,;:!?）)】"
# A short bracketed list of places inside a name: 各县（市、区）人民政府.
BRACKET_BEFORE = regex.compile(r"[（(][\p{Han}、]{1,8}[）)]$")
_BRACKETED_LIST = regex.compile(r"[（(][\p{Han}、]{1,8}[）)]")
_CLOSER = dict(zip(OPEN_PARENS, CLOSE_PARENS, strict=True))
_OPENER = dict(zip(CLOSE_PARENS, OPEN_PARENS, strict=True))


@dataclass(frozen=True)
class BodyToken:
    word: str  # the base body word (局, 部门, 单位 …), key of not_before / not_after
    complete: bool  # a whole name without further modifier
    any_modifier: bool  # a generic word: any modifier except not_modifier
    min_len: int
    bare_in_list: bool
    relational: bool


@dataclass(frozen=True)
class BodyLexicon:
    # Body words run under stdlib `re`: it skips ahead by the set of first
    # characters, about five times faster here than `regex`.
    token_re: re.Pattern[str]
    end_re: re.Pattern[str]
    tokens: dict[str, BodyToken]
    not_before: dict[str, frozenset[str]]
    not_after: dict[str, frozenset[str]]
    not_modifier: dict[str, tuple[str, ...]]
    stop: frozenset[str]
    stop_lengths: tuple[int, ...]
    stop_chars: frozenset[str]
    joiners: frozenset[str]
    level_prefixes: tuple[str, ...]
    generic_prefixes: tuple[str, ...]
    determiners: frozenset[str]
    creation: frozenset[str]
    inner_creation: tuple[str, ...]
    place_re: regex.Pattern[str]
    # A place suffix right before an actor verb: a line without one cannot
    # match place_re, and the cheap search spares most lines the slow pattern.
    place_hint: re.Pattern[str]
    not_place: tuple[str, ...]
    trailing: tuple[regex.Pattern[str], ...]
    labels: tuple[regex.Pattern[str], ...]


def _trie_alt(words: list[str]) -> str:
    """The words as a prefix tree for stdlib `re` (局|厅|委员会 … → 委(?:员会)?…).

    Matches what `alternation` matches, the longest word at the leftmost position:
    at each node only one branch can take the next character, and a longer
    word is tried before the word that ends at the node. A flat alternation
    of ~226 words is tried word by word at every candidate position; the tree
    reads each character once, twice as fast over plan text.
    """
    root: dict[str, dict] = {}
    for word in set(words):
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def emit(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in node.items() if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


@cache
def body_lexicon() -> BodyLexicon:
    data = load("departments")
    complete = set(data.complete)
    relational = set(data.relational)
    tokens: dict[str, BodyToken] = {}
    not_modifier: dict[str, tuple[str, ...]] = {}

    def add(token: str, word: str, *, is_complete: bool, any_modifier: bool = False, min_len: int = 2,
            bare_in_list: bool = False) -> None:
        tokens[token] = BodyToken(word, is_complete or token in complete, any_modifier, min_len, bare_in_list,
                               token.endswith(tuple(relational)))

    for word in data.strong:
        add(word, word, is_complete=False)
    for word in complete:
        add(word, word, is_complete=True)
    for word, rule in data.weak.items():
        done = set(rule.complete)
        min_len = rule.min_len
        bare = rule.bare_in_list
        for head in rule.after:
            add(head + word, word, is_complete=head in done, min_len=min_len, bare_in_list=bare)
        if rule.any or bare:
            add(word, word, is_complete=False, any_modifier=rule.any, min_len=min_len, bare_in_list=bare)
        not_modifier[word] = tuple(rule.not_modifier)
    body_words = _trie_alt(list(tokens))
    actor_verbs = data.actor_verbs
    stop = frozenset(data.stop) | frozenset(data.creation)
    place_suffix = ACTOR_PLACE_SUFFIXES
    return BodyLexicon(
        token_re=re.compile(body_words),
        end_re=re.compile(f"(?:{body_words})$"),
        tokens=tokens,
        not_before={k: frozenset(v) for k, v in data.not_before.items()},
        not_after={k: frozenset(v) for k, v in data.not_after.items()},
        not_modifier=not_modifier,
        stop=stop,
        stop_lengths=tuple(sorted({len(w) for w in stop if len(w) > 1}, reverse=True)),
        stop_chars=frozenset(data.stop_chars),
        joiners=frozenset(data.joiners),
        level_prefixes=tuple(data.level_prefixes),
        generic_prefixes=tuple(data.generic_prefixes),
        determiners=frozenset(data.determiners),
        creation=frozenset(data.creation),
        inner_creation=tuple(data.creation_inside),
        place_re=regex.compile(
            rf"(?:(?<=^|[{regex.escape(CLAUSE_PUNCT)}])|^)"
            rf"((?:\p{{Han}}{{2,6}}?[{place_suffix}]、)*\p{{Han}}{{2,6}}?[{place_suffix}])"
            rf"(?=(?:{alternation(actor_verbs)}))"
        ),
        place_hint=re.compile(rf"[{place_suffix}](?:{alternation(actor_verbs)})"),
        not_place=tuple(data.not_place),
        trailing=tuple(regex.compile(p) for p in data.trailing),
        labels=tuple(regex.compile(p) for p in data.labels),
    )


def token_ok(v: BodyLexicon, text: str, start: int, end: int) -> bool:
    """Whether the token at text[start:end] is a body word and not part of a common word."""
    token = v.tokens[text[start:end]]
    before = v.not_before.get(token.word)
    if before and start > 0 and text[start - 1] in before:
        # 产业集团 and the like: two-character exclusions
        return False
    if before and start > 1 and text[start - 2 : start] in before:
        return False
    after = v.not_after.get(token.word)
    return not (after and end < len(text) and text[end] in after)


# ---------------------------------------------------------------------------
# Splitting a list of names (责任单位 cells, 牵头单位：… clauses)


def ends_with_body(v: BodyLexicon, part: str) -> bool:
    m = v.end_re.search(part)
    if m and token_ok(v, part, m.start(), m.end()):
        return True
    # A place that is itself the actor (瓦房店市、庄河市); 等/的… never stand inside a place name.
    return (len(part) >= 3 and part[-1] in PLACE_SUFFIXES and not part.endswith(v.not_place)
            and v.stop_chars.isdisjoint(part))


def strip_trailing(v: BodyLexicon, part: str) -> str:
    changed = True
    while changed and part:
        changed = False
        for pattern in v.trailing:
            new = pattern.sub("", part)
            if new != part:
                part, changed = new.strip(), True
    return part


def _split_joined(v: BodyLexicon, part: str) -> list[str]:
    """Split at 和/及 and at a new 各 where both sides are body names (各级法院和检察院)."""
    out: list[str] = []
    rest = part
    pos = 1
    while pos < len(rest) - 1:
        ch = rest[pos]
        cut = None
        if ch in JOINERS and not rest.startswith("其", pos + 1):
            left, right = rest[:pos], rest[pos + 1 :]
            if ends_with_body(v, left) and ends_with_body(v, right):
                cut = (pos, pos + 1)
        elif rest.startswith(v.level_prefixes, pos):
            left, right = rest[:pos], rest[pos:]
            if ends_with_body(v, left) and ends_with_body(v, right) and not is_relational_end(v, right):
                cut = (pos, pos)
        if cut:
            out.append(rest[: cut[0]])
            rest = rest[cut[1] :]
            pos = 1
        else:
            pos += 1
    out.append(rest)
    return out


def is_relational_end(v: BodyLexicon, name: str) -> bool:
    """各成员单位 and the like: members of the body named before them."""
    m = v.end_re.search(name)
    return bool(m and v.tokens[m.group()].relational and m.start() == 0)


def is_place(v: BodyLexicon, part: str) -> bool:
    """A place name and nothing more (瓦房店市, 金州区)."""
    return (len(part) >= 3 and part[-1] in PLACE_SUFFIXES and not part.endswith(v.not_place)
            and v.stop_chars.isdisjoint(part) and not v.end_re.search(part))


def shared_suffix(v: BodyLexicon, bare: str, last: str) -> str | None:
    """The part of `last` that a bare list item before it shares (临汾、侯马经济开发区管委会).

    A place item shares only what follows the place in `last`
    (金州区、普兰店区生态环境分局); a place list (瓦房店市、庄河市) shares nothing.
    """
    candidates: list[int] = []
    if bare[-1] in PLACE_SUFFIXES:
        j = last.find(bare[-1], 1)
        if 0 < j < min(len(last) - 2, 6):
            candidates.append(j + 1)
        if is_place(v, bare):
            suffix = last[candidates[0] :] if candidates else ""
            return suffix if len(suffix) >= 2 and ends_with_body(v, suffix) else None
    candidates.append(len(bare))
    for k in candidates:
        suffix = last[k:]
        if len(suffix) >= 2 and ends_with_body(v, suffix):
            return suffix
    m = v.end_re.search(last)
    return m.group() if m and m.start() > 0 else None


def strip_unbalanced(part: str) -> str:
    """Drop brackets left over at the ends by splitting, keep balanced ones: 各镇（街道）."""
    while part and part[0] in OPEN_PARENS and part.count(part[0]) > part.count(_CLOSER[part[0]]):
        part = part[1:]
    while part and part[-1] in CLOSE_PARENS and part.count(part[-1]) > part.count(_OPENER[part[-1]]):
        part = part[:-1]
    while part.startswith(tuple(OPEN_PARENS)) and part.endswith(tuple(CLOSE_PARENS)):
        part = part[1:-1]  # a whole bracketed name (牵头) -> 牵头
    return part


def split_names(cell: str) -> list[str]:
    """Split a list of body names (a 责任单位 cell, a 牵头单位：… clause) into names.

    Splits at 、，；, at 和/及 only between two body names, drops trailing
    等 / 等成员单位按照职责分工负责 / （牵头）, and distributes a suffix shared by
    a 、 list: 临汾、侯马经济开发区管委会 → 临汾经济开发区管委会, 侯马经济开发区管委会.
    """
    v = body_lexicon()
    text = cell.strip()
    for label in v.labels:
        text = label.sub("", text)
    # Spaces inside a cell are layout, unless they separate two whole names.
    chunks = [c for c in RE_WHITESPACE.split(text) if c]
    joined: list[str] = []
    for chunk in chunks:
        if joined and not (ends_with_body(v, joined[-1]) and ends_with_body(v, strip_trailing(v, chunk))):
            joined[-1] += chunk
        else:
            joined.append(chunk)
    parts: list[str] = []
    for piece in joined:
        # Keep 、 inside a bracketed place list (各县（市、区）人民政府).
        piece = _BRACKETED_LIST.sub(lambda m: m.group().replace("、", "\0"), piece)
        for part in _LIST_SEPARATOR_RUN.split(piece):
            part = part.replace("\0", "、")
            part = strip_trailing(v, strip_unbalanced(strip_trailing(v, part.strip()).strip(" \t")))
            for label in v.labels:
                part = label.sub("", part)
            if part:
                parts.extend(p for p in _split_joined(v, part) if p)
    names: list[str] = []
    pending: list[str] = []  # items waiting for the name whose suffix they share
    for part in parts:
        if not ends_with_body(v, part) or is_place(v, part):
            pending.append(part)
            continue
        for item in pending:
            # An item closed by a bracketed alternative is complete: 各乡镇（街道）.
            suffix = None if item.endswith(("）", ")")) else shared_suffix(v, item, part)
            names.append(item + suffix if suffix and not item.endswith(suffix) else item)
        pending = []
        names.append(part)
    names.extend(pending)
    seen: set[str] = set()
    return [n for n in names if not (n in seen or seen.add(n))]  # type: ignore[func-returns-value]




def ends_with_body_word(name: str) -> bool:
    """Whether `name` ends like the name of a body (…局, …委员会, 各…).

    For stages that must tell a list of bodies from prose (task tables).
    """
    return name.startswith("各") or ends_with_body(body_lexicon(), name)
