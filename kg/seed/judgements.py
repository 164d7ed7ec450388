"""Decisions on candidate duplicates (`kg xref`), kept in `seed/judgements.yaml`: a pair of actor ids
judged `same`, `different` or `unsure`, with who decided and why. A decided pair is not proposed again;
a `different` pair never merges; `kg merge` records a `same` judgement with what the merged actor was.

The file is not a seed file (it declares nothing the graph holds): validation reads it apart, with
the same careful reader, so a problem is `file:line: message` too. Ids are not required to exist: an
actor merged away is gone from the seed, and its judgements stay true.

Judgements are read as clusters, as nomenklatura's resolver does: `same` joins two ids (and whatever
each was judged the same as), so a pair is decided when any judgement links their two clusters.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from kg.errors import ValidationFailed
from kg.seed.model import Id, IsoDate, Name, Quote, Text
from kg.seed.reader import Problem, ReadError, read
from kg.seed.roundtrip import as_text, dumps, replace_file, round_trip_yaml

#: the file's name, at the top of a seed folder
JUDGEMENTS_FILE = "judgements.yaml"
DECISIONS = ("same", "different", "unsure")
Decision = Literal["same", "different", "unsure"]
Who = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Merged(_Strict):
    """What the merged actor (`b`) was, as `kg merge` found it: so that nothing of it is lost, even
    what its survivor (`a`) did not take (a property both had with other values, the quote of a
    declaration in a source file whose survivor is declared in the registry)."""

    label: str
    name: Name
    aliases: list[Name] = []
    props: dict[str, Any] = Field(default_factory=dict, description="its own properties, as written")
    quotes: dict[str, Quote] = Field(default_factory=dict, description="source id -> the quote that declared it")
    not_taken: dict[str, Any] = Field(default_factory=dict, description="its properties the survivor holds "
                                                                         "with another value")


class Judgement(_Strict):
    a: Id
    b: Id
    decision: Decision
    who: Who
    why: Text
    date: IsoDate | None = None
    merged: Merged | None = Field(default=None, description="b was merged into a by kg merge")


class JudgementsFile(_Strict):
    judgements: list[Judgement] = []


def pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


@dataclass
class Judgements:
    """The judgements of one file, and the clusters their `same` decisions make."""

    items: list[Judgement]
    file: Path | None = None

    def __post_init__(self) -> None:
        self.parent: dict[str, str] = {}
        for j in self.items:
            if j.decision == "same":
                self._join(j.a, j.b)
        self.between: dict[tuple[str, str], Judgement] = {}  # (cluster, cluster) -> a judgement
        for j in self.items:
            if j.decision == "same":
                continue
            key = pair(self.cluster(j.a), self.cluster(j.b))
            known = self.between.get(key)
            if known is None or (known.decision == "unsure" and j.decision == "different"):
                self.between[key] = j

    def cluster(self, ident: str) -> str:
        """The id that stands for `ident`'s cluster (itself when judged the same as nothing)."""
        root = ident
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while ident != root:  # path halving keeps lookups short
            ident, self.parent[ident] = self.parent[ident], root
        return root

    def _join(self, a: str, b: str) -> None:
        ra, rb = self.cluster(a), self.cluster(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def decision(self, a: str, b: str) -> Judgement | str | None:
        """The judgement that decides the pair (`same` through a cluster gives the string "same"), or None."""
        ca, cb = self.cluster(a), self.cluster(b)
        if ca == cb:
            return next((j for j in self.items if j.decision == "same" and pair(j.a, j.b) == pair(a, b)), "same")
        return self.between.get(pair(ca, cb))

    def decided(self, a: str, b: str) -> bool:
        return self.decision(a, b) is not None

    def __len__(self) -> int:
        return len(self.items)


def _message(err: Any) -> str:
    loc = ".".join(str(p) for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "str"))))
    msg = err["msg"].removeprefix("Value error, ")
    return f"{loc or 'file'}: {msg}"


def check(path: Path, display: str | None = None) -> tuple[Judgements, list[Problem]]:
    """The judgements of `path` and every problem in it (`file:line: message`); none when it does not exist."""
    name = display or str(path)
    if not path.exists():
        return Judgements([], path), []
    try:
        doc = read(path, name)
    except ReadError as e:
        return Judgements([], path), [e.problem]
    if doc.data is None:
        return Judgements([], path), []
    problems: list[Problem] = []
    if not isinstance(doc.data, dict) or "judgements" not in doc.data:
        return Judgements([], path), [doc.problem((), "expected a mapping with `judgements:` (a list of decisions)")]
    try:
        parsed = JudgementsFile.model_validate(doc.data)
    except ValidationError as e:
        return Judgements([], path), [doc.problem(tuple(p for p in err["loc"] if not (
            isinstance(p, str) and p.startswith(("function-", "str")))), _message(err)) for err in e.errors()]
    seen: dict[tuple[str, str], int] = {}
    kept: dict[int, Judgement] = {}
    for i, j in enumerate(parsed.judgements):
        where = ("judgements", i)
        if j.a == j.b:
            problems.append(doc.problem((*where, "b"), f"a judgement names two different ids, not {j.a!r} twice"))
            continue
        first = seen.setdefault(pair(j.a, j.b), i)
        if first != i:
            problems.append(doc.problem(where, f"{j.a} and {j.b} are judged again (first at {name}:"
                                               f"{doc.line(('judgements', first))}); change that judgement instead"))
            continue
        kept[i] = j
    judgements = Judgements(list(kept.values()), path)
    for i, j in kept.items():
        if j.decision == "different" and judgements.cluster(j.a) == judgements.cluster(j.b):
            problems.append(doc.problem(("judgements", i), f"{j.a} and {j.b} are judged different, but other "
                                                           "judgements make them the same"))
    return judgements, problems


def check_text(text: str, name: str) -> list[Problem]:
    """The problems of a judgements file that would hold `text` (reported as `name`)."""
    with tempfile.TemporaryDirectory(prefix="kg-judge-") as tmp:
        path = Path(tmp) / JUDGEMENTS_FILE
        path.write_text(text, encoding="utf-8")
        problems = check(path, name)[1]
    return problems


def load(seed_dir: Path) -> Judgements:
    """The judgements of a seed folder; ValidationFailed (file:line) when its file is wrong."""
    judgements, problems = check(seed_dir / JUDGEMENTS_FILE)
    if problems:
        raise ValidationFailed([str(p) for p in problems])
    return judgements


HEADER = """\
# Decisions on candidate duplicates, written by `kg xref judge` and `kg merge` (docs/xref.md).
# A decided pair is not proposed again by `kg xref`; a `different` pair never merges.
judgements:
"""


def entry(judgement: Judgement) -> dict[str, Any]:
    """A judgement as it is written in the file (empty fields left out)."""
    return judgement.model_dump(exclude_none=True, exclude_defaults=False, mode="json",
                                exclude={"merged": {k for k in ("aliases", "props", "quotes", "not_taken")
                                                    if not getattr(judgement.merged, k, None)}})


def render(path: Path, judgement: Judgement, text: str | None = None) -> str:
    """The text of the judgements file `path` (or `text`, its text as it will be) with `judgement` added,
    or replacing the earlier judgement of the same pair; comments and layout kept (ruamel.yaml)."""
    rt = round_trip_yaml()
    if text is None:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    data = rt.load(text) if text.strip() else None
    if not isinstance(data, CommentedMap):
        data = rt.load(HEADER)
    items = data.get("judgements")
    if not isinstance(items, CommentedSeq):
        items = CommentedSeq()
        data["judgements"] = items
    items.fa.set_block_style()
    new = CommentedMap(entry(judgement))
    for key in ("who", "why", "date"):
        if key in new:
            new[key] = as_text(str(new[key]))
    if "merged" in new:
        new["merged"] = _texts(new["merged"])
    for i, old in enumerate(list(items)):
        if isinstance(old, dict) and pair(str(old.get("a")), str(old.get("b"))) == pair(judgement.a, judgement.b):
            items[i] = new
            break
    else:
        items.append(new)
    return dumps(rt, data)


def _texts(value: Any) -> Any:
    """Every text in `value` in double quotes (a name or a quote such as `yes` or `2020` stays text)."""
    if isinstance(value, dict):
        return {k: _texts(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_texts(v) for v in value]
    return as_text(value) if isinstance(value, str) else value


def today() -> str:
    return date.today().isoformat()


def record(seed_dir: Path, judgement: Judgement) -> Path:
    """Write `judgement` into the seed folder's judgements file (made when missing), replacing an
    earlier judgement of the same pair; the file is checked before it replaces the old one."""
    path = seed_dir / JUDGEMENTS_FILE
    text = render(path, judgement)
    problems = check_text(text, str(path))
    if problems:
        raise ValidationFailed([str(p) for p in problems])
    replace_file(path, text, "kg-judge")
    return path


__all__ = ["DECISIONS", "JUDGEMENTS_FILE", "Judgement", "Judgements", "Merged", "check", "load", "pair",
           "record", "render", "today"]
