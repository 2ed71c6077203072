"""Where `parse` writes (its destinations): stdout, one file, or a folder mirroring the inputs; checked first.

Nothing the user has is overwritten by mistake: an output path that is one of
the inputs (the same file, through a symlink or a hard link too) is refused,
and so is a path that is neither a regular file, a character device nor a
FIFO. Missing folders on the way are created.
"""

from __future__ import annotations

import os
from pathlib import Path

from ecoplan.batch import Input
from ecoplan.errors import UsageError
from ecoplan.reading import STDIN
from ecoplan.writing import EXTENSIONS, output_problem


class Outputs:
    """Where each input's output goes."""

    def __init__(self, to_stdout: bool, file: str | None = None, folder: Path | None = None) -> None:
        self.to_stdout = to_stdout  # everything on stdout (one input, or jsonl)
        self.file = file  # one output file: one input, or jsonl
        self.folder = folder  # one output per input below it
        self.targets: dict[int, Path] = {}  # input index -> its file below `folder`

    def target(self, n: int) -> str | None:
        """The output file of input `n` (None: stdout)."""
        if self.folder is not None:
            return str(self.targets[n])
        return self.file


def _file_id(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    try:
        st = os.stat(path)  # follows symlinks: a link to an input is that input
    except OSError:
        return None
    return st.st_dev, st.st_ino


def input_ids(items: list[Input]) -> dict[tuple[int, int], str]:
    """The identity (device, inode) of every input file, to its name; hard links share one."""
    ids: dict[tuple[int, int], str] = {}
    for item in items:
        if item.error is None and item.path != STDIN and (file_id := _file_id(item.path)) is not None:
            ids.setdefault(file_id, item.name)
    return ids


def refuse_input(path: str | os.PathLike[str], ids: dict[tuple[int, int], str], what: str = "-o") -> None:
    """UsageError when `path` is one of the inputs: writing it would destroy the plan."""
    file_id = _file_id(path)
    if file_id is not None and file_id in ids:
        raise UsageError(f"{what} {path}: is the input {ids[file_id]}; refusing to overwrite it")


def plan_outputs(items: list[Input], output: str | None, fmt: str, batch: bool) -> Outputs:
    """Decide where outputs go, or raise UsageError (exit 2) before anything is parsed."""
    ids = input_ids(items)
    if output is None or output == "-":
        if batch and fmt != "jsonl":
            raise UsageError("several inputs need -o DIR (or use --format jsonl to stream to stdout)")
        return Outputs(to_stdout=True)
    as_folder = output.endswith(("/", os.sep)) or Path(output).is_dir()
    if fmt == "jsonl":
        if as_folder:
            raise UsageError(f"-o {output}: --format jsonl writes one file, not a directory")
        return Outputs(False, file=_checked_file(output, ids))
    if not (batch or as_folder):
        return Outputs(False, file=_checked_file(output, ids))
    folder = Path(output)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"-o {output}: not a directory, and several inputs need one")
    outputs = Outputs(False, folder=folder)
    seen: dict[Path, str] = {}
    for n, item in enumerate(items):
        target = folder / item.output_name(EXTENSIONS[fmt])
        if item.error is None and target in seen:
            items[n] = Input(item.path, error=f"{item.name}: would overwrite {target} from {seen[target]}",
                             rel=item.rel)
        seen.setdefault(target, item.name)
        outputs.targets[n] = target
        if item.error is None:
            refuse_input(target, ids)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"-o {output}: cannot create directory ({exc.strerror or exc})") from None
    return outputs


def _checked_file(output: str, ids: dict[tuple[int, int], str]) -> str:
    refuse_input(output, ids)
    problem = output_problem(output)
    if problem is not None:
        raise UsageError(f"-o {output}: cannot write there ({problem})")
    return output


class RunReport:
    """What `--report FILE` records: each input, where it went, its status, error and time."""

    def __init__(self) -> None:
        self.entries: list[dict[str, object]] = []
        self.counts: dict[str, int] = {"parsed": 0, "failed": 0, "skipped": 0}

    def add(self, item: Input, output: str | None, status: str, error: str | None = None,
            seconds: float = 0.0) -> None:
        """`status` is parsed, failed or skipped."""
        self.counts[status] += 1
        self.entries.append({"input": item.name, "output": output if status == "parsed" else None,
                             "status": status, "error": error, "seconds": round(seconds, 4)})

    def summary(self) -> str:
        """The one summary line of a batch: `N parsed, M failed[, K skipped]`."""
        line = f"{self.counts['parsed']} parsed, {self.counts['failed']} failed"
        return line + (f", {self.counts['skipped']} skipped" if self.counts["skipped"] else "")

    def to_dict(self, complete: bool, seconds: float) -> dict[str, object]:
        return {"complete": complete, "seconds": round(seconds, 3), **self.counts, "inputs": self.entries}
