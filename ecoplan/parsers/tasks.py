"""Tasks with responsibility (spec section 6): 措施清单 tables and labelled items.

Two sources of tasks:

* Tab-separated tables. Columns are mapped by the words of the header row
  (序号 / 目标任务 / 工作措施 / 责任单位 …), never by position, so tables from
  other cities with other column orders read the same. A row whose leading
  cells are empty continues the 序号 group above it (it inherits the goal and,
  for vertically merged cells, the departments); a cell broken onto the next
  physical line is glued back to its row. A table without a recognised header
  is read by shape: the last cell that lists departments, the longest other
  cell as the measure.
* Prose items followed by a responsibility clause: `牵头单位：…；配合单位：…`
  on the next line, the same in brackets `（…）` / `〔…〕` at the end of the
  item, or the verb form `（市环保局牵头，市经信委配合，各县人民政府负责落实）`.

Names are split by `ecoplan.text.bodies.split_names`; cells come typed on the
document's table-row blocks. Words are data in
`ecoplan/vocab/tables.yaml`; patterns are compiled once, and the document is
read line by line in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from typing import Any

import regex

from ecoplan.schema import Task
from ecoplan.text.bodies import NameReadings, as_written, ends_with_body_word, has_stop_char, split_names
from ecoplan.text.clauses import first_of, last_of
from ecoplan.text.document import Block, Document
from ecoplan.text.lexicon import (
    CLOSE_ANY,
    CLOSE_PARENS,
    CN_ONE_TO_TEN,
    COLONS,
    JOINERS,
    OPEN_ANY,
    OPEN_PARENS,
    PADDING,
    RE_WHITESPACE,
    attachment_words,
    char_class,
    squash,
)
from ecoplan.text.markers import MARKER_FIRST, match_marker
from ecoplan.text.normalise import FOLD_TABLE
from ecoplan.text.patterns import lazy_re, lazy_regex
from ecoplan.text.records import rule_record
from ecoplan.vocab import alternation, load, trie_alternation

_WS = PADDING
# A 序号 cell: an Arabic or Chinese number, maybe with its punctuation.
_OPEN, _CLOSE = char_class(OPEN_PARENS), char_class(CLOSE_PARENS)
RE_SEQ = lazy_regex(rf"{_OPEN}?(?:\d{{1,3}}+|[{CN_ONE_TO_TEN}]++)(?:{_CLOSE}|[.．、])?")

# What parts one group of bodies from the next in a role list (、 joins the bodies within a group).
_GROUP_SEPARATORS = ("，", ",")
# What may end a line after its last sentence (a full stop, spaces).
_SENTENCE_TRAIL = "。. \t"
_CLAUSE_SEP = lazy_regex(r"[,，;；]")
# A bracket inside a clause that is an alternative of a name (各镇（街道）, 各县（市、区）);
# any other bracket there is a remark (（排在首位者牵头，下同）).
RE_ALTERNATIVE = lazy_regex(r"[(（][\p{Han}、]{1,8}[)）]")
_TRIM = _WS + ",，;；。、:："
# What _item_range drops from an item's end.
_ITEM_SEPARATORS = ",，;；、:："
# Any bracket, an opening one, and a run up to the last closing one: where brackets stand in a line.
_RE_BRACKET_CHAR = lazy_re(char_class(OPEN_ANY + CLOSE_ANY))
_RE_PAREN_CHAR = lazy_re(char_class(OPEN_PARENS + CLOSE_PARENS))
_RE_SENTENCE_CUT_CHAR = lazy_re(char_class(OPEN_ANY + CLOSE_ANY + "。"))
# Where a sentence starts inside a line with a character a marker can start with: after 。；!?
# and the spaces following it (a marker there opens an item). Each match ends where such a
# sentence starts; the standard `re` engine makes far fewer costly match objects than a
# lookbehind on every position, and the sentences no marker could open make none.
RE_SENTENCE_END = lazy_re(rf"[。；;!！?？][ ]*+(?=[{re.escape(''.join(sorted(MARKER_FIRST)))}])")
# Mid-line a circled number enumerates points inside the item (X。①…;②…): it opens no item
# (an item that follows a responsibility clause starts at the clause's end anyway).
INNER_ENUMERATION = "①②③④⑤⑥⑦⑧⑨⑩"
# The word that opens a clause of roles at the head of an item (由A统筹，B负责，…).
_HEAD_CLAUSE_OPEN = "由"
# A clause at the head of an item, with the comma that ends it.
RE_HEAD_CLAUSE = lazy_regex(r"[^,;。]++[,;]?")
# A cell of a flattened table this long, or holding one of these marks, is a measure.
_PROSE_CELL = 15
_PROSE_MARKS = "。.,;、:"
# A flattened stream with more than one cell in this many a bare punctuation mark is garbled.
_GARBLED_SHARE = 10
# A heading alone on its line is a short title, not a paragraph.
_HEADING_MAX = 40
# Marks inside a line that make it a sentence or a label, not a bare title.
_NOT_IN_HEADING = frozenset("。，,；;：:")


@rule_record
class _Rules:
    header_exact: dict[str, str]  # header word -> column role
    # Literal words: the standard engine finds them several times faster than `regex`; as a trie, a
    # position is tried against one branch per first character, not against each of the words.
    header_search: re.Pattern[str]
    lead_header: re.Pattern[str]  # a line without a lead column word opens no flattened table
    # How far before a line's first role word a lead column word can start, when each of them holds
    # a role word (责任单位 holds 责任单位, 主要责任单位 too): a line without a role word holds none.
    lead_header_reach: int | None
    label_role: dict[str, str]  # 牵头单位 -> lead
    label: regex.Pattern[str]  # a role label followed by its colon
    label_at_start: re.Pattern[str]  # tried on every line: the standard engine is faster here
    record_label: re.Pattern[str]  # 问题1：, which opens a record of fields (an item without a marker)
    record_label_firsts: frozenset[str]  # the characters a match of it can start with
    label_at_start_firsts: frozenset[str]  # the characters a match of it can start with
    # A label after a sentence end, not bracketed; the match starts at the sentence end (one
    # character before the label): a pattern opening with a character class is scanned for far
    # faster than one opening with a condition on the character before.
    label_in_line: re.Pattern[str]
    label_in_line_ends: str  # what closes the label of every match of label_in_line (its colon, 】), folded
    # The brackets as folded text holds them: the prefilters search for each, and fold has no full-width form.
    open_folded: str
    close_folded: str
    # A closing bracket or the end of a label (label_in_line_ends), in folded text: one search tells whether a
    # line holds either after its first role word, where a bracketed clause or a labelled one would.
    bracket_or_label_end: re.Pattern[str]
    bracket: re.Pattern[str]  # the standard engine reads a bracket's content a third faster
    role_hint: re.Pattern[str]  # cheap test: could this bracket (or line) assign work?
    verb_role: dict[str, str]
    verb_tail: int  # the longest role word with its complement: how far from its end verb_at_end reaches
    # The standard engine: asked of a few characters of many sentences, a call of it costs a fraction of a `regex` one.
    verb_at_end: re.Pattern[str]
    verb_ends: frozenset[str]  # the last characters of role words and complements: where verb_at_end can end
    noise_at_end: regex.Pattern[str]
    max_name_length: int
    not_cell_wrap: regex.Pattern[str]
    convention: regex.Pattern[str]  # 排在首位者牵头: the first name leads, the rest support
    lead_mark: regex.Pattern[str]  # a lead marked inside a responsibility cell: 市生态环境局（牵头）
    lead_marks: tuple[str, ...]  # the words of lead_mark: a text without one holds no match
    name_leads: tuple[str, ...]


def _folded(chars: str) -> str:
    """`chars` as folded text holds them, each once: a full-width form stands there as its ASCII twin."""
    return "".join(dict.fromkeys(chars.translate(FOLD_TABLE)))


@cache
def _rules() -> _Rules:
    v = load("tables")
    header_exact = {w: role for role, words in v.header.items() for w in words}
    labels = {w: "lead" for w in v.lead_labels} | {w: "support" for w in v.support_labels}
    verbs = {w: "lead" for w in v.lead_verbs} | {w: "support" for w in v.support_verbs}
    label_alt = alternation(list(labels))
    any_label = alternation([*labels, *v.other_labels])
    label_ends = "】:："  # what closes a label of label_in_line
    return _Rules(
        header_exact=header_exact,
        header_search=lazy_re(trie_alternation(list(header_exact))),
        lead_header=lazy_re(trie_alternation(v.header["lead"])),
        lead_header_reach=(max(len(w) for w in v.header["lead"]) - 1
                           if all(any(r in w for r in [*labels, *verbs]) for w in v.header["lead"]) else None),
        label_role=labels,
        # `牵头单位：` or `【牵头单位】`; other labels (完成时限：) mark segments that name no one.
        label=lazy_regex(rf"【[ ]*+(?P<label>{any_label})[ ]*+】|(?P<label>{any_label})[ ]*+[:：]"),
        record_label=lazy_re(rf"[ ]*+(?:{alternation(v.record_labels)})[ ]*+\d{{1,3}}+[ ]*+[:：.．、]"),
        record_label_firsts=frozenset(" " + "".join(w[:1] for w in v.record_labels)),
        label_at_start=lazy_re(
            rf"[ ]*+(?:【[ ]*+(?:{any_label})[ ]*+】|[{re.escape(OPEN_ANY)}]?[ ]*+(?:{any_label})[ ]*+[:：])"
        ),
        # A set lookup of a line's first character spares most lines a match that fails.
        label_at_start_firsts=frozenset(" 【" + OPEN_ANY + "".join(w[0] for w in [*labels, *v.other_labels] if w)),
        label_in_line=lazy_re(rf"[。;；][ ]*+(?:【[ ]*+(?:{label_alt})[ ]*+】|(?:{label_alt})[ ]*+[:：])"),
        label_in_line_ends=_folded(label_ends),
        open_folded=_folded(OPEN_ANY),
        close_folded=_folded(CLOSE_ANY),
        bracket_or_label_end=lazy_re(char_class(_folded(CLOSE_ANY + label_ends))),
        # One level of nesting is allowed: （…各县（市、区）人民政府负责落实）.
        bracket=lazy_re(
            rf"{char_class(OPEN_ANY)}(?P<c>(?:{char_class(OPEN_ANY + CLOSE_ANY + chr(10), negate=True)}"
            rf"|{_OPEN}{char_class(OPEN_PARENS + CLOSE_PARENS + chr(10), negate=True)}{{1,20}}+{_CLOSE}){{2,300}}+)"
            rf"{char_class(CLOSE_ANY)}"
        ),
        # As a trie: searched over every prose line. Only whether and where a role word starts is
        # asked of it, never which word it is.
        role_hint=lazy_re(trie_alternation([*labels, *verbs])),
        verb_role=verbs,
        verb_tail=max(map(len, verbs)) + max(map(len, v.role_complements), default=0),
        verb_at_end=lazy_re(
            rf"(?P<verb>{alternation(list(verbs))})(?:{alternation(v.role_complements) or '(?!)'})?$"
        ),
        verb_ends=frozenset(w[-1] for w in [*verbs, *v.role_complements]),
        convention=lazy_regex("|".join(v.first_is_lead) or "(?!)"),
        noise_at_end=lazy_regex(rf"(?:{alternation(v.name_noise)})$"),
        max_name_length=v.max_name_length,
        # Lines that never continue a table cell: attachments, captions (表1), notes.
        lead_mark=lazy_regex(rf"{_OPEN}\s*+(?:{alternation(v.lead_marks)})\s*+{_CLOSE}"),
        lead_marks=tuple(v.lead_marks),
        name_leads=tuple(v.name_leads),
        not_cell_wrap=lazy_regex(rf"(?:{alternation([*attachment_words(), *v.not_cell_wrap])}|表\s*\d)"),
    )


# ---------------------------------------------------------------- responsibility clauses


# A document's list items and cells already read by split_names (split_names' `items`):
# a 责任单位 column and the clauses below items name the same bodies row after row.
_NameItems = NameReadings


def _names(rules: _Rules, text: str, *, cut: bool = False, items: _NameItems | None = None) -> list[str]:
    text = text.strip(_TRIM)
    for word in rules.name_leads:
        text = text.removeprefix(word)
    while (m := rules.noise_at_end.search(text)) and m.start() > 0:
        text = text[: m.start()].rstrip(_TRIM)
    return [n for n in split_names(text, cut=cut, items=items) if n]


def _plausible(rules: _Rules, names: list[str]) -> bool:
    """Names that read like bodies: short, no sentence punctuation, no verb or particle inside."""
    return bool(names) and all(
        len(n) <= rules.max_name_length and not RE_WHITESPACE.search(n) and not has_stop_char(n) for n in names
    )


def _drop_remarks(text: str) -> str:
    """The clause without remarks in brackets (（排在首位者牵头，下同）): a bracket that is
    no alternative of a name (各镇（街道）, 各县（市、区）) holds prose."""
    out: list[str] = []
    opened: list[int] = []  # start of each open bracket, in `text`
    keep_from = 0
    for m in _RE_PAREN_CHAR.finditer(text):  # the brackets only, not every character
        i = m.start()
        if m.group() in OPEN_PARENS:
            opened.append(i)
        elif opened:
            start = opened.pop()
            if not opened and not RE_ALTERNATIVE.fullmatch(text, start, i + 1):
                out.append(text[keep_from:start])
                keep_from = i + 1
    out.append(text[keep_from:])
    return "".join(out)


def _sentences(text: str) -> list[str]:
    """`text` cut at 。 outside brackets."""
    out: list[str] = []
    depth = 0
    start = 0
    for m in _RE_SENTENCE_CUT_CHAR.finditer(text):  # brackets and 。 only, not every character
        ch, i = m.group(), m.start()
        if ch in OPEN_ANY:
            depth += 1
        elif ch in CLOSE_ANY:
            depth = max(depth - 1, 0)
        elif depth == 0:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return [t for t in out if t.strip(_TRIM)]


def parse_roles(
    text: str, *, fold: str | None = None, cut: bool = False, items: _NameItems | None = None
) -> tuple[list[str], list[str]] | None:
    """(lead, support) named by a responsibility clause, or None when `text` is not one.

    Label form: `牵头单位：A、B；配合单位：C`. Verb form: `A牵头，B、C配合，D负责落实`,
    `由A统筹，B负责`. Remarks are dropped: a bracket of prose inside the clause and
    a sentence after it that names no roles (`以下各项任务均由…落实，不再重复`).
    With `cut` the clause runs into the end of the text: an unfinished last name is
    dropped, and a last group left without its role word after a lead group supports.
    `items` keeps the list items read for the next clause of the same document.
    """
    if fold is not None and fold != text:
        roles = parse_roles(fold, cut=cut, items=items)  # matched on the fold, names read back as written
        if roles is None:
            return None
        return ([as_written(n, fold, text) for n in roles[0]], [as_written(n, fold, text) for n in roles[1]])
    sentences = _sentences(_drop_remarks(text))
    lead: list[str] = []
    support: list[str] = []
    for k, sentence in enumerate(sentences):
        roles = _sentence_roles(sentence, cut=cut and k == len(sentences) - 1, items=items)
        if roles is None:
            if k == 0:
                return None
            break  # a remark after the roles
        _add(lead, roles[0])
        _add(support, roles[1])
    return (lead, support) if lead or support else None


def _sentence_roles(text: str, *, cut: bool, items: _NameItems | None,
                    label_role: str | None = None) -> tuple[list[str], list[str]] | None:
    """(lead, support) of one sentence; `label_role` is the role of a label the sentence follows
    (责任单位：A，B配合), which the bodies without a role word of their own take."""
    rules = _rules()
    lead: list[str] = []
    support: list[str] = []
    labels = list(rules.label.finditer(text))
    if labels:
        if text[: labels[0].start()].strip(_TRIM):
            return None  # prose before the first label: not a clause of its own
        for k, m in enumerate(labels):
            role = rules.label_role.get(m["label"])
            if role is None:
                continue  # 完成时限：…, 责任领导：…: no body named
            last = k + 1 == len(labels)
            segment = text[m.end() : len(text) if last else labels[k + 1].start()]
            if role == "lead" and rules.verb_at_end.search(segment):
                # 责任单位：A牵头，B、C配合: the label introduces a clause in the verb form
                verb_roles = _sentence_roles(segment.strip(_TRIM), cut=cut and last, items=items, label_role=role)
                if verb_roles is not None:
                    lead.extend(verb_roles[0])
                    support.extend(verb_roles[1])
                    continue
            marked = _lead_mark(rules, segment) if role == "lead" else None
            if marked is not None:
                # 责任单位：市生态环境局（牵头），市公安局: the marked body leads, the rest support it
                cut_last = cut and last
                marked_lead, marked_support = _marked_roles(
                    rules, segment, lambda part, end, cut_last=cut_last: _names(rules, part, cut=cut_last and end,
                                                                                   items=items))
                lead.extend(marked_lead)
                support.extend(marked_support)
                continue
            names = _names(rules, segment, cut=cut and last, items=items)
            if names and not _plausible(rules, names):
                return None
            (lead if role == "lead" else support).extend(names)
        return (lead, support) if lead or support else None
    found_body = False
    clauses = [c for c in (c.strip(_TRIM) for c in _CLAUSE_SEP.split(text)) if c]
    # Bodies listed over a comma before their role word (A区、B区人民政府，C管委会具体落实): they share it.
    waiting: list[str] = []
    for k, clause in enumerate(clauses):
        m = rules.verb_at_end.search(clause)
        if m is None or m.start() == 0:
            if cut and k == len(clauses) - 1 and k > 0 and lead:
                # (A牵头，B、C… cut off before its role word: the document's pattern makes B, C support
                support.extend(_names(rules, clause, cut=True, items=items))
                continue
            if m is None and k + 1 < len(clauses):
                listed = _names(rules, clause, items=items)
                if listed and _plausible(rules, listed) and all(ends_with_body_word(n) for n in listed):
                    waiting.extend(listed)
                    continue
            return None  # every clause of the verb form ends in a role verb
        names = _names(rules, clause[: m.start()], items=items)
        if not _plausible(rules, names):
            return None
        if waiting and label_role is not None:
            # 责任单位：A，B配合: A is named by the label, only B by the role word
            (lead if label_role == "lead" else support).extend(waiting)
            waiting = []
        elif waiting:
            names, waiting = waiting + names, []
        found_body = found_body or any(ends_with_body_word(n) for n in names)
        (lead if rules.verb_role[m["verb"]] == "lead" else support).extend(names)
    return (lead, support) if found_body else None


def _cell_roles(
    role: str, text: str, fold: str | None = None, *, cut: bool = False, items: _NameItems | None = None
) -> tuple[list[str], list[str]]:
    """Departments of a lead/support cell; a cell written as a clause keeps its own roles.

    With `cut` the cell runs into the end of the text: an unfinished name is dropped."""
    if fold is not None and fold != text:
        lead, support = _cell_roles(role, fold, cut=cut, items=items)
        return [as_written(n, fold, text) for n in lead], [as_written(n, fold, text) for n in support]
    rules = _rules()
    if rules.role_hint.search(text):
        parsed = parse_roles(text, cut=cut, items=items)
        if parsed is not None:
            return parsed
    if role == "lead" and _lead_mark(rules, text) is not None:
        # 市生态环境局（牵头）、市发展改革局: the marked body leads, the rest support it
        return _marked_roles(rules, text, lambda part, _end: split_names(part, items=items))
    names = split_names(text, cut=cut, items=items)
    return (names, []) if role == "lead" else ([], names)


def _lead_mark(rules: _Rules, text: str) -> regex.Match[str] | None:
    """rules.lead_mark.search(text), asked only of a text that holds one of its words (most hold none):
    a substring test costs a fraction of a call of the `regex` engine."""
    for word in rules.lead_marks:
        if word in text:
            return rules.lead_mark.search(text)
    return None


def _marked_roles(
    rules: _Rules, text: str, names_in: Callable[[str, bool], list[str]]
) -> tuple[list[str], list[str]]:
    """(lead, support) of a list whose lead bodies are marked (A（牵头）、B、C（牵头）): each marked
    name leads, every other name supports (A、B（牵头）: B leads, A supports). A 、 group the
    mark closes before a comma leads as a whole (A、B（牵头），C、D: 、 joins within a group,
    the comma parts the leading group from the supporting one).
    `names_in(part, at_end)` splits a part of `text` into names."""
    lead: list[str] = []
    support: list[str] = []
    pos = 0
    for mark in rules.lead_mark.finditer(text):
        part = text[pos : mark.start()]
        names = names_in(part, False)
        if text.startswith(_GROUP_SEPARATORS, mark.end()) and not any(c in part for c in _GROUP_SEPARATORS):
            lead.extend(names)
        else:
            support.extend(names[:-1])
            lead.extend(names[-1:])
        pos = mark.end()
    support.extend(names_in(text[pos:], True))
    return lead, support


def _add(into: list[str], names: list[str]) -> None:
    for n in names:
        if n not in into:
            into.append(n)


# ---------------------------------------------------------------- tables


# A table cell: the doc.text ranges of its text, stripped, in order (more than one for a cell broken
# over lines); empty for an empty cell. A plain list: a row makes one per cell.
_Cell = list[tuple[int, int]]


def _cell_text(doc: Document, cell: _Cell) -> str:
    if len(cell) == 1:  # most cells: one slice, no join
        a, b = cell[0]
        return doc.text[a:b]
    return "".join(doc.text[a:b] for a, b in cell)


def _cell_fold(doc: Document, cell: _Cell) -> str:
    if len(cell) == 1:
        a, b = cell[0]
        return doc.fold[a:b]
    return "".join(doc.fold[a:b] for a, b in cell)


def _strip(doc: Document, a: int, b: int) -> tuple[int, int]:
    text = doc.text
    while a < b and text[a] in _WS:
        a += 1
    while b > a and text[b - 1] in _WS:
        b -= 1
    return a, b


def _cells(line: Block) -> list[_Cell]:
    # A typed Cell is its (start, end) range.
    return [[cell] if cell[1] > cell[0] else [] for cell in line.cells]


def _header_role(rules: _Rules, cell: str) -> str | None:
    key = squash(cell)
    if key in rules.header_exact:
        return rules.header_exact[key]
    if len(key) > 12:
        return None  # a header cell is a short label, not a sentence
    m = rules.header_search.search(key)
    return rules.header_exact[m.group()] if m else None


@dataclass
class _Table:
    ncols: int
    cols: dict[str, int]  # role -> column index
    headed: bool
    # Every lead / support column: 牵头单位 and 责任单位 both give lead (spec §6).
    role_cols: dict[str, list[int]] = field(default_factory=dict)
    goal: str | None = None
    lead: list[str] = field(default_factory=list)
    support: list[str] = field(default_factory=list)


def _header(rules: _Rules, doc: Document, line: Block) -> _Table | None:
    """The table a header row opens, or None; read from the row's cells as typed, before any is
    made a cell (most rows are no header)."""
    text = doc.text
    cells = line.cells
    roles = [_header_role(rules, text[start:end]) if end > start else None for start, end in cells]
    if len(roles) - roles.count(None) < 2 or not ({"text", "project", "lead", "support"} & set(roles)):
        return None
    cols: dict[str, int] = {}
    texts = [i for i, r in enumerate(roles) if r == "text"]
    role_cols: dict[str, list[int]] = {}
    for i, r in enumerate(roles):
        if r is not None and r not in ("text", "project"):
            cols.setdefault(r, i)
            if r in ("lead", "support"):
                role_cols.setdefault(r, []).append(i)
    if "project" in roles:
        cols["text"] = roles.index("project")  # a project list: each project is a measure
    elif texts:
        cols["text"] = texts[-1]  # the most specific measure column is the rightmost
        if "goal" not in cols and len(texts) > 1:
            cols["goal"] = texts[0]  # 重点任务 | 具体措施: the broader one groups the rows
    else:
        free = [i for i, r in enumerate(roles) if r is None]
        if free:
            cols["text"] = free[0]
    return _Table(ncols=len(cells), cols=cols, headed=True, role_cols=role_cols)


def _is_row_start(doc: Document, table: _Table, cells: list[_Cell]) -> bool:
    if not cells[0]:
        return True  # leading empty cells: a continuation row of the group above
    return table.cols.get("seq") == 0 and bool(RE_SEQ.fullmatch(_cell_text(doc, cells[0])))


def _continues_row(doc: Document, table: _Table, row: list[_Cell], cells: list[_Cell]) -> bool:
    """Whether `cells` carries the rest of a row whose last cell broke onto a new line."""
    if not table.headed or len(row) >= table.ncols or _is_row_start(doc, table, cells):
        return False
    return len(row) + len(cells) - 1 <= table.ncols


def _merge(row: list[_Cell], cells: list[_Cell]) -> None:
    row[-1].extend(cells[0])
    row.extend(cells[1:])


def _measure(doc: Document, cell: _Cell) -> tuple[int, int] | None:
    """doc.text range of a measure cell without its leading item number (1. / （1） / ①)."""
    if not cell:
        return None
    a, _ = cell[0]
    _, b = cell[-1]
    marker = match_marker(doc.fold, a, b)
    if marker is not None and marker.style != "dash":
        a, b = _strip(doc, marker.end, b)
    return (a, b) if b > a else None


def _text_of(doc: Document, cell: _Cell, span: tuple[int, int]) -> str:
    """Cell text from `span[0]`, pieces joined (a broken cell reads as one)."""
    parts = []
    for a, b in cell:
        if b <= span[0]:
            continue
        parts.append(doc.text[max(a, span[0]) : b])
    return "".join(parts)


def _looks_like_departments(rules: _Rules, text: str, items: _NameItems | None = None) -> bool:
    names = split_names(text, items=items)
    return _plausible(rules, names) and all(ends_with_body_word(n) for n in names)


# A document's responsibility cells already read, by (role, text, fold, cut): a 责任单位 column
# repeats the same cell row after row. The lists are only read, never changed.
_CellRoles = dict[tuple[str, str, str, bool], tuple[list[str], list[str]]]


def _row_task(
    doc: Document, table: _Table, row: list[_Cell], items: _NameItems, seen: _CellRoles, *, cut: bool = False
) -> _TaskRow | None:
    """The task of one table row; with `cut` the row's last cell runs into the end of the text."""
    if not table.headed:
        return _shapeless_row_task(doc, _rules(), row, items)
    cols, n = table.cols, len(row)
    seq_at, goal_at, text_at = cols.get("seq"), cols.get("goal"), cols.get("text")
    goal_cell = row[goal_at] if goal_at is not None and goal_at < n and row[goal_at] else None
    if seq_at is not None:
        new_group = seq_at < n and bool(row[seq_at])
    elif goal_at is not None:
        new_group = goal_cell is not None
    else:
        new_group = bool(row[0])
    if new_group:
        table.lead, table.support = [], []
        if goal_at is None:
            table.goal = None
    # An empty goal cell is a cell merged down the rows it groups, even where every row
    # has its own number (序号 1, 2, 3 under one 重点任务).
    if goal_cell is not None:
        table.goal = _cell_text(doc, goal_cell)
    if text_at is None or text_at >= n or not row[text_at]:
        return None
    text_cell = row[text_at]
    rng = _measure(doc, text_cell)
    if rng is None:
        return None
    lead: list[str] = []
    support: list[str] = []
    # The last filled cell, which `cut` concerns: looked for only then.
    last = max((k for k, c in enumerate(row) if c), default=-1) if cut else -1
    for role in ("lead", "support"):
        for i in table.role_cols.get(role, ()):
            if i >= n or not row[i]:
                continue
            c = row[i]
            key = (role, _cell_text(doc, c), _cell_fold(doc, c), i == last)
            roles = seen.get(key)
            if roles is None:
                roles = seen[key] = _cell_roles(*key[:3], cut=key[3], items=items)
            _add(lead, roles[0])
            _add(support, roles[1])
    if not lead and not support and not new_group:
        lead, support = list(table.lead), list(table.support)  # merged cells down the group
    table.lead, table.support = lead, support
    return _task(doc, rng, _text_of(doc, text_cell, rng), table.goal, lead, support)


def _shapeless_row_task(doc: Document, rules: _Rules, row: list[_Cell], items: _NameItems) -> _TaskRow | None:
    """A row of a table without a recognised header: departments last, the measure the longest cell."""
    filled = [c for c in row if c]
    if len(filled) < 2:
        return None
    texts = [_cell_text(doc, c) for c in filled]
    if not _looks_like_departments(rules, texts[-1], items):
        return None
    body = [(len(t), i) for i, t in enumerate(texts[:-1]) if not RE_SEQ.fullmatch(t)]
    if not body:
        return None
    _, best = max(body)
    if texts[best].rstrip(_WS).endswith(tuple(COLONS)):
        return None  # a field and its value (发布机构：…, a web page's record of the plan), not a measure
    rng = _measure(doc, filled[best])
    if rng is None:
        return None
    lead, support = _cell_roles("lead", texts[-1], _cell_fold(doc, filled[-1]), items=items)
    return _task(doc, rng, _text_of(doc, filled[best], rng), None, lead, support)


# A task's fields while the document is read: roles are added to a task after it is made (a
# 牵头单位 line below its item), and all tasks are validated in one call at the end.
_TaskRow = dict[str, Any]


def _task(
    doc: Document, rng: tuple[int, int], text: str, goal: str | None, lead: list[str], support: list[str]
) -> _TaskRow:
    # The lists are copied, as validating each task when made copied them: a list the
    # caller goes on using (a table group's departments) is never the task's own.
    span = doc.span(rng[0], rng[1])
    # The span starts where text[rng[0]] stands in the input: its line, without locating it again.
    return {"text": text, "goal": goal, "lead": list(lead), "support": list(support),
            "line": doc.raw_lineno(span[0]), "span": span}


# ---------------------------------------------------------------- a table flattened into prose


def _spaced_tokens(doc: Document, start: int, end: int) -> list[tuple[int, int]]:
    """doc.text[start:end] cut where the input had layout whitespace: the cells of a
    table whose rows were run together into prose (PDF text layers)."""
    out: list[tuple[int, int]] = []
    a = start
    for i in doc.space_gaps(start, end):  # only where the offset map has a seam, not per character
        out.append((a, i))
        a = i
    out.append((a, end))
    return [(x, y) for x, y in out if y > x]


def _stream_header(rules: _Rules, doc: Document, tokens: list[tuple[int, int]]) -> int | None:
    """Index of the first token after a header run (工作任务和内容 责任单位 配合单位 完成时间)."""
    run: list[str | None] = []
    for k, (a, b) in enumerate(tokens):
        role = _header_role(rules, doc.fold[a:b])
        if role is None:
            if len(run) >= 2 and "text" in run and "lead" in run:
                return k
            run = []
            continue
        run.append(role)
    return None


def _prose_like(doc: Document, a: int, b: int) -> bool:
    """A measure cell rather than a deadline or remark cell: long, or holding punctuation."""
    return b - a >= _PROSE_CELL or any(ch in _PROSE_MARKS for ch in doc.fold[a:b])


def _stream_tasks(rules: _Rules, doc: Document, tokens: list[tuple[int, int]]) -> list[_TaskRow]:
    """Tasks of a flattened table: each run of department cells gives its roles to the
    measure cells right before it; short cells in between (完成时间) belong to no one."""
    out: list[_TaskRow] = []
    known: dict[int, bool] = {}  # token index -> whether a department cell: a token is asked up to three times

    def body(k: int) -> bool:
        if k not in known:
            known[k] = _body_cell(doc, tokens, k)
        return known[k]

    k = 0
    while k < len(tokens):
        run_end = k
        while run_end < len(tokens) and body(run_end):
            run_end += 1
        if run_end == k:
            k += 1
            continue
        first = k - 1
        while first - 1 >= 0 and _prose_like(doc, *tokens[first - 1]) and not body(first - 1):
            first -= 1
        if first >= 0 and not body(first):
            a, b = tokens[first][0], tokens[k - 1][1]
            names = " ".join(doc.fold[x:y] for x, y in tokens[k:run_end])
            lead = [as_written(n, doc.fold, doc.text, tokens[k][0], tokens[run_end - 1][1]) for n in split_names(names)]
            rng = _measure(doc, [(a, b)])
            if rng is not None and lead:
                out.append(_task(doc, rng, doc.text[rng[0] : rng[1]], None, lead, []))
        k = run_end
    return out


def _stream_at(rules: _Rules, doc: Document, lines: Sequence[Block], i: int) -> tuple[list[_TaskRow], int] | None:
    """(tasks, index of its last line) of a flattened table whose header run stands in
    lines[i]; its rows run on over the following unmarked paragraphs."""
    line = lines[i]
    hits = [m.group() for m in rules.header_search.finditer(doc.fold, line.start, line.end)]
    roles = {rules.header_exact[h] for h in hits}
    if len(hits) < 3 or not {"text", "lead"} <= roles:
        return None
    tokens = _spaced_tokens(doc, line.start, line.end)
    first = _stream_header(rules, doc, tokens)
    if first is None:
        return None
    tokens = tokens[first:]
    last = i
    for k in range(i + 1, len(lines)):
        nxt = lines[k]
        if nxt.kind != "paragraph" or nxt.marker is not None:
            break
        tokens.extend(_spaced_tokens(doc, nxt.start, nxt.end))
        last = k
    bare_marks = sum(not any(ch.isalnum() for ch in doc.fold[a:b]) for a, b in tokens)
    if bare_marks * _GARBLED_SHARE > len(tokens):
        return None  # lone 、 ( ) cells: PDF columns interleaved, not rows run together
    found = _stream_tasks(rules, doc, tokens)
    return (found, last) if found else None


def _body_cell(doc: Document, tokens: list[tuple[int, int]], k: int) -> bool:
    """Whether token k is (part of) a department cell: a name, or the first half of one
    broken by a cell wrap (县交通 运输局), or an office of the name before it (督查室)."""
    a, b = tokens[k]
    if _prose_like(doc, a, b):
        return False
    if _looks_like_departments(_rules(), doc.fold[a:b]):
        return True
    if k + 1 < len(tokens) and not has_stop_char(doc.fold[a:b]) and not any(ch in JOINERS for ch in doc.fold[a:b]):
        c, d = tokens[k + 1]
        return not _prose_like(doc, c, d) and _looks_like_departments(_rules(), doc.fold[a:b] + doc.fold[c:d])
    return False


# ---------------------------------------------------------------- prose items

# Marks that end an item's line as written (a heading, a sentence, a label before its value).
_ITEM_LINE_END = "。；;.!！?？:：)）〕]】"
# A comma or enumeration comma: the line is running prose, not a bare heading.
RE_PROSE_MARK_IN_ITEM = lazy_re("[,，、]")


def _item_range(doc: Document, a: int, b: int) -> tuple[int, int] | None:
    """doc.text range of an item's text: its marker and trailing separators dropped.

    In flattened text several items share a line (`…保卫战。 1.能源结构…。（…牵头）`):
    the item starts at the last marker that opens a sentence. Markers of a style that also
    follows a semicolon enumerate inside one measure (`管理。（1）…；（2）…`): not items.
    """
    text, fold = doc.text, doc.fold
    while a < b and text[a] in _TRIM:
        a += 1  # the 。 that closed the item before it on the same line (_TRIM holds the padding)
    while b > a and text[b - 1] in _WS:
        b -= 1
    starts: list[tuple[int, str]] = []
    enumerated: set[str] = set()
    for m in RE_SENTENCE_END.finditer(fold, a, b):
        start = m.end()
        marker = match_marker(fold, start, b)
        if marker is not None and marker.style != "dash" and fold[start] not in INNER_ENUMERATION:
            starts.append((start, marker.style))
            if fold[m.start()] in "；;":
                enumerated.add(marker.style)
    for start, style in starts:
        if style not in enumerated:
            a = start
    marker = match_marker(fold, a, b)
    if marker is not None:
        a, b = _strip(doc, marker.end, b)
    elif (record := _rules().record_label.match(fold, a, b)) is not None:
        a, b = _strip(doc, record.end(), b)  # 问题1：…: the record's text follows its label
    while b > a and text[b - 1] in _ITEM_SEPARATORS:
        b -= 1
    return (a, b) if b > a else None


def _heading_only(doc: Document, line: Block) -> tuple[str, tuple[int, int]] | None:
    """(style, doc.text range of the title) of a line that is a heading and nothing more:
    `（一）土壤污染风险管控。`, `一、奋斗目标`."""
    marker = line.marker
    if marker is None or marker.style == "dash":
        return None
    a, b = _strip(doc, marker.end, line.end)
    # The title's length is known before it is cut out: a long line (most) is not copied.
    fold = doc.fold
    title_end = b
    while title_end > a and fold[title_end - 1] in "。.":
        title_end -= 1
    if title_end == a or title_end - a > _HEADING_MAX or not _NOT_IN_HEADING.isdisjoint(fold[a:title_end]):
        return None
    return marker.style, (a, b)


def _is_measure(doc: Document, line: Block) -> bool:
    """Whether a prose line reads as a measure a responsibility line can refer to: an item
    with its marker, a record opened by its label (问题1：…, whatever field ends the line: 整改时限：
    立行立改), or a sentence (not a page header such as `工作方案-45篇(第11/58页)`)."""
    fold = doc.fold[line.start : line.end].rstrip(_WS)
    return (line.marker is not None or fold[-1:] in "。；;!！?？."
            or _rules().record_label.match(doc.fold, line.start, line.end) is not None)


def _next_marker_style(lines: Sequence[Block], k: int) -> str | None:
    """Style of the first heading marker at the start of a line from lines[k] on."""
    # By index, not over lines[k:]: slicing copies the rest of the document on every call.
    for j in range(k, len(lines)):
        marker = lines[j].marker
        if marker is not None and marker.style != "dash":
            return marker.style
    return None


def _task_text(
    doc: Document, rng: tuple[int, int], heading: tuple[int, int] | None,
    before: list[tuple[int, int]] | None = None,
) -> tuple[tuple[int, int], str]:
    """A task's range and text: the heading standing on its own line before the item, if any,
    joined to it (spec §6: `（一）X。` then the paragraph gives `X。…`), and the earlier
    paragraphs of the same item."""
    parts = [*([heading] if heading is not None and not before else []), *(before or []), rng]
    text = doc.text
    # An earlier part keeps the separators it ended with (总体要求：), which its range had dropped:
    # the task's span runs over them, and its text must read as the span does.
    joined = [text[a:_past_separators(text, b, c)] for (a, b), (c, _) in pairwise(parts)]
    return (parts[0][0], rng[1]), "".join([*joined, text[rng[0] : rng[1]]])


def _past_separators(text: str, end: int, limit: int) -> int:
    """`end` moved past the separators (，；：、) right after it, up to `limit`."""
    while end < limit and text[end] in _ITEM_SEPARATORS:
        end += 1
    return end


# A responsibility clause of a prose line: (doc.text range of the item it closes, its roles, whether
# that item opens the line, where a heading on its own line above joins it).
_Clause = tuple[tuple[int, int], tuple[list[str], list[str]], bool]


def _inline_clauses(
    doc: Document, rules: _Rules, line: Block, role_from: int, at_end: bool, items: _NameItems
) -> list[_Clause]:
    """The items of a prose line that end in a responsibility clause (bracketed or after 。).

    With `at_end` the text ends in this line, and a clause whose bracket never closes is read
    as cut off. Every clause below names a role word: a line that holds none (most) is not
    asked, and none starts before `role_from`, where the line's first role word does. What the
    line gives depends on the line alone, not on the lines above it: a line that gives nothing
    (most) leaves the reading of the document as it was.
    """
    fold = doc.fold
    start, end = line.start, line.end
    out: list[_Clause] = []
    seg = start  # where the item of the next clause starts
    # A line without a closing bracket or a label's end after its first role word (most) holds no
    # bracketed clause and no labelled one: neither is looked for.
    marked = rules.bracket_or_label_end.search(fold, role_from, end) is not None
    for m in _role_brackets(rules, fold, start, end, role_from) if marked else ():
        content = doc.text[m.start("c") : m.end("c")]
        if not rules.role_hint.search(fold, m.start("c"), m.end("c")):
            continue
        roles = parse_roles(content, fold=fold[m.start("c") : m.end("c")], items=items)
        if roles is None:
            continue
        _add_clause(out, doc, start, seg, m.start(), roles)
        seg = m.end()
    if (
        at_end
        and (open_at := _unclosed_bracket(fold, seg, end)) is not None
        and rules.role_hint.search(fold, open_at + 1, end)
        and (roles := parse_roles(doc.text[open_at + 1 : end], fold=fold[open_at + 1 : end], cut=True,
                                  items=items)) is not None
    ):
        _add_clause(out, doc, start, seg, open_at, roles)
        return out
    # The clause at an item's head opens with 由: a line without one (most) states no roles there.
    if (seg == start and fold.find(_HEAD_CLAUSE_OPEN, start, end) >= 0
            and (head_roles := _head_roles(doc, line, items)) is not None):
        rng = _item_range(doc, start, end)
        if rng is not None:
            out.append((rng, head_roles, True))
            return out
    if not out:
        last = end
        while last > seg and fold[last - 1] in _SENTENCE_TRAIL:
            last -= 1
        # Most last sentences end in no role word: they are not read.
        if (last > seg and fold[last - 1] in rules.verb_ends
                and (closing := _closing_sentence(doc, rules, seg, last, items)) is not None):
            _add_clause(out, doc, start, seg, *closing)
            return out
    # Searched from `seg`: the character before it (a line break, a closing bracket) ends no sentence.
    # A label's colon (or 】) stands after the line's first role word: most lines have none there.
    if not marked or first_of(fold, rules.label_in_line_ends, role_from, end) < 0:
        return out
    tail = rules.label_in_line.search(fold, seg, end)
    if tail is not None:
        label_at = tail.start() + 1
        roles = parse_roles(doc.text[label_at : end], fold=fold[label_at : end], cut=at_end, items=items)
        if roles is not None:
            _add_clause(out, doc, start, seg, label_at, roles)
    return out


def _add_clause(out: list[_Clause], doc: Document, line_start: int, seg: int, clause_start: int,
                roles: tuple[list[str], list[str]]) -> None:
    """The clause at `clause_start` of the item that starts at `seg`, added to `out` when the item holds text."""
    rng = _item_range(doc, seg, clause_start)
    if rng is not None:
        out.append((rng, roles, seg == line_start))


def _closing_sentence(doc: Document, rules: _Rules, start: int, last: int,
                      items: _NameItems) -> tuple[int, tuple[list[str], list[str]]] | None:
    """(where it starts, its roles) of a last sentence of fold[start:last] written in the verb form,
    unbracketed (…全年完成清淤4.5公里。由某镇环保办牵头，某办配合。): it closes the item before it.
    Only when every clause of it ends in a role word (parse_roles): a sentence of prose with a
    role word inside is none. `last` is where the text ends without its trailing full stop and spaces,
    and the caller has found that it ends with a character a role word can end with."""
    fold = doc.fold
    opens = fold.rfind("。", start, last) + 1
    if opens <= start:
        return None  # the line holds one sentence: its roles are read from its head
    if rules.verb_at_end.search(fold[max(opens, last - rules.verb_tail) : last]) is None:
        return None  # its last clause ends in no role word (most sentences): no need to read it
    roles = parse_roles(doc.text[opens:last], fold=fold[opens:last], items=items)
    return (opens, roles) if roles is not None else None


def _inline_tasks(doc: Document, clauses: list[_Clause], heading: tuple[int, int] | None,
                  first_leads: Callable[[], bool]) -> list[_TaskRow]:
    """The tasks of a line's clauses; `heading` is the range of a heading on its own line before
    the line (it joins the item that opens the line)."""
    out: list[_TaskRow] = []
    for rng, roles, opens_line in clauses:
        task_rng, text = _task_text(doc, rng, heading if opens_line else None)
        out.append(_task(doc, task_rng, text, None, *_convention(roles, first_leads)))
    return out


def _role_brackets(rules: _Rules, fold: str, start: int, end: int, role_from: int) -> Iterator[re.Match[str]]:
    """The bracket pattern's matches in fold[start:end], or none when no role word stands
    between the first opening and the last closing bracket: no bracket's content could then
    hold one, and most lines with a role word state it after the item, unbracketed. The first
    role word starts at `role_from`: a bracket that closes after none closes before it."""
    last_close = last_of(fold, rules.close_folded, role_from + 1, end)
    if last_close < 0:
        return iter(())
    # The last closing bracket of the line is that one: an opening bracket counts only before it.
    first_open = first_of(fold, rules.open_folded, start, last_close)
    if first_open < 0 or rules.role_hint.search(fold, first_open + 1, last_close) is None:
        return iter(())
    return rules.bracket.finditer(fold, first_open, end)  # no match starts before an opening bracket


def _head_roles(doc: Document, line: Block, items: _NameItems) -> tuple[list[str], list[str]] | None:
    """Roles stated at the head of an item, or right after its run-in heading:
    `由市湖泊管理局统筹，市水务局、各区人民政府负责，完成…` (asked of a line that holds 由)."""
    rng = _item_range(doc, line.start, line.end)
    if rng is None:
        return None
    fold = doc.fold
    starts = [rng[0]]
    first_stop = fold.find("。", rng[0], rng[1])
    if first_stop >= 0:
        starts.append(first_stop + 1)
    for start in starts:
        if not fold.startswith(_HEAD_CLAUSE_OPEN, start):
            continue
        end = start
        for m in RE_HEAD_CLAUSE.finditer(fold, start, rng[1]):
            if _rules().verb_at_end.search(fold, m.start(), m.end() - 1 if fold[m.end() - 1] in ",;" else m.end()):
                end = m.end()
            else:
                break
        if end > start:
            roles = parse_roles(doc.text[start:end], fold=fold[start:end], items=items)
            if roles is not None:
                return roles
    return None


def _broken_item(doc: Document, line: Block, index: int) -> tuple[tuple[int, int], int] | None:
    """The text range of an item line that a hard line break cut mid-sentence, and its index.

    PDF text breaks lines at the page width: `1.严格落实…制度,6月底前完成…` then
    `巡查网格划分。责任单位:…`. The item starts at its marker, not at the second line.
    """
    if line.marker is None or line.marker.style == "dash":
        return None
    # The line's end and its marks read in place, not from a copy of the line.
    fold, end = doc.fold, line.end
    while end > line.start and fold[end - 1] in _WS:
        end -= 1
    if end == line.start or fold[end - 1] in _ITEM_LINE_END or not RE_PROSE_MARK_IN_ITEM.search(fold, line.start, end):
        return None
    rng = _item_range(doc, line.start, line.end)
    if rng is None:
        return None
    # The comma the line broke after stays: the sentence runs on into the next line.
    return (rng[0], _strip(doc, line.start, line.end)[1]), index


def _unclosed_bracket(fold: str, start: int, end: int) -> int | None:
    """Index of the outermost bracket in fold[start:end] that never closes."""
    opened: list[int] = []
    for m in _RE_BRACKET_CHAR.finditer(fold, start, end):  # the brackets only, not every character
        if m.group() in OPEN_ANY:
            opened.append(m.start())
        elif opened:
            opened.pop()
    return opened[0] if opened else None


def _role_bracket_line(doc: Document, rules: _Rules, line: Block) -> bool:
    """Whether `line` is one bracketed responsibility clause and nothing else (（市城管执法局牵头，
    各镇人民政府负责落实） on its own line below an item): it refers to the item above, as a
    `牵头单位：` line does."""
    fold = doc.fold
    if fold[line.start : line.start + 1] not in OPEN_ANY or fold[line.end - 1 : line.end] not in CLOSE_ANY:
        return False
    m = rules.bracket.match(fold, line.start, line.end)
    return (m is not None and m.end() == line.end
            and rules.role_hint.search(fold, m.start("c"), m.end("c")) is not None)


def _convention(
    roles: tuple[list[str], list[str]], first_leads: Callable[[], bool]
) -> tuple[list[str], list[str]]:
    """The document's convention `排在首位的为牵头单位` (spec §6): a list given without
    support roles has its first name lead and the rest support."""
    lead, support = roles
    if not support and len(lead) > 1 and first_leads():
        return lead[:1], lead[1:]
    return roles


# ---------------------------------------------------------------- driver


@dataclass(slots=True)
class _OpenItem:
    """An item none of whose lines has given a task yet, with everything written under it.

    A responsibility line after the last of its sub-items ((1) (2) under 3、), none
    with a clause of its own, covers the whole item (spec §6: the clause follows
    the item, sub-items and all)."""

    style: str  # the item's marker style
    parts: list[tuple[int, int]]  # doc.text ranges of its text: its title or paragraph, then each line below
    children: int = 0  # sub-items directly under it
    own_line: bool = False  # parts[0] is the item's whole line, its marker still to be cut (only when used)


def _open_item_covered(open_items: list[_OpenItem], next_style: str | None,
                       deeper: Callable[[str, str], bool]) -> _OpenItem | None:
    """The item a responsibility line covers when it is not the line right above it: the
    outermost open item with two sub-items or more ((1) (2), ① ②, —— bullets) that the
    next marker closes (a sibling of it or of an item above it, or the end of the text)."""
    # The innermost item counts too when it has sub-items: those are —— bullets, never pushed.
    for candidate in open_items:
        if candidate.children >= 2 and (next_style is None or not deeper(next_style, candidate.style)):
            return candidate
    return None


def parse_tasks(doc: Document) -> list[Task]:
    """Tasks of task tables and of prose items with a responsibility clause, in text order."""
    rules = _rules()
    tasks: list[_TaskRow] = []
    lines = doc.lines
    table: _Table | None = None
    row: list[_Cell] | None = None
    item: Block | None = None  # the last prose line: what a 牵头单位 line below it refers to
    item_task: _TaskRow | None = None  # the task already made from `item`, if any
    # A heading alone on the line before the current paragraph: its title range and style.
    heading: tuple[int, int] | None = None
    heading_style: str | None = None
    item_heading: tuple[int, int] | None = None  # the heading of `item`
    item_heading_style: str | None = None
    item_before: list[tuple[int, int]] = []  # earlier paragraphs of `item`'s measure
    item_open = False  # `item` is a measure begun by a marker that no clause has closed
    styles_seen: dict[str, int] = {}  # marker styles in order of first use: a later one is deeper
    open_items: list[_OpenItem] = []  # items, outermost first, that have given no task yet
    name_items = doc.name_readings  # the document's lists of names, each read once
    cell_roles: _CellRoles = {}  # the document's responsibility cells, each read once

    def deeper(style: str, than: str) -> bool:
        return styles_seen.get(style, len(styles_seen)) > styles_seen.get(than, len(styles_seen))
    convention_stated: list[bool] = []

    def first_leads() -> bool:
        """Whether the document states the convention: searched once, and only for a
        document with a list that it would split (most have none)."""
        if not convention_stated:
            convention_stated.append(bool(rules.convention.search(doc.fold)))
        return convention_stated[0]

    def heading_belongs(k: int, style: str | None) -> bool:
        """A heading belongs to the measure below it unless its section holds sub-items
        (spec §6): the next marker is of a style first used after the heading's."""
        if style is None:
            return False
        nxt = _next_marker_style(lines, k)
        return nxt is None or nxt == style or styles_seen.get(nxt, len(styles_seen)) < styles_seen[style]

    def flush(*, at_end: bool = False) -> None:
        nonlocal row
        if table is not None and row is not None:
            task = _row_task(doc, table, row, name_items, cell_roles, cut=at_end)
            if task is not None:
                # The document's convention (排在第一位的为牵头单位) holds for its table cells too.
                task["lead"], task["support"] = _convention((task["lead"], task["support"]), first_leads)
                tasks.append(task)
        row = None

    stream_end = -1  # lines up to this index were read as a flattened table
    broken_item: tuple[tuple[int, int], int] | None = None  # an item line cut mid-sentence, and its index
    # Read once: the loop asks them on every line.
    fold = doc.fold
    role_hint, lead_header, reach = rules.role_hint, rules.lead_header, rules.lead_header_reach
    label_at_start, label_at_start_firsts = rules.label_at_start, rules.label_at_start_firsts
    record_firsts = rules.record_label_firsts
    last_line = len(lines) - 1
    # Prose lines that gave no task, not yet read into the items and headings above: that reading
    # matters only to a clause, a flattened table or a table row below them, and most documents have
    # none. They are read, in order, when one comes; never when none does.
    waiting: list[tuple[int, Block]] = []

    def read_prose(i: int, line: Block, clauses: list[_Clause]) -> None:
        """Read a prose line into the items and headings, and its clauses into tasks."""
        nonlocal item, item_task, heading, heading_style, item_heading, item_heading_style, item_before
        nonlocal item_open, broken_item
        marker = line.marker
        style = marker.style if marker is not None and marker.style != "dash" else None
        if style is not None:
            rank = styles_seen.setdefault(style, len(styles_seen))
            # deeper(style, …) with both styles seen (an open item's style was seen as it opened)
            while open_items and rank <= styles_seen[open_items[-1].style]:
                open_items.pop()  # closed by this sibling or an item above it
            if open_items:
                open_items[-1].children += 1
        elif marker is not None and open_items:
            open_items[-1].children += 1  # a —— bullet under the innermost item
        if open_items:
            whole_line = _strip(doc, line.start, line.end)
            for open_item in open_items:
                open_item.parts.append(whole_line)
        heading_only = _heading_only(doc, line) if style is not None else None  # only a marker opens one
        if heading_only is not None:
            open_items.append(_OpenItem(style, [heading_only[1]]))  # type: ignore[arg-type]
            heading_style, heading = heading_only
            # A responsibility line right below makes the heading line itself the item.
            item, item_task, item_heading, item_heading_style = line, None, None, None
            item_before, item_open = [], False
            return
        # 问题1：… opens a record of fields as a marker opens an item: its own text, no heading above it.
        record = (marker is None and fold[line.start : line.start + 1] in record_firsts
                  and rules.record_label.match(fold, line.start, line.end))
        if marker is not None or record:
            heading, heading_style = None, None
        head = heading if heading_style is not None and heading_belongs(i + 1, heading_style) else None
        # A paragraph continuing an item whose marker stands on an earlier line (and gave
        # no task yet) belongs to that item: a responsibility line below covers both.
        before: list[tuple[int, int]] = []
        if marker is None and not record and item is not None and item_task is None and item_open:
            prev = _item_range(doc, item.start, item.end)
            # The heading on its own line that the item's first paragraph joined stays its start.
            first = [item_heading] if item_heading is not None and not item_before else []
            before = [*first, *item_before, *([prev] if prev else [])]
        if head is None and marker is None and broken_item is not None and broken_item[1] == i - 1:
            head = broken_item[0]  # the item's first line, cut mid-sentence by a hard line break
        found = _inline_tasks(doc, clauses, head, first_leads) if clauses else []
        tasks.extend(found)
        if found:
            open_items.clear()
        elif style is not None:
            open_items.append(_OpenItem(style, [(line.start, line.end)], own_line=True))
        broken_item = _broken_item(doc, line, i) if style is not None and not found else None
        item_before = [] if found else before
        item_open = not found and (marker is not None or bool(record) or bool(before) or head is not None)
        item, item_task = line, (found[-1] if found else None)
        item_heading, item_heading_style = heading, heading_style
        heading, heading_style = None, None

    def catch_up() -> None:
        """Read the waiting lines, before a line whose reading depends on them."""
        for k, waiting_line in waiting:
            read_prose(k, waiting_line, [])
        waiting.clear()

    for i, line in enumerate(lines):
        if i <= stream_end:
            continue
        kind, line_start, line_end, _, marker, _, lead_tabs = line  # read once: reading a field costs more
        if kind == "table_row":
            catch_up()
            open_items.clear()
            # A heading joins the paragraph right below it, not one past a table row: the
            # task's text would not be one run of the input.
            heading, heading_style = None, None
            item_open, item_before = False, []  # nor does an item's paragraph continue past one
            header = _header(rules, doc, line)
            if header is not None:
                flush()
                table = header
                continue
            cells = _cells(line)
            if table is None:
                table = _Table(ncols=len(cells), cols={}, headed=False)
            if row is not None and _continues_row(doc, table, row, cells):
                _merge(row, cells)
            else:
                flush()
                row = cells
            continue
        if table is not None and table.headed and (tabs := lead_tabs):
            flush()
            a, b = _strip(doc, line_start, line_end)
            row = [[] for _ in range(tabs)] + [[(a, b)]]
            continue
        if table is not None:
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            if (
                row is not None
                and nxt is not None
                and nxt.is_table
                and marker is None
                and not rules.not_cell_wrap.match(doc.fold, line_start, line_end)
                and _header(rules, doc, nxt) is None
            ):
                a, b = _strip(doc, line_start, line_end)
                row[-1].append((a, b))  # a cell broken onto its own line
                continue
            flush()
            table = None
        # prose
        # Most lines hold no lead column word, so no header run of a flattened table; the
        # search for one starts no further back than it could from the line's first role word.
        role_at = role_hint.search(fold, line_start, line_end)
        if reach is None:
            lead_from: int | None = line_start
        else:
            lead_from = None if role_at is None else max(line_start, role_at.start() - reach)
        if (
            lead_from is not None
            and lead_header.search(fold, lead_from, line_end) is not None
            and (stream := _stream_at(rules, doc, lines, i)) is not None
        ):
            catch_up()
            found, stream_end = stream
            tasks.extend(found)
            item, item_task = None, None
            open_items.clear()
            continue
        at_end = i == last_line
        first_char = fold[line_start : line_start + 1]
        if (
            first_char in label_at_start_firsts and label_at_start.match(fold, line_start, line_end)
        ) or (first_char in OPEN_ANY and fold[line_end - 1 : line_end] in CLOSE_ANY
              and _role_bracket_line(doc, rules, line)):
            bracket_open = doc.fold[line_start] in OPEN_ANY and not rules.label.match(doc.fold, line_start, line_end)
            a, b = _strip(doc, line_start + (1 if bracket_open else 0), line_end)
            if bracket_open and b > a and doc.fold[b - 1] in CLOSE_ANY:
                b -= 1  # the bracket around the whole line, not one closing 各镇（街道）
            roles = parse_roles(doc.text[a:b], fold=doc.fold[a:b], cut=at_end, items=name_items)
            if roles is not None:
                catch_up()
            if roles is not None and item is not None:
                roles = _convention(roles, first_leads)
                covered = (_open_item_covered(open_items, _next_marker_style(lines, i + 1), deeper)
                           if item_task is None else None)
                if covered is not None and covered.own_line:
                    first = _item_range(doc, *covered.parts[0])
                    covered = None if first is None else covered
                    if covered is not None:
                        covered.parts[0] = first  # type: ignore[assignment]
                if covered is not None:
                    rng, text = _task_text(doc, covered.parts[-1], None, covered.parts[:-1])
                    item_task = _task(doc, rng, text, None, [], [])
                    tasks.append(item_task)
                open_items.clear()  # a clause given: the items above have sub-items with clauses of their own
                if item_task is None and _is_measure(doc, item):
                    rng = _item_range(doc, item.start, item.end)
                    if rng is not None:
                        head = item_heading if heading_belongs(i + 1, item_heading_style) else None
                        rng, text = _task_text(doc, rng, head, item_before)
                        item_task = _task(doc, rng, text, None, [], [])
                        tasks.append(item_task)
                if item_task is not None:
                    _add(item_task["lead"], roles[0])
                    _add(item_task["support"], roles[1])
            continue
        if role_at is not None and (clauses := _inline_clauses(doc, rules, line, role_at.start(), at_end, name_items)):
            catch_up()
            read_prose(i, line, clauses)
        else:
            waiting.append((i, line))
    flush(at_end=bool(lines) and lines[-1].is_table)  # a last row may be cut by the end of the text
    return Task.validate_all(tasks)
