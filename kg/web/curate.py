"""The curation desk of `kg serve --curate`: facts made from passages of an article's pinned text,
written into that source's seed file by the library `kg fact add` uses (kg/seed/edit.py).

`/curate/source/<id>` shows the text with the quotes already used highlighted; selecting words opens
a form (static/curate.js) that asks `passage.json` where they are, the dates written near them
(resolved against the publication date, kg/seed/dating.py) and the actors they name, and suggests
actors from the seed as one types (`names.json`). Saving (`facts.json`) writes the fact only once
its quote is found in the pinned text and the seed validates with it, then shows what a
`kg load --dry-run` of that file would change; `load.json` loads that file alone; `actors.json`
declares a new actor in the source's file, with the passage that names it as its quote.

Only on a loopback address: every request must come from one and name one as its Host (so a page
elsewhere cannot reach the desk through a DNS name that points at 127.0.0.1). Writes are POSTs of
JSON that carry the desk's CSRF token and an Origin of the desk itself, else 403; they go only into
the seed files of the project's seed folder.
"""

from __future__ import annotations

import difflib
import hmac
import ipaddress
import itertools
import json
import re
import secrets
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from kg.errors import KgError, ValidationFailed
from kg.graph.schema import VOCABULARY, name_key
from kg.seed.curate import Actor as NamedActor
from kg.seed.curate import actors_named
from kg.seed.dating import dates_near
from kg.seed.edit import CONFIDENCES, Link, When, actor_entry, add_fact, node_entry, relation_entry
from kg.seed.model import ID_PATTERN
from kg.seed.names import candidate_names
from kg.seed.texts import Article, Texts
from kg.seed.validate import validate
from kg.seed.validated import Seed, SourceRec, cited

MAX_BODY = 64 * 1024  # bytes of a POST
MAX_QUOTE = 2000      # characters of a quote, a name or any field
FACT_LABELS = tuple(k.label for k in VOCABULARY.nodes.values() if k.is_fact)
ACTOR_LABELS = tuple(k.label for k in VOCABULARY.nodes.values() if k.is_actor and not k.is_fact)
#: relationship types with an actor at each end (the kinds of fact a desk offers besides FACT_LABELS)
ACTOR_RELS = tuple(t for t, k in VOCABULARY.rels.items()
                   if set(k.sources) & set(ACTOR_LABELS) and set(k.targets) & set(ACTOR_LABELS))


def is_loopback(host: str) -> bool:
    """Whether `host` (an address or `localhost`, without a port) is this machine's own: never a
    name that only starts like one (`127.0.0.1.example.com`)."""
    bare = host.strip("[]").lower()
    if bare == "localhost":
        return True
    try:
        return ipaddress.ip_address(bare).is_loopback
    except ValueError:
        return False


class Refused(KgError):
    """A desk request refused with an HTTP status (403, 404, 413, 415) and what it is about."""

    def __init__(self, status: int, message: str, closest: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.closest = closest or []


@dataclass
class Preview:
    """What a load of one file did, or would do (`rows`: kg load --dry-run's, one per change)."""

    summary: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Loader(Protocol):
    """Loads one seed file alone, as `kg load FILE` does (`dry_run`: as `kg load --dry-run FILE`)."""

    def __call__(self, file: Path, dry_run: bool) -> Preview: ...


Guarded = Callable[[Callable[[Request], Response]], Callable[[Request], Awaitable[Response]]]


@dataclass(frozen=True)
class LinkChoice:
    """A link type a fact node of some labels may have to an actor, on one side."""

    type: str
    labels: tuple[str, ...]  # the fact labels it fits
    ends: tuple[str, ...]    # the labels of the actor at its other end


def link_choices(side: str) -> list[LinkChoice]:
    """The link types from an actor to a fact node (`side` "from") or from one to an actor ("to")."""
    out = []
    for rel_type, kind in VOCABULARY.rels.items():
        facts, others = (kind.targets, kind.sources) if side == "from" else (kind.sources, kind.targets)
        fits = tuple(label for label in FACT_LABELS if label in facts)
        ends = tuple(label for label in others if label in ACTOR_LABELS)
        if fits and ends:
            out.append(LinkChoice(rel_type, fits, ends))
    return out


def _segments(raw: str, marks: list[tuple[int, int, str]]) -> list[dict[str, Any]]:
    """The text cut into pieces, each marked with the quotes that cover it (ids of what cites them)."""
    cuts = sorted({0, len(raw), *[p for s, e, _ in marks for p in (s, e)]})
    out: list[dict[str, Any]] = []
    for start, end in itertools.pairwise(cuts):
        by = sorted({what for s, e, what in marks if s <= start and end <= e})
        if out and out[-1]["by"] == by:
            out[-1]["text"] += raw[start:end]
        else:
            out.append({"text": raw[start:end], "by": by})
    return out


class Desk:
    """The desk's state: the project's seed folder, the texts folder, the loader, its CSRF token."""

    def __init__(self, seed_dir: Path, texts: Path, loader: Loader, csrf: str | None = None) -> None:
        self.seed_dir = seed_dir.resolve()
        self.texts = texts
        self.loader = loader
        self.csrf = csrf or secrets.token_urlsafe(32)
        self.env: Environment | None = None
        self._lock = threading.Lock()  # one write at a time
        self._cached: tuple[tuple[tuple[str, int, int], ...], Seed] | None = None

    # --- the seed, as its files are now -------------------------------------------------------

    def seed(self) -> Seed:
        """The seed validated as its files are now (again only when a file changed)."""
        files = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(self.seed_dir.rglob("*.y*ml")))
        if self._cached is None or self._cached[0] != files:
            try:
                self._cached = (files, validate([self.seed_dir]))
            except ValidationFailed as e:
                raise KgError(f"the seed does not validate, so the desk cannot work on it: {'; '.join(e.problems[:3])}"
                              ) from None
        return self._cached[1]

    def source(self, seed: Seed, source_id: str) -> SourceRec:
        if not re.fullmatch(ID_PATTERN, source_id) or len(source_id) > 200:
            raise Refused(404, f"{source_id[:80]!r} is not a source id (lower-case letters, digits and '-')")
        src = seed.sources.get(source_id)
        if src is None:
            close = difflib.get_close_matches(source_id, list(seed.sources), 5, 0.4)
            raise Refused(404, f"no source with the id {source_id!r} in {self.seed_dir}",
                          [(c, f"/curate/source/{c}") for c in close])
        return src

    def file_of(self, src: SourceRec) -> Path:
        """The source's seed file, refused unless it is inside the project's seed folder."""
        file = src.origin.files[src.file_no][0].resolve()
        if not file.is_relative_to(self.seed_dir):
            raise Refused(403, f"the file of {src.id} is outside the project's seed folder; the desk writes only there")
        return file

    def shown(self, file: Path) -> str:
        """A seed file's path as a person reads it: from the project folder."""
        return file.relative_to(self.seed_dir.parent).as_posix()

    def article(self, src: SourceRec) -> Article:
        name = src.props.get("text")
        if not isinstance(name, str):
            raise KgError(f"source {src.id} names no text, so there is nothing to curate")
        texts = Texts(self.texts)
        try:
            if not texts.has(name):
                raise KgError(f"the text {name} of {src.id} is not in the texts folder {self.texts}")
        except ValueError as e:
            raise KgError(str(e)) from None
        return texts.article(name)

    def actors(self, seed: Seed) -> list[NamedActor]:
        return [NamedActor(n.id, n.label, n.props["name"], tuple(n.props.get("aliases", [])))
                for n in seed.nodes.values() if n.label in ACTOR_LABELS]

    # --- the requests ---------------------------------------------------------------------------

    def local(self, request: Request) -> None:
        """Refuse a request that does not come from this machine to a loopback name."""
        client = request.client.host if request.client else ""
        host = request.headers.get("host", "")
        hostname = host.rsplit(":", 1)[0] if not host.startswith("[") else host[1:].split("]", 1)[0]
        if not is_loopback(hostname) or not is_loopback(client):
            raise Refused(403, "the curation desk answers only on 127.0.0.1 (kg serve --curate), at a loopback address")

    def checked_post(self, request: Request, body: bytes) -> dict[str, Any]:
        """A write's JSON body, once it came from the desk's own page: the Origin is the desk's and
        the CSRF token is the desk's; else 403."""
        origin = request.headers.get("origin")
        own = f"{request.url.scheme}://{request.headers.get('host', '')}"
        if origin != own:
            raise Refused(403, f"a write must come from the desk's own page ({own}), not from "
                               f"{origin or 'a page that does not say where it is'}")
        if "application/json" not in request.headers.get("content-type", ""):
            raise Refused(415, "the desk takes JSON")
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise Refused(400, "the body is not JSON") from None
        if not isinstance(data, dict):
            raise Refused(400, "the body is not a JSON object")
        token = data.get("csrf") or request.headers.get("x-kg-csrf") or ""
        if not isinstance(token, str) or not hmac.compare_digest(token.encode(), self.csrf.encode()):
            raise Refused(403, "the desk's CSRF token is missing or wrong: reload the desk's page")
        for key, value in data.items():
            if not isinstance(value, str | None) and key != "aliases":
                raise Refused(400, f"{key!r} must be text")
            if isinstance(value, str) and len(value) > MAX_QUOTE:
                raise Refused(400, f"{key!r} is longer than {MAX_QUOTE} characters")
        return data

    def html(self, template: str, **context: Any) -> HTMLResponse:
        assert self.env is not None
        return HTMLResponse(self.env.get_template(template).render(link=lambda p: p, **context))

    def index(self, request: Request) -> Response:
        self.local(request)
        seed = self.seed()
        sources = [{"id": s.id, "title": s.props.get("title") or s.id, "file": self.shown(self.file_of(s)),
                    "facts": len(s.node_ids) + len(s.rel_keys)}
                   for s in sorted(seed.sources.values(), key=lambda s: s.id)]
        return self.html("curate_index.html", sources=sources, seed_dir=self.seed_dir)

    def used_quotes(self, seed: Seed, source_id: str) -> list[tuple[str, str]]:
        """(quote, what cites it) of every fact and actor of the seed that cites this source."""
        out = []
        for node in seed.nodes.values():
            out += [(c.quote, node.id) for c in cited(node.props) if c.source == source_id]
        for rel in seed.rels.values():
            out += [(c.quote, rel.key) for c in cited(rel.props) if c.source == source_id]
        return out

    def page(self, request: Request) -> Response:
        self.local(request)
        seed = self.seed()
        src = self.source(seed, request.path_params["id"])
        file = self.file_of(src)
        article = self.article(src)
        marks = [(s, e, what) for quote, what in self.used_quotes(seed, src.id) for s, e in article.spans(quote)]
        actors = self.actors(seed)
        named = actors_named(article, actors)
        candidates = candidate_names(article, [n for a in actors for n in (a.name, *a.aliases)])
        return self.html(
            "curate_source.html", s=src, file=self.shown(file), segments=_segments(article.raw, marks),
            quoted=len({what for _, _, what in marks}), named=named, candidates=candidates, csrf=self.csrf,
            fact_labels=FACT_LABELS, actor_rels=ACTOR_RELS, actor_labels=ACTOR_LABELS,
            from_links=link_choices("from"), to_links=link_choices("to"), confidences=CONFIDENCES,
            rel_ends={t: (VOCABULARY.rels[t].sources, VOCABULARY.rels[t].targets) for t in ACTOR_RELS})

    def passage(self, request: Request) -> Response:
        """Where words are in the source's text, the dates near them and the actors they name."""
        self.local(request)
        seed = self.seed()
        src = self.source(seed, request.path_params["id"])
        words = request.query_params.get("q", "")
        if len(words) > MAX_QUOTE:
            raise Refused(400, f"the passage is longer than {MAX_QUOTE} characters")
        article = self.article(src)
        spans = article.spans(words) if words.strip() else []
        published = src.props.get("published")
        out: dict[str, Any] = {"q": words, "found": bool(spans), "published": published}
        if not spans:
            if words.strip():
                near = article.closest(words)
                out["closest"] = {"passage": near.passage, "line": near.line, "similarity": near.similarity}
            return JSONResponse(out)
        start, end = spans[0][0], spans[-1][1]
        out["line"] = article.raw.count("\n", 0, start) + 1
        out["dates"] = [{"value": g.value, "as_written": g.as_written, "note": g.note,
                         "in_passage": start <= g.start < end}
                        for g in dates_near(article.raw, start, end, published if isinstance(published, str) else None)]
        named = actors_named(Article("passage", article.raw[start:end]), self.actors(seed))
        out["actors"] = [{"id": a.id, "name": a.name, "label": a.label} for a, _, _ in named]
        return JSONResponse(out)

    def names(self, request: Request) -> Response:
        """Actors of the seed whose id, name or alias has the typed words, those that start with them
        first; `labels` keeps only actors of those labels (the ends a kind of fact allows)."""
        self.local(request)
        typed = request.query_params.get("q", "")
        if len(typed) > MAX_QUOTE:
            raise Refused(400, f"the text is longer than {MAX_QUOTE} characters")
        text = name_key(typed)
        labels = set(request.query_params.get("labels", "").split()) or set(ACTOR_LABELS)
        hits: list[tuple[int, str, dict[str, str]]] = []
        for actor in self.actors(self.seed()):
            if actor.label not in labels:
                continue
            keys = [name_key(n) for n in (actor.id, actor.name, *actor.aliases)]
            rank = 0 if any(k.startswith(text) for k in keys) else 1 if any(text in k for k in keys) else 2
            if rank < 2:
                hits.append((rank, actor.name.lower(), {"id": actor.id, "name": actor.name, "label": actor.label}))
        return JSONResponse({"q": text, "actors": [h[2] for h in sorted(hits, key=lambda h: h[:2])[:20]]})

    def actor_id(self, seed: Seed, given: str | None, what: str) -> str | None:
        """An actor given by id, name or alias, as its id; None when not given; 400 when it is none."""
        if not given or not given.strip():
            return None
        wanted = name_key(given)
        for actor in self.actors(seed):
            if wanted in {actor.id, *(name_key(n) for n in (actor.name, *actor.aliases))}:
                return actor.id
        raise KgError(f"{what}: no actor of the seed is {given.strip()!r}; choose one as you type, "
                      "or add it with “New actor”")

    def fact_entry(self, seed: Seed, data: dict[str, Any]) -> dict[str, Any]:
        kind = (data.get("kind") or "").strip()
        quote = (data.get("quote") or "").strip()
        if not quote:
            raise KgError("select the words of the article the fact rests on (the quote)")
        date_value = (data.get("date") or "").strip()
        when = When(date_value, (data.get("as_written") or "").strip() or None,
                    (data.get("note") or "").strip() or None) if date_value else None
        confidence = data.get("confidence") or "high"
        start = self.actor_id(seed, data.get("from"), "from")
        end = self.actor_id(seed, data.get("to"), "to")
        if kind in VOCABULARY.rels:
            if start is None or end is None:
                raise KgError(f"a {kind} relationship needs an actor at each end (from and to)")
            return relation_entry(kind, start, end, quote, date=when, confidence=confidence)
        name = (data.get("name") or "").strip()
        if kind in FACT_LABELS and not name:
            raise KgError(f"a {kind} needs a name: a short summary of what the passage says")
        links = []
        for side, other in (("from", start), ("to", end)):
            link_type = (data.get(f"{side}_link") or "").strip()
            if other and not link_type:
                raise KgError(f"choose how the {side} actor is linked to the {kind}")
            if other and link_type:
                links.append(Link(link_type, side, other))
        taken = set(seed.nodes) | set(seed.sources)
        return node_entry(kind, name, quote, date=when, confidence=confidence, links=links, taken=taken)

    def write(self, src: SourceRec, entry: dict[str, Any]) -> dict[str, Any]:
        """Write `entry` into the source's file (add_fact: quote found, seed valid, else nothing
        written), then preview a load of that file; what the file gained, as a diff."""
        file = self.file_of(src)
        with self._lock:
            before = file.read_text(encoding="utf-8")
            added = add_fact(self.seed_dir, src.id, entry, self.texts)
            after = file.read_text(encoding="utf-8")
        diff = "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                            self.shown(file), self.shown(file), n=1))
        out: dict[str, Any] = {"added": added.what, "file": self.shown(file), "line": added.line, "diff": diff}
        try:
            preview = self.loader(file, True)
            out["preview"] = {"summary": preview.summary, "rows": preview.rows}
        except KgError as e:  # written all the same: the preview needs Neo4j
            out["preview"] = {"error": f"no preview: {e}"}
        return out

    def save(self, request: Request, body: bytes) -> Response:
        self.local(request)
        data = self.checked_post(request, body)
        seed = self.seed()
        src = self.source(seed, request.path_params["id"])
        return self.written(lambda: self.write(src, self.fact_entry(seed, data)))

    def new_actor(self, request: Request, body: bytes) -> Response:
        self.local(request)
        data = self.checked_post(request, body)
        seed = self.seed()
        src = self.source(seed, request.path_params["id"])
        aliases = data.get("aliases") or []
        if isinstance(aliases, str):
            aliases = [a for a in aliases.split(",")]
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise Refused(400, "'aliases' must be text")

        def entry() -> dict[str, Any]:
            quote = (data.get("quote") or "").strip()
            if not quote:
                raise KgError("select the words of the article that name the new actor (its quote)")
            return actor_entry(data.get("label") or "", data.get("name") or "", quote,
                               actor_id=(data.get("id") or "").strip() or None, aliases=aliases,
                               confidence=data.get("confidence") or "high",
                               taken=set(seed.nodes) | set(seed.sources))
        return self.written(lambda: self.write(src, entry()))

    def written(self, write: Callable[[], dict[str, Any]]) -> Response:
        """A write's answer: 200 with what was written, or 400 saying why nothing was."""
        try:
            return JSONResponse({"ok": True, **write()})
        except ValidationFailed as e:
            problems = [p.replace(str(self.seed_dir.parent) + "/", "") for p in e.problems]
            return JSONResponse({"ok": False, "error": f"nothing was written: {e}", "problems": problems}, 400)
        except KgError as e:
            if isinstance(e, Refused):
                raise
            return JSONResponse({"ok": False, "error": f"nothing was written: {e}", "problems": []}, 400)

    def load(self, request: Request, body: bytes) -> Response:
        self.local(request)
        self.checked_post(request, body)
        seed = self.seed()
        src = self.source(seed, request.path_params["id"])
        file = self.file_of(src)
        with self._lock:
            done = self.loader(file, False)
        return JSONResponse({"ok": True, "file": self.shown(file), "summary": done.summary, "notes": done.notes})

    # --- routes -------------------------------------------------------------------------------

    def routes(self, env: Environment, guarded: Guarded) -> list[Route]:
        """The desk's routes, each through the app's `guarded` (errors as 4xx pages, never a traceback)."""
        self.env = env

        def posted(handler: Callable[[Request, bytes], Response]) -> Callable[[Request], Awaitable[Response]]:
            async def endpoint(request: Request) -> Response:
                body = b""
                async for chunk in request.stream():
                    body += chunk
                    if len(body) > MAX_BODY:
                        break
                return await guarded(lambda r: self.too_long(r) if len(body) > MAX_BODY else handler(r, body))(request)
            return endpoint

        read = ["GET", "HEAD"]
        return [
            Route("/curate", guarded(self.index), methods=read),
            Route("/curate/names.json", guarded(self.names), methods=read),
            Route("/curate/source/{id}", guarded(self.page), methods=read),
            Route("/curate/source/{id}/passage.json", guarded(self.passage), methods=read),
            Route("/curate/source/{id}/facts.json", posted(self.save), methods=["POST"]),
            Route("/curate/source/{id}/actors.json", posted(self.new_actor), methods=["POST"]),
            Route("/curate/source/{id}/load.json", posted(self.load), methods=["POST"]),
        ]

    def too_long(self, request: Request) -> Response:
        self.local(request)
        raise Refused(413, f"a write is at most {MAX_BODY} bytes")
