""".doc and .wps: LibreOffice headless converts them to .docx, then the .docx reader reads that.

Word 97-2003 and WPS Office files are OLE compound files whose text model no
small permissive Python library reads faithfully (tables least of all);
LibreOffice's filters do. `soffice` is run once per file with a user profile
of its own for this process: two conversions sharing a profile lock each
other out, and the second silently writes nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path, PurePath

from ecoplan.errors import ReadError
from ecoplan.readers import Extracted
from ecoplan.readers import docx as docx_reader

# A conversion normally takes a second or two; a hung filter must not stall a batch.
_TIMEOUT_S = 180
_INSTALL_HINT = "apt-get install libreoffice-writer-nogui (or save it as .docx)"


def soffice() -> str | None:
    """The LibreOffice binary on PATH, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


@cache
def _profile_dir(pid: int) -> Path:
    """A LibreOffice user profile for process `pid` (one per worker), removed when that process exits.

    Keyed by pid so a worker forked from a process that already has one makes
    its own. multiprocessing's finaliser runs at a pool worker's exit too,
    where atexit handlers do not.
    """
    from multiprocessing import util

    path = Path(tempfile.mkdtemp(prefix=f"ecoplan-lo-{pid}-"))
    util.Finalize(None, shutil.rmtree, args=(path,), kwargs={"ignore_errors": True}, exitpriority=0)
    return path


def read(data: bytes, name: str) -> Extracted:
    binary = soffice()
    if binary is None:
        raise ReadError(f"{name}: reading Word .doc/.wps files needs LibreOffice: {_INSTALL_HINT}")
    suffix = PurePath(name).suffix.lower() if PurePath(name).suffix.lower() in (".doc", ".wps") else ".doc"
    with tempfile.TemporaryDirectory(prefix="ecoplan-convert-") as work:
        source = Path(work) / f"input{suffix}"
        source.write_bytes(data)
        command = [binary, f"-env:UserInstallation={_profile_dir(os.getpid()).as_uri()}", "--headless", "--norestore",
                   "--convert-to", "docx:MS Word 2007 XML", "--outdir", work, str(source)]
        try:
            done = subprocess.run(command, capture_output=True, timeout=_TIMEOUT_S, check=False,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise ReadError(f"{name}: LibreOffice did not convert it within {_TIMEOUT_S} s") from None
        except OSError as exc:
            raise ReadError(f"{name}: cannot run LibreOffice ({exc.strerror or exc})") from None
        converted = Path(work) / "input.docx"
        if not converted.is_file() or not converted.stat().st_size:
            said = " ".join((done.stderr or done.stdout or b"").decode(errors="replace").split())[:160]
            raise ReadError(f"{name}: LibreOffice could not convert it to .docx (damaged, or not a Word file?)"
                            + (f": {said}" if said else ""))
        extracted = docx_reader.read(converted.read_bytes(), name)
    return Extracted(text=extracted.text, reader=f"libreoffice+{extracted.reader}",
                     reader_version=f"{_libreoffice_version(binary)}+{extracted.reader_version}")


@cache
def _libreoffice_version(binary: str) -> str:
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, timeout=60, check=False,
                             stdin=subprocess.DEVNULL).stdout.decode(errors="replace").split()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    # "LibreOffice 7.4.7.2 40(Build:2)"
    return next((word for word in out if word[:1].isdigit()), "unknown")
