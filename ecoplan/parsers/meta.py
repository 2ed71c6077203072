"""Meta (spec section 1): title, issuer, date of issue, plan year, region.

Real pages put the plan inside other things: a covering notice (关于印发《X》的通知,
on one line or two), a consultation notice (公开征求《X》意见的公告), a news
headline (《X》印发), a file name (X.pdf), a page label (名称 | X |). Those name the
plan; the title is X, written as the plan's own heading writes it where the front
matter has that heading. The issuer and the date of issue are read from their
sources in the order of `issuer_sources` / `date_sources` in vocab/metadata.yaml,
the single place that order lives; page metadata a reader hands in (an HTML
<meta name=…>) joins the labels found in the text under its own name. The region
is a place name at the head of the title or the issuer (never 全市, never a
programme name); the plan year is the single year the title names.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, partial
from itertools import accumulate, compress, pairwise
from typing import TypeVar

from ecoplan.schema import Meta
from ecoplan.text.document import Document
from ecoplan.text.lexicon import CN_ONE_TO_TEN, CN_YEAR_DIGITS, LINE_BREAKS, PLACE_SUFFIXES, RANGE_DASHES, is_han
from ecoplan.text.markers import DATE_CORE, ISO_CORE, match_marker
from ecoplan.text.normalise import FOLD_TABLE, fold, fold_width
from ecoplan.text.patterns import lazy_re
from ecoplan.text.published import gloss_spans
from ecoplan.text.quantities import cn_int
from ecoplan.text.records import rule_record
from ecoplan.text.script import has_traditional
from ecoplan.vocab import LabelledSource, SourceRank, alternation, load

T = TypeVar("T")
_SPAN_MARKS = re.escape(RANGE_DASHES) + "至到"
# A year of its own, not an end of a span of years (2021-2025年).
RE_YEAR = lazy_re(rf"(?<![\d{_SPAN_MARKS}])(\d{{4}}+)\s*+年(?!\s*+[{_SPAN_MARKS}])")
# Running prose: a title, a header line or a signature has none of these.
RE_PROSE = lazy_re(r"[。，,；;！!？?]")
RE_LABEL_COLON = lazy_re(r"[:：]")
# What ends a web label (发布机构：, 名称 |).
_LABEL_SEPARATORS = ":：|"
# A line that is only a bracketed qualifier: （征求意见稿）, （试行）, （2021—2025年）.
RE_QUALIFIER_LINE = lazy_re(r"^[(（][^()（）]{1,20}[)）]$")
# A document number before a notice title: 武环〔2017〕20号, 互政办函〔2023〕223号:
RE_DOC_NUMBER = lazy_re(r"[\u4e00-\u9fff]{1,10}[〔\[(（【]\d{4}[〕\])）】]\d{1,5}号[:：]?")
# Characters that stand for lost spaces or blank lines in some mirrored pages (???? 泰州市人民政府).
_PLACEHOLDER_CHARS = "?？"
RE_PLACEHOLDER_HEAD = lazy_re(f"^[{_PLACEHOLDER_CHARS}\\s]+")
# Quotation marks and book-title brackets do not tell two names of the same plan apart.
RE_NAME_NOISE = lazy_re(r"[《》〈〉<>“”\"'‘’]")
# The title and header sit in the front lines; web pages push them down a little.
_FRONT_LINES = 40
_TITLE_LEN = (4, 100)
_NAME_MAX = 40
# Metadata stands in the page head (labels, notice, signature, title) and foot (signature,
# page labels); lines beyond a few hundred characters are running text.
_HEAD_LINES, _FOOT_LINES, _LINE_MAX = 120, 40, 1000
# A text longer than this is split from its ends only, a chunk at a time (growing).
_SPLIT_CHUNK = 1 << 15
# Where a plan without a title says which province it serves: the preamble and the first headings.
_OPENING_LINES = 12


@rule_record
class _Vocab:
    title_end: re.Pattern[str]
    continuation: tuple[str, ...]
    notice: re.Pattern[str]
    notice_needs: re.Pattern[str]  # what every notice holds: one search, where `notice` tries every start
    notice_open: re.Pattern[str]
    consultation: re.Pattern[str]
    quoted_then_verb: re.Pattern[str]
    verb_then_quoted: re.Pattern[str]
    verb_then_name: re.Pattern[str]
    headline: re.Pattern[str]
    headline_needs: re.Pattern[str]  # a wrapper verb
    file_name: re.Pattern[str]
    file_name_needs: re.Pattern[str]
    title_labels: frozenset[str]
    title_label: re.Pattern[str]
    attachment: re.Pattern[str]
    issuer_end: re.Pattern[str]
    issuer_word: re.Pattern[str]
    government_word: re.Pattern[str]
    label: re.Pattern[str]
    source_label_line: re.Pattern[str]  # on a raw line, what a line needs to hold a source's label
    issuer_ranks: tuple[SourceRank, ...]
    date_ranks: tuple[SourceRank, ...]
    junk: re.Pattern[str]
    region_suffix: re.Pattern[str]
    region_not_names: frozenset[str]
    region_not_place: re.Pattern[str]
    branch: re.Pattern[str]
    region_end: re.Pattern[str]
    region_suffixes: str  # regex alternation
    province: re.Pattern[str]
    placeholder_names: str  # regex alternation
    placeholder_place: re.Pattern[str]
    title_prefixes: tuple[str, ...]
    working_year: re.Pattern[str]


@cache
def _vocab() -> _Vocab:
    v = load("metadata")
    ending = alternation(v.title_endings)
    verbs = alternation(v.wrapper_verbs)
    nouns = alternation(v.wrapper_nouns)
    suffixes = alternation(v.region_suffixes)
    return _Vocab(
        title_end=lazy_re(f"(?:{ending})(?:[(（][^()（）]{{1,20}}+[)）])?$"),
        continuation=tuple(v.title_continuations),
        # Matched on a folded line without whitespace. `pre` holds a document number and the issuer.
        notice=lazy_re(f"^(?P<pre>.*?)(?:关于)?(?:{verbs})(?P<x>.+?)的(?:{nouns})"),
        notice_needs=lazy_re(f"的(?:{nouns})"),
        notice_open=lazy_re(f"(?:关于)(?:{verbs})(?!.*的(?:{nouns}))"),
        consultation=lazy_re(f"征求(?:对)?(?P<x>《[^《》]+》|[^《》]+)(?:的)?(?:修改)?意见(?:建议)?的(?:{nouns})"),
        quoted_then_verb=lazy_re(f"(?P<x>《[^《》]+》)(?:正式)?(?:{verbs})"),
        verb_then_quoted=lazy_re(f"(?:{verbs})(?P<x>《[^《》]+》)"),
        verb_then_name=lazy_re(f"(?:{verbs})(?P<x>[^《》]+)$"),
        # A news headline without book marks: a body or a place, a wrapper verb, the plan's name.
        headline=lazy_re(
            f"^[^《》]{{1,30}}?(?:{alternation(v.issuer_suffixes)}|{suffixes})(?:{verbs})[^《》]{{4,}}$"
        ),
        headline_needs=lazy_re(verbs),
        file_name=lazy_re(
            f"(?:^(?:{alternation(v.attachment_labels)})?\\d{{0,2}}[:：]?|《)(?:【[^】]*+】)?(?P<x>[^《》【】/\\\\]{{4,100}}?)\\.(?:{alternation(v.file_suffixes)})(?=》|$|[(（])",
            re.IGNORECASE,
        ),
        file_name_needs=lazy_re(f"\\.(?:{alternation(v.file_suffixes)})", re.IGNORECASE),
        title_labels=frozenset(v.title_labels),
        title_label=lazy_re(f"^(?:{alternation(v.title_labels)})[:：|]++(?P<x>[^|]+)"),
        attachment=lazy_re(f"^(?:{alternation(v.attachment_labels)})\\d{{0,2}}[:：]?"),
        issuer_end=lazy_re(f"(?:{alternation(v.issuer_suffixes)})$"),
        issuer_word=lazy_re(alternation(v.issuer_suffixes)),
        government_word=lazy_re(alternation(v.government_body_words)),
        # The other web labels are matched too, so that 上传时间 is not read as the label 时间.
        label=lazy_re(f"(?P<label>{alternation([*v.source_labels, *v.web_labels])})[{_LABEL_SEPARATORS}]++"),
        # A source label's last character before a separator, as the raw line may write them: spaces
        # and pinyin glosses (a bracket of letters) between, which cleaning drops, full-width forms.
        source_label_line=lazy_re(
            f"[{re.escape(_raw_forms(''.join(label[-1] for label in v.source_labels)))}]"
            f"(?:\\s|[(（][^()（）]*+[)）])*+[{re.escape(_LABEL_HINT)}]"
        ),
        issuer_ranks=tuple(v.issuer_sources),
        date_ranks=tuple(v.date_sources),
        junk=lazy_re(alternation(v.junk_markers)),
        region_suffix=lazy_re(f"(?:{suffixes})(?![{PLACE_SUFFIXES}])"),
        region_not_names=frozenset(v.region_not_names),
        region_not_place=lazy_re(alternation(v.region_not_place_words)),
        # A body's name (its last issuer word), then the branch's place and the branch word.
        branch=lazy_re(f"(?:{alternation(v.issuer_suffixes)})(?P<place>[\u4e00-\u9fff]{{2,8}}?)"
                       f"(?:{alternation(v.branch_suffixes)})"),
        region_end=lazy_re(f"(?:{suffixes})$"),
        region_suffixes=suffixes,
        province=lazy_re(alternation(v.provinces)),
        placeholder_names=alternation(v.placeholder_names),
        placeholder_place=lazy_re(f"^(?:{alternation(v.placeholder_names)})(?:{suffixes})"),
        title_prefixes=tuple(v.title_prefixes),
        working_year=lazy_re(
            f"为[^，,。；;]{{0,6}}?(?:{alternation(v.working_year_verbs)})[^，,。；;\\d]{{0,4}}?(?P<y>\\d{{4}})\\s*+年"
        ),
    )


# --- lines of the front matter ---------------------------------------------------------


class _Text:
    """Text as written (`text`) and folded for matching (`key`), index-aligned.

    A slotted class, never changed once made: a frozen dataclass sets each field through
    object.__setattr__, and pieces of lines are made by the hundred a document."""

    __slots__ = ("key", "text")

    def __init__(self, text: str, key: str) -> None:
        self.text = text
        self.key = key

    def __add__(self, other: _Text) -> _Text:
        return _Text(self.text + other.text, self.key + other.key)

    def cut(self, start: int, end: int | None = None) -> _Text:
        return _Text(self.text[start:end], self.key[start:end])


def _raw_forms(chars: str) -> str:
    """`chars` and the full-width forms the fold turns into one of them: what a raw line holds for them."""
    wide_forms = (chr(wide) for wide, narrow in FOLD_TABLE.items() if chr(narrow) in chars)
    # Each character once: every one costs `holding` a scan of the whole head and foot.
    return "".join(dict.fromkeys([*chars, *wide_forms]))


# What a label line holds: a separator, as the raw line writes it.
_LABEL_HINT = _raw_forms(_LABEL_SEPARATORS)


class _FrontLine:
    """A non-blank physical line of the page head or foot, cleaned when first read."""

    __slots__ = ("_fold", "_index", "_line", "raw")

    def __init__(self, raw: str, index: int | Callable[[], int], fold_line: Callable[[str], str]) -> None:
        self.raw = raw  # the line as in the input, whitespace kept
        self._index = index  # a foot line's number is found when first asked for (see _FootNumbers)
        self._fold = fold_line
        self._line: _Text | None = None

    @property
    def index(self) -> int:
        """0-based physical line of the input."""
        if not isinstance(self._index, int):
            self._index = self._index()
        return self._index

    @property
    def line(self) -> _Text:
        """Whitespace, glosses and placeholders dropped."""
        if self._line is None:
            self._line = _clean(self.raw, self._fold(self.raw))
        return self._line

    def cleaned(self, part: str) -> _Text:
        """A part of the raw line cleaned as the line is: folded the document's way, the width
        fold alone in a document without a traditional character (no scan for one)."""
        return _clean(part, self._fold(part))


def _clean(text: str, folded: str) -> _Text:
    """Drop whitespace, pinyin glosses and leading placeholders from an aligned text/fold pair."""
    glosses = gloss_spans(text)
    if not glosses and not RE_PLACEHOLDER_HEAD.match(folded):
        # Whitespace sits at the same places in both (the fold maps spaces to spaces).
        return _Text("".join(text.split()), "".join(folded.split()))
    drop = set()
    for start, end in glosses:
        drop.update(range(start, end))
    head = RE_PLACEHOLDER_HEAD.match(folded)
    if head:
        drop.update(range(head.end()))
    keep = [i for i, c in enumerate(folded) if i not in drop and not c.isspace()]
    return _Text("".join(text[i] for i in keep), "".join(folded[i] for i in keep))


def _is_blank(raw: str) -> bool:
    """Whether nothing of the line is left once cleaned (see _clean)."""
    stripped = raw.strip()
    if not stripped:
        return True
    if stripped[0] not in _PLACEHOLDER_CHARS:
        # The first character that is not a space is kept (a gloss follows an ideograph).
        return False
    return not _clean(raw, fold(raw)).key


class _FootNumbers:
    """The input line numbers of foot lines, from the number of lines between head and foot.

    Apart from _Lines, which holds the foot lines: a foot line asking _Lines itself would
    make a reference cycle, which (the cyclic collector is paused while a document is
    parsed) would keep the whole input alive to the end of the parse.
    """

    __slots__ = ("_between", "_raw")

    def __init__(self, raw: str, between: int | tuple[int, int]) -> None:
        self._raw = raw
        self._between = between  # the number, or the span in `raw` of the lines between head and foot

    def number(self, place: int) -> int:
        if isinstance(self._between, tuple):
            # Counted only when asked for: the front reaches the foot (fewer than _FRONT_LINES lines
            # in the head), or a foot line is compared with a line beyond the head (see stands_before).
            start, end = self._between
            breaks = sum(self._raw.count(c, start, end) for c in LINE_BREAKS) - self._raw.count("\r\n", start, end)
            self._between = breaks  # whole lines: one break each, \r\n one break
        return place + self._between


class _Lines:
    """The non-blank physical lines of the page head and foot (see _lines), each made a
    _FrontLine, and cleaned, only when read.

    Most lines only have to be passed over (a body paragraph between the header and the
    signature): `holding` finds the few that matter on the raw text, before any cleaning.
    """

    __slots__ = ("_foot", "_joined", "_made", "_scan", "_traditional", "head_lines", "places", "raws")

    def __init__(
        self, raw: str, raws: list[str], places: list[int], head_lines: int, between: int | tuple[int, int],
        traditional: bool, joined: str,
    ) -> None:
        self.raws = raws  # as in the input
        self._joined = joined  # "\n".join(raws), for the _Scan
        self._traditional = traditional  # the input holds traditional characters (Document.traditional)
        self.places = places  # of each line among the head and foot lines, blank ones too
        self.head_lines = head_lines  # physical lines in the head; the foot follows, `between` lines further
        self._foot = _FootNumbers(raw, between)
        self._made: list[_FrontLine | None] = [None] * len(raws)
        self._scan: _Scan | None = None

    def __len__(self) -> int:
        return len(self.raws)

    def __getitem__(self, k: int) -> _FrontLine:
        made = self._made[k]
        if made is None:
            place = self.places[k]
            made = _FrontLine(self.raws[k], place if place < self.head_lines else partial(self._foot.number, place),
                              fold if self._traditional else fold_width)
            self._made[k] = made
        return made

    def stands_before(self, k: int, end: int) -> bool:
        """Whether line k stands before physical line `end` (a foot line stands after the head)."""
        if self.places[k] >= self.head_lines and end <= self.head_lines:
            return False
        return self[k].index < end

    def holding_raw(self, raw_test: re.Pattern[str], *char_sets: str) -> list[int]:
        """`holding(*char_sets)` less the lines in whose raw text `raw_test` (what a folded line
        needs, as the raw text writes it) finds nothing; every line when the raw text cannot tell."""
        found = self.holding(*char_sets)
        if self._scan is None or not self._scan.plain:
            return found
        search, raws = raw_test.search, self.raws
        return [k for k in found if search(raws[k])]

    def head(self, count: int) -> list[_FrontLine]:
        return [self[k] for k in range(min(count, len(self)))]

    def holding(self, chars: str, *more_sets: str) -> list[int]:
        """Positions, in order, of the lines whose folded text may hold a character of `chars` and
        one of each further set (sets built with _raw_forms); every line when that cannot be told
        from the raw text. The text is scanned for `chars` only (put the rarest set first): the
        few lines found are asked for the other sets one by one."""
        if self._scan is None:
            self._scan = _Scan(self.raws, self._joined, self._traditional)
        if not self._scan.plain:
            return list(range(len(self)))
        found = sorted(self._scan.holding(chars))
        raws = self.raws
        for more in more_sets:
            found = [k for k in found if any(c in raws[k] for c in more)]
        return found


class _Scan:
    """The lines joined, to find characters in them at C speed."""

    __slots__ = ("plain", "starts", "text")

    def __init__(self, raws: list[str], joined: str, traditional: bool) -> None:
        self.text = joined  # the lines joined by line feeds
        # Offset of each line in `text`, and one past the end.
        self.starts = [0, *accumulate(map((1).__add__, map(len, raws)))]
        # No character the fold turns into another ideograph: a folded line holds a character
        # exactly when its raw line holds it or a full-width form of it. Most inputs hold none at
        # all (`traditional`, checked by normalise); the lines of one that does are checked here.
        self.plain = not traditional or not has_traditional(self.text)

    def holding(self, chars: str) -> set[int]:
        """Positions of the lines holding a character of `chars`."""
        text, starts, last = self.text, self.starts, len(self.starts) - 2
        found = set()
        for c in chars:
            pos = text.find(c)
            while pos >= 0:
                k = bisect_right(starts, pos) - 1
                found.add(k)
                pos = text.find(c, starts[k + 1]) if k < last else -1
        return found


def _head_and_foot(raw: str) -> tuple[list[str], list[str], int | tuple[int, int]]:
    """The first _HEAD_LINES physical lines, the last _FOOT_LINES after them (lines as
    str.splitlines gives them), and the number of lines between, or their span in `raw`
    to count them should that number matter: a long text is not split whole.
    """
    if len(raw) <= _SPLIT_CHUNK:
        # splitlines at once: splitting on line feeds costs less, but looking for the other
        # line breaks first (a scan of the text for each) costs more than the difference.
        physical = raw.splitlines()
        foot = max(_HEAD_LINES, len(physical) - _FOOT_LINES)
        return physical[:_HEAD_LINES], physical[foot:], foot - min(_HEAD_LINES, len(physical))
    size = _SPLIT_CHUNK
    while len(head := raw[:size].splitlines(keepends=True)) <= _HEAD_LINES and size < len(raw):
        size *= 4
    if len(head) <= _HEAD_LINES:  # the whole text, in at most _HEAD_LINES lines
        return [line.rstrip(LINE_BREAKS) for line in head], [], 0
    # A line starts after the first _HEAD_LINES: they are whole, line breaks too.
    head = head[:_HEAD_LINES]
    head_end = sum(map(len, head))
    size = _SPLIT_CHUNK
    while True:
        start = max(head_end, len(raw) - size)
        tail = raw[start:].splitlines(keepends=True)
        if start == head_end or len(tail) > _FOOT_LINES:
            break
        size *= 4
    if start > head_end:
        tail = tail[1:]  # cut, or the \n of a \r\n the cut split
    foot = tail[-_FOOT_LINES:]
    lines = [line.rstrip(LINE_BREAKS) for line in head + foot]
    if start == head_end:  # the tail is every line after the head
        return lines[:_HEAD_LINES], lines[_HEAD_LINES:], len(tail) - len(foot)
    return lines[:_HEAD_LINES], lines[_HEAD_LINES:], (head_end, len(raw) - sum(map(len, foot)))


def _lines(doc: Document) -> _Lines:
    """Non-blank physical lines of the page head and foot, where metadata stands.

    Metadata reads the page layout itself (a label line, a signature line, a heading
    between blank lines), so it works on the lines as the input breaks them, not on
    logical lines that may glue a header block together.
    """
    head, foot, between = _head_and_foot(doc.raw)
    raws = head + foot
    if max(map(len, raws), default=0) > _LINE_MAX:
        # Lines beyond a few hundred characters are running text: only their start is read.
        raws = [raw[:_LINE_MAX] for raw in raws]
    # Blank once cleaned: only whitespace, or (rare) placeholders and whitespace.
    # rstrip: as empty as strip on a blank line, and with no copy of an indented one.
    kept = [*compress(range(len(raws)), map(str.rstrip, raws))]
    kept_raws = [raws[k] for k in kept]
    # Joined once, for the placeholder test here and the lines' _Scan (a blank line holds no placeholder).
    joined = "\n".join(kept_raws)
    if any(c in joined for c in _PLACEHOLDER_CHARS):
        kept = [k for k in kept if not _is_blank(raws[k])]
        kept_raws = [raws[k] for k in kept]
        joined = "\n".join(kept_raws)
    return _Lines(doc.raw, kept_raws, kept, len(head), between, doc.traditional, joined)


def _front(lines: _Lines) -> list[_FrontLine]:
    """Lines before the body starts (the first structural marker)."""
    out = []
    for k in range(len(lines)):
        line = lines[k]
        if match_marker(line.line.key) or len(out) >= _FRONT_LINES:
            break
        out.append(line)
    return out


# --- title -------------------------------------------------------------------------------


def _name_key(key: str) -> str:
    return RE_NAME_NOISE.sub("", key)


def _bracket_depth(key: str, pos: int) -> int:
    return key.count("《", 0, pos) - key.count("》", 0, pos)


def _strip_book_marks(name: _Text) -> _Text:
    if name.key.startswith("《") and name.key.endswith("》") and name.key.count("《") == 1:
        return name.cut(1, -1)
    return name


def _plan_name(name: _Text) -> _Text | None:
    """A name found in a wrapper, if it reads as a plan title."""
    name = _strip_book_marks(name)
    lo, hi = _TITLE_LEN
    if lo <= len(name.key) <= hi and _vocab().title_end.search(name.key) and not RE_PROSE.search(name.key):
        return name
    return None


def _notice(line: _Text) -> tuple[_Text, _Text] | None:
    """(issuer part, plan name) of a covering-notice title line (…关于印发《X》的通知)."""
    if RE_PROSE.search(line.key) or not _vocab().notice_needs.search(line.key):
        return None
    m = _vocab().notice.search(line.key)
    if not m:
        return None
    name = _plan_name(line.cut(m.start("x"), m.end("x")))
    if name is None:
        return None
    pre = line.cut(m.start("pre"), m.end("pre"))
    numbers = list(RE_DOC_NUMBER.finditer(pre.key))
    if numbers:
        pre = pre.cut(numbers[-1].end())
    return pre, name


@dataclass(frozen=True)
class _Name:
    """A plan's name that something around the plan gives."""

    name: _Text
    # A notice title, a file name, a name label or a headline names this document's plan;
    # a sentence (日前，某市印发《X》。/ 现将《X》印发给你们) may name another, so it
    # only helps to pick among the headings.
    names_this_plan: bool


def _wrapper_name(line: _Text) -> _Name | None:
    """The plan name a wrapper line gives, if the line is one."""
    vocab = _vocab()
    notice = _notice(line)
    if notice:
        return _Name(notice[1], True)
    label = vocab.title_label.match(line.key)
    if label:
        value = line.cut(label.start("x"), label.end("x"))
        inner = _notice(value)
        name = inner[1] if inner else _plan_name(value)
        return _Name(name, True) if name else None
    m = vocab.file_name.search(line.key) if vocab.file_name_needs.search(line.key) else None
    if m and (name := _plan_name(line.cut(m.start("x"), m.end("x")))):
        return _Name(name, True)
    prose = bool(RE_PROSE.search(line.key))
    whole = _strip_book_marks(line)
    if whole is not line and not prose:
        # A headline in book marks: 《某市政府印发某市水污染防治2018年行动计划》.
        m = vocab.verb_then_name.search(whole.key)
        if m and (name := _plan_name(whole.cut(m.start("x"), m.end("x")))):
            return _Name(name, True)
        if name := _plan_name(whole):
            # The plan's name alone on its line, in book marks: 《某市2023年…实施方案》.
            return _Name(name, True)
    for pattern in (vocab.consultation, vocab.quoted_then_verb, vocab.verb_then_quoted):
        m = pattern.search(line.key)
        # Inside book marks the words belong to a cited document's title (《国务院关于印发…的通知》).
        if m and _bracket_depth(line.key, m.start("x")) == 0:
            name = _plan_name(line.cut(m.start("x"), m.end("x")))
            if name:
                return _Name(name, not prose)
    return None


def _wrapped_names(front: list[_FrontLine]) -> list[_Name]:
    """Plan names that wrappers around the plan give, in document order."""
    names: list[_Name] = []
    skip_next = False
    for k, fl in enumerate(front):
        if skip_next:
            skip_next = False
            continue
        line = fl.line
        if _vocab().notice_open.search(line.key) and k + 1 < len(front):
            # A notice title broken over two lines: 关于印发某市 / 碳达峰实施方案的通知.
            pair = line + front[k + 1].line
            if _notice(pair):
                line, skip_next = pair, True
        found = _wrapper_name(line)
        if found:
            names.append(found)
    return names


def _is_heading(text: str) -> bool:
    lo, hi = _TITLE_LEN
    return (
        lo <= len(text) <= hi
        and not RE_PROSE.search(text)
        and not RE_LABEL_COLON.search(text)
        and bool(_vocab().title_end.search(text))
    )


def _head_chunk(fl: _FrontLine) -> _Text | None:
    """The heading at the head of a flattened line: `附件 某县2018年…清单 工作任务…`."""
    vocab = _vocab()
    chunks = fl.raw.split()
    if len(chunks) < 2:
        return None
    skip = vocab.attachment.fullmatch(fl.cleaned(chunks[0]).key)
    head = chunks[1] if skip else chunks[0]
    start = skip.end() if skip else 0
    key = fl.cleaned(head).key
    if fl.line.key.startswith(key, start) and _is_heading(key):
        # Matched on the folded line so the output keeps the characters as written.
        return fl.line.cut(start, start + len(key))
    return None


def _title_parts_above(front: list[_FrontLine], k: int) -> list[_FrontLine]:
    """Lines above front[k] that begin its title, when a layout break split it (up to two).

    The title's last line is short or starts like the end of a title (…工作方案及任务清单);
    the lines above it are short, without punctuation, and not a body, a date or a title.
    """
    vocab = _vocab()
    key = front[k].line.key
    if len(key) > 12 and not key.startswith(vocab.continuation):
        return []
    parts: list[_FrontLine] = []
    below = front[k]
    for above in reversed(front[max(k - 2, 0) : k]):
        text = above.line.key
        if (
            below.index - above.index > 3  # blank lines between two parts, no more
            or len(text) > 30
            or RE_PROSE.search(text)
            or RE_LABEL_COLON.search(text)
            or vocab.issuer_end.search(text)
            or vocab.title_end.search(text)
            or _date_only(text)
            or RE_DOC_NUMBER.search(text)
            or RE_QUALIFIER_LINE.match(text)
            or vocab.junk.search(above.raw)
        ):
            break
        parts.insert(0, above)
        below = above
    return parts


def _headings(front: list[_FrontLine]) -> list[_Text]:
    """Heading lines that may be the title, in document order (two-line headings joined)."""
    vocab = _vocab()
    out: list[_Text] = []
    for k, fl in enumerate(front):
        key = fl.line.key
        headline = vocab.headline_needs.search(key) and vocab.headline.match(key)
        if vocab.junk.search(fl.raw) or _notice(fl.line) or headline:
            continue  # a headline (某市印发某方案) reports the plan; its own heading follows
        if not _is_heading(key):
            chunk = _head_chunk(fl)
            if chunk:
                out.append(chunk)
            continue
        parts = _title_parts_above(front, k)
        if parts:
            out.append(sum((p.line for p in parts[1:]), parts[0].line) + fl.line)
            continue
        heading = fl.line
        if k + 1 < len(front) and RE_QUALIFIER_LINE.match(front[k + 1].line.key):
            # A qualifier on the line under the title belongs to it: （征求意见稿）, （试行）.
            heading = heading + front[k + 1].line
        out.append(heading)
    return out


def _title(front: list[_FrontLine], page: Mapping[str, str]) -> _Text | None:
    names = _wrapped_names(front)
    # A page's own title metadata names the plan too (perhaps inside its notice), after the text.
    for label, value in page.items():
        if label in _vocab().title_labels:
            stated = _clean(value, fold(value))
            found = _wrapper_name(stated) or (_Name(n, True) if (n := _plan_name(stated)) else None)
            if found:
                names.append(found)
    headings = _headings(front)
    wanted = {_name_key(n.name.key) for n in names}
    if wanted:
        # The plan's own heading, as it writes the name (also one broken over two lines).
        pairs = [a.line + b.line for a, b in pairwise(front)]
        for heading in headings + pairs:
            if _name_key(heading.key) in wanted:
                return heading
    for n in names:
        if n.names_this_plan:
            return n.name
    return headings[0] if headings else None


# --- issuer and date ---------------------------------------------------------------------

RE_DATE = lazy_re(DATE_CORE)
RE_ISO = lazy_re(ISO_CORE)
RE_CN_DATE_ONLY = lazy_re(rf"^{DATE_CORE}(?:印发)?$")
# A month of issue without its day, as cover pages write it under the body's name.
RE_CN_MONTH_ONLY = lazy_re(rf"^(?:\d{{4}}|[{CN_YEAR_DIGITS}]{{4}})年(?:\d{{1,2}}|[{CN_ONE_TO_TEN}]{{1,3}})月$")
RE_SIGNED_DATE = lazy_re(rf"^(?P<body>.+?){DATE_CORE}$")
# What every date above holds: 月 and 年 (DATE_CORE and a month of issue write both).
_DATE_HINT = (_raw_forms("月"), _raw_forms("年"))  # 月 first: body lines write many more years than months
# How each of those ends (a month of issue: 月; a date written out: 日, maybe 印发), as a raw line
# ends with it: spaces and pinyin glosses after it, which cleaning drops.
RE_DATE_LINE_END = lazy_re(r"[月日发](?:\s|[(（][^()（）]*+[)）])*+$")


def _date(m: re.Match[str]) -> dt.date | None:
    try:
        if m.groupdict().get("y"):
            return dt.date(cn_int(m["y"]), cn_int(m["m"]), cn_int(m["d"]))  # type: ignore[arg-type]
        return dt.date(int(m["iy"]), int(m["im"]), int(m["id"]))
    except (ValueError, TypeError):
        return None


def _date_only(key: str) -> dt.date | None:
    m = RE_CN_DATE_ONLY.match(key)
    return _date(m) if m else None


def _body_name(text: _Text) -> _Text | None:
    """The line as an issuing body's name (a header or signature line), if it is one."""
    name = text.key.removesuffix("文件")
    if (
        2 <= len(name) <= _NAME_MAX
        and _vocab().issuer_end.search(name)
        and not RE_PROSE.search(name)
        and not RE_LABEL_COLON.search(name)
        and "、" not in name
    ):
        return text.cut(0, len(name))
    return None


def _body_above(page: _Lines, k: int) -> _Text | None:
    return _body_name(page[k - 1].line) if k > 0 else None


def _signature(page: _Lines, front_end: int) -> tuple[_Text | None, dt.date | None]:
    """Signer and date of the first signature block: a body line, then a date written out.

    A date alone on its line is a signature date under a body's name, or in the front
    matter (a notice dated without a signer); elsewhere it may be a table cell. A cover
    page gives the body over a month without its day (二〇二一年十二月): a signer only.
    """
    cover: _Text | None = None
    # A line without a date is passed over by every test below.
    for k in page.holding_raw(RE_DATE_LINE_END, *_DATE_HINT):
        fl = page[k]
        if cover is None and RE_CN_MONTH_ONLY.match(fl.line.key) and (above := _body_above(page, k)):
            cover = above
            continue
        date = _date_only(fl.line.key)
        if date:
            above = _body_above(page, k)
            if above or page.stands_before(k, front_end):
                return above or cover, date
            continue
        # A date written out ends with 日: the lazy body of RE_SIGNED_DATE costs a try at every character.
        m = RE_SIGNED_DATE.match(fl.line.key) if fl.line.key.endswith("日") else None
        if m:
            body = _body_name(fl.line.cut(0, m.end("body")))
            if body and (date := _date(m)):
                return body, date
    return cover, None


def _header_issuer(front: list[_FrontLine], title: _Text | None) -> _Text | None:
    """The body the document's own header names: a letterhead line or a notice title's issuer."""
    for k, fl in enumerate(front):
        if title is not None and fl.line.key.endswith(title.key):
            break
        notice = _notice(fl.line)
        if notice:
            name = _body_name(notice[0])
            if name:
                return name
            continue
        name = _body_name(fl.line)
        if name and _heads_document(front, k, title):
            return name
    return None


def _heads_document(front: list[_FrontLine], k: int, title: _Text | None) -> bool:
    """A letterhead stands right above the document number, the notice title or the title.

    A site's banner further up the page names the site, not the document's issuer.
    """
    for below in front[k + 1 : k + 3]:
        key = below.line.key
        if RE_DOC_NUMBER.match(key) or _notice(below.line) or (title and _name_key(title.key) in _name_key(key)):
            return True
    return False


@dataclass(frozen=True)
class _Labelled:
    label: str
    value: str  # as written, whitespace removed
    key: str  # folded value


def _labelled_values(lines: _Lines, page: Mapping[str, str]) -> list[_Labelled]:
    """Every `label: value` of the page in document order, then page metadata handed in.

    Within one rank of sources the text comes first: it is what spans point into.
    """
    vocab = _vocab()
    out = []
    # A line without a source's label is passed over: a web label alone (索引号：) is never read.
    for k in lines.holding_raw(vocab.source_label_line, _LABEL_HINT):
        fl = lines[k]
        matches = list(vocab.label.finditer(fl.line.key))
        for m, nxt in zip(matches, [*matches[1:], None], strict=False):
            end = nxt.start() if nxt else len(fl.line.key)
            value = fl.line.cut(m.end(), end)
            out.append(_Labelled(m["label"], value.text.strip("|"), value.key.strip("|")))
    out += [_Labelled(label, "".join(v.split()), "".join(fold(v).split())) for label, v in page.items()]
    return out


def _labelled_issuer(value: _Labelled, government_only: bool) -> _Text | None:
    ends = [w.end() for w in _vocab().issuer_word.finditer(value.key)]
    if not ends:
        return None
    # Labels run together once spaces are gone (…生态环境局浏览次数): cut after the last body word.
    name = value.key[: ends[-1]]
    if government_only and not _vocab().government_word.search(name):
        return None
    return _Text(value.value[: ends[-1]], name) if 2 <= len(name) <= _NAME_MAX else None


def _labelled_date(value: _Labelled) -> dt.date | None:
    for pattern in (RE_DATE, RE_ISO):
        m = pattern.match(value.key)
        if m:
            return _date(m)
    return None


def _first_by_rank(
    ranks: tuple[SourceRank, ...],
    document_value: T | None,
    labelled: list[_Labelled],
    read: Callable[[_Labelled, bool], T | None],
) -> T | None:
    """The value of the best source that has one (spec §1 order, as vocab/metadata.yaml lists it)."""
    for rank in ranks:
        if not isinstance(rank, LabelledSource):  # the document's own header line or signature
            if document_value is not None:
                return document_value
            continue
        for item in labelled:
            if item.label in rank.labels:
                value = read(item, rank.government_body_only)
                if value is not None:
                    return value
    return None


# --- region and year ---------------------------------------------------------------------


# Years before the place in a title (2021年度, 2021-2025年).
RE_TITLE_YEARS = lazy_re(r"\d{4}+(?:[-—～~至]\d{4}+)?年度?")
# A run of ideographs.
RE_HAN_RUN = lazy_re(r"[\u4e00-\u9fff]*")


def _place_at_start(name: _Text) -> str | None:
    """The place name a title or a body name starts with (湖州市, 杭州市拱墅区, XX縣, 广西)."""
    vocab = _vocab()
    for prefix in vocab.title_prefixes:
        if name.key.startswith(prefix):
            name = name.cut(len(prefix))
    year = RE_TITLE_YEARS.match(name.key)
    if year:
        name = name.cut(year.end())
    key = name.key
    m = vocab.placeholder_place.match(key)
    if m:
        return name.text[: m.end()]
    end = 0
    while True:
        # One link of the chain: a short run of characters and a suffix (杭州 市 | 拱墅 区).
        longest = 8 if end == 0 else 5
        link = None
        for s in vocab.region_suffix.finditer(key, end + 1, end + longest + 4):
            body = key[end : s.start()]
            if 1 <= len(body) <= longest and all(is_han(c) for c in body):
                link = s
                break
        if link is None:
            break
        body = key[end : link.start()]
        # 全市 / 本县 / 我区 are no names (本溪市, 全椒县 are: the generic word is one character).
        if body in vocab.region_not_names or vocab.region_not_place.search(body):
            break
        end = link.end()
    if end:
        return name.text[:end]
    m = vocab.province.match(key)
    return name.text[: m.end()] if m else None


def _branch_place(name: _Text, doc: Document) -> str | None:
    """The district of a branch office the name ends in (某市生态环境局某某区分局 → 某某区): the
    plan of a city bureau's branch covers the district the branch serves. A branch named
    without the area's suffix (某某分局) takes it from where the text names the area."""
    vocab = _vocab()
    m = vocab.branch.search(name.key)
    if m is None:
        return None
    place = m.group("place")
    if vocab.region_not_place.search(place):
        return None
    if vocab.region_end.search(place):
        return name.text[m.start("place") : m.end("place")]
    written = re.search(f"{re.escape(place)}(?:{vocab.region_suffixes})(?![{PLACE_SUFFIXES}])", doc.fold)
    return doc.text[written.start() : written.end()] if written else None


def _owner_place(title: _Text, lines: _Lines) -> str | None:
    """A title naming a body without its place (市生态环境局2024年工作计划): the place the text gives it."""
    vocab = _vocab()
    body = vocab.issuer_word.search(title.key)
    if not body or not vocab.region_suffix.match(title.key):
        return None
    # The same body with its place in front, the place starting after a non-character (，某市生态环境局).
    owner = title.key[: body.end()]
    named = re.compile(f"(?<![\u4e00-\u9fff])(?P<place>{vocab.placeholder_names}|[\u4e00-\u9fff]{{2,4}}?)"
                       f"{re.escape(owner)}")
    for k in lines.holding(_raw_forms(owner[-1])):
        fl = lines[k]
        m = named.search(fl.line.key)
        if m:
            return fl.line.text[m.start("place") : m.end("place") + 1]
    return None


def _province_served(lines: list[_FrontLine]) -> str | None:
    """The one province the opening text names as such (推进吉林全面振兴), not inside a name.

    A province name that starts a longer name (天津经济技术开发区管委会, 湖南省生态环境厅)
    or sits in a cited title (《…》) is a passing mention; two different provinces
    leave the region open.
    """
    vocab = _vocab()
    found: set[str] = set()
    for fl in lines:
        key = fl.line.key
        for m in vocab.province.finditer(key):
            run = RE_HAN_RUN.match(key, m.end())
            tail = run.group(0) if run else ""
            if _bracket_depth(key, m.start()) or vocab.region_suffix.search(tail) or vocab.issuer_word.search(tail):
                continue
            found.add(fl.line.text[m.start() : m.end()])
    return found.pop() if len(found) == 1 else None


def _year(title: str | None) -> int | None:
    if not title:
        return None
    years = {int(y) for y in RE_YEAR.findall(title)}
    return years.pop() if len(years) == 1 else None


def read_meta(doc: Document, page: Mapping[str, str] | None = None) -> tuple[Meta, int | None]:
    """The metadata of a plan (parse_meta) and the year its relative deadlines fall in
    (parse_plan_year), from one reading of the page head and foot: both read the front lines."""
    everything = _lines(doc)
    front = _front(everything)
    meta = _meta(doc, page, everything, front)
    return meta, _plan_year(meta, front)


def parse_meta(doc: Document, page: Mapping[str, str] | None = None) -> Meta:
    """Metadata of a plan; fields the text does not state are None.

    `page` holds metadata a reader found outside the text (an HTML page's <meta> tags),
    keyed by the names vocab/metadata.yaml lists among the labels.
    """
    everything = _lines(doc)
    return _meta(doc, page, everything, _front(everything))


def _meta(doc: Document, page: Mapping[str, str] | None, everything: _Lines, front: list[_FrontLine]) -> Meta:
    vocab = _vocab()
    title = _title(front, page or {})
    labelled = _labelled_values(everything, page or {})
    front_end = front[-1].index + 1 if front else 0
    signer, signed = _signature(everything, front_end)
    header = _header_issuer(front, title)
    issuer = _first_by_rank(vocab.issuer_ranks, header or signer, labelled, _labelled_issuer)
    date = _first_by_rank(vocab.date_ranks, signed, labelled, lambda item, _: _labelled_date(item))
    region = None
    for source in (title, issuer):
        if source is not None and region is None:
            region = _branch_place(source, doc) or _place_at_start(source)
    if region is None and title is not None:
        region = _owner_place(title, everything)
    if region is None and title is None:
        # No title to name the area: the province the opening paragraphs serve, if only one.
        region = _province_served(everything.head(_OPENING_LINES))
    title_text = title.text if title else None
    return Meta(
        title=title_text,
        issuer=issuer.text if issuer else None,
        date=date,
        year=_year(title_text),
        region=region,
    )


def parse_plan_year(doc: Document, meta: Meta) -> int | None:
    """The year relative deadlines (年底前, 9月底前) fall in.

    The title's year; failing that, the working year the preamble states
    (为做好2023年…工作), which the spec does not count as the plan's title year;
    failing that, the year the plan was issued in: a plan's 年底前 is the end of a
    year it is in force, and a 十四五 plan issued in 2022 looks back on 十三五.
    """
    return meta.year if meta.year is not None else _plan_year(meta, _front(_lines(doc)))


def _plan_year(meta: Meta, front: list[_FrontLine]) -> int | None:
    if meta.year is not None:
        return meta.year
    for fl in front:
        m = _vocab().working_year.search(fl.line.key)
        if m:
            return int(m["y"])
    return meta.date.year if meta.date is not None else None
