"""Batch conversion: expand inputs, parse them (in a process pool), keep input order.

Each input is converted by `convert`, which never raises: it returns the
serialised output or a one-line reason, so one bad file cannot stop a batch and
nothing but plain strings crosses the process boundary.
"""

from __future__ import annotations

import glob
import os
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ecoplan.errors import EcoplanError
from ecoplan.reading import STDIN

T = TypeVar("T")

_GLOB_CHARS = frozenset("*?[")
# Files a directory argument expands to: plan text and the published formats ecoplan reads.
PLAN_SUFFIXES = (".txt", ".pdf", ".docx", ".doc", ".wps", ".html", ".htm")
# Inputs submitted ahead of the one being written, per worker: enough to keep the
# pool busy, few enough that finished outputs of a huge batch do not pile up.
_AHEAD_PER_WORKER = 4


@dataclass(frozen=True)
class Input:
    path: str  # a file path, or `-` for stdin
    error: str | None = None  # set when the argument itself could not be expanded

    @property
    def name(self) -> str:
        """How the input is named in messages."""
        return "<stdin>" if self.path == STDIN else self.path

    @property
    def stem(self) -> str:
        return "stdin" if self.path == STDIN else Path(self.path).stem


@dataclass(frozen=True)
class Result:
    input: Input
    ok: bool
    text: str  # the serialised output, or a one-line reason when not ok
    data: dict[str, Any] | None = None  # instead of `text`: the dumped Plan, still to serialise


def expand_inputs(args: Sequence[str]) -> tuple[list[Input], bool]:
    """Expand directories (to their plan files, PLAN_SUFFIXES) and globs, in a stable order.

    Returns the inputs and whether this is a batch: several inputs, or any
    directory or glob (whose size the user may not know in advance).
    """
    inputs: list[Input] = []
    batch = len(args) > 1
    for arg in args:
        path = Path(arg)
        if arg == STDIN:
            inputs.append(Input(arg))
        elif path.is_dir():
            batch = True
            files = sorted(p for p in path.iterdir() if p.suffix.lower() in PLAN_SUFFIXES and p.is_file())
            inputs.extend(Input(str(p)) for p in files)
            if not files:
                inputs.append(Input(arg, error=f"{arg}: no .txt files in directory (nor .pdf, .docx, .doc, .wps, "
                                               ".html)"))
        elif not path.exists() and _GLOB_CHARS & set(arg):
            batch = True
            matches = sorted(m for m in glob.glob(arg, recursive=True) if Path(m).is_file())
            inputs.extend(Input(m) for m in matches)
            if not matches:
                inputs.append(Input(arg, error=f"{arg}: no files match"))
        else:
            inputs.append(Input(arg))
    return inputs, batch


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "no reason given"


def convert(path: str, fmt: str, data: bytes | None = None) -> tuple[bool, str]:
    """Read (or take `data`), decode, parse and serialise one input; never raises.

    Returns (True, output) or (False, "NAME: reason").
    """
    from ecoplan.writing import dumps_data

    return _guarded(path, lambda: dumps_data(_load(path, data), fmt))


def load(path: str, data: bytes | None = None) -> tuple[bool, dict[str, Any] | str]:
    """Like `convert`, but gives the dumped Plan instead of its serialisation.

    For conversions in this process: the output is then streamed where it goes
    (`writing.write_data`) instead of being built in memory.
    """
    return _guarded(path, lambda: _load(path, data))


def _load(path: str, data: bytes | None) -> dict[str, Any]:
    import sys

    from ecoplan.pipeline import parse_source
    from ecoplan.reading import read_bytes, source_from_bytes

    # The input bytes are only an argument of source_from_bytes: once decoded
    # they are dropped, as are the source text and the Plan once dumped.
    source = source_from_bytes(read_bytes(path) if data is None else data, path)
    for warning in source.warnings:  # from a worker process too: stderr is shared
        sys.stderr.write(f"ecoplan: warning: {warning}\n")
    return parse_source(source).model_dump(mode="json")


def _guarded(path: str, work: Callable[[], T]) -> tuple[bool, T | str]:
    name = "<stdin>" if path == STDIN else path
    try:
        return True, work()
    except EcoplanError as exc:
        reason = _one_line(str(exc))
        return False, reason if reason.startswith(f"{name}: ") else f"{name}: {reason}"
    except MemoryError:
        return False, f"{name}: out of memory"
    except Exception as exc:
        # A parser bug must cost one file, not the batch; ECOPLAN_DEBUG shows where.
        reason = f"{name}: internal error ({type(exc).__name__}: {_one_line(str(exc))[:200]})"
        if os.environ.get("ECOPLAN_DEBUG"):
            reason += "\n" + traceback.format_exc()
        return False, reason


def run(inputs: Sequence[Input], fmt: str, jobs: int, stdin_data: bytes | None = None,
        stream: bool = False) -> Iterator[Result]:
    """Convert every input, yielding results in input order as soon as each is ready.

    With `stream`, inputs converted in this process give their dumped Plan
    (Result.data) rather than its serialisation, for the caller to stream.
    """
    todo = [i for i in inputs if i.error is None]
    workers = max(1, min(jobs, len(todo)))
    if workers == 1:
        for item in inputs:
            if item.error:
                yield _result(item, None)
            elif stream:
                ok, out = load(item.path, _data(item, stdin_data))
                yield Result(item, True, "", out) if ok else Result(item, False, out)  # type: ignore[arg-type]
            else:
                yield _result(item, convert(item.path, fmt, _data(item, stdin_data)))
        return
    yield from _run_pool(inputs, fmt, workers, stdin_data)


def _data(item: Input, stdin_data: bytes | None) -> bytes | None:
    return stdin_data if item.path == STDIN else None


def _result(item: Input, outcome: tuple[bool, str] | None) -> Result:
    if outcome is None:
        return Result(item, False, item.error or f"{item.name}: skipped")
    return Result(item, *outcome)


def _ignore_ctrl_c() -> None:
    """In pool workers: Ctrl-C reaches the whole process group, and the parent alone handles it
    (stops the pool, cleans up, exits 130); a worker would only print a traceback."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_pool(inputs: Sequence[Input], fmt: str, workers: int, stdin_data: bytes | None) -> Iterator[Result]:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    pending: deque[tuple[Input, Future[tuple[bool, str]] | None]] = deque()
    queue = iter(inputs)
    with ProcessPoolExecutor(max_workers=workers, initializer=_ignore_ctrl_c) as pool:
        try:
            while True:
                while len(pending) < workers * _AHEAD_PER_WORKER:
                    item = next(queue, None)
                    if item is None:
                        break
                    future = None
                    if item.error is None:
                        try:
                            future = pool.submit(convert, item.path, fmt, _data(item, stdin_data))
                        except BrokenProcessPool:
                            future = _failed_future()
                    pending.append((item, future))
                if not pending:
                    return
                item, future = pending.popleft()
                if future is None:
                    yield _result(item, None)
                    continue
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    # A worker died (killed, out of memory): the input it held and
                    # everything queued behind it fail, each reported by name.
                    outcome = (False, f"{item.name}: worker process died")
                yield _result(item, outcome)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _failed_future() -> Future[tuple[bool, str]]:
    from concurrent.futures.process import BrokenProcessPool

    future: Future[tuple[bool, str]] = Future()
    future.set_exception(BrokenProcessPool("worker process died"))
    return future
