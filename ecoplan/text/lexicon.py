"""The characters of Chinese plan text that every stage shares, in one place.

Numerals, place suffixes, sentence and clause ends, bracket pairs, spaces and
the year range are written here once; word lists (attachment lines, web
labels) come from `ecoplan/vocab` data. Other modules build their patterns
from these names instead of writing the characters again.
"""

from __future__ import annotations

import re
from functools import cache

from ecoplan.text.patterns import lazy_re
from ecoplan.vocab import load

# --- numerals ---------------------------------------------------------------
# The digits 1-9 and 10 as headings and counts write them.
CN_ONE_TO_NINE = "一二三四五六七八九"
CN_ONE_TO_TEN = CN_ONE_TO_NINE + "十"
# Digits of a year written in Chinese (二〇二三): zero has three written forms.
CN_YEAR_DIGITS = "〇○零" + CN_ONE_TO_NINE
# Every character of a Chinese numeral below 10 000 (counts, chapters: 第一百二十条).
CN_DIGITS = "零〇一二两三四五六七八九"
CN_POWERS = "十百千"
CN_CHAPTER_NUMERAL = CN_ONE_TO_TEN + "百零〇两"
CN_VALUES = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
CN_POWER_VALUES = {"十": 10, "百": 100, "千": 1000}
CIRCLED_FIRST, CIRCLED_LAST = "①", "⑳"
# A month (1-12) and a day (1-31) written in Chinese numerals, as regex alternatives.
CN_MONTH = f"十[一二]?|[{CN_ONE_TO_NINE}]"
CN_DAY = f"[一二三]?十[{CN_ONE_TO_NINE}]?|[{CN_ONE_TO_NINE}]"
# Years a plan can speak of: nothing before the People's Republic, nothing far ahead.
YEAR_MIN, YEAR_MAX = 1949, 2100

# --- places -----------------------------------------------------------------
# The suffix of an administrative place name (瓦房店市, 金州区, 湖州).
PLACE_SUFFIXES = "省市区县州旗"
# Places that act in a plan (a province is never the subject of a county's clause).
ACTOR_PLACE_SUFFIXES = "市区县旗州"
# What a subject in a list of places or sectors ends with (城市、县城、重点镇; 工业园).
SETTLEMENT_ENDS = "市县镇城村区乡省业园"

# --- punctuation ------------------------------------------------------------
# On folded text (full-width ASCII already half-width): ends of sentences and clauses.
SENTENCE_ENDS = "。!?"
CLAUSE_ENDS = ",;:"
# Ends of a sentence in unfolded text, as titles and prose detection read them.
TITLE_ENDS = "。;；"
TITLE_TRIM = " :：,，、"
PROSE_MARKS = "。，,；;：:"
LIST_SEPARATORS = "、，,；;/／"
# List connectors between items of a list (完成16个…、79个…和5处…).
LIST_CONNECTORS = ("以及", "、", "和", "及", "与", "或")
JOINERS = "和及与"
COLONS = "：:"
# Bracket pairs. On folded text the full-width （） are already ().
OPEN_BRACKETS_FOLDED = "(《“[〔【"
CLOSE_BRACKETS_FOLDED = ")》”]〕】"
OPEN_PARENS = "(（"
CLOSE_PARENS = ")）"
OPEN_ANY = "(（〔【["
CLOSE_ANY = ")）〕】]"
# Marks around the title of a document (《关于…的通知》).
BOOK_TITLE_OPEN, BOOK_TITLE_CLOSE = "《", "》"
# Marks around a quoted name (“十四五”, 「…」).
QUOTE_OPEN = "\"“「『"
QUOTE_CLOSE = "\"”」』"
# Marks around the title of a document (《…》).
BOOK_TITLE_MARKS = "《》"
# Marks that open and close 《…》 titles and “…” quotations.
TITLE_QUOTE_MARKS = '《》“”"＂'
# A document number: the issuer's abbreviation, 〔year〕 and a serial (粤府〔2018〕128号,
# 川委厅〔〕92号 with its year lost); nothing in it names an actor. A text without
# the serial's mark holds none.
DOCUMENT_NUMBER_MARK = "号"
RE_DOCUMENT_NUMBER = lazy_re(
    r"[\u4e00-\u9fff]{1,8}+(?:[〔［\[]\s*+\d{0,4}+\s*+[〕］\]]|[（(]\d{4}[）)])\s*+\d{1,4}+\s*+"
    + DOCUMENT_NUMBER_MARK
)
# Dashes between two ends of a range or a span of years.
RANGE_DASHES = "-—–~～"

# --- spaces -----------------------------------------------------------------
SPACES = " \u00a0\u3000\u2002\u2003\u2009\u200b\ufeff"
# Characters that end a physical line (\r\n counts as one break).
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
# What pads a table cell or an item.
PADDING = " \t\u3000\u00a0"
RE_WHITESPACE = lazy_re(r"\s++")


def char_class(chars: str, negate: bool = False) -> str:
    """A regex character class of `chars` (for `re` and `regex`): char_class(OPEN_PARENS) -> [\\(（]."""
    return ("[^" if negate else "[") + re.escape(chars) + "]"


def squash(text: str) -> str:
    """`text` without any whitespace: layout spaces carry no meaning in Chinese text."""
    # Every whitespace character but the space is unprintable: isprintable and a substring
    # test tell most titles and names, which hold none, faster than the pattern's scan.
    if text.isprintable() and " " not in text:
        return text
    return RE_WHITESPACE.sub("", text)


def is_han(ch: str) -> bool:
    """A CJK ideograph (basic block, extension A, or the supplementary planes)."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or ch >= "\U00020000"


# --- word lists from vocabulary data ----------------------------------------


@cache
def attachment_words() -> tuple[str, ...]:
    """Line starts of an attachment (附件, 附表): never a heading, never glued to the line before."""
    return tuple(load("headings").non_section_prefixes)


@cache
def comment_openers() -> tuple[frozenset[str], int]:
    """The lines that open a web page's reader comments or other articles (网友评论, 往期推荐), and the
    longest one's length."""
    words = load("metadata").comment_openers
    return frozenset(words), max(map(len, words), default=0)


@cache
def web_labels() -> tuple[str, ...]:
    """Labels of a web page's metadata line (发布日期, 来源, 索引号 …)."""
    v = load("metadata")
    return tuple(dict.fromkeys([*v.source_labels, *v.web_labels]))
