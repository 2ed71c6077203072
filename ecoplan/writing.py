"""Serialise a Plan: stable key order (the schema's field order), UTF-8 as is."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from ecoplan.errors import OutputError
from ecoplan.schema import Plan

FORMATS = ("yaml", "json")
EXTENSIONS = {"yaml": ".yaml", "json": ".json", "jsonl": ".jsonl"}


class _Dumper(yaml.SafeDumper):
    """Block style for mappings, flow style for spans, no key sorting."""


def _represent_tuple(dumper: yaml.SafeDumper, data: tuple) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", list(data), flow_style=True)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(tuple, _represent_tuple)
_Dumper.add_representer(str, _represent_str)


def plan_data(plan: Plan) -> dict[str, Any]:
    """Plain data in schema field order; spans stay tuples for flow-style YAML."""
    return plan.model_dump(mode="python")


def _jsonable(value: Any) -> Any:
    return plan_to_json_data(value)


def plan_to_json_data(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: plan_to_json_data(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [plan_to_json_data(v) for v in data]
    if hasattr(data, "isoformat"):
        return data.isoformat()
    return data


def dumps(plan: Plan, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(plan.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    if fmt == "jsonl":
        return json.dumps(plan.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":")) + "\n"
    if fmt == "yaml":
        data = plan_to_json_data(plan_data(plan))
        data = _restore_spans(data)
        return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000)
    raise ValueError(f"unknown format {fmt!r}")


def _restore_spans(data: Any) -> Any:
    """Spans as flow-style pairs in YAML ([12, 40]) so they read and diff as one line."""
    if isinstance(data, dict):
        return {k: (tuple(v) if k == "span" and isinstance(v, list) else _restore_spans(v)) for k, v in data.items()}
    if isinstance(data, list):
        return [_restore_spans(v) for v in data]
    return data


def write_atomic(path: str | os.PathLike[str], content: str) -> None:
    """Write via a temporary file in the same folder and rename: never a partial file."""
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(content)
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"{target}: cannot write ({exc.strerror or exc})") from None
        raise
