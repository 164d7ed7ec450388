"""The shape of seed files, as pydantic models built from the vocabulary (kg/graph/schema.py) by
`build_models`: one model per label and one per relationship type, each with its own properties
typed, combined as unions discriminated by `label` and `type`. docs/seed-format.md explains them;
the JSON Schema in docs/seed.schema.json is generated from them by `kg docs`.
"""

from __future__ import annotations

import functools
import json
import keyword
import re
from dataclasses import dataclass
from datetime import date
from types import GenericAlias
from typing import Annotated, Any, ClassVar, Literal, TypeVar, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    StrictBool,
    StrictStr,
    StringConstraints,
    Tag,
    TypeAdapter,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    create_model,
)

from kg.graph.schema import DERIVED, VOCABULARY, Prop, Vocabulary

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,127}$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
#: names and aliases are indexed; Neo4j's range index keys must stay well under 8 KB
Name = Annotated[str, StringConstraints(min_length=1, max_length=1_000)]
Quote = Annotated[str, StringConstraints(min_length=3, max_length=2_000)]
Confidence = Literal["high", "medium", "low"]
M = TypeVar("M", bound="_Decl")

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


# --- declarations of nodes and relations: one model per label and per relationship type ---------
#
# The models are built from the vocabulary (kg/graph/schema.py) by `build_models`, so each label and each
# type has exactly its own properties, typed, and the JSON Schema lists them for editors.

INT64 = 2**63 - 1
#: a 64-bit integer (Neo4j's); `true` is not 1
Int64 = Annotated[int, Strict(), Field(ge=-INT64, le=INT64)]


def _keep_int(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    checked = handler(value)
    return value if type(value) is int else checked  # 200 stays the integer it was written as


#: a finite number, integer or not (an integer stays an integer in the graph)
Number = Annotated[float, Strict(), Field(allow_inf_nan=False), WrapValidator(_keep_int)]


class _Decl(_Strict):
    #: property name in the file (and the graph) -> its field's name here (`as` is a Python keyword)
    prop_fields: ClassVar[dict[str, str]] = {}

    def props(self) -> dict[str, Any]:
        """The vocabulary's properties the declaration gives (not null), by their names in the file."""
        out = {}
        for prop, name in self.prop_fields.items():
            value = getattr(self, name)
            if value is not None:
                out[prop] = value
        return out


class LinkBase(_Decl):
    """A relation with the declaring node at one end (give `from` or `to`, not both)."""

    type: str
    from_: Id | None = Field(default=None, alias="from")
    to: Id | None = None
    id: Id | None = None
    quote: Quote | None = None
    confidence: Confidence | None = None


class NodeBase(_Decl):
    id: Id
    label: str
    name: Name
    aliases: list[Name] = []
    quote: Quote | None = None
    confidence: Confidence | None = None
    links: list[LinkBase] = []


class RelBase(_Decl):
    type: str
    from_: Id = Field(alias="from")
    to: Id
    id: Id | None = None
    quote: Quote
    confidence: Confidence


class RegistryFileBase(_Strict):
    actors: list[NodeBase]


class SourceFileBase(_Strict):
    source: SourceMeta
    nodes: list[NodeBase] = []
    relations: list[RelBase] = []
    mentions: list[Id] = []


#: keys a property may not have: those of the declarations, and those the loader writes itself
_WRITTEN = {"key", "sources", "quotes", "confidences", *DERIVED}
RESERVED = {"node": {*NodeBase.model_fields, *_WRITTEN},
            "link": {"type", "from", "to", "id", "quote", "confidence", *_WRITTEN}}


def prop_type(prop: Prop) -> Any:
    """The type of a property's value in a seed file."""
    if prop.choices:
        return Literal[prop.choices]
    if prop.refers_to:
        return Id
    return {"str": StrictStr, "int": Int64, "float": Number, "bool": StrictBool, "str[]": list[StrictStr],
            "date": DateField}[prop.type]


def prop_doc(prop: Prop) -> str:
    refers = f"the id of a {' or '.join(prop.refers_to)}" if prop.refers_to else ""
    return "; ".join(x for x in (prop.doc, refers) if x)


def _prop_fields(props: dict[str, Prop], reserved: set[str]) -> tuple[dict[str, Any], dict[str, str]]:
    fields: dict[str, Any] = {}
    names: dict[str, str] = {}
    for prop, spec in props.items():
        if prop in reserved:
            raise ValueError(f"property {prop!r} is a reserved key of seed declarations")
        name = f"{prop}_" if keyword.iskeyword(prop) or prop.startswith(("model_", "_")) else prop
        fields[name] = (prop_type(spec) | None, Field(default=None, alias=prop, description=prop_doc(spec) or None))
        names[prop] = name
    return fields, names


def _model(name: str, base: type[M], doc: str, tag: tuple[str, str], props: dict[str, Prop], reserved: set[str],
           **more: Any) -> type[M]:
    fields, names = _prop_fields(props, reserved)
    key, value = tag
    model = create_model(name, __base__=base, __doc__=doc, __module__=__name__,
                         **{key: (Literal[value], Field(description=doc)), **more, **fields})
    model.prop_fields = names
    return model


def _list(item: Any) -> Any:
    return GenericAlias(list, (item,))


def _union(models: list[type[Any]], key: str) -> Any:
    if len(models) == 1:
        return models[0]
    return Annotated[Union[tuple(models)], Field(discriminator=key)]  # noqa: UP007 - built at run time


@dataclass(frozen=True)
class Models:
    """The models of one vocabulary: per label, per relationship type (as a `links:` entry and as a
    `relations:` entry), and of the two kinds of file."""

    vocab: Vocabulary
    nodes: dict[str, type[NodeBase]]
    links: dict[str, type[LinkBase]]
    relations: dict[str, type[RelBase]]
    registry: type[RegistryFileBase]
    source: type[SourceFileBase]

    def json_schema(self) -> dict[str, Any]:
        either: Any = self.registry | self.source
        schema = TypeAdapter(either).json_schema(by_alias=True)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = "kg seed file"
        schema["description"] = ("A registry of actors (`actors:`) or one source document (`source:`). Generated "
                                 "from kg/graph/schema.py and kg/seed/model.py by `kg docs`; see docs/seed-format.md.")
        return schema


def build_models(vocab: Vocabulary = VOCABULARY) -> Models:
    """The seed file models of `vocab`; each declaration's properties are its label's or type's own."""
    links = {t: _model(f"{t}_link", LinkBase, k.doc, ("type", t), k.props, RESERVED["link"])
             for t, k in vocab.rels.items()}
    link = _union(list(links.values()), "type")
    nodes = {lb: _model(lb, NodeBase, k.doc, ("label", lb), k.props, RESERVED["node"], links=(_list(link), []))
             for lb, k in vocab.nodes.items()}
    relations = {t: _model(t, RelBase, k.doc, ("type", t), k.props, RESERVED["link"]) for t, k in vocab.rels.items()}
    node = _union(list(nodes.values()), "label")
    registry = create_model("RegistryFile", __base__=RegistryFileBase, __module__=__name__,
                            actors=(_list(node), ...))
    source = create_model("SourceFile", __base__=SourceFileBase, __module__=__name__,
                          nodes=(_list(node), []), relations=(_list(_union(list(relations.values()), "type")), []))
    return Models(vocab, nodes, links, relations, registry, source)


@functools.cache
def default_models() -> Models:
    """The models of kg's vocabulary, built once, when first needed (not on import: building them
    takes a noticeable part of a second, and `kg query` needs only check_iso from here)."""
    return build_models(VOCABULARY)


def json_schema_text(models: Models | None = None) -> str:
    return json.dumps((models or default_models()).json_schema(), indent=2, sort_keys=True) + "\n"
