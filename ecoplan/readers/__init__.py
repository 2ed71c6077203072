"""Readers for plans as they are published: PDF, Word (.docx, .doc, .wps) and web pages.

Every reader turns the input bytes into plain extracted text in the shape the
text path already reads: paragraphs one per line, in reading order, and table
rows as lines whose cells are separated by TAB. Everything downstream
(normalise, parsers, spans) is the same pipeline; spans index this extracted
text, which `ecoplan text FILE` prints.

The format is recognised by content (magic bytes, markup), not by extension.
Each reader lives in its own module and is imported only when a file of its
format comes along, so a .txt parse imports none of the document libraries.
A missing library is a one-line error naming the pip command that installs it.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
from dataclasses import dataclass, field
from pathlib import PurePath

from ecoplan.errors import ReadError

# Formats by content; "text" goes through ecoplan.reading.decode.
TEXT, PDF, DOCX, HTML, DOC = "text", "pdf", "docx", "html", "doc"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 .doc, WPS Office .wps (and .xls, .msg …)
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
# Markup at the start of a web page, after an optional XML declaration, BOM and comments.
_RE_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    rb"<(?:!doctype\s+html|html|head|body|meta|title|link|script|style|div|p|table|center|form)\b",
    re.IGNORECASE | re.DOTALL,
)
# A PDF header may follow a little junk (some servers prepend bytes); readers accept it within 1 KiB.
_PDF_HEADER_WINDOW = 1024

# Controls and other line breaks a document may carry inside its text (PDF soft-hyphen marks,
# Word's vertical tab, U+2028 in web pages): spaces in the extracted text.
_RE_STRAY_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029\ufffe\uffff]")

# Extension -> what the user expects, for messages when the content says otherwise.
_CLAIMED = {".pdf": "PDF"}
_DESCRIBED = {TEXT: "plain text", HTML: "an HTML page", DOCX: "a Word .docx", DOC: "a Word .doc/.wps file",
              "zip": "a zip archive", "rtf": "an RTF document"}


@dataclass(frozen=True)
class Extracted:
    """What a reader gives back: the text spans index, and how it was made."""

    text: str
    reader: str  # library (or libraries) that read the input
    reader_version: str
    encoding: str | None = None  # the character set a web page was decoded with
    warnings: tuple[str, ...] = ()  # one-line notes for the user (pages without a text layer …)
    # Metadata stated by the publisher outside the text (web page <meta> tags), by tag name; the
    # meta stage ranks each name among the sources where vocab/metadata.yaml lists it.
    meta: dict[str, str] = field(default_factory=dict)


# format -> the module whose `read(data, name) -> Extracted` reads it; imported on first use.
_READERS = {PDF: "ecoplan.readers.pdf", DOCX: "ecoplan.readers.docx", HTML: "ecoplan.readers.html",
            DOC: "ecoplan.readers.office"}


def sniff(data: bytes, name: str) -> str:
    """The format of `data` by content; raise ReadError when it cannot be read at all.

    A file named .pdf whose content is something else (a web server's error or
    login page saved under the PDF's name, a truncated download) is an error:
    reading it as what it is would give a parse of the wrong document.
    """
    content = _content_kind(data)
    # Only a name that writes a claimed suffix can claim its format: most are read by no PurePath.
    lowered = name.lower()
    suffix = PurePath(name).suffix.lower() if any(claimed in lowered for claimed in _CLAIMED) else ""
    if suffix in _CLAIMED and content != PDF:
        what = "an empty file" if not data else _DESCRIBED.get(content, content)
        raise ReadError(f"{name}: not a {_CLAIMED[suffix]} file (the content is {what})")
    if content == "zip":
        raise ReadError(f"{name}: a zip archive but not a Word .docx (no word/document.xml)")
    if content == "rtf":
        raise ReadError(f"{name}: RTF is not read; save it as .docx (or .pdf) and parse that")
    return content


def _content_kind(data: bytes) -> str:
    if b"%PDF-" in data[:_PDF_HEADER_WINDOW]:
        return PDF
    if data.startswith(_ZIP_MAGICS):
        return _zip_kind(data)
    if data.startswith(_OLE_MAGIC):
        return DOC
    if data.startswith(b"{\\rtf"):
        return "rtf"
    if _RE_HTML_START.match(data[:4096]):
        return HTML
    return TEXT


def _zip_kind(data: bytes) -> str:
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return DOCX if "word/document.xml" in archive.namelist() else "zip"
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        # A truncated .docx loses its central directory but keeps the names of its
        # first parts in their local headers; the docx reader then says it is damaged.
        # Other bytes that merely start like a zip are binary junk for the text path to reject.
        return DOCX if b"word/" in data or b"[Content_Types].xml" in data else TEXT


def extract(data: bytes, name: str, fmt: str) -> Extracted:
    """Run the reader for `fmt` (not TEXT) over `data`; `name` names the input in messages."""
    extracted: Extracted = importlib.import_module(_READERS[fmt]).read(data, name)
    # Line breaks are "\n" only, so line numbers are the same for every tool that counts them.
    return dataclasses.replace(extracted, text=_RE_STRAY_CONTROL.sub(" ", extracted.text))


def missing_extra(name: str, what: str, library: str, extra: str) -> ReadError:
    """The one-line error for a reader whose library is not installed."""
    return ReadError(f"{name}: reading {what} needs {library}; install it with: pip install 'ecoplan[{extra}]'")


def version_of(distribution: str) -> str:
    from importlib import metadata  # ~0.1 s to import: only once a document is read

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"
