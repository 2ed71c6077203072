"""Serialise a Plan and write files atomically.

Output is stable and readable: keys in the schema's field order, UTF-8 as is
(no `\\u` escapes), and in YAML each span as a one-line flow pair `[12, 40]` so
it reads and diffs as one unit.
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ecoplan.errors import OutputError

if TYPE_CHECKING:
    from ecoplan.schema import Plan

FORMATS = ("yaml", "json", "jsonl")
EXTENSIONS = {"yaml": ".yaml", "json": ".json", "jsonl": ".jsonl"}


class _FlowList(list):
    """A list that YAML writes in flow style."""


class _Dumper(yaml.SafeDumper):
    pass


def _represent_flow(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    # Literal blocks keep multi-line bodies readable; PyYAML falls back to a
    # quoted style by itself when a string cannot be written as a block.
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|" if "\n" in data else None)


_Dumper.add_representer(_FlowList, _represent_flow)
_Dumper.add_representer(str, _represent_str)


def _flow_spans(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _FlowList(v) if k == "span" and isinstance(v, list) else _flow_spans(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_flow_spans(v) for v in data]
    return data


def dumps_data(data: dict[str, Any], fmt: str) -> str:
    """Serialise JSON-compatible data (a dumped Plan) in `fmt`."""
    if fmt == "yaml":
        return yaml.dump(_flow_spans(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000)
    # allow_nan=False: never emit NaN/Infinity, which are not JSON.
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, allow_nan=False, indent=2) + "\n"
    if fmt == "jsonl":
        return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n"
    raise ValueError(f"unknown format {fmt!r}")


def dumps(plan: Plan, fmt: str) -> str:
    """Serialise a Plan as yaml, json (indented) or jsonl (one compact line)."""
    return dumps_data(plan.model_dump(mode="json"), fmt)


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold back Ctrl-C, SIGTERM and SIGHUP until the block is done (main thread, POSIX).

    Without this an interrupt landing between creating the temporary file and
    the `try` that removes it would leave the temporary file behind.
    """
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def write_atomic(path: str | os.PathLike[str], content: str) -> None:
    """Write via a temporary file in the same folder and rename: never a partial file.

    The rename is atomic on POSIX within one file system, so readers see the old
    file or the complete new one. Interrupts wait until the write is done or
    undone, so not even the temporary file is left behind.
    """
    target = Path(path)
    with _signals_deferred():
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        except OSError as exc:
            raise OutputError(f"{target}: cannot write ({exc.strerror or exc})") from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(content)
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, target)
        except BaseException as exc:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            if isinstance(exc, OSError):
                raise OutputError(f"{target}: cannot write ({exc.strerror or exc})") from None
            raise


def _umask() -> int:
    # mkstemp creates 0600 files; outputs get the usual umask-based mode instead.
    mask = os.umask(0)
    os.umask(mask)
    return mask
