"""Batch conversion: expand inputs, parse them (in a process pool), keep input order.

Each input is converted by `convert`, which never raises: it returns the
serialised output or a one-line reason, so one bad file cannot stop a batch and
nothing but plain strings crosses the process boundary.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ecoplan.errors import EcoplanError, InputError
from ecoplan.interrupts import Deferral, recorded, reset_in_worker
from ecoplan.reading import STDIN

if TYPE_CHECKING:
    from concurrent.futures import Future

    from ecoplan.schema import Plan

_GLOB_CHARS = frozenset("*?[")
# Files a directory argument expands to: plan text and the published formats ecoplan reads.
PLAN_SUFFIXES = (".txt", ".pdf", ".docx", ".doc", ".wps", ".html", ".htm")
# Pool tasks submitted ahead of the one being written, per worker: enough to keep the
# pool busy, few enough that finished outputs of a huge batch do not pile up.
_AHEAD_PER_WORKER = 4
# A pool task takes inputs until they hold this many bytes, or this many inputs (see _chunks).
_CHUNK_BYTES = 32_000
_CHUNK_INPUTS = 16
# How often a wait for a worker's result looks whether a signal came meanwhile.
_SIGNAL_POLL_SECONDS = 0.1


# Input, Result and Outcome are NamedTuples rather than dataclasses: a frozen
# dataclass costs ~0.3 ms of every start to make, a NamedTuple a tenth of that.
class Input(NamedTuple):
    path: str  # a file path, or `-` for stdin
    error: str | None = None  # set when the argument itself could not be expanded, or why it is skipped
    rel: str | None = None  # path below the folder argument it was found in; None: given by name
    skipped: bool = False  # `error` is why the input is left out (a warning), not a failure

    @property
    def name(self) -> str:
        """How the input is named in messages."""
        return "<stdin>" if self.path == STDIN else self.path

    @property
    def stem(self) -> str:
        return "stdin" if self.path == STDIN else Path(self.path).stem

    def output_name(self, extension: str) -> Path:
        """Where its output goes below an output folder: the same relative path, another extension."""
        if self.path == STDIN:
            return Path("stdin" + extension)
        return Path(self.rel or Path(self.path).name).with_suffix(extension)

    @property
    def shard_key(self) -> str:
        """What picks its shard: the path below its folder, so every machine agrees whatever the mount point."""
        return self.rel or self.path


class Result(NamedTuple):
    input: Input
    ok: bool
    text: str  # the serialised output, or a one-line reason when not ok
    data: Any = None  # instead of `text`: the Plan, still to serialise
    seconds: float = 0.0  # time spent reading, parsing and serialising
    unreadable: bool = False  # not ok because the file could not be read at all
    written: bool = False  # ok, and the worker process that converted it wrote its output file


class Outcome(NamedTuple):
    """What converting one input gives; plain data, so it crosses the process boundary cheaply."""

    ok: bool
    value: Any  # the output (text, or the Plan from `load`), or a one-line reason when not ok
    seconds: float
    unreadable: bool = False
    written: bool = False  # the output file is written (by the worker that converted the input)


def _kind(path: Path) -> str | None:
    """What a non-regular file is ("a FIFO", "a broken symlink" ...), None for a regular file."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "a broken symlink"
    except OSError as exc:
        return "a symlink loop" if exc.errno == errno.ELOOP else f"unreadable ({exc.strerror or exc})"
    if stat.S_ISREG(mode):
        return None
    for test, kind in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return kind
    return "not a regular file"


def _found(path: Path, rel: str | None) -> Input:
    """An input found in a folder or by a glob: regular files only (a FIFO there would block the run)."""
    kind = _kind(path)
    if kind is None:
        return Input(str(path), rel=rel)
    return Input(str(path), error=f"{path}: skipped ({kind})", rel=rel, skipped=True)


def _folder_files(folder: Path, recursive: bool) -> list[Input]:
    """Inputs of every supported kind in `folder` (and below it when `recursive`), in path order.

    Symlinked folders are not descended into (no loops, no file found twice).
    """
    found: list[Input] = []
    if not recursive:
        for p in sorted(folder.iterdir()):
            if p.suffix.lower() in PLAN_SUFFIXES and not (p.is_dir() and not p.is_symlink()):
                found.append(_found(p, p.name))
        return found
    for top, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files + [d for d in dirs if Path(top, d).is_symlink()]):
            p = Path(top, name)
            if p.suffix.lower() in PLAN_SUFFIXES:
                found.append(_found(p, p.relative_to(folder).as_posix()))
    return sorted(found, key=lambda i: i.rel or "")


def expand_inputs(args: Sequence[str], recursive: bool = False) -> tuple[list[Input], bool]:
    """Expand directories (to their input files, see PLAN_SUFFIXES) and globs, in a stable order.

    Files found in a folder or by a glob must be regular files; others (FIFOs,
    devices, broken symlinks, symlink loops) are skipped with a reason. A file
    named explicitly is read whatever it is. Returns the inputs and whether
    this is a batch: several inputs, or any directory or glob (whose size the
    user may not know in advance).
    """
    inputs: list[Input] = []
    batch = len(args) > 1
    for arg in args:
        path = Path(arg)
        if arg == STDIN:
            inputs.append(Input(arg))
        elif path.is_dir():
            batch = True
            files = _folder_files(path, recursive)
            inputs.extend(files)
            if not files:
                below = " (or below it)" if recursive else ""
                inputs.append(Input(arg, error=f"{arg}: no .txt files in directory{below} (nor .pdf, .docx, .doc, "
                                               ".wps, .html)"))
        elif not path.exists() and not path.is_symlink() and _GLOB_CHARS & set(arg):
            import glob

            batch = True
            matches = sorted(glob.glob(arg, recursive=True))
            inputs.extend(_found(Path(m), None) for m in matches if not Path(m).is_dir())
            if not matches:
                inputs.append(Input(arg, error=f"{arg}: no files match"))
        else:
            inputs.append(Input(arg))
    return inputs, batch


def parse_shard(text: str) -> tuple[int, int]:
    """`I/N` (1 <= I <= N) as (I, N); ValueError otherwise."""
    index, _, count = text.partition("/")
    i, n = int(index), int(count)
    if not 1 <= i <= n:
        raise ValueError(f"{text}: want I/N with 1 <= I <= N")
    return i, n


def in_shard(item: Input, shard: tuple[int, int]) -> bool:
    """Whether `item` belongs to shard I of N: by a hash of its path, the same on every machine and run."""
    index, count = shard
    digest = hashlib.sha256(item.shard_key.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % count == index - 1


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "no reason given"


def convert(path: str, fmt: str, data: bytes | None = None) -> Outcome:
    """Read (or take `data`), decode, parse and serialise one input; never raises.

    The outcome's value is the output, or "NAME: reason" when not ok.
    """
    from ecoplan.writing import dumps

    return _guarded(path, lambda: dumps(_load(path, data), fmt))


def convert_into(path: str, fmt: str, data: bytes | None, target: str) -> Outcome:
    """Like `convert`, but writes the output file `target` itself: what pool workers run.

    Workers write in parallel, each file atomically (`writing.write_output`),
    and only the outcome crosses back to the parent, not the output. A failed
    write gives the file's own one-line reason, as when the parent writes.
    """
    from ecoplan.writing import write_data, write_output

    outcome = load(path, data)
    if not outcome.ok:
        return outcome
    try:
        write_output(target, partial(write_data, data=outcome.value, fmt=fmt))
    except EcoplanError as exc:
        return Outcome(False, str(exc), outcome.seconds)
    return Outcome(True, "", outcome.seconds, written=True)


def load(path: str, data: bytes | None = None) -> Outcome:
    """Like `convert`, but gives the Plan instead of its serialisation.

    For conversions in this process: the output is then streamed where it goes
    (`writing.write_data`) instead of being built in memory.
    """
    return _guarded(path, lambda: _load(path, data))


def _load(path: str, data: bytes | None) -> Plan:
    from ecoplan.pipeline import parse_source

    # The source goes to parse_source as a temporary, so that its text (the decoded input,
    # as big as the file) is freed once parsing no longer needs it; the input bytes, once
    # decoded, are dropped too. The Plan is serialised as it is, not dumped first
    # (writing.write_data): its items weigh less than their dump.
    return parse_source(_read(path, data))


def _read(path: str, data: bytes | None) -> Any:
    """The SourceText of `path` (or of `data`), its warnings written to stderr."""
    import sys

    from ecoplan.reading import read_bytes, source_from_bytes

    source = source_from_bytes(read_bytes(path) if data is None else data, path)
    for warning in source.warnings:  # from a worker process too: stderr is shared
        sys.stderr.write(f"ecoplan: warning: {warning}\n")
    return source


def _guarded(path: str, work: Callable[[], Any]) -> Outcome:
    name = "<stdin>" if path == STDIN else path
    started = time.perf_counter()
    unreadable = False
    try:
        return Outcome(True, work(), time.perf_counter() - started)
    except EcoplanError as exc:
        unreadable = isinstance(exc, InputError)
        reason = _one_line(str(exc))
        reason = reason if reason.startswith(f"{name}: ") else f"{name}: {reason}"
    except MemoryError:
        reason = f"{name}: out of memory"
    except Exception as exc:
        # A parser bug must cost one file, not the batch; ECOPLAN_DEBUG shows where.
        reason = f"{name}: internal error ({type(exc).__name__}: {_one_line(str(exc))[:200]})"
        if os.environ.get("ECOPLAN_DEBUG"):
            import traceback

            reason += "\n" + traceback.format_exc()
    return Outcome(False, reason, time.perf_counter() - started, unreadable)


def run(inputs: Sequence[Input], fmt: str, jobs: int, stdin_data: bytes | None = None,
        stream: bool = False, targets: Sequence[str | None] | None = None) -> Iterator[Result]:
    """Convert every input, yielding results in input order as soon as each is ready.

    With `stream`, inputs converted in this process give their Plan
    (Result.data) rather than its serialisation, for the caller to stream.
    With `targets` (the output file of each input, or None), pool workers
    write those files themselves (Result.written).
    """
    todo = [i for i in inputs if i.error is None]
    workers = max(1, min(jobs, len(todo)))
    if workers == 1:
        for item in inputs:
            if item.error:
                yield _result(item, None)
            elif stream:
                outcome = load(item.path, _data(item, stdin_data))
                yield (Result(item, True, "", outcome.value, outcome.seconds) if outcome.ok
                       else _result(item, outcome))
            else:
                yield _result(item, convert(item.path, fmt, _data(item, stdin_data)))
        return
    yield from _run_pool(inputs, fmt, workers, stdin_data, targets)


def _data(item: Input, stdin_data: bytes | None) -> bytes | None:
    return stdin_data if item.path == STDIN else None


def _result(item: Input, outcome: Outcome | None) -> Result:
    if outcome is None:
        return Result(item, False, item.error or f"{item.name}: skipped")
    return Result(item, outcome.ok, outcome.value, seconds=outcome.seconds, unreadable=outcome.unreadable,
                  written=outcome.written)


def convert_chunk(tasks: Sequence[tuple[str, str, bytes | None, str | None]]) -> list[Outcome]:
    """`convert` (target None) or `convert_into` for each (path, fmt, data, target): one pool task."""
    return [convert(path, fmt, data) if target is None else convert_into(path, fmt, data, target)
            for path, fmt, data, target in tasks]


def _chunks(inputs: Sequence[Input], targets: Sequence[str | None], stdin_data: bytes | None
            ) -> Iterator[list[tuple[Input, str | None]]]:
    """Inputs with their targets, grouped into pool tasks of about _CHUNK_BYTES of input.

    Every pool task costs the parent a pickled call, two pipe messages and a
    wake-up; for a plan of a few lines that is more than parsing it. Small files
    therefore go to a worker by the dozen, big ones one by one. An input that
    could not be expanded (it has an error) makes a group of its own.
    """
    chunk: list[tuple[Input, str | None]] = []
    size = 0
    for item, target in zip(inputs, targets, strict=True):
        if item.error is not None:
            if chunk:
                yield chunk
                chunk, size = [], 0
            yield [(item, target)]
            continue
        chunk.append((item, target))
        size += _size(item, stdin_data)
        if size >= _CHUNK_BYTES or len(chunk) >= _CHUNK_INPUTS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _size(item: Input, stdin_data: bytes | None) -> int:
    if item.path == STDIN:
        return len(stdin_data or b"")
    try:
        return os.stat(item.path).st_size
    except OSError:
        return _CHUNK_BYTES  # the worker reports why it cannot be read


def _run_pool(inputs: Sequence[Input], fmt: str, workers: int, stdin_data: bytes | None,
              targets: Sequence[str | None] | None) -> Iterator[Result]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if multiprocessing.get_start_method() == "fork":
        # Forked workers start with the parsers imported (and their patterns
        # compiled) once here, instead of each importing them again.
        import ecoplan.pipeline  # noqa: F401

    pending: deque[tuple[list[Input], Future[list[Outcome]] | None]] = deque()
    chunks = _chunks(inputs, targets if targets is not None else [None] * len(inputs), stdin_data)
    with ProcessPoolExecutor(max_workers=workers, initializer=reset_in_worker) as pool:
        try:
            while True:
                # Signals are only recorded while this thread is inside the pool's
                # machinery, and raised between results (see interrupts.recorded).
                with recorded() as signals:
                    results = _next_results(pool, chunks, pending, workers, fmt, stdin_data, signals)
                signals.raise_pending()
                if results is None:
                    return
                yield from results
        except BaseException:
            # Interrupted, terminated, or the consumer stopped early: the workers
            # must not outlive this process (orphans would hold the caller's pipes).
            with recorded():
                _stop_workers(pool)
            raise


def _next_results(pool: Any, chunks: Iterator[list[tuple[Input, str | None]]],
                  pending: deque[tuple[list[Input], Future[list[Outcome]] | None]], workers: int, fmt: str,
                  stdin_data: bytes | None, signals: Deferral) -> list[Result] | None:
    """Keep the pool fed and wait for the oldest task's outcomes; None when all are done or a signal came."""
    from concurrent.futures.process import BrokenProcessPool

    while len(pending) < workers * _AHEAD_PER_WORKER:
        chunk = next(chunks, None)
        if chunk is None:
            break
        items = [item for item, _target in chunk]
        future = None
        if items[0].error is None:
            tasks = [(item.path, fmt, _data(item, stdin_data), target) for item, target in chunk]
            try:
                future = pool.submit(convert_chunk, tasks)
            except BrokenProcessPool:
                future = _failed_future()
        pending.append((items, future))
    if not pending:
        return None
    items, future = pending[0]
    if future is None:
        pending.popleft()
        return [_result(items[0], None)]
    while not signals.pending:
        try:
            outcomes = future.result(timeout=_SIGNAL_POLL_SECONDS)
        except TimeoutError:
            continue
        except BrokenProcessPool:
            # A worker died (killed, out of memory): the inputs it held and
            # everything queued behind them fail, each reported by name.
            outcomes = [Outcome(False, f"{item.name}: worker process died", 0.0) for item in items]
        pending.popleft()
        return [_result(item, outcome) for item, outcome in zip(items, outcomes, strict=True)]
    return None


def _stop_workers(pool: Any) -> None:
    """Cancel what is queued and end the pool's worker processes now, not after their current input."""
    # ProcessPoolExecutor has no public way to end its workers before Python 3.14;
    # shutdown() forgets them, so they are taken first.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    results = getattr(pool, "_result_queue", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)
    # A worker ended while sending its result leaves half a message in the result
    # pipe, and the pool's thread waits for the rest forever (and Python's exit
    # with it). With this end closed too, no writer is left and it reads EOF.
    writer = getattr(results, "_writer", None)
    if writer is not None:
        writer.close()


def _failed_future() -> Future[list[Outcome]]:
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    future: Future[list[Outcome]] = Future()
    future.set_exception(BrokenProcessPool("worker process died"))
    return future
