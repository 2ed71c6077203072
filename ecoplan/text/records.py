"""Rule records: what a stage builds once from its vocabulary (compiled patterns, word sets, tables).

As frozen dataclasses these cost 0.5-2 ms each at every start, ~9 ms in all: the
standard library writes the source of each class's __init__, __eq__, __hash__,
__setattr__ … and compiles it, which pays off for records made by the thousand
but not for one made once per process. `rule_record` makes the class from its
annotated fields directly: slotted (an attribute is read as fast as a slotted
dataclass's), read-only, built with every field given (by position or keyword).
"""

from __future__ import annotations

from typing import Any, TypeVar, dataclass_transform

_T = TypeVar("_T")


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    fields = type(self).__slots__
    values = dict(zip(fields, args, strict=False))  # the first fields by position, the rest by keyword
    if len(args) > len(fields) or not values.keys().isdisjoint(kwargs):
        raise TypeError(f"{type(self).__name__}: too many values, or a field given twice")
    values.update(kwargs)
    if len(values) != len(fields) or not all(name in values for name in fields):
        missing, unknown = sorted(set(fields) - set(values)), sorted(set(values) - set(fields))
        raise TypeError(f"{type(self).__name__}: missing fields {missing}, unknown fields {unknown}")
    for name in fields:
        object.__setattr__(self, name, values[name])


def _read_only(self: Any, *args: Any) -> None:
    raise AttributeError(f"{type(self).__name__} is read-only")


def _repr(self: Any) -> str:
    return f"{type(self).__name__}({', '.join(f'{name}={getattr(self, name)!r}' for name in type(self).__slots__)})"


@dataclass_transform(eq_default=False, frozen_default=True)
def rule_record(cls: type[_T]) -> type[_T]:
    """`cls`, with annotated fields only, as a slotted read-only record (see the module)."""
    namespace = {key: value for key, value in vars(cls).items() if key not in ("__dict__", "__weakref__")}
    namespace.update(__slots__=tuple(vars(cls).get("__annotations__", {})), __init__=_init,
                     __setattr__=_read_only, __delattr__=_read_only, __repr__=_repr)
    record: type[_T] = type(cls.__name__, cls.__bases__, namespace)
    return record
