"""Pydantic models of a parsed plan; field order is the output key order.

Every extracted item carries `line` (1-based line of the input file) and
`span` ([start, end) character offsets into the decoded input), such that the
input's slice, whitespace removed, contains the item's text.

Annotations are evaluated as the classes are made (no `from __future__ import
annotations`): pydantic would otherwise compile each one from its string at
every start.
"""

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainValidator, TypeAdapter, WithJsonSchema
from pydantic.dataclasses import dataclass
from pydantic.fields import FieldInfo

SCHEMA_VERSION = "1"
_T = TypeVar("_T", bound="_Item")

Comparator = Literal[">=", ">", "<=", "<", "="]
SectionStyle = Literal[
    "division", "chapter", "part", "article", "cn-dun", "cn-paren", "arabic-dot", "arabic-paren", "circled", "dash",
    "decimal", "inline",
]


def _ordered(span: tuple[int, int]) -> tuple[int, int]:
    if not 0 <= span[0] <= span[1]:
        raise ValueError(f"span {list(span)} is not an ordered pair of offsets")
    return span


# Every located model (section, target, percentage, deadline, department, task) uses this one type.
Span = Annotated[
    tuple[int, int],
    AfterValidator(_ordered),
    Field(description="[start, end) character offsets into the decoded input"),
]
Line = Annotated[int, Field(ge=1, description="1-based line of the input where the item starts")]
# ISO date, or `--MM-DD` for a yearly recurring deadline.
DateText = Annotated[str, Field(pattern=r"^(\d{4}|-)-\d{2}-\d{2}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class _Item:
    """What the item dataclasses share with the models: `model_fields` and `model_dump`.

    A plan holds hundreds of thousands of items on inputs of tens of MB; as
    slotted pydantic dataclasses (validated the same way, written the same
    way) each costs about 1 KB less than as a model, which carries an
    instance dict and a set of the fields given.
    """

    __slots__ = ()
    model_fields: ClassVar[dict[str, FieldInfo]]  # by name, in order (set by _item)
    _adapter: ClassVar[TypeAdapter[Any] | None] = None
    _list_adapter: ClassVar[TypeAdapter[Any] | None] = None

    @classmethod
    def model_validate(cls, data: Any) -> Any:
        """An item (with its children) from plain data, validated."""
        return cls._type_adapter().validate_python(data)

    @classmethod
    def validate_all(cls, rows: list[dict[str, Any]]) -> list[Any]:
        """Items from their fields, `cls(**row)` for each row, validated in one call: the same
        checks without a Python-level __init__ per item, which a plan of thousands pays for."""
        if not rows:
            return []  # what validating no item gives, without the call (a stage finds none in many plans)
        adapter = cls.__dict__.get("_list_adapter")
        if adapter is None:  # made on first use, as _type_adapter
            adapter = cls._list_adapter = TypeAdapter(list[cls])  # type: ignore[valid-type]
        return adapter.validate_python(rows)

    def model_dump(self, **options: Any) -> dict[str, Any]:
        return self._type_adapter().dump_python(self, **options)

    @classmethod
    def _type_adapter(cls) -> TypeAdapter[Any]:
        adapter = cls.__dict__.get("_adapter")
        if adapter is None:  # made on first use: start-up does not pay for it
            adapter = cls._adapter = TypeAdapter(cls)
        return adapter


def _item(cls: type[_T]) -> type[_T]:
    """`cls` as a slotted pydantic dataclass whose fields are all keyword-only.

    Keyword-only, as the output's key order puts fields with defaults before
    required ones; a field given as `= Field(...)` is marked so too, or pydantic
    would move it ahead of the others in the JSON schema.
    """
    for value in vars(cls).values():
        if isinstance(value, FieldInfo):
            value.kw_only = True
            value._attributes_set["kw_only"] = True
    item = dataclass(slots=True, kw_only=True, config=ConfigDict(extra="forbid"))(cls)
    item.model_fields = item.__pydantic_fields__
    return item


class Source(_Model):
    """Where the text came from. Spans index the extracted text, whose sha256 is `text_sha256`
    and which `ecoplan text FILE` prints; for a text file that is the decoded input."""

    path: str | None = Field(description="input path as given; null for stdin")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of the input bytes")
    encoding: str | None = Field(description="encoding the input was decoded with; null for PDF and Word files")
    format: Literal["text", "pdf", "docx", "doc", "html"] = Field(
        default="text", description="the input's format, recognised by content")
    reader: str | None = Field(default=None, description="the library (or libraries, joined by +) that read it")
    reader_version: str | None = Field(default=None, description="its version (versions joined by +)")
    text_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$",
                                    description="sha256 of the extracted text (UTF-8) that spans index")


class Meta(_Model):
    title: str | None = None
    issuer: str | None = None
    date: dt.date | None = Field(default=None, description="date of issue")
    year: int | None = Field(default=None, ge=1949, le=2100, description="the year the plan is for")
    region: str | None = None



def _no_items() -> list[Any]:
    """An empty list, as the default of a list field. A Python function rather than `list`:
    pydantic reads a default factory's signature, and a builtin's costs a tokenizer at start."""
    return []

@_item
class Section(_Item):
    marker: str = Field(description="the marker as written, e.g. 一、 （一） 1． 一是")
    style: SectionStyle
    number: int = Field(ge=0, description="position in its style's sequence; 0 for —— bullets")
    level: int = Field(ge=1, description="nesting depth in this document")
    title: str
    text: str = Field(description="the section's own body, without its children")
    line: Line
    span: Span
    children: list["Section"] = Field(default_factory=_no_items)


@_item
class Deadline(_Item):
    text: str = Field(description="the expression as written")
    date: DateText = Field(description="last day allowed; --MM-DD when recurring")
    recurring: Literal["yearly"] | None = None
    line: Line
    span: Span


def _number(value: object) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("Input should be a number")
    return value


# A figure as written: a count of things (17 个, 2 万辆) is an integer, a measure a float.
Number = Annotated[int | float, PlainValidator(_number), WithJsonSchema({"type": "number"})]


@_item
class Target(_Item):
    indicator: str
    comparator: Comparator
    value: Number = Field(description="the number as written; a count of things (个, 家, 万辆) is an integer")
    unit: str = Field(description="the unit as written (万千瓦, μg/m3)")
    unit_name: str | None = Field(default=None, description="the unit's canonical name (微克/立方米 for μg/m3)")
    change: Literal["decrease", "increase"] | None = None
    baseline_year: int | None = None
    deadline: DateText | None = Field(default=None, description="date of the governing deadline")
    qualifier: str | None = Field(default=None, description="hedge kept apart from the number: 约, 力争, 基本")
    text: str = Field(description="the clause the target was read from")
    line: Line
    span: Span


@_item
class Percentage(_Item):
    value: float
    comparator: Comparator | None = None
    text: str = Field(description="the clause the percentage stands in")
    line: Line
    span: Span


@_item
class Department(_Item):
    name: str
    mentions: int = Field(ge=1)
    line: Line = Field(description="line of the first mention")
    span: Annotated[Span, Field(description="span of the first mention")]


@_item
class Task(_Item):
    text: str
    goal: str | None = None
    lead: list[str] = Field(default_factory=_no_items)
    support: list[str] = Field(default_factory=_no_items)
    line: Line
    span: Span


class Plan(_Model):
    schema_version: str = SCHEMA_VERSION
    source: Source
    meta: Meta
    sections: list[Section] = Field(default_factory=_no_items)
    targets: list[Target] = Field(default_factory=_no_items)
    percentages: list[Percentage] = Field(default_factory=_no_items)
    deadlines: list[Deadline] = Field(default_factory=_no_items)
    departments: list[Department] = Field(default_factory=_no_items)
    tasks: list[Task] = Field(default_factory=_no_items)
