"""One input at a time, for engines that spread a corpus over many machines (Dask, Ray, array jobs).

Each function takes a path and returns a plain record (a dict of str, float and
None, or with `data` the output as JSON-compatible data), never an exception:
one bad file must cost one record, not the job. What crosses the network is
the record; with `parse_to_file` the output itself is written by the worker
where it runs (atomically), and only the record comes back.

    import dask.bag as db
    from ecoplan.cluster import parse_to_file

    records = db.from_sequence(paths, npartitions=64).map(parse_to_file, out_dir="out", root="corpus").compute()
    failed = [r for r in records if r["status"] != "parsed"]

No engine is imported here: the Dask recipe needs `pip install 'ecoplan[dask]'`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ecoplan.errors import EcoplanError


def output_path(path: str, out_dir: str | os.PathLike[str], fmt: str = "json",
                root: str | os.PathLike[str] | None = None) -> Path:
    """Where `parse_to_file` writes: out_dir/<path below root>.<ext>, or out_dir/<name>.<ext> without root."""
    from ecoplan.writing import EXTENSIONS

    rel = Path(os.path.relpath(path, root)) if root is not None else Path(Path(path).name)
    if rel.is_absolute() or ".." in rel.parts:
        raise ValueError(f"{path} is not below {root}")
    return Path(out_dir) / rel.with_suffix(EXTENSIONS[fmt])


def parse_to_file(path: str, out_dir: str | os.PathLike[str], fmt: str = "json",
                  root: str | os.PathLike[str] | None = None, skip_existing: bool = False) -> dict[str, Any]:
    """Parse `path` and write its output (see `output_path`); the record says how it went.

    Record: input, output (None unless written), status (parsed, failed,
    skipped), error (one line, or None), seconds.
    """
    from functools import partial

    from ecoplan.batch import load
    from ecoplan.writing import write_data, write_output

    try:
        target = output_path(path, out_dir, fmt, root)
    except ValueError as exc:
        return _record(path, None, "failed", str(exc), 0.0)
    if skip_existing and target.exists():
        return _record(path, None, "skipped", f"{path}: skipped (output {target} exists)", 0.0)
    outcome = load(path)
    if not outcome.ok:
        return _record(path, None, "failed", outcome.value, outcome.seconds)
    try:
        write_output(target, partial(write_data, data=outcome.value, fmt=fmt))
    except EcoplanError as exc:
        return _record(path, None, "failed", str(exc), outcome.seconds)
    return _record(path, str(target), "parsed", None, outcome.seconds)


def parse_to_data(path: str) -> dict[str, Any]:
    """Parse `path`; the record carries the output as JSON-compatible data (`Plan.model_dump(mode="json")`).

    For engines that gather results in one place; `ecoplan.schema.Plan.model_validate(record["data"])`
    gives the Plan back.
    """
    from ecoplan.batch import load

    outcome = load(path)
    record = _record(path, None, "parsed" if outcome.ok else "failed", None if outcome.ok else outcome.value,
                     outcome.seconds)
    record["data"] = outcome.value.model_dump(mode="json") if outcome.ok else None
    return record


def _record(path: str, output: str | None, status: str, error: str | None, seconds: float) -> dict[str, Any]:
    return {"input": path, "output": output, "status": status, "error": error, "seconds": round(seconds, 4)}
