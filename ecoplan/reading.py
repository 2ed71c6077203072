"""Read and decode: bytes from a path or stdin, then text in a known encoding."""

from __future__ import annotations

import codecs
import hashlib
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ecoplan.errors import DecodeError, InputError

STDIN = "-"

# Share of odd characters (controls, unassigned, private use, surrogates) above
# which decoded text is treated as binary.
_MAX_ODD_SHARE = 0.01
_ODD_CATEGORIES = frozenset({"Cn", "Co", "Cs"})
_ODD_CHARS = frozenset("\ufffd")  # the replacement character: the text is already mangled
# A stray odd character or two in a short text is not enough to call it binary.
_MIN_ODD = 3
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v\x1c\x1d\x1e\x85")
# Characters that may be odd: everything but the allowed controls, U+0020–U+2FFF
# (never counted) and blocks with every code point assigned (CJK, kana, Hangul,
# full-width forms, the common emoji). Unicode never unassigns a code point, so
# a newer Python can only make these ranges more right.
NEVER_ODD_RANGES = ((0x3000, 0x303F), (0x3041, 0x3096), (0x3099, 0x30FF), (0x3220, 0xA48C), (0xAC00, 0xD7A3),
                     (0xFE30, 0xFE4F), (0xFF01, 0xFFBE), (0x1F300, 0x1F6D7), (0x20000, 0x2A6DF))
RE_MAYBE_ODD = re.compile(
    "[^\t\n\r\f\v\x1c-\x1e\x85 -\u2fff" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in NEVER_ODD_RANGES) + "]"
)


@dataclass(frozen=True)
class SourceText:
    """The text every span indexes, and where it came from."""

    path: str | None
    text: str
    encoding: str | None  # how text was decoded (a web page's charset); None for PDF and Word
    sha256: str  # of the input bytes
    format: str = "text"  # by content: text, pdf, docx, doc, html
    reader: str = "ecoplan"  # the library (or libraries) that extracted the text
    reader_version: str = ""
    warnings: tuple[str, ...] = ()  # one-line notes for the user about what could not be read
    meta: dict[str, str] = field(default_factory=dict)  # metadata the publisher stated outside the text

    @property
    def text_sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def read_bytes(path: str) -> bytes:
    """Read a file, or stdin for `-`; raise InputError with a one-line reason."""
    if path == STDIN:
        return sys.stdin.buffer.read()
    p = Path(path)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None


def is_odd(ch: str) -> bool:
    return (ch < " " and ch not in _ALLOWED_CONTROLS) or (
        ch > "\u2fff" and (ch in _ODD_CHARS or unicodedata.category(ch) in _ODD_CATEGORIES)
    )


def _looks_binary(text: str) -> bool:
    """NULs, or more than a trace of controls, unassigned, private-use or replacement characters.

    Binary bytes that happen to decode (GB18030 accepts most byte strings; random
    bytes can start with a UTF-16 BOM) give text full of such characters.
    """
    if "\x00" in text:
        return True
    sample = text[:65536]
    if not sample:
        return False
    # Only characters outside the ranges that cannot be odd need a look; each
    # distinct one is looked up once.
    odd = sum(n for ch, n in Counter(RE_MAYBE_ODD.findall(sample)).items() if is_odd(ch))
    return odd >= _MIN_ODD and odd / len(sample) > _MAX_ODD_SHARE


def decode(data: bytes, name: str = "<input>") -> tuple[str, str]:
    """Decode bytes as UTF-8 (BOM optional), UTF-16 with BOM, or GB18030.

    Returns (text, encoding). Raises DecodeError for binary or undecodable input.
    """
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        # GB18030 is a superset of GBK and GB2312 and decodes almost any byte
        # string, so it is tried last and its result is checked for binary junk.
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return text, encoding
    raise DecodeError(f"{name}: not text in a supported encoding (UTF-8, UTF-16 with BOM, GB18030/GBK)")


def source_from_bytes(data: bytes, path: str) -> SourceText:
    """Read bytes from `path` (`-` for stdin) into a SourceText: text decoded, other formats extracted.

    The format is recognised by content (ecoplan.readers.sniff); PDF, Word and
    web pages go through their reader, whose library is imported only then.
    """
    from ecoplan.readers import TEXT, extract, sniff

    name = "<stdin>" if path == STDIN else path
    fmt = sniff(data, name)
    sha256 = hashlib.sha256(data).hexdigest()
    if fmt != TEXT:
        extracted = extract(data, name, fmt)
        return SourceText(path=None if path == STDIN else path, text=extracted.text, encoding=extracted.encoding,
                          sha256=sha256, format=fmt, reader=extracted.reader, reader_version=extracted.reader_version,
                          warnings=extracted.warnings, meta=extracted.meta)
    text, encoding = decode(data, name)
    return SourceText(path=None if path == STDIN else path, text=text, encoding=encoding, sha256=sha256,
                      reader_version=_own_version())


def read_source(path: str) -> SourceText:
    """Read and decode `path` (`-` for stdin); raise InputError or DecodeError."""
    return source_from_bytes(read_bytes(path), path)


def _own_version() -> str:
    from ecoplan import __version__

    return __version__
