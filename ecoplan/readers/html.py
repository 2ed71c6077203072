"""Web pages: selectolax over the content container Chinese government sites use.

Government sites run a handful of content-management systems (TRS, UCAP,
the State Council's own), and each puts the article body in a container with a
known class or id; the nav bar, breadcrumb, sidebar and footer sit outside it.
selectolax (MIT, the Lexbor HTML5 parser in C) finds it in a few milliseconds.
A page with none of these containers falls back to readability-lxml, which
scores blocks by text and link density. The publisher's <meta> tags
(ArticleTitle, PubDate, ContentSource) feed the metadata, and the title is put
first in the text when the body does not carry it, as printed plans do.

The page is decoded by its declared charset (BOM, then <meta charset> or
http-equiv), GBK and GB2312 read as their superset GB18030.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from ecoplan.errors import ReadError
from ecoplan.readers import Extracted, missing_extra, version_of
from ecoplan.readers.layout import cell_text, table_row

# Article containers of Chinese government sites, most specific first.
CONTENT_SELECTORS = (
    ".TRS_Editor", ".trs_editor_view", ".TRS_UEDITOR", "#UCAP-CONTENT", ".pages_content", "#zoom",
    ".Custom_UnionStyle", ".article-content", ".article_content", "#article_content", ".content_text",
    "#content_text", ".zw", "#zw", ".view", "article",
)
# Elements that never hold article text.
_SKIP = frozenset({"script", "style", "noscript", "template", "iframe", "nav", "button", "select", "input",
                   "textarea", "svg", "head", "title", "meta", "link", "object", "embed", "map", "-comment"})
# Elements that start and end a line.
_BLOCK = frozenset({"p", "div", "section", "article", "header", "footer", "aside", "main", "h1", "h2", "h3", "h4",
                    "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "center", "address",
                    "figure", "figcaption", "form", "fieldset", "hr", "br", "tr", "table", "tbody", "thead",
                    "tfoot", "caption", "body", "html"})
_RE_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_RE_WHITESPACE = re.compile(r"[ \t\r\n\f\v]+")
_RE_CJK = re.compile(r"[\u3400-\u9fff]")
# An article has more than a caption's worth of Chinese text, most of it outside links.
_MIN_BODY_CJK = 40
_MAX_LINK_SHARE = 0.5
# Charsets a page declares that are read as a superset.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "euc-cn": "gb18030", "hz-gb-2312": "hz",
              "iso-8859-1": "cp1252", "ascii": "utf-8", "us-ascii": "utf-8"}
# <meta name=…> -> the metadata field it states.
# The publisher's <meta> tags that state metadata, under the names vocab/metadata.yaml ranks them by.
_META_FIELDS = {"articletitle": "ArticleTitle", "pubdate": "PubDate", "firstpublishedtime": "FirstPublishedTime",
                "contentsource": "ContentSource"}


def read(data: bytes, name: str) -> Extracted:
    try:
        from selectolax.lexbor import LexborHTMLParser
    except ImportError:
        raise missing_extra(name, "web pages", "selectolax", "html") from None
    markup, encoding = decode_page(data)
    tree = LexborHTMLParser(markup)
    meta = _page_meta(tree)
    reader, version = "selectolax", version_of("selectolax")
    body = _best_container(tree)
    if body is None:
        body = _readability_body(markup, name)
        reader, version = "selectolax+readability-lxml", f"{version}+{version_of('readability-lxml')}"
    if body is None or not _looks_like_article(body):
        raise ReadError(f"{name}: no article body found on the page (a list, navigation or error page?)")
    lines = _lines(body)
    title = meta.get("ArticleTitle") or _page_title(tree)
    if title and not any(_squash(title) in _squash(line) for line in lines[:5]):
        lines.insert(0, title)
    text = "\n".join(lines) + "\n"
    return Extracted(text=text, reader=reader, reader_version=version, encoding=encoding, meta=meta)


def decode_page(data: bytes) -> tuple[str, str]:
    """Decode a page by its BOM or declared charset, else UTF-8, else GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    candidates = ["utf-8", "gb18030"]
    if m := _RE_CHARSET.search(data[:8192]):
        declared = m[1].decode("ascii").lower()
        declared = _SUPERSETS.get(declared, declared)
        try:
            declared = codecs.lookup(declared).name
        except LookupError:
            pass
        else:
            candidates.insert(0, declared)
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    # Pages with a few broken bytes are common; keep the rest in the declared charset.
    return data.decode(candidates[0], errors="replace"), candidates[0]


def _page_meta(tree: Any) -> dict[str, str]:
    meta: dict[str, str] = {}
    for node in tree.css("meta[name]"):
        key = _META_FIELDS.get((node.attributes.get("name") or "").strip().lower())
        content = _RE_WHITESPACE.sub(" ", node.attributes.get("content") or "").strip()
        if key and content and key not in meta:
            meta[key] = content
    return meta


def _page_title(tree: Any) -> str | None:
    """The page's <h1>, when there is exactly one (the <title> carries the site's name too)."""
    headings = [h for h in tree.css("h1") if h.text(strip=True)]
    return _RE_WHITESPACE.sub(" ", headings[0].text()).strip() if len(headings) == 1 else None


def _best_container(tree: Any) -> Any:
    best, best_length = None, 0
    for selector in CONTENT_SELECTORS:
        for node in tree.css(selector):
            length = len(_RE_CJK.findall(node.text()))
            if length > best_length:
                best, best_length = node, length
        if best is not None and best_length >= _MIN_BODY_CJK:
            return best
    return None


def _readability_body(markup: str, name: str) -> Any:
    try:
        from readability import Document
    except ImportError:
        raise missing_extra(name, "web pages without a known content container", "readability-lxml", "html") \
            from None
    from selectolax.lexbor import LexborHTMLParser

    try:
        summary = Document(markup).summary(html_partial=True)
    except Exception:  # readability raises its own Unparseable and lxml errors on broken pages
        return None
    return LexborHTMLParser(summary).body


def _looks_like_article(node: Any) -> bool:
    text = node.text()
    cjk = len(_RE_CJK.findall(text))
    linked = sum(len(_RE_CJK.findall(a.text())) for a in node.css("a"))
    return cjk >= _MIN_BODY_CJK and linked <= _MAX_LINK_SHARE * cjk


def _squash(text: str) -> str:
    return "".join(text.split())


# --- the DOM as lines ----------------------------------------------------------------------------


class _Lines:
    """Collects inline text into lines; block elements end the current line."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.current: list[str] = []

    def text(self, text: str) -> None:
        self.current.append(_RE_WHITESPACE.sub(" ", text))

    def end_line(self) -> None:
        line = "".join(self.current).strip()
        if line:
            self.lines.append(line)
        self.current = []

    def line(self, line: str) -> None:
        self.end_line()
        if line.strip():
            self.lines.append(line)


def _lines(node: Any) -> list[str]:
    out = _Lines()
    _walk(node, out)
    out.end_line()
    return out.lines


def _walk(node: Any, out: _Lines) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            out.text(child.text(deep=False))
        elif tag in _SKIP:
            continue
        elif tag == "table":
            _table(child, out)
        elif tag == "br":
            out.end_line()
        elif tag in _BLOCK:
            out.end_line()
            _walk(child, out)
            out.end_line()
        else:
            _walk(child, out)


def _rows(table: Any) -> list[Any]:
    """The table's own rows, not those of tables nested in its cells."""
    rows = []
    for child in table.iter():
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(c for c in child.iter() if c.tag == "tr")
    return rows


def _span(cell: Any, attribute: str) -> int:
    try:
        return max(1, min(int((cell.attributes.get(attribute) or "1").strip()), 1000))
    except ValueError:
        return 1


def _table(table: Any, out: _Lines) -> None:
    rows = _rows(table)
    cells_per_row = [[c for c in row.iter() if c.tag in ("td", "th")] for row in rows]
    columns = max((sum(_span(c, "colspan") for c in cells) for cells in cells_per_row), default=0)
    out.end_line()
    if columns <= 1:
        # A one-column table frames paragraphs (layout, or a boxed note): read its cells as blocks.
        for cells in cells_per_row:
            for cell in cells:
                _walk(cell, out)
                out.end_line()
        return
    # Cells still covered by a rowspan from above: column -> rows left. They are
    # empty cells in the text, as in a Word table's vertically merged cells.
    covered: dict[int, int] = {}
    for cells in cells_per_row:
        row: list[str] = []
        queue = iter(cells)
        cell = next(queue, None)
        column = 0
        while cell is not None or any(c >= column for c in covered):
            if covered.get(column, 0) > 0:
                covered[column] -= 1
                row.append("")
                column += 1
                continue
            if cell is None:
                column += 1
                continue
            inner = _Lines()
            _walk(cell, inner)
            inner.end_line()
            row.append(cell_text(inner.lines))
            colspan, rowspan = _span(cell, "colspan"), _span(cell, "rowspan")
            row.extend([""] * (colspan - 1))
            for c in range(column, column + colspan):
                if rowspan > 1:
                    covered[c] = rowspan - 1
            column += colspan
            cell = next(queue, None)
        covered = {c: n for c, n in covered.items() if n > 0}
        out.line(table_row(row))
