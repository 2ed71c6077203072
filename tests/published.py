"""Build plans as they are published — PDF, .docx, web pages — from the plain-text seeds.

    python tests/published.py OUTDIR        # writes every fixture into OUTDIR

The tests build these in a temporary folder (nothing binary is committed). A
plan's text becomes blocks: paragraphs (its non-blank lines) and tables (runs
of TAB-separated lines). A table cell left empty at the start of a row lies
under the cell above, as in a 措施清单 whose 序号 and 目标任务 span several
measures: Word gets a vertically merged cell (vMerge), the web page a rowspan,
the PDF one ruled cell over those rows. PDFs are drawn with reportlab's
built-in STSong-Light CID font (no font file needed), laid out like printed
plans: A4, first-line indents, a running header, `— N —` page numbers, ruled
tables whose rows a page end may split.
"""

from __future__ import annotations

import io
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
XIGANG = "xigang-district-2024-work-plan"
DALIAN = "dalian-pollution-battle-implementation-plan"


@dataclass
class Paragraph:
    text: str
    centred: bool = False


@dataclass
class Table:
    rows: list[list[str]]
    # (row, column) cells lying under the cell above them (merged vertically).
    merged: set[tuple[int, int]] = field(default_factory=set)


Block = Paragraph | Table


def blocks(text: str) -> list[Block]:
    """The plan's paragraphs and tables; title lines before the first prose line are centred."""
    out: list[Block] = []
    prose_seen = False
    for line in text.splitlines():
        if not line.strip():
            continue
        if "\t" in line:
            if not out or not isinstance(out[-1], Table):
                out.append(Table([]))
            table = out[-1]
            assert isinstance(table, Table)
            cells = line.split("\t")
            table.rows.append(cells)
            lead = len(cells) - len(cells_lstrip(cells))
            r = len(table.rows) - 1
            if r > 0:
                table.merged |= {(r, c) for c in range(lead)}
            continue
        prose_seen = (prose_seen or bool(re.search("[，。；,]", line))
                      or bool(re.match("[一二三四五六七八九十]+、", line)))
        out.append(Paragraph(line.strip(), centred=not prose_seen))
    for block in out:
        if isinstance(block, Table):
            width = max(len(r) for r in block.rows)
            block.rows = [r + [""] * (width - len(r)) for r in block.rows]
    return out


def cells_lstrip(cells: list[str]) -> list[str]:
    n = 0
    while n < len(cells) and not cells[n].strip():
        n += 1
    return cells[n:]


def plan_text(stem: str) -> str:
    return (RAW / f"{stem}.txt").read_text(encoding="utf-8")


# --- Word ----------------------------------------------------------------------------------------


def docx_bytes(text: str) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = docx.Document()
    for block in blocks(text):
        if isinstance(block, Paragraph):
            paragraph = document.add_paragraph(block.text)
            if block.centred:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            else:
                paragraph.paragraph_format.first_line_indent = Pt(24)
            continue
        table = document.add_table(rows=len(block.rows), cols=len(block.rows[0]))
        table.style = "Table Grid"
        for r, row in enumerate(block.rows):
            for c, text in enumerate(row):
                if (r, c) not in block.merged:
                    table.cell(r, c).text = text.strip()
        # Merge from the bottom of each run upwards, so each merge joins a cell to the one above.
        for r, c in sorted(block.merged):
            top = r
            while (top, c) in block.merged:
                top -= 1
            if (r + 1, c) not in block.merged:
                table.cell(top, c).merge(table.cell(r, c))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- web pages -----------------------------------------------------------------------------------

_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="{charset}">
<meta name="SiteName" content="大连市西岗区人民政府">
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="2024-02-06 09:30">
<meta name="ContentSource" content="西岗区生态环境分局">
<title>{title}_通知公告_大连市西岗区人民政府</title>
<style>.nav li {{ display: inline; }}</style>
<script>var _hmt = _hmt || []; /* 访问统计 */</script>
</head>
<body>
<div class="top"><a href="/">首页</a> | <a href="/en">English</a> | 无障碍浏览 | 政务微博</div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li><li><a href="/zmhd">政民互动</a></li>
<li><a href="/bsfw">办事服务</a></li><li><a href="/xgxx">走进西岗</a></li></ul>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a>
&gt; <a href="/tzgg">通知公告</a></div>
<div class="main">
<div class="side"><h3>相关链接</h3><ul><li><a href="/a">关于开展生态环境安全隐患排查整治的通知</a></li>
<li><a href="/b">西岗区召开生态环境保护委员会全体会议，部署下一阶段重点工作</a></li>
<li><a href="/c">生态环境分局开展六五环境日主题宣传活动</a></li></ul></div>
<div class="article">
<h1>{title}</h1>
<div class="info">发布时间：2024-02-06　来源：西岗区生态环境分局　浏览次数：1024　字号：[大 中 小]</div>
<div class="{container_class}" id="{container_id}">
{body}
</div>
<div class="share">分享到：微信 微博　【打印本页】【关闭窗口】</div>
</div>
</div>
<div class="footer"><p>主办单位：大连市西岗区人民政府办公室　承办单位：西岗区融媒体中心</p>
<p>地址：大连市西岗区长白街 1 号　电话：0411-12345678　辽ICP备00000000号</p></div>
</body>
</html>
"""


def html_bytes(text: str, charset: str = "utf-8", container_class: str = "TRS_Editor",
               container_id: str = "") -> bytes:
    """The plan as a government web page: title in <h1>, body in a CMS content container."""
    from html import escape

    parts = blocks(text)
    titles = [b.text for b in parts if isinstance(b, Paragraph) and b.centred]
    title = " ".join(titles[-1:])
    body: list[str] = []
    for block in parts:
        if isinstance(block, Paragraph):
            if block.text != title:
                style = "text-align: center" if block.centred else "text-indent: 2em"
                body.append(f'<p style="{style}">{escape(block.text)}</p>')
            continue
        body.append('<table border="1" cellspacing="0" style="border-collapse: collapse">')
        for r, row in enumerate(block.rows):
            cells = []
            for c, cell in enumerate(row):
                if (r, c) in block.merged:
                    continue
                span = 1
                while (r + span, c) in block.merged:
                    span += 1
                rowspan = f' rowspan="{span}"' if span > 1 else ""
                tag = "th" if r == 0 else "td"
                cells.append(f"<{tag}{rowspan}><p>{escape(cell.strip())}</p></{tag}>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        body.append("</table>")
    page = _PAGE.format(charset=charset, title=escape(title), container_class=container_class,
                        container_id=container_id, body="\n".join(body))
    return page.encode(charset, errors="xmlcharrefreplace")


# --- PDF -----------------------------------------------------------------------------------------

FONT = "STSong-Light"
PAGE_WIDTH, PAGE_HEIGHT = 595.0, 842.0
LEFT, RIGHT, TOP, BOTTOM = 72.0, 523.0, 770.0, 72.0
BODY_SIZE, BODY_LEADING = 12.0, 20.0
CELL_SIZE, CELL_LEADING, CELL_PAD = 10.0, 14.0, 4.0
_RE_TOKEN = re.compile(r"[A-Za-z0-9.%]+|\s|.")


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def wrap(text: str, width: float, size: float, indent: float = 0.0) -> list[str]:
    """Greedy line breaking like a word processor: anywhere between CJK characters, at spaces in Latin text."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    line, used, room = "", 0.0, width - indent
    for token in _RE_TOKEN.findall(text):
        w = stringWidth(token, FONT, size)
        if line and used + w > room:
            lines.append(line.rstrip())
            line, used, room = "", 0.0, width
            if token.isspace():
                continue
        line += token
        used += w
    if line.strip():
        lines.append(line.rstrip())
    return lines


@dataclass
class PdfStats:
    pages: int = 0
    split_rows: int = 0  # table rows a page end cut in two


class _Writer:
    def __init__(self, canvas: object, header: str, repeat_header_row: bool = False) -> None:
        self.c = canvas
        self.header = header
        self.repeat_header_row = repeat_header_row  # Word's "repeat as header row at the top of each page"
        self.header_row: list[list[str]] = []
        self.page = 0
        self.y = TOP
        self.stats = PdfStats()
        self.new_page(first=True)

    def new_page(self, first: bool = False, furniture: bool = True) -> None:
        if not first:
            self.c.showPage()  # type: ignore[attr-defined]
        self.page += 1
        self.stats.pages = self.page
        self.y = TOP
        if not furniture:
            return
        self.c.setFont(FONT, 9)  # type: ignore[attr-defined]
        self.c.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 40, self.header)  # type: ignore[attr-defined]
        self.c.drawCentredString(PAGE_WIDTH / 2, 36, f"— {self.page} —")  # type: ignore[attr-defined]
        self.y = TOP

    def paragraph(self, block: Paragraph) -> None:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        indent = 0.0 if block.centred else 2 * BODY_SIZE
        for n, line in enumerate(wrap(block.text, RIGHT - LEFT, BODY_SIZE, indent)):
            if self.y - BODY_LEADING < BOTTOM:
                self.new_page()
            self.y -= BODY_LEADING
            self.c.setFont(FONT, BODY_SIZE)  # type: ignore[attr-defined]
            if block.centred:
                x = (PAGE_WIDTH - stringWidth(line, FONT, BODY_SIZE)) / 2
            else:
                x = LEFT + (indent if n == 0 else 0.0)
            self.c.drawString(x, self.y, line)  # type: ignore[attr-defined]
        self.y -= BODY_LEADING / 3

    def table(self, block: Table) -> None:
        ncols = len(block.rows[0])
        weights = [max(2.0, max(len(r[c]) for r in block.rows) ** 0.5) for c in range(ncols)]
        total = sum(weights)
        widths = [(RIGHT - LEFT) * w / total for w in weights]
        xs = [LEFT + sum(widths[:i]) for i in range(ncols + 1)]
        cells = [[wrap(text.strip(), widths[c] - 2 * CELL_PAD, CELL_SIZE) for c, text in enumerate(row)]
                 for row in block.rows]
        self.header_row = cells[0]
        # The page ends inside the tallest row, as it happens in print: the row goes on on the next page.
        tallest = max(range(1, len(cells)), key=lambda r: max(len(x) for x in cells[r]), default=None)
        self.y -= 4
        for r, row in enumerate(cells):
            remaining = [[] if (r, c) in block.merged else lines for c, lines in enumerate(row)]
            first_segment = True
            while True:
                need = max(max((len(x) for x in remaining), default=0), 1)
                room = int((self.y - BOTTOM - 2 * CELL_PAD) // CELL_LEADING)
                if r == tallest and first_segment and need >= 2:
                    room = min(room, need // 2)
                if need > room and (room < 2 or r == 0):
                    self._table_page(xs)  # too little room to start the row here: all of it on the next page
                    continue
                take = min(need, room)
                height = take * CELL_LEADING + 2 * CELL_PAD
                top = self.y
                self.c.setFont(FONT, CELL_SIZE)  # type: ignore[attr-defined]
                for c, lines in enumerate(remaining):
                    for n, line in enumerate(lines[:take]):
                        self.c.drawString(xs[c] + CELL_PAD,  # type: ignore[attr-defined]
                                          top - CELL_PAD - (n + 1) * CELL_LEADING + 3, line)
                    remaining[c] = lines[take:]
                # The row's top rule, open over cells merged with the one above.
                for c in range(ncols):
                    if first_segment and (r, c) not in block.merged:
                        self.c.line(xs[c], top, xs[c + 1], top)  # type: ignore[attr-defined]
                for x in xs:
                    self.c.line(x, top, x, top - height)  # type: ignore[attr-defined]
                self.y = top - height
                if need <= take:
                    break
                self.stats.split_rows += 1
                self._table_page(xs)
                first_segment = False
        self._close_rows(xs)
        self.y -= BODY_LEADING / 2

    def _table_page(self, xs: list[float]) -> None:
        """Close the table at the page end and open it on the next page (under its header row again)."""
        self._close_rows(xs)
        self.new_page()
        self.y -= 4
        self._close_rows(xs)
        if self.repeat_header_row and self.header_row:
            top = self.y
            height = max(len(lines) for lines in self.header_row) * CELL_LEADING + 2 * CELL_PAD
            self.c.setFont(FONT, CELL_SIZE)  # type: ignore[attr-defined]
            for c, lines in enumerate(self.header_row):
                for n, line in enumerate(lines):
                    self.c.drawString(xs[c] + CELL_PAD,  # type: ignore[attr-defined]
                                      top - CELL_PAD - (n + 1) * CELL_LEADING + 3, line)
            for x in xs:
                self.c.line(x, top, x, top - height)  # type: ignore[attr-defined]
            self.y = top - height
            self._close_rows(xs)

    def _close_rows(self, xs: list[float]) -> None:
        self.c.line(xs[0], self.y, xs[-1], self.y)  # type: ignore[attr-defined]


def pdf_bytes(texts: list[str], image_page_after: int | None = None, password: object = None,
              stats: PdfStats | None = None, repeat_header_row: bool = False) -> bytes:
    """The plans, one after the other on new pages, as a PDF; optionally a scanned (image-only) page too."""
    from reportlab.pdfgen import canvas as pdf_canvas

    _register_font()
    out = io.BytesIO()
    canvas = pdf_canvas.Canvas(out, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), encrypt=password, invariant=1)
    writer = _Writer(canvas, header="生态环境保护工作文件汇编", repeat_header_row=repeat_header_row)
    for n, text in enumerate(texts):
        if n:
            writer.new_page()
        for block in blocks(text):
            if isinstance(block, Paragraph):
                writer.paragraph(block)
            else:
                writer.table(block)
            if image_page_after is not None and writer.page == image_page_after:
                writer.new_page(furniture=False)
                _scanned_page(canvas)
                writer.new_page()
                image_page_after = None
    canvas.save()
    if stats is not None:
        stats.pages, stats.split_rows = writer.stats.pages, writer.stats.split_rows
    return out.getvalue()


def _scanned_page(canvas: object) -> None:
    """A page that is only a picture, as a scanner makes it: no text layer at all."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader

    image = Image.new("L", (400, 560), 255)
    draw = ImageDraw.Draw(image)
    for y in range(40, 520, 24):
        draw.rectangle((40, y, 360, y + 10), fill=60)
    canvas.drawImage(ImageReader(image), LEFT, BOTTOM, width=RIGHT - LEFT, height=TOP - BOTTOM)  # type: ignore


def scanned_pdf_bytes() -> bytes:
    """A PDF whose only page is a scan."""
    from reportlab.pdfgen import canvas as pdf_canvas

    out = io.BytesIO()
    canvas = pdf_canvas.Canvas(out, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1)
    _scanned_page(canvas)
    canvas.save()
    return out.getvalue()


def write_all(folder: Path) -> dict[str, Path]:
    """Every fixture into `folder`; returns name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        f"{XIGANG}.docx": docx_bytes(plan_text(XIGANG)),
        f"{XIGANG}.pdf": pdf_bytes([plan_text(XIGANG)]),
        f"{DALIAN}.pdf": pdf_bytes([plan_text(DALIAN)], image_page_after=2),
        f"{XIGANG}.html": html_bytes(plan_text(XIGANG)),
        f"{XIGANG}.gbk.html": html_bytes(plan_text(XIGANG), charset="gbk", container_class="content",
                                         container_id="UCAP-CONTENT"),
        "scanned.pdf": scanned_pdf_bytes(),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = folder / name
        paths[name].write_bytes(data)
    return paths


if __name__ == "__main__":
    for path in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "published")).values():
        print(path)
