"""Data derived from ecoplan's own files, kept on disk for the next process as Python keeps bytecode.

A one-plan run starts afresh: it reads the vocabularies (YAML) and compiles the
patterns built from them, ~45 ms of work that gives the same result every time
until ecoplan itself changes. What it yields is kept beside the modules'
bytecode (`__pycache__`, or under PYTHONPYCACHEPREFIX) in marshal form, under
the same rules: nothing is written when Python writes no bytecode
(PYTHONDONTWRITEBYTECODE, -B) or the folder is not writable; a file is replaced
whole, so a reader sees the old one or the new one; a file that is missing,
damaged or made for other sources or another interpreter is not used.
"""

from __future__ import annotations

import marshal
import os
import sys
from typing import Any


def kept_path(module_file: str, name: str) -> str:
    """Where the kept file `name` of the module at `module_file` goes: its folder's bytecode cache."""
    folder = os.path.dirname(os.path.abspath(module_file))
    filename = f"{name}.{sys.implementation.cache_tag}.marshal"
    if sys.pycache_prefix:
        return os.path.join(sys.pycache_prefix, folder.lstrip(os.sep), filename)
    return os.path.join(folder, "__pycache__", filename)


def read_kept(path: str, valid_for: Any) -> Any:
    """The data kept at `path` if it was kept for `valid_for` (compared by ==), else None."""
    try:
        # Read whole, then unmarshalled: marshal.load on a file reads it a few bytes a call (~40 x slower).
        with open(path, "rb") as fh:
            kept_for, data = marshal.loads(fh.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return data if kept_for == valid_for else None


def write_kept(path: str, valid_for: Any, data: Any) -> None:
    """Keep `data` (of marshal's types) at `path` for `valid_for`; quietly nothing when it cannot be written."""
    if sys.dont_write_bytecode:
        return
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        content = marshal.dumps((valid_for, data))
        with open(temporary, "wb") as fh:
            fh.write(content)
        os.replace(temporary, path)
    except (OSError, ValueError):  # ValueError: a value marshal cannot write
        try:
            os.unlink(temporary)
        except OSError:
            pass
