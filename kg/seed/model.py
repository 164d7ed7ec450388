"""The shape of seed files, as pydantic models (docs/seed-format.md explains them; the JSON
Schema in docs/seed.schema.json is generated from them by `kg docs`).

Properties that depend on the label or relationship type (`mode`, `title`, `jurisdiction` ...)
are written inline beside the reserved keys; kg/seed/validate.py checks them against
kg/schema.py, so the vocabulary lives in one place.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    TypeAdapter,
)

from kg.schema import NODE_KINDS, REL_KINDS

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,127}$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
#: names and aliases are indexed; Neo4j's range index keys must stay well under 8 KB
Name = Annotated[str, StringConstraints(min_length=1, max_length=1_000)]
Quote = Annotated[str, StringConstraints(min_length=3, max_length=2_000)]
Confidence = Literal["high", "medium", "low"]
if TYPE_CHECKING:
    NodeLabel = str
    RelType = str
else:  # the choices come from kg/schema.py, so errors and the JSON Schema list them
    NodeLabel = Literal[tuple(NODE_KINDS)]
    RelType = Literal[tuple(REL_KINDS)]

_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
PRECISIONS = ("year", "month", "day")


def check_iso(value: Any) -> str:
    """`2019`, `2019-12` or `2019-12-05`, and a real calendar date."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError("a date must be written as text: '2019', '2019-12' or '2019-12-05'")
    match = _ISO.match(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not an ISO date ('2019', '2019-12' or '2019-12-05'); "
                         "keep the article's words in `as_written`")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"{value!r}: month {month} does not exist")
    if day is not None:
        try:
            date(year, month or 1, day)
        except ValueError as e:
            raise ValueError(f"{value!r}: {e}") from None
    return value.strip()


def precision(iso: str) -> str:
    return PRECISIONS[iso.count("-")]


IsoDate = Annotated[str, BeforeValidator(check_iso)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class DateSpec(_Strict):
    """A date with its precision and, when the article was vague, its words."""

    value: IsoDate
    as_written: Text | None = None
    note: Text | None = None


def _date_kind(value: Any) -> str:
    return "spec" if isinstance(value, dict | DateSpec) else "iso"


#: `"2020-02"` or `{value: "2020-02", as_written: ..., note: ...}`; one error message either way
DateField = Annotated[
    Annotated[IsoDate, Tag("iso")] | Annotated[DateSpec, Tag("spec")],
    Discriminator(_date_kind),
]


class _WithProps(BaseModel):
    """Reserved keys are fields; anything else is a property checked against kg/schema.py."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Link(_WithProps):
    """A relation with the declaring node at one end (give `from` or `to`, not both)."""

    type: RelType
    from_: Id | None = Field(default=None, alias="from")
    to: Id | None = None
    id: Id | None = None
    quote: Quote | None = None
    confidence: Confidence | None = None
    date: DateField | None = None
    start: DateField | None = None
    end: DateField | None = None


class NodeDecl(_WithProps):
    id: Id
    label: NodeLabel
    name: Name
    aliases: list[Name] = []
    date: DateField | None = None
    quote: Quote | None = None
    confidence: Confidence | None = None
    links: list[Link] = []


class RelDecl(_WithProps):
    type: RelType
    from_: Id = Field(alias="from")
    to: Id
    id: Id | None = None
    quote: Quote
    confidence: Confidence
    date: DateField | None = None
    start: DateField | None = None
    end: DateField | None = None


class TextPin(_Strict):
    """The article's text in the texts folder, pinned: a text that changed is refused."""

    file: Annotated[str, StringConstraints(pattern=r"^[^/\\]+$", max_length=255)] = Field(
        description="the file name in the texts folder (--texts, KG_TEXTS, default .kg/texts/)")
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] = Field(
        description="SHA-256 of the file's bytes (lower-case hex)")
    length: Annotated[int, Field(ge=0)] = Field(description="the file's length in bytes")


def _text_kind(value: Any) -> str:
    return "pin" if isinstance(value, dict | TextPin) else "file"


#: `edmonton.txt` (a file name, unpinned) or `{file, sha256, length}` (pinned; `kg source add` writes it)
TextField = Annotated[
    Annotated[Annotated[str, StringConstraints(pattern=r"^[^/\\]+$", max_length=255)], Tag("file")]
    | Annotated[TextPin, Tag("pin")],
    Discriminator(_text_kind),
]


class SourceMeta(_Strict):
    id: Id
    title: Name
    headline: Text | None = None
    publisher: Id
    authors: list[Id] = []
    published: DateField
    text: TextField | None = Field(default=None, description="the article's text in the texts folder, pinned")
    url: Text | None = None
    language: Text = "en"
    confidence: Confidence = "high"
    note: Text | None = None


class SourceFile(_Strict):
    source: SourceMeta
    nodes: list[NodeDecl] = []
    relations: list[RelDecl] = []
    mentions: list[Id] = []


class RegistryFile(_Strict):
    actors: list[NodeDecl]


SeedFile = RegistryFile | SourceFile


def json_schema() -> dict[str, Any]:
    schema = TypeAdapter(SeedFile).json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "kg seed file"
    schema["description"] = ("A registry of actors (`actors:`) or one source document (`source:`). "
                             "Generated from kg/seed/model.py by `kg docs`; see docs/seed-format.md.")
    return schema


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
