"""Ctrl-C, SIGTERM and SIGHUP: end the run cleanly, never in the middle of a write.

The CLI turns SIGTERM and SIGHUP into `Terminated` (as Python turns SIGINT into
KeyboardInterrupt), so the same clean-up runs for all three: pool workers are
stopped, temporary files removed, and the process exits 128 + the signal
number (130, 143, 129), as a shell reports a process the signal ended.
`deferred` holds the three back while a file is being created and renamed.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

try:
    # The C functions under the signal module. Its wrappers turn every handler and
    # mask into enums (and, for a Python function as handler, fail to, raising and
    # catching an exception each time): ten times the cost, and `deferred` swaps
    # handlers and masks around every output file of a batch.
    import _signal as _raw
except ImportError:  # another Python: the public module
    _raw = signal  # type: ignore[no-redef]

# The signals that end a run, and how each is named in the one-line message.
ENDING_SIGNALS: dict[int, str] = {signal.SIGINT: "interrupted"}
if hasattr(signal, "SIGTERM"):
    ENDING_SIGNALS[signal.SIGTERM] = "terminated"
if hasattr(signal, "SIGHUP"):
    ENDING_SIGNALS[signal.SIGHUP] = "hung up"


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived: like KeyboardInterrupt, not an error of the run itself."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def exit_status(signum: int) -> int:
    """What a shell reports for a process ended by `signum`."""
    return 128 + signum


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


@contextmanager
def terminate_as_exception() -> Iterator[None]:
    """While the block runs (main thread only), SIGTERM and SIGHUP raise `Terminated`."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _raise_terminated) for signum in ENDING_SIGNALS
                if signum != signal.SIGINT}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def reset_in_worker() -> None:
    """In pool workers: the parent alone handles the ending signals.

    Ctrl-C reaches the whole process group and a worker would only print a
    traceback, so it is ignored; SIGTERM and SIGHUP end a worker at once (the
    parent sends SIGTERM when it stops the pool). A forked worker inherits the
    parent's Python handlers, which would raise `Terminated` in the worker.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in ENDING_SIGNALS:
        if signum != signal.SIGINT:
            signal.signal(signum, signal.SIG_DFL)


def _raising_handler(signum: int) -> object:
    return signal.default_int_handler if signum == signal.SIGINT else _raise_terminated


class Deferral:
    """What `deferred` holds back: the signal mask before it, and the signals seen meanwhile."""

    def __init__(self, previous_mask: set[int]) -> None:
        self.previous_mask = previous_mask
        self.held: dict[int, object] = {}  # signal -> the raising handler it replaces
        self.pending: list[int] = []

    def record(self, signum: int, frame: FrameType | None) -> None:
        self.pending.append(signum)

    def raise_pending(self, only: int | None = None) -> None:
        for signum in self.pending:
            if only is None or signum == only:
                self.pending.remove(signum)
                if signum == signal.SIGINT:
                    raise KeyboardInterrupt
                raise Terminated(signum)


@contextmanager
def deferred() -> Iterator[Deferral | None]:
    """Hold back Ctrl-C, SIGTERM and SIGHUP until the block is done (main thread, POSIX).

    Without this a signal landing between creating a temporary file and the
    `try` that removes it would leave the file behind. Blocking the signals in
    this thread is not enough: with a process pool running, the kernel may
    deliver them to another thread, and Python still runs the handler here. So
    a handler that raises is swapped for one that records, and what it
    recorded is raised once the block is done.
    """
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield None
        return
    deferral = Deferral(set())
    for signum in ENDING_SIGNALS:
        handler = _raw.getsignal(signum)
        if handler is _raising_handler(signum):
            deferral.held[signum] = handler
            _raw.signal(signum, deferral.record)
    deferral.previous_mask = _raw.pthread_sigmask(signal.SIG_BLOCK, set(ENDING_SIGNALS))
    try:
        yield deferral
    finally:
        _raw.pthread_sigmask(signal.SIG_SETMASK, deferral.previous_mask)
        for signum, handler in deferral.held.items():
            _raw.signal(signum, handler)  # type: ignore[arg-type]
    deferral.raise_pending()


@contextmanager
def recorded() -> Iterator[Deferral]:
    """While the block runs, the ending signals are recorded instead of raised; the caller checks
    `pending` at safe points and raises them with `raise_pending` after the block.

    For code that waits on locks shared with other threads (a process pool's):
    an exception raised by a signal handler between taking such a lock and the
    `try` that releases it leaves it taken, and the other thread hangs on it.
    """
    deferral = Deferral(set())
    if threading.current_thread() is threading.main_thread():
        for signum in ENDING_SIGNALS:
            handler = _raw.getsignal(signum)
            if handler is _raising_handler(signum):
                deferral.held[signum] = handler
                _raw.signal(signum, deferral.record)
    try:
        yield deferral
    finally:
        for signum, handler in deferral.held.items():
            _raw.signal(signum, handler)  # type: ignore[arg-type]


@contextmanager
def ctrl_c_allowed(deferral: Deferral | None) -> Iterator[None]:
    """Inside `deferred`, let Ctrl-C through again while the block runs.

    Only when Python turns it into KeyboardInterrupt, which the caller cleans up
    after. Streaming a big output can take seconds: Ctrl-C should not wait for
    it. SIGTERM and SIGHUP stay held (their default action would end the
    process without clean-up when no handler raises them).
    """
    if deferral is None or signal.SIGINT not in deferral.held or signal.SIGINT in deferral.previous_mask:
        yield
        return
    _raw.signal(signal.SIGINT, signal.default_int_handler)
    _raw.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        deferral.raise_pending(only=signal.SIGINT)
        yield
    finally:
        _raw.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        _raw.signal(signal.SIGINT, deferral.record)
