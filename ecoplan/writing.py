"""Serialise a Plan and write files atomically.

Output is stable and readable: keys in the schema's field order, UTF-8 as is
(no `\\u` escapes), and in YAML each span as a one-line flow pair `[12, 40]` so
it reads and diffs as one unit.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from pydantic_core import to_json

from ecoplan.errors import OutputError
from ecoplan.interrupts import ctrl_c_allowed, deferred

if TYPE_CHECKING:
    from types import ModuleType

    import yaml

    from ecoplan.schema import Plan

EXTENSIONS = {"yaml": ".yaml", "json": ".json", "jsonl": ".jsonl"}


class _FlowList(list):
    """A list that YAML writes in flow style."""


# PyYAML and block_yaml (which reads PyYAML's resolvers) are imported by the first YAML
# written, through `_yaml_modules`: a run writing JSON never loads them (~12 ms of its start).
@cache
def _yaml_modules() -> tuple[ModuleType, ModuleType, type[yaml.SafeDumper], type[yaml.SafeDumper]]:
    """PyYAML, block_yaml, and PyYAML's two emitters (pure Python, libyaml) set up for plans."""
    import yaml

    from ecoplan import block_yaml

    class _Dumper(yaml.SafeDumper):
        pass

    class _CDumper(yaml.CSafeDumper):
        """libyaml's emitter: about 4x faster, and the same output except in the cases `_yaml` catches."""

    for dumper in (_Dumper, _CDumper):
        dumper.add_representer(_FlowList, _represent_flow)
        dumper.add_representer(str, _represent_str)
    return yaml, block_yaml, _Dumper, _CDumper


def _block_yaml() -> ModuleType:
    return _yaml_modules()[1]


def _represent_flow(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    # Literal blocks keep multi-line bodies readable; PyYAML falls back to a
    # quoted style by itself when a string cannot be written as a block.
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|" if "\n" in data else None)


def _flow_spans(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _FlowList(v) if k == "span" and isinstance(v, list) else _flow_spans(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_flow_spans(v) for v in data]
    return data


# The end-of-document marker `...` on a line of its own, after any line break
# (U+0085, U+2028, U+2029 end lines in YAML too).
_END_MARKER = "...\n"
_LINE_BREAKS = "\n\x85\u2028\u2029"


def _ends_with_marker(text: str) -> bool:
    return text.endswith(_END_MARKER) and len(text) > len(_END_MARKER) and text[-len(_END_MARKER) - 1] in _LINE_BREAKS


def _yaml(data: Any) -> str:
    """One YAML document, byte for byte what the pure-Python emitter writes.

    libyaml differs in two ways: it escapes U+0085, U+2028, U+2029 and
    characters beyond U+FFFF (a double-quoted scalar with a backslash), and it
    ends the document with `...` after any `|+` block, not only a final one.
    Its output without a backslash and without that marker is the same; any
    other piece (rare in plan text) is written again by the pure-Python emitter.
    """
    yaml, _, python_dumper, c_dumper = _yaml_modules()
    text = yaml.dump(data, Dumper=c_dumper, allow_unicode=True, sort_keys=False, width=1_000_000)
    if "\\" in text or _ends_with_marker(text):
        text = yaml.dump(data, Dumper=python_dumper, allow_unicode=True, sort_keys=False, width=1_000_000)
    return text


def _piece(data: dict[str, Any] | list[Any]) -> str:
    """One piece of YAML (a mapping, or a list of items): block_yaml's, or PyYAML's when it declines."""
    try:
        return _block_piece(data)
    except _block_yaml().Unsupported:
        return _yaml(_flow_spans(_dumped(data)))


def _dumped(value: Any) -> Any:
    """`value` with the Plan items in it dumped (JSON-compatible data, which is what PyYAML is given)."""
    if isinstance(value, dict):
        return {key: _dumped(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_dumped(v) for v in value]
    dump = getattr(value, "model_dump", None)
    return value if dump is None else dump(mode="json")


def _block_piece(data: dict[str, Any] | list[Any]) -> str:
    """One piece of YAML as block_yaml writes it; raises block_yaml.Unsupported where it declines."""
    out: list[str] = []
    if isinstance(data, dict):
        _block_yaml().mapping(data, 0, out)
    else:
        _block_yaml().sequence(data, 0, out)
    if _ends_in_kept_block(data):
        out.append(_END_MARKER)
    return "".join(out)


def _ends_in_kept_block(data: Any) -> bool:
    """Whether the last scalar block_yaml writes of `data` is a literal block keeping its final
    line breaks (`|+`): a document ending in one is open-ended, and is closed with `...`."""
    while True:
        if isinstance(data, dict):
            if not data:
                return False
            data = next(reversed(data.values()))
        elif isinstance(data, list | tuple):
            if not data:
                return False
            data = data[-1]
        elif (fields := _block_yaml().fields_of(type(data))) is not None:
            data = fields[1](data)[-1]
        else:
            # block_yaml writes a string holding a line break as a literal block (or declines it),
            # which keeps its final line breaks when it ends in two (or is one).
            return type(data) is str and data.endswith("\n") and (len(data) == 1 or data[-2] == "\n")


# Items of a top-level list written as one piece: a piece costs a call of the emitter and a
# join, which a run of items shares, and a run of a few hundred items is small beside a
# long document's output.
_ITEMS_PER_PIECE = 200


def _list_pieces(key: str, items: list[Any]) -> Iterator[str]:
    """The pieces of a top-level list: its key with the first run of items, then the other runs.

    A run the emitter declines is written item by item, so that PyYAML writes only
    the items it must (each as a list of one).
    """
    for start in range(0, len(items), _ITEMS_PER_PIECE):
        run = items[start : start + _ITEMS_PER_PIECE]
        try:
            yield _block_piece({key: run} if start == 0 else run)
        except _block_yaml().Unsupported:
            yield _piece({key: run[:1]} if start == 0 else run[:1])
            yield from (_piece([item]) for item in run[1:])


def _yaml_pieces(data: Iterable[tuple[str, Any]]) -> Iterator[str]:
    """The YAML of a mapping, given as its (key, value) pairs, in pieces (one per top-level
    key, one per run of items of a list value).

    Pieces concatenate to the YAML of the whole mapping (a block sequence under
    a top-level key is not indented, so an item is written as at top level),
    and only one piece is held in memory at a time.
    """
    held: str | None = None  # each piece waits for the next, to know whether it is the last
    for key, value in data:
        if key != "span" and isinstance(value, list) and value:
            pieces = _list_pieces(key, value)
        else:
            pieces = iter([_piece({key: value})])
        for piece in pieces:
            if held is not None:
                yield held[: -len(_END_MARKER)] if _ends_with_marker(held) else held
            held = piece
    if held is not None:
        yield held


def _plan_fields(plan: Plan) -> Iterator[tuple[str, Any]]:
    """A Plan's (key, value) pairs as the YAML writer takes them: its items as they are (block_yaml
    writes them as their dump), the source and the metadata dumped (a date is written as its dump)."""
    for key in type(plan).model_fields:
        value = getattr(plan, key)
        yield key, value.model_dump(mode="json") if key in ("source", "meta") else value


def _json_compatible_floats(data: dict[str, Any] | Plan) -> bool:
    """Whether pydantic-core writes every float of a Plan (or of a dumped one) as Python's json module does.

    It does but for two cases: a value that is not finite (json refuses it,
    pydantic-core would write Infinity) and a tiny one (0 < |v| < 1e-4:
    `1e-05` against `0.00001`). A Plan's floats are its targets' and
    percentages' values.
    """
    dumped = isinstance(data, dict)
    for key in ("targets", "percentages"):
        for item in (data.get(key) if dumped else getattr(data, key)) or ():
            value = (item.get("value") if isinstance(item, dict) else None) if dumped else item.value
            if isinstance(value, float) and not (value == 0 or 1e-4 <= abs(value) <= sys.float_info.max):
                return False
    return True


def _plan_json_pieces(plan: Plan, indent: int | None) -> Iterator[str]:
    """The JSON of a Plan, as `_json_pieces` writes its dump.

    A plan of ordinary size is written by its own serializer, without the dump in
    between (the same bytes: the same encoder writes the same values).
    """
    if not _json_compatible_floats(plan) or (indent and _items_count(plan) > _WHOLE_JSON_ITEMS):
        yield from _json_pieces(plan.model_dump(mode="json"), indent)
        return
    yield plan.model_dump_json(indent=indent)


def _json_pieces(data: dict[str, Any], indent: int | None) -> Iterator[str]:
    """JSON of a mapping, exactly as json.dumps(ensure_ascii=False, allow_nan=False) writes it, in pieces.

    pydantic-core's encoder (Rust) writes each value about 5 times faster than
    json's indenting encoder (which is pure Python); pieces are re-indented to
    their depth, which is safe as JSON strings hold no raw line break.
    """
    if not _json_compatible_floats(data):
        import json

        encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False, indent=indent,
                                   separators=None if indent else (",", ":"))
        yield from encoder.iterencode(data)
        return
    if not indent or not data or _items_count(data) <= _WHOLE_JSON_ITEMS:
        # One call for a plan of ordinary size (the same bytes, half the time of pieces).
        yield to_json(data, indent=indent).decode()
        return
    yield from _indented(data, indent, 0)


# Up to this many top-level items a plan's JSON is written in one piece; a bigger one (a
# document of tens of MB) in pieces, so its output is never held twice over.
_WHOLE_JSON_ITEMS = 5000


def _items_count(data: dict[str, Any] | Plan) -> int:
    # A Plan's fields are its instance dict (extra fields are forbidden): read in C, where
    # `model_fields` on the class goes through pydantic's deprecation wrapper at every call.
    values = data.values() if isinstance(data, dict) else vars(data).values()
    return sum(len(value) for value in values if isinstance(value, list))


def _holds_items(value: Any) -> bool:
    """A non-empty list of mappings (a Plan's items, a section's children): written item by item."""
    return isinstance(value, list) and bool(value) and isinstance(value[0], dict)


def _streamed(value: Any) -> bool:
    """Whether `value` is written in pieces: a list of items, or a mapping that holds one."""
    return _holds_items(value) or (isinstance(value, dict) and any(_holds_items(v) for v in value.values()))


def _one_piece(value: Any, indent: int, pad: bytes) -> str:
    """`value` as indented JSON in one piece, its lines after the first indented by `pad`."""
    text = to_json(value, indent=indent)
    return (text.replace(b"\n", b"\n" + pad) if pad else text).decode()


def _indented(value: Any, indent: int, depth: int) -> Iterator[str]:
    """`value` as indented JSON whose first line starts at `depth` levels, in pieces.

    Lists of items are written one item at a time, and so are the mappings
    holding them, down to any depth: a section's subtree can be most of a plan,
    and its JSON in one piece (bytes, re-indented, decoded) would cost several
    times the size of the output.
    """
    pad = " " * (indent * depth)
    inner = pad + " " * indent
    if _holds_items(value):
        yield "[\n"
        last = len(value) - 1
        inner_pad = inner.encode()
        for k, item in enumerate(value):
            sep = ",\n" if k < last else "\n"
            if _streamed(item):
                yield inner
                yield from _indented(item, indent, depth + 1)
                yield sep
            else:
                yield inner + _one_piece(item, indent, inner_pad) + sep
        yield pad + "]"
    elif _streamed(value):
        yield "{\n"
        last = len(value) - 1
        plain: dict[str, Any] = {}  # members written together, up to one that holds items
        for n, (key, item) in enumerate(value.items()):
            items = _holds_items(item)
            if not items:
                plain[key] = item
                if n < last:
                    continue
            if plain:
                # The members of {…} without its braces ("{\n" and "\n}"), one level deeper than the braces.
                members = to_json(plain, indent=indent)[2:-2].replace(b"\n", b"\n" + pad.encode()).decode()
                yield pad + members + (",\n" if n < last or items else "\n")
                plain = {}
            if items:
                yield inner + to_json(key).decode() + ": "
                yield from _indented(item, indent, depth + 1)
                yield ",\n" if n < last else "\n"
        yield pad + "}"
    else:
        yield _one_piece(value, indent, pad.encode())


def _pieces(data: Plan | dict[str, Any], fmt: str) -> Iterator[str]:
    """The output of a Plan (or of JSON-compatible data, a dumped Plan) in `fmt`, in pieces."""
    if fmt not in ("yaml", "json", "jsonl"):
        raise ValueError(f"unknown format {fmt!r}")
    indent = 2 if fmt == "json" else None
    if isinstance(data, dict):
        if fmt != "yaml":
            return _json_pieces(data, indent)
        return _yaml_pieces(data.items()) if data else iter([_yaml(data)])
    return _plan_yaml_pieces(data) if fmt == "yaml" else _plan_json_pieces(data, indent)


def _plan_yaml_pieces(plan: Plan) -> Iterator[str]:
    """The YAML of a Plan in pieces: a plan of ordinary size (up to a run of top-level items) in
    one, the same bytes as its pieces joined at the cost of one emitter call instead of one per
    key and per run; a bigger one (or one the emitter declines in part) as `_yaml_pieces` writes it."""
    fields = dict(_plan_fields(plan))
    if _items_count(plan) <= _ITEMS_PER_PIECE:
        try:
            return iter([_block_piece(fields)])
        except _block_yaml().Unsupported:
            pass
    return _yaml_pieces(fields.items())


def write_data(fh: TextIO, data: Plan | dict[str, Any], fmt: str) -> None:
    """Serialise a Plan, or JSON-compatible data (a dumped Plan), in `fmt` into the text stream `fh`.

    Streamed: the whole output is never held in memory at once.
    """
    for piece in _pieces(data, fmt):
        fh.write(piece)
    if fmt != "yaml":
        fh.write("\n")


def dumps_data(data: Plan | dict[str, Any], fmt: str) -> str:
    """Serialise a Plan, or JSON-compatible data (a dumped Plan), in `fmt`: yaml, json (indented) or jsonl
    (one line)."""
    return "".join(chain(_pieces(data, fmt), () if fmt == "yaml" else "\n"))


def dumps(plan: Plan, fmt: str) -> str:
    """Serialise a Plan as yaml, json (indented) or jsonl (one compact line)."""
    return dumps_data(plan, fmt)


def write_atomic(path: str | os.PathLike[str], content: str | Callable[[TextIO], None],
                 name: str | None = None) -> None:
    """Write via a temporary file in the same folder and rename: never a partial file.

    `content` is the text, or a function that writes it into the open file
    (so that a big output is streamed rather than held in memory). `name` is how
    messages call the file (default: `path`).

    The rename is atomic on POSIX within one file system, so readers see the old
    file or the complete new one. Interrupts wait until the write is done or
    undone (Ctrl-C undoes it), so not even the temporary file is left behind.
    A file replaced keeps its permissions; a new one gets the umask's.
    """
    target = Path(path)
    name = name or str(target)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mode = 0o666 & ~_umask()
    with deferred() as deferral:
        try:
            fd, tmp = _new_temporary(target)
        except OSError as exc:
            raise OutputError(f"{name}: cannot write ({exc.strerror or exc})") from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                if isinstance(content, str):
                    fh.write(content)
                else:
                    with ctrl_c_allowed(deferral):
                        content(fh)
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException as exc:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            if isinstance(exc, OSError):
                raise OutputError(f"{name}: cannot write ({exc.strerror or exc})") from None
            raise


def _new_temporary(target: Path) -> tuple[int, str]:
    """A new file beside `target` for this process alone (fd, path): what tempfile.mkstemp makes,
    without importing tempfile, shutil and random (~4 ms of a one-plan run)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    for _attempt in range(100):
        tmp = str(target.parent / f".{target.name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no unused temporary name beside {target}")


def _umask() -> int:
    # The temporary file is made 0600; outputs get the usual umask-based mode instead.
    mask = os.umask(0)
    os.umask(mask)
    return mask


def is_stream(path: str | os.PathLike[str]) -> bool:
    """Whether `path` is (or links to) a character device or a FIFO: written into, never replaced."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def output_problem(path: str | os.PathLike[str]) -> str | None:
    """Why `path` cannot take an output file, or None when it can.

    It can be a regular file or nothing yet (written atomically), a symlink to
    one (written at its target, the link kept), or a character device or FIFO
    (written into). A directory, socket, block device or symlink loop cannot.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return None  # nothing there yet, or a link to where the file will be
    except OSError as exc:
        return exc.strerror or str(exc)
    if stat.S_ISREG(mode) or stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory"
    return "not a regular file, device or FIFO"


def write_output(path: str | os.PathLike[str], content: str | Callable[[TextIO], None]) -> None:
    """Write one output file where the user pointed: see `output_problem` for what that may be.

    Missing parent folders are created. Raises OutputError with a one-line reason.
    """
    name = str(path)
    problem = output_problem(path)
    if problem is not None:
        raise OutputError(f"{name}: cannot write ({problem})")
    if is_stream(path):
        try:
            with open(path, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(content) if isinstance(content, str) else content(fh)
        except OSError as exc:
            raise OutputError(f"{name}: cannot write ({exc.strerror or exc})") from None
        return
    # A symlink is followed: the file it points at is replaced, the link stays.
    target = Path(os.path.realpath(path))
    if not os.path.isdir(target.parent):  # one stat for the common case, an existing folder
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{name}: cannot create its folder ({exc.strerror or exc})") from None
    write_atomic(target, content, name=name)
