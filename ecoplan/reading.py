"""Read and decode: bytes from a path or stdin, then text in a known encoding."""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

from ecoplan.errors import DecodeError, InputError

STDIN = "-"

# Share of odd characters above which decoded text is treated as binary.
_MAX_ODD_SHARE = 0.01
# A stray odd character or two in a short text is not enough to call it binary.
_MIN_ODD = 3
_SHORT = 64
# Odd in any text: control characters other than the layout ones (tab, line
# and page breaks, the information separators, NEL), the replacement character
# (the text was already mangled) and noncharacters. Whether a code point is
# *assigned* is never asked: that depends on the running Python's Unicode
# version (a new emoji would turn valid UTF-8 into "binary").
_ODD = [(0x00, 0x08), (0x0E, 0x1B), (0x1F, 0x1F), (0x7F, 0x84), (0x86, 0x9F), (0xFDD0, 0xFDEF), (0xFFFD, 0xFFFF)] + [
    (plane + 0xFFFE, plane + 0xFFFF) for plane in range(0x10000, 0x110000, 0x10000)
]
# Odd only in text decoded from a legacy encoding, which decodes almost any
# bytes: private-use characters, which GB18030 and UTF-16 give for junk. In
# UTF-8 (self-checking) they are real content, e.g. symbols from PDF fonts.
_PRIVATE_USE = [(0xE000, 0xF8FF), (0xF0000, 0x10FFFF)]


class _OddClasses(NamedTuple):
    """Patterns for one character of a set of ranges, split at the end of the Basic Multilingual Plane.

    One class listing the 16 astral noncharacter pairs is tested range by range, about
    ten times slower a character than a BMP bitmap; its complement (wide ranges) tests
    fast but makes `re` set ~65,000 bitmap entries one by one, ~4 ms of every start.
    Split, the BMP class is a small bitmap and the astral one is tried only on text
    holding an astral character, which plans almost never do.
    """

    bmp: re.Pattern[str]
    astral: re.Pattern[str]


def _classes_of(odd: list[tuple[int, int]]) -> _OddClasses:
    def one_class(ranges: list[tuple[int, int]]) -> re.Pattern[str]:
        return re.compile("[" + "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in ranges) + "]")

    return _OddClasses(
        bmp=one_class([(lo, min(hi, _BMP_LAST)) for lo, hi in odd if lo <= _BMP_LAST]),
        astral=one_class([(max(lo, _BMP_LAST + 1), hi) for lo, hi in odd if hi > _BMP_LAST]),
    )


def _count_odd(sample: str, odd: _OddClasses) -> int:
    """How many characters of `sample` fall in the ranges `odd` stands for."""
    count = len(odd.bmp.findall(sample))
    if _RE_ASTRAL.search(sample):
        count += len(odd.astral.findall(sample))
    return count


_BMP_LAST = 0xFFFF
_RE_ASTRAL = re.compile(f"[{chr(_BMP_LAST + 1)}-{chr(sys.maxunicode)}]")
_ODD_CLASSES = _classes_of(_ODD)
_LEGACY_ENCODINGS = frozenset({"gb18030", "utf-16"})
# Encodings whose NUL character is a NUL byte, and whose other characters hold none.
_NUL_IS_BYTE = frozenset({"utf-8", "utf-8-sig", "gb18030"})
# CJK ideographs: any Chinese text decoded from GB18030 has some.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"


@cache
def _legacy_patterns() -> tuple[_OddClasses, re.Pattern[str]]:
    """(an odd character, a CJK ideograph) for text decoded from a legacy encoding.

    Compiled on the first such input: `re` spends milliseconds on their wide
    character ranges, which UTF-8 input (nearly all of it) never needs.
    """
    return _classes_of(_ODD + _PRIVATE_USE), re.compile(f"[{_CJK}]")
# Characters of text encoded at a time to hash it.
_HASH_SLICE = 1 << 20
# An explicitly named FIFO is read like a file, but only once a writer opens it;
# without one in this many seconds the input is reported, never waited on forever.
FIFO_WAIT_SECONDS = float(os.environ.get("ECOPLAN_FIFO_WAIT", "10"))


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
    # text_sha256 when reading knows it already: the text is the input bytes decoded as UTF-8, whole.
    known_text_sha256: str | None = field(default=None, repr=False, compare=False)

    @property
    def text_sha256(self) -> str:
        if self.known_text_sha256 is not None:
            return self.known_text_sha256
        # Encoded a slice at a time: the whole text as UTF-8 at once would cost more
        # than the input file (an astral character is one index, never split).
        digest = hashlib.sha256()
        for start in range(0, len(self.text), _HASH_SLICE):
            digest.update(self.text[start : start + _HASH_SLICE].encode("utf-8"))
        return digest.hexdigest()


def read_bytes(path: str) -> bytes:
    """Read a file, or stdin for `-`; raise InputError with a one-line reason."""
    if path == STDIN:
        return sys.stdin.buffer.read()
    try:
        if stat.S_ISFIFO(os.stat(path).st_mode):
            return _read_fifo(path)
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None


def _read_fifo(path: str) -> bytes:
    """Read a named pipe to its end, once a writer has opened it (see FIFO_WAIT_SECONDS)."""
    import select

    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # opening for reading never blocks this way
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLHUP)
        # Until a writer opens the FIFO there is neither data nor a hang-up.
        if not poller.poll(FIFO_WAIT_SECONDS * 1000):
            raise InputError(f"{path}: a FIFO that no program writes to (waited {FIFO_WAIT_SECONDS:g} s)")
        os.set_blocking(fd, True)
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _count_odd_utf8(sample: str) -> int:
    """_count_odd(sample, _ODD_CLASSES), without a class scan in the common case.

    A class costs `re` ~60 instructions a character and the astral test as much again. Here the odd
    characters below 256 are the ones the Latin-1 codec keeps (it skips runs of the others in a
    tight loop) that are not in `_NOT_ODD_LATIN1`; above, a text without an astral character (its
    UTF-16 code units one a character) and without one of U+FDxx (a high byte FD) can only hold
    U+FFFD-U+FFFF, counted one by one. Any other text is counted by the classes.
    """
    codes = sample.encode("utf-16-le", "surrogatepass")
    if len(codes) != 2 * len(sample) or 0xFD in codes[1::2]:
        return _count_odd(sample, _ODD_CLASSES)
    odd = len(sample.encode("latin-1", "ignore").translate(None, _not_odd_latin1()))
    return odd + sum(sample.count(char) for char in _ODD_LAST if char in sample)


_ODD_LAST = "\ufffd\ufffe\uffff"  # the odd characters of _ODD above U+FDEF in the BMP


@cache
def _not_odd_latin1() -> bytes:
    """The bytes 0-255 whose Latin-1 character is not odd (_ODD)."""
    odd = {code for lo, hi in _ODD for code in range(lo, min(hi, 255) + 1)}
    return bytes(code for code in range(256) if code not in odd)


def _looks_binary(text: str, encoding: str, data: bytes) -> bool:
    """NULs, or more than a trace of odd characters (see _ODD and _PRIVATE_USE).

    Binary bytes that happen to decode (GB18030 accepts most byte strings; random
    bytes can start with a UTF-16 BOM) give text full of such characters.
    """
    # A NUL byte of UTF-8 or GB18030 is a NUL character (and one only): memchr finds it in the input,
    # where a search of the text for U+0000 (a zero low byte) cannot use memchr.
    if b"\x00" in data if encoding in _NUL_IS_BYTE else "\x00" in text:
        return True
    sample = text[:65536]
    if not sample:
        return False
    legacy = encoding in _LEGACY_ENCODINGS
    odd = _count_odd(sample, _legacy_patterns()[0]) if legacy else _count_odd_utf8(sample)
    # A legacy decoding of a few bytes has no room for "a trace": one odd character is junk.
    least = 1 if legacy and len(sample) < _SHORT else _MIN_ODD
    return odd >= least and odd / len(sample) > _MAX_ODD_SHARE


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
            text = _decode_whole(data, encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text, encoding, data):
            break
        if encoding == "gb18030" and not _legacy_patterns()[1].search(text):
            # Bytes that are not UTF-8 and hold no Chinese character as GB18030:
            # a few random bytes, or text in some other encoding. Not a plan.
            break
        return text, encoding
    raise DecodeError(f"{name}: not text in a supported encoding (UTF-8, UTF-16 with BOM, GB18030/GBK)")


def _decode_whole(data: bytes, encoding: str) -> str:
    """`data` decoded; UTF-8 cut inside its last character (a download or copy cut short) loses that character.

    The text is then the decoded input, which spans index; `validate` decodes
    the source the same way.
    """
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        cut_short = exc.reason == "unexpected end of data" and exc.end == len(data) and len(data) - exc.start < 4
        if encoding not in ("utf-8", "utf-8-sig") or not cut_short:
            raise
        return data[: exc.start].decode(encoding)


def source_from_bytes(data: bytes, path: str) -> SourceText:
    """Read bytes from `path` (`-` for stdin) into a SourceText: text decoded, other formats extracted.

    The format is recognised by content (ecoplan.readers.sniff); PDF, Word and
    web pages go through their reader, whose library is imported only then.
    """
    readers = _readers()
    name = "<stdin>" if path == STDIN else path
    fmt = readers.sniff(data, name)
    sha256 = hashlib.sha256(data).hexdigest()
    if fmt != readers.TEXT:
        extracted = readers.extract(data, name, fmt)
        return SourceText(path=None if path == STDIN else path, text=extracted.text, encoding=extracted.encoding,
                          sha256=sha256, format=fmt, reader=extracted.reader, reader_version=extracted.reader_version,
                          warnings=extracted.warnings, meta=extracted.meta)
    text, encoding = decode(data, name)
    # UTF-8 without a BOM encodes back to the very input, unless a cut-short last character was
    # dropped (see _decode_whole). The input then ends in a sequence cut short, never in the whole
    # encoding of the text's last character: asking that spares encoding and hashing the text again
    # for the many plans whose last character is Chinese (no line break at the end).
    same_bytes = encoding == "utf-8" and data.endswith(text[-1:].encode("utf-8"))
    return SourceText(path=None if path == STDIN else path, text=text, encoding=encoding, sha256=sha256,
                      reader_version=_own_version(), known_text_sha256=sha256 if same_bytes else None)


def read_source(path: str) -> SourceText:
    """Read and decode `path` (`-` for stdin); raise InputError or DecodeError."""
    return source_from_bytes(read_bytes(path), path)


# Both imported at the first read, once: an import statement in a function looks the module up
# (and a package's names through importlib's Python code) at every call, that is at every document.
@cache
def _readers() -> ModuleType:
    """ecoplan.readers, which compiles patterns as it is imported: not before a first input is read."""
    import ecoplan.readers

    return ecoplan.readers


@cache
def _own_version() -> str:
    from ecoplan import __version__

    return __version__
