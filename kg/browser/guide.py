"""Neo4j Browser for kg: a guide and a style, generated, never written by hand.

* The guide (`kg-guide.html`) is a Browser guide: `<slide>`s the Browser shows with `:play URL`
  (a carousel in the stream) or `:guide URL` (the sidebar). It introduces the story, the model and
  the sources, then gives one slide per named question (cypher/*.cypher): its title, description
  and parameters, the same question on the command line, and two runnable blocks (set the example
  parameters, run the query). The introduction's prose and blocks and the order of the questions
  are data, cypher/guide.yaml (kg/browser/story.py reads it and renders its prose safely); the rest comes
  from the query headers, kg/graph/schema.py, kg/graph/palette.py and the seed's source blocks.
* The style (`kg.grass`) is GraSS made from kg/graph/palette.py: the colours and captions of the HTML
  views (shapes and sizes differ: the Browser draws circles only).

Where they are served (the guide's links and commands name absolute URLs, so the guide is made
for its base URL):

* the local server (kg/server/local.py) puts a folder on its classpath in place of the Neo4j Browser's
  jar: the Browser's files extracted from that jar, with kg's under browser/kg/, so they are served at
  http://127.0.0.1:7474/browser/kg/kg-guide.html, the same origin as the Browser. Starting the
  server writes the style (from kg/graph/palette.py) and a placeholder guide that says to run `kg load`,
  and reads nothing from seed/ or cypher/; `kg load` (into that server) and `kg db guide` write the
  guide, made for the server's port, which the running server then serves;
* docker compose runs a small `kg-guide` service (kg/browser/guide_server.py) that serves the committed
  copies in docs/browser/ at http://127.0.0.1:8001/ (COMPOSE_BASE), with CORS headers.

Both servers allow 127.0.0.1 in `browser.remote_content_hostname_whitelist` and open the guide
(and apply the style) after connecting, via `browser.post_connect_cmd`.
"""


from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kg.browser import story as stories
from kg.browser.story import Block, Story
from kg.browser.story import Slide as StorySlide
from kg.browser.urls import COMPOSE_BASE, guide_url, style_url
from kg.config import project_root
from kg.graph.palette import PALETTE
from kg.graph.schema import NODE_KINDS, SOURCE_LABEL, Look
from kg.graph.when import expand
from kg.questions.catalogue import Param, Query
from kg.questions.catalogue import catalogue as read_questions
from kg.questions.entities import Index, resolve_in, seed_index
from kg.questions.params import coerce
from kg.seed.validate import validate
from kg.seed.validated import Seed


def _seed() -> Seed:
    return validate([project_root() / "seed"])


def _example(p: Param) -> Any:
    return p.example if p.example is not None else p.default


def example_values(query: Query, index: Index) -> dict[str, Any]:
    """A value for every parameter: its example (entity names resolved to ids in the seed, as
    kg/questions/entities.py resolves them in the database), else its default.
    (Every parameter has an example, and the guide never sets one to null: Neo4j Browser 5.24 does not
    run a `:param name => null` block when its ▶ is clicked.)"""
    values: dict[str, Any] = {}
    for p in query.params.values():
        raw = _example(p)
        if p.type == "entity" and raw is not None:
            values[p.name] = resolve_in(index, str(raw))
        else:
            values[p.name] = coerce(p, raw)
    return values


def _cypher_literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def param_commands(values: Mapping[str, Any]) -> str:
    """Browser commands that set the parameters, one `:param` each, separated by `;` (the Browser runs
    a block of several statements one by one). `:param name => expr` evaluates `expr` as Cypher, so
    integers stay integers (a JSON `:params {...}` map would send them as floats)."""
    return ";\n".join(f":param {name} => {_cypher_literal(v)}" for name, v in values.items())


def cli_example(query: Query) -> str:
    """The same question on the command line, with the same examples (names, which kg resolves)."""
    args = " ".join(f'-p {k}="{v}"' for k, v in query.example_args(optional=True).items())
    return f"kg query run {query.name} {args}".rstrip()


def ordered(catalogue: Mapping[str, Query], story: Story | None = None) -> list[Query]:
    """The named questions in the order of the story (cypher/guide.yaml)."""
    told = story or stories.load(questions=set(catalogue))
    return [catalogue[n] for n in told.ordered(catalogue)]


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _runnable(code: str) -> str:
    return f'<pre mode="cypher" class="runnable">{_e(code)}</pre>'


def _slide(title: str, lead: str, body: list[str]) -> str:
    """One slide, one column: it reads in the sidebar (`:guide`) and in the stream (`:play`).
    `lead` and `body` are HTML; the title is text."""
    return "\n".join([
        "<slide>",
        f"  <h3>{_e(title)}</h3>",
        f'  <p class="lead">{lead}</p>',
        *(f"  {part}" for part in body),
        "</slide>",
    ])


def _goto_attrs(base: str, index: int) -> str:
    """The attribute of a link that opens the guide at slide `index` (0-based) in the sidebar:
    `:guide URL#slide-N`. (In a `:play` frame the Browser ignores `#slide-N` when a link replays the frame.)"""
    return f'exec-topic="guide {_e(guide_url(base))}#slide-{index}"'


def _goto(base: str, index: int, text: str) -> str:
    return f"<a {_goto_attrs(base, index)}>{_e(text)}</a>"


def _swatch(look: Look) -> str:
    return (f'<span style="display:inline-block;width:12px;height:12px;border-radius:6px;'
            f'background:{look.color};border:2px solid {look.border};vertical-align:middle"></span>')


def _labels_table() -> list[str]:
    """Each label of the palette in its colour, with what kg/graph/schema.py says it is."""
    rows = []
    for label, look in PALETTE.items():
        kind = NODE_KINDS.get(label)
        doc = kind.doc if kind else ("A loaded article." if label == SOURCE_LABEL else "")
        fact = " <em>Fact: cites a source.</em>" if kind and kind.is_fact else ""
        rows.append(f"<tr><td>{_swatch(look)}&nbsp;<code>{_e(label)}</code></td><td>{_e(doc)}{fact}</td></tr>")
    return ['<table class="table table-condensed">', *rows, "</table>"]


def _sources_list(seed: Seed) -> str:
    items = []
    for source in sorted(seed.sources.values(), key=lambda s: s.id):
        publisher = seed.nodes.get(source.publisher)
        by = str(publisher.props.get("name")) if publisher else source.publisher
        published = source.props.get("published", "")
        facts = len(source.node_ids) + len(source.rel_keys)
        items.append(f"<li><strong>{_e(source.props['title'])}</strong>. {_e(by)}, {_e(published)}; "
                     f"<code>{_e(source.id)}</code>, {facts} facts and relationships.</li>")
    return f"<ul>{''.join(items)}</ul>"


@dataclass(frozen=True)
class _Guide:
    """What the slides are made from."""

    base: str
    story: Story
    questions: list[Query]
    seed: Seed

    def index_of(self, name: str) -> int:
        """The 0-based slide of a named question."""
        return len(self.story.slides) + [q.name for q in self.questions].index(name)


def _block(guide: _Guide, block: Block) -> list[str]:
    if block.text is not None:
        return [stories.render(block.text, lambda name: _goto_attrs(guide.base, guide.index_of(name)))]
    if block.run is not None:
        return [_runnable(expand(block.run))]
    if block.code is not None:
        return [f"<pre>{_e(block.code)}</pre>"]
    if block.show == "style":
        return [_runnable(f":style {style_url(guide.base)}")]
    if block.show == "questions":
        steps = [f"<li>{_goto(guide.base, guide.index_of(q.name), q.title)}</li>" for q in guide.questions]
        return [f"<ol>{''.join(steps)}</ol>"]
    if block.show == "labels":
        return _labels_table()
    if block.show == "sources":
        return [_sources_list(guide.seed)]
    raise AssertionError(f"unknown block {block!r}")  # pragma: no cover - the model allows no other


def _intro_slide(guide: _Guide, slide: StorySlide) -> str:
    return _slide(slide.title, _e(slide.lead), [line for block in slide.body for line in _block(guide, block)])


def _params_list(params: Mapping[str, Param], values: Mapping[str, Any]) -> list[str]:
    if not params:
        return ["<p>No parameters.</p>"]
    items = []
    for p in params.values():
        default = "required" if p.required else f"default <code>{_e(json.dumps(p.default))}</code>"
        example = f"; example <code>{_e(p.example)}</code>" if p.example is not None else ""
        items.append(f"<li><code>{_e(p.name)}</code> ({_e(p.type)}, {default}{example}): {_e(p.doc)}. "
                     f"Set below to <code>{_e(json.dumps(values[p.name]))}</code>.</li>")
    return ["<p>Parameters:</p>", f"<ul>{''.join(items)}</ul>"]


def _question_slide(base: str, query: Query, index: Index, number: int,
                    total: int) -> str:
    values = example_values(query, index)
    steps = []
    if values:
        steps += ["<p><strong>1.</strong> Set the example parameters (entities by id):</p>",
                  _runnable(param_commands(values)),
                  "<p><strong>2.</strong> Ask the question:</p>"]
    else:
        steps += ["<p>Ask the question:</p>"]
    return _slide(
        query.title, _e(query.description),
        [
            f"<p>Question {number} of {total}: <code>{_e(query.name)}</code>. {_goto(base, 0, 'All questions')}</p>",
            *_params_list(query.params, values),
            *steps,
            _runnable(query.cypher),
            "<p>The same question on the command line:</p>",
            f"<pre>{_e(cli_example(query))}</pre>",
        ],
    )


def slide_index(name: str) -> int:
    """The 0-based position of a named question's slide in the guide, or of an introduction slide by
    its id in cypher/guide.yaml (`:guide URL#slide-N` counts from 0, `:play URL#slide-N` and the
    carousel's dots from 1)."""
    catalogue = read_questions()
    told = stories.load(questions=set(catalogue))
    if name in catalogue:
        return len(told.slides) + told.ordered(catalogue).index(name)
    return told.slide_of(name)


def _document(title: str, comment: list[str], slides: list[str]) -> str:
    return "\n".join([
        "<!DOCTYPE html>",
        *comment,
        "<html>",
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_e(title)}</title>",
        "</head>",
        "<body>",
        '<article class="guide">',
        '<carousel class="deck container-fluid">',
        *slides,
        "</carousel>",
        "</article>",
        "</body>",
        "</html>",
    ]) + "\n"


def guide_html(base: str = COMPOSE_BASE, seed: Seed | None = None, story: Story | None = None) -> str:
    """The Browser guide, with its links and commands pointing at `base` (where it is served): the
    introduction's slides and the order of the questions from cypher/guide.yaml (`story`), one slide
    per named question, the sources and the examples' ids from `seed` (default: the project's seed/)."""
    catalogue = read_questions()
    told = story or stories.load(questions=set(catalogue))
    seed = seed or _seed()
    questions = ordered(catalogue, told)
    index = seed_index(seed, [str(_example(p)) for q in questions for p in q.params.values()
                              if p.type == "entity" and _example(p) is not None])
    guide = _Guide(base, told, questions, seed)
    slides = [_intro_slide(guide, s) for s in told.slides]
    slides += [_question_slide(base, q, index, i + 1, len(questions)) for i, q in enumerate(questions)]
    return _document(told.title, [
        "<!-- kg's Neo4j Browser guide, generated from cypher/guide.yaml, cypher/*.cypher, kg/graph/palette.py and",
        "     seed/ by `kg docs` (for the local server: by `kg load` and `kg db guide`); do not edit by hand.",
        "     Open it in Neo4j Browser with :guide URL (sidebar) or :play URL (stream); `kg browse` prints",
        "     the URL. -->",
    ], slides)


def placeholder_html(base: str) -> str:
    """The guide a local server starts with, before `kg load` writes the real one: it reads nothing
    from seed/ or cypher/ (the server starts whatever state they are in)."""
    return _document("kg: no guide yet", [
        "<!-- kg's placeholder guide, written when the local server starts; `kg load` (or `kg db guide`)",
        "     replaces it with the guide made from cypher/ and seed/. -->",
    ], [_slide("kg: no guide yet", "Load the graph, and kg's guide appears here.", [
        "<p>kg writes its guide (the story, the model, the sources and a slide for each named question)",
        "when the graph is loaded. In the checkout, run:</p>",
        "<pre>kg load</pre>",
        "<p>or, to write only the guide, <code>kg db guide</code>. Then open it again:</p>",
        _runnable(f":guide {guide_url(base)}"),
    ])])
