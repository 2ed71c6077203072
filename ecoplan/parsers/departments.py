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

import re
from dataclasses import dataclass
from functools import cache

import regex

from ecoplan.normalise import Document
from ecoplan.schema import Department, Task
from ecoplan.vocab import alternation, load

_MAX_NAME = 32
_CLAUSE_PUNCT = "，。；：！？,;:!?）)】"
_LIST_SEPARATORS = regex.compile(r"[、，,；;/／\n]+")
_WHITESPACE = regex.compile(r"\s+")
_COLONS = "：:"
# A short bracketed list of places inside a name: 各县（市、区）人民政府.
_BRACKET_BEFORE = regex.compile(r"[（(][\p{Han}、]{1,8}[）)]$")
_BRACKETED_LIST = regex.compile(r"[（(][\p{Han}、]{1,8}[）)]")
# The marks that open and close 《…》 titles and “…” quotations.
_QUOTE_MARKS = re.compile(r'[《》“”"＂]')


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or ch >= "\U00020000"


@dataclass(frozen=True)
class _Token:
    word: str  # the base body word (局, 部门, 单位 …), key of not_before / not_after
    complete: bool  # a whole name without further modifier
    any_modifier: bool  # a generic word: any modifier except not_modifier
    min_len: int
    bare_in_list: bool
    relational: bool


@dataclass(frozen=True)
class _Vocab:
    # Body words run under stdlib `re`: it skips ahead by the set of first
    # characters, about five times faster here than `regex`.
    token_re: re.Pattern[str]
    end_re: re.Pattern[str]
    tokens: dict[str, _Token]
    not_before: dict[str, frozenset[str]]
    not_after: dict[str, frozenset[str]]
    not_modifier: dict[str, tuple[str, ...]]
    stop: frozenset[str]
    stop_lengths: tuple[int, ...]
    stop_chars: frozenset[str]
    joiners: frozenset[str]
    level_prefixes: tuple[str, ...]
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
def _vocab() -> _Vocab:
    data = load("departments")
    complete = set(data.get("complete") or [])
    relational = set(data.get("relational") or [])
    tokens: dict[str, _Token] = {}
    not_modifier: dict[str, tuple[str, ...]] = {}

    def add(token: str, word: str, *, is_complete: bool, any_modifier: bool = False, min_len: int = 2,
            bare_in_list: bool = False) -> None:
        tokens[token] = _Token(word, is_complete or token in complete, any_modifier, min_len, bare_in_list,
                               token.endswith(tuple(relational)))

    for word in data.get("strong") or []:
        add(word, word, is_complete=False)
    for word in complete:
        add(word, word, is_complete=True)
    for word, rule in (data.get("weak") or {}).items():
        rule = rule or {}
        done = set(rule.get("complete") or [])
        min_len = int(rule.get("min_len", 2))
        bare = bool(rule.get("bare_in_list"))
        for head in rule.get("after") or []:
            add(head + word, word, is_complete=head in done, min_len=min_len, bare_in_list=bare)
        if rule.get("any") or bare:
            add(word, word, is_complete=False, any_modifier=bool(rule.get("any")), min_len=min_len,
                bare_in_list=bare)
        not_modifier[word] = tuple(rule.get("not_modifier") or [])
    body_words = _trie_alt(list(tokens))
    actor_verbs = data.get("actor_verbs") or ["要"]
    stop = frozenset(data.get("stop") or []) | frozenset(data.get("creation") or [])
    place_suffix = "市区县旗州"
    return _Vocab(
        token_re=re.compile(body_words),
        end_re=re.compile(f"(?:{body_words})$"),
        tokens=tokens,
        not_before={k: frozenset(v) for k, v in (data.get("not_before") or {}).items()},
        not_after={k: frozenset(v) for k, v in (data.get("not_after") or {}).items()},
        not_modifier=not_modifier,
        stop=stop,
        stop_lengths=tuple(sorted({len(w) for w in stop if len(w) > 1}, reverse=True)),
        stop_chars=frozenset(data.get("stop_chars") or ""),
        joiners=frozenset(data.get("joiners") or "和及"),
        level_prefixes=tuple(data.get("level_prefixes") or ["各"]),
        creation=frozenset(data.get("creation") or []),
        inner_creation=tuple(data.get("creation_inside") or []),
        place_re=regex.compile(
            rf"(?:(?<=^|[{regex.escape(_CLAUSE_PUNCT)}])|^)"
            rf"((?:\p{{Han}}{{2,6}}?[{place_suffix}]、)*\p{{Han}}{{2,6}}?[{place_suffix}])"
            rf"(?=(?:{alternation(actor_verbs)}))"
        ),
        place_hint=re.compile(rf"[{place_suffix}](?:{alternation(actor_verbs)})"),
        not_place=tuple(data.get("not_place") or []),
        trailing=tuple(regex.compile(p) for p in data.get("trailing") or []),
        labels=tuple(regex.compile(p) for p in data.get("labels") or []),
    )


def _token_ok(v: _Vocab, text: str, start: int, end: int) -> bool:
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


def _ends_with_body(v: _Vocab, part: str) -> bool:
    m = v.end_re.search(part)
    if m and _token_ok(v, part, m.start(), m.end()):
        return True
    # A place that is itself the actor (瓦房店市、庄河市); 等/的… never stand inside a place name.
    return (len(part) >= 3 and part[-1] in "市区县旗州省" and not part.endswith(v.not_place)
            and v.stop_chars.isdisjoint(part))


def _strip_trailing(v: _Vocab, part: str) -> str:
    changed = True
    while changed and part:
        changed = False
        for pattern in v.trailing:
            new = pattern.sub("", part)
            if new != part:
                part, changed = new.strip(), True
    return part


def _split_joined(v: _Vocab, part: str) -> list[str]:
    """Split at 和/及 and at a new 各 where both sides are body names (各级法院和检察院)."""
    out: list[str] = []
    rest = part
    pos = 1
    while pos < len(rest) - 1:
        ch = rest[pos]
        cut = None
        if ch in "和及与" and not rest.startswith("其", pos + 1):
            left, right = rest[:pos], rest[pos + 1 :]
            if _ends_with_body(v, left) and _ends_with_body(v, right):
                cut = (pos, pos + 1)
        elif rest.startswith(v.level_prefixes, pos):
            left, right = rest[:pos], rest[pos:]
            if _ends_with_body(v, left) and _ends_with_body(v, right) and not _is_relational_end(v, right):
                cut = (pos, pos)
        if cut:
            out.append(rest[: cut[0]])
            rest = rest[cut[1] :]
            pos = 1
        else:
            pos += 1
    out.append(rest)
    return out


def _is_relational_end(v: _Vocab, name: str) -> bool:
    """各成员单位 and the like: members of the body named before them."""
    m = v.end_re.search(name)
    return bool(m and v.tokens[m.group()].relational and m.start() == 0)


def _is_place(v: _Vocab, part: str) -> bool:
    """A place name and nothing more (瓦房店市, 金州区)."""
    return (len(part) >= 3 and part[-1] in "市区县旗州省" and not part.endswith(v.not_place)
            and v.stop_chars.isdisjoint(part) and not v.end_re.search(part))


def _shared_suffix(v: _Vocab, bare: str, last: str) -> str | None:
    """The part of `last` that a bare list item before it shares (临汾、侯马经济开发区管委会).

    A place item shares only what follows the place in `last`
    (金州区、普兰店区生态环境分局); a place list (瓦房店市、庄河市) shares nothing.
    """
    candidates: list[int] = []
    if bare[-1] in "省市区县州旗":
        j = last.find(bare[-1], 1)
        if 0 < j < min(len(last) - 2, 6):
            candidates.append(j + 1)
        if _is_place(v, bare):
            suffix = last[candidates[0] :] if candidates else ""
            return suffix if len(suffix) >= 2 and _ends_with_body(v, suffix) else None
    candidates.append(len(bare))
    for k in candidates:
        suffix = last[k:]
        if len(suffix) >= 2 and _ends_with_body(v, suffix):
            return suffix
    m = v.end_re.search(last)
    return m.group() if m and m.start() > 0 else None


def _strip_unbalanced(part: str) -> str:
    """Drop brackets left over at the ends by splitting, keep balanced ones: 各镇（街道）."""
    while part and part[0] in "（(" and part.count(part[0]) > part.count("）" if part[0] == "（" else ")"):
        part = part[1:]
    while part and part[-1] in "）)" and part.count(part[-1]) > part.count("（" if part[-1] == "）" else "("):
        part = part[:-1]
    while part.startswith(("（", "(")) and part.endswith(("）", ")")):
        part = part[1:-1]  # a whole bracketed name (牵头) -> 牵头
    return part


def split_names(cell: str) -> list[str]:
    """Split a list of body names (a 责任单位 cell, a 牵头单位：… clause) into names.

    Splits at 、，；, at 和/及 only between two body names, drops trailing
    等 / 等成员单位按照职责分工负责 / （牵头）, and distributes a suffix shared by
    a 、 list: 临汾、侯马经济开发区管委会 → 临汾经济开发区管委会, 侯马经济开发区管委会.
    """
    v = _vocab()
    text = cell.strip()
    for label in v.labels:
        text = label.sub("", text)
    # Spaces inside a cell are layout, unless they separate two whole names.
    chunks = [c for c in _WHITESPACE.split(text) if c]
    joined: list[str] = []
    for chunk in chunks:
        if joined and not (_ends_with_body(v, joined[-1]) and _ends_with_body(v, _strip_trailing(v, chunk))):
            joined[-1] += chunk
        else:
            joined.append(chunk)
    parts: list[str] = []
    for piece in joined:
        # Keep 、 inside a bracketed place list (各县（市、区）人民政府).
        piece = _BRACKETED_LIST.sub(lambda m: m.group().replace("、", "\0"), piece)
        for part in _LIST_SEPARATORS.split(piece):
            part = part.replace("\0", "、")
            part = _strip_trailing(v, _strip_unbalanced(_strip_trailing(v, part.strip()).strip(" \t")))
            for label in v.labels:
                part = label.sub("", part)
            if part:
                parts.extend(p for p in _split_joined(v, part) if p)
    names: list[str] = []
    pending: list[str] = []  # items waiting for the name whose suffix they share
    for part in parts:
        if not _ends_with_body(v, part) or _is_place(v, part):
            pending.append(part)
            continue
        for item in pending:
            # An item closed by a bracketed alternative is complete: 各乡镇（街道）.
            suffix = None if item.endswith(("）", ")")) else _shared_suffix(v, item, part)
            names.append(item + suffix if suffix and not item.endswith(suffix) else item)
        pending = []
        names.append(part)
    names.extend(pending)
    seen: set[str] = set()
    return [n for n in names if not (n in seen or seen.add(n))]  # type: ignore[func-returns-value]


# ---------------------------------------------------------------------------
# Finding names in running text


@dataclass
class _Mention:
    name: str
    start: int  # index into Document.text
    end: int


def _excluded(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of 《…》 titles and “…” quotations in text[start:end]."""
    out: list[tuple[int, int]] = []
    depth = 0
    open_at = 0
    quote_at = -1
    ascii_at = -1
    for m in _QUOTE_MARKS.finditer(text, start, end):
        i = m.start()
        ch = text[i]
        if ch == "《":
            if depth == 0:
                open_at = i
            depth += 1
        elif ch == "》" and depth:
            depth -= 1
            if depth == 0:
                out.append((open_at, i + 1))
        elif ch == "“":
            quote_at = i
        elif ch == "”" and quote_at >= 0:
            out.append((quote_at, i + 1))
            quote_at = -1
        elif ch in "\"＂":
            if ascii_at >= 0:
                out.append((ascii_at, i + 1))
                ascii_at = -1
            else:
                ascii_at = i
    if depth:
        out.append((open_at, end))
    return out


def _stop_before(v: _Vocab, text: str, pos: int, floor: int) -> str | None:
    """The stop word ending at `pos`, if any."""
    for k in v.stop_lengths:
        if pos - k >= floor and text[pos - k : pos] in v.stop:
            return text[pos - k : pos]
    ch = text[pos - 1]
    if ch in v.stop_chars or ch in v.stop:
        return ch
    return None


def _scan_line(v: _Vocab, text: str, lo: int, hi: int, out: list[_Mention]) -> None:
    """Find body names in text[lo:hi] (one logical line or one table cell)."""
    skip = _excluded(text, lo, hi)
    matches = []
    for m in v.token_re.finditer(text, lo, hi):
        if any(a < m.end() and m.start() < b for a, b in skip):
            continue
        if _token_ok(v, text, m.start(), m.end()):
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


def _extend(v: _Vocab, text: str, lo: int, ts: int, te: int, token: _Token, ends: dict[int, int]) -> _Mention | None:
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
        if ch in "）)":
            m = _BRACKET_BEFORE.search(text, max(lo, start - 10), start)
            if m and m.start() > lo and _is_han(text[m.start() - 1]):
                start = m.start()  # 各县（市、区）人民政府
                continue
        if not _is_han(ch):
            break
        partial = text[start:te]
        if partial.startswith(v.level_prefixes) and not (token.relational and start in ends):
            break
        if start in ends:
            if start < ts and partial[0] in "市省区县州":
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
    if te < len(text) and text[te] in _COLONS and any(lab.match(name + text[te]) for lab in v.labels):
        return None  # 牵头单位：… is a label
    generic = name.startswith((*v.level_prefixes, "有关", "相关"))
    if boundary in v.creation and not generic:
        return None  # 成立工作专班, 建立…中心: set up by the plan
    for verb in v.inner_creation:
        if name.startswith(verb) and len(name) - len(verb) > te - ts:
            return None  # 建设全国碳市场辽宁服务中心
    return _Mention(name, start, te)


def _place_before(v: _Vocab, text: str, lo: int, pos: int) -> bool:
    """Whether the Han run ending at `pos` is a place, which split_names also treats as a name."""
    k = pos
    while k > lo and pos - k < _MAX_NAME and _is_han(text[k - 1]) and text[k - 1] not in v.joiners:
        k -= 1
    return _is_place(v, text[k:pos])


def _scan_places(v: _Vocab, text: str, lo: int, hi: int, out: list[_Mention]) -> None:
    """Places named as the subject of a clause (瓦房店市、庄河市力争…)."""
    if not v.place_hint.search(text, lo, hi):
        return
    for m in v.place_re.finditer(text, lo, hi):
        pos = m.start(1)
        for place in m.group(1).split("、"):
            if (not place.endswith(v.not_place) and place[:-1] not in ("全", "我", "本", "各")
                    and v.stop_chars.isdisjoint(place)):
                out.append(_Mention(place, pos, pos + len(place)))
            pos += len(place) + 1


def _distribute(v: _Vocab, text: str, lo: int, mention: _Mention, out: list[_Mention]) -> None:
    """临汾、侯马经济开发区管委会 in running text names 临汾经济开发区管委会 too."""
    end = mention.start
    heads: list[tuple[int, str]] = []
    while end - 1 > lo and text[end - 1] == "、":
        start = end - 1
        while start > lo and _is_han(text[start - 1]) and not _stop_before(v, text, start, lo):
            start -= 1
        bare = text[start : end - 1]
        if not (2 <= len(bare) <= 6) or v.token_re.search(bare) or _ends_with_body(v, bare):
            break
        heads.append((start, bare))
        end = start
    if not heads:
        return
    suffix = _shared_suffix(v, heads[0][1], mention.name)
    if not suffix or suffix == mention.name:
        return
    for start, bare in heads:
        out.append(_Mention(bare + suffix, start, mention.end))


def _find(doc: Document) -> list[_Mention]:
    v = _vocab()
    text = doc.text
    out: list[_Mention] = []
    for line in doc.lines:
        if line.is_table:
            pos = line.start
            for cell in text[line.start : line.end].split("\t"):
                end = pos + len(cell)
                if not _scan_cell(v, text, pos, end, out):
                    _scan_line(v, text, pos, end, out)
                pos = end + 1
            continue
        before = len(out)
        _scan_line(v, text, line.start, line.end, out)
        for mention in out[before:]:
            if text[mention.start - 1 : mention.start] == "、":
                _distribute(v, text, line.start, mention, out)
        _scan_places(v, text, line.start, line.end, out)
    return out


def ends_with_body_word(name: str) -> bool:
    """Whether `name` ends like the name of a body (…局, …委员会, 各…), by this family's vocabulary.

    For other rule families (task tables) that must tell a list of bodies from prose.
    """
    return name.startswith("各") or _ends_with_body(_vocab(), name)


def _is_name(v: _Vocab, name: str) -> bool:
    """Whether `name` on its own reads as one whole body name (or an actor place)."""
    if len(name) > _MAX_NAME:
        return False
    if _is_place(v, name):
        return True
    found: list[_Mention] = []
    _scan_line(v, name, 0, len(name), found)
    return any(m.start == 0 and m.end == len(name) for m in found)


def _scan_cell(v: _Vocab, text: str, lo: int, hi: int, out: list[_Mention]) -> bool:
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


def extract_departments(doc: Document, tasks: list[Task]) -> list[Department]:
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
                if name in order and order[name][1] == 0:
                    order[name][1] = 1
                continue
            at = doc.text.find(name)
            if at >= 0:
                span = doc.span(at, at + len(name))
                order[name] = [span[0], 1, doc.lineno(at), span]
            else:
                order[name] = [task.span[0], 1, task.line, tuple(task.span)]
    ranked = sorted(order.items(), key=lambda item: item[1][0])
    return [Department(name=name, mentions=n, line=line, span=span) for name, (_, n, line, span) in ranked]
