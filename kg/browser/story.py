"""The guide's story, as data: `cypher/guide.yaml` holds the introduction's slides (titles, leads,
prose, example blocks) and the order of the named questions; kg/browser/guide.py makes the guide from it.

The file is contributor text, so nothing in it reaches the guide as markup of its own: titles and
leads are escaped text, `text:` is CommonMark rendered by markdown-it-py with raw HTML off (a
`<script>` in it is shown, not run), images off, and links only to a named question
(`question:NAME`, which becomes a Browser link to its slide) or to an http(s) page. Problems are
reported as `file:line: what is wrong`, like the seed's.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from kg import project
from kg.errors import UsageError
from kg.graph import when
from kg.questions.catalogue import catalogue
from kg.seed.reader import Document, ReadError, parse

FILE = "guide.yaml"
QUESTION_LINK = "question:"
#: what kg makes from the code and the seed, for a `show:` block
Shown = Literal["style", "questions", "labels", "sources"]


class Block(BaseModel):
    """One block of a slide's body: exactly one of its fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str | None = None
    run: str | None = None
    code: str | None = None
    show: Shown | None = None

    @model_validator(mode="after")
    def _one(self) -> Block:
        given = [k for k in ("text", "run", "code", "show") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a block is exactly one of text, run, code or show, "
                             f"not {' and '.join(given) or 'none of them'}")
        return self


class Slide(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    lead: str
    body: list[Block]


class Story(BaseModel):
    """cypher/guide.yaml, checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    slides: list[Slide]
    questions: list[str]

    def ordered(self, names: Collection[str]) -> list[str]:
        """The questions in the order of the story: those it names, then the others by name."""
        return [n for n in self.questions if n in names] + sorted(n for n in names if n not in self.questions)

    def slide_of(self, slide_id: str) -> int:
        """The 0-based position of an introduction slide, by its id."""
        ids = [s.id for s in self.slides]
        if slide_id not in ids:
            raise UsageError(f"the guide has no slide {slide_id!r} ({', '.join(ids)})")
        return ids.index(slide_id)


def default_path() -> Path:
    """The story beside the named questions: the project's cypher/ when it has one, else the
    installed questions' (a project of only a seed/ still gets kg's guide)."""
    return project.cypher_dir() / FILE


# --- Markdown, safely --------------------------------------------------------------------------------

def _markdown(link: Callable[[str], str] | None = None) -> MarkdownIt:
    """CommonMark without raw HTML or images. With `link`, a `question:NAME` link becomes
    `<a {link(NAME)}>`: the attributes the caller makes (and escapes)."""
    md = MarkdownIt("commonmark", {"html": False}).disable("image")
    if link is not None:
        def link_open(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
            href = str(tokens[idx].attrGet("href") or "")
            if href.startswith(QUESTION_LINK):
                return f"<a {link(href.removeprefix(QUESTION_LINK))}>"
            return str(self.renderToken(tokens, idx, options, env))

        md.add_render_rule("link_open", link_open)
    return md


def links(text: str) -> list[str]:
    """The link targets of a `text:` block."""
    found = []
    for token in _markdown().parse(text):
        for child in token.children or []:
            if child.type == "link_open":
                found.append(str(child.attrGet("href") or ""))
    return found


def render(text: str, question_link: Callable[[str], str]) -> str:
    """A `text:` block as HTML: its markup rendered, everything else escaped."""
    return str(_markdown(question_link).render(text)).strip()


# --- reading and checking ------------------------------------------------------------------------------

def _loc_path(loc: tuple[int | str, ...]) -> tuple[str | int, ...]:
    # pydantic names a failed model validator or a union member after the path; the line is the path's
    return tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p.startswith("function-"))))


def load(path: Path | None = None, questions: Collection[str] | None = None) -> Story:
    """Read and check the story: its shape, then that every question and link it names exists
    (`questions`: the names of the named questions; default the catalogue beside it) and that its
    `run:` blocks expand. Raises UsageError `file:line: what is wrong`."""
    path = path or default_path()
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"{name}:1: cannot read the guide's story: {e}") from e
    try:
        doc: Document = parse(text, name)
    except ReadError as e:
        raise UsageError(str(e)) from e
    try:
        story = Story.model_validate(doc.data)
    except ValidationError as e:
        # a mistyped key first: it explains the key then missing
        first = sorted(e.errors(), key=lambda err: err["type"] != "extra_forbidden")[0]
        where = _loc_path(tuple(first["loc"]))
        what = ".".join(str(p) for p in where) or "the file"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise UsageError(str(doc.problem(where, f"{what}: {message}"))) from e

    if questions is None:
        questions = set(catalogue(path.parent))
    ids: set[str] = set()
    for i, slide in enumerate(story.slides):
        if slide.id in ids:
            raise UsageError(str(doc.problem(("slides", i, "id"), f"two slides have the id {slide.id!r}")))
        ids.add(slide.id)
        for j, block in enumerate(slide.body):
            at = ("slides", i, "body", j)
            for target in links(block.text or ""):
                if target.startswith(QUESTION_LINK):
                    if target.removeprefix(QUESTION_LINK) not in questions:
                        raise UsageError(str(doc.problem(at, f"the link {target!r} names no question in "
                                                             f"{path.parent}")))
                elif not target.startswith(("http://", "https://")):
                    raise UsageError(str(doc.problem(at, f"the link {target!r} is neither question:NAME nor an "
                                                         "http(s) address")))
            if block.run is not None:
                try:
                    when.expand(block.run)
                except ValueError as e:
                    raise UsageError(str(doc.problem(at, str(e)))) from e
    seen: set[str] = set()
    for i, q in enumerate(story.questions):
        if q not in questions:
            raise UsageError(str(doc.problem(("questions", i), f"{q!r} is no question in {path.parent} "
                                                               "(renamed or removed?)")))
        if q in seen:
            raise UsageError(str(doc.problem(("questions", i), f"{q!r} is named twice")))
        seen.add(q)
    return story


