"""The read-only web application of `kg serve` (Starlette, Jinja2 templates in kg/web/templates/).

Every page is also JSON (`/entity/eps.json`), answers also CSV and Markdown (`.csv`, `.md`); every
answer names the graph revision it was made on, and a permalink carrying another revision (`rev=`)
says the graph changed since. GET and HEAD only (but for the curation desk's writes, with
`kg serve --curate`, kg/web/curate.py); named questions only, through the library's
read-only guard; templates autoescape; no inline script (the Content-Security-Policy forbids any);
a missing id is a 404 naming the closest ones, a bad parameter a 400, Neo4j away a 503; never a
traceback, Cypher or password in a response.
"""

from __future__ import annotations

import base64
import hmac
import io
import json
import logging
import os
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes, urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg.config import Settings
from kg.errors import ConnectionFailed, KgError, UsageError
from kg.graph.db import Database
from kg.output import render
from kg.questions.answers import cited, source_details
from kg.questions.catalogue import Query, catalogue
from kg.questions.params import given
from kg.questions.run import Results, run
from kg.questions.search import search
from kg.seed.model import check_iso
from kg.seed.texts import texts_dir
from kg.views.page import render as view_page
from kg.web import facts
from kg.web.curate import Desk, Refused

log = logging.getLogger("kg.web")
HERE = Path(__file__).resolve().parent
#: the policy of every page but the neighbourhood view (which carries its own, with its scripts' hashes)
CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
           "Cross-Origin-Opener-Policy": "same-origin"}
SUFFIXES = {".json": "json", ".csv": "csv", ".md": "markdown"}
#: the token `kg serve --auth` asks every request for
TOKEN_ENV = "KG_WEB_TOKEN"
MAX_QUERY_TEXT = 500  # characters of a search or of one parameter
MAX_TARGET = 8192  # bytes of a request's path and query string
_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")
#: what a page says while Neo4j does not answer (a 503)
AWAY = "the graph's database does not answer just now; this page works again as soon as it is back"
#: up to this many entities, a question's form lists every name (a datalist, no script); above, it
#: suggests names as one types from /suggest.json (static/suggest.js)
SUGGEST_INLINE = 500


class NotFound(KgError):
    """A page for something the graph does not hold: `what` and the closest names."""

    def __init__(self, what: str, closest: list[tuple[str, str]]) -> None:
        super().__init__(what)
        self.closest = closest


def _split(name: str, allowed: tuple[str, ...] = (".json",)) -> tuple[str, str]:
    for suffix in allowed:
        if name.endswith(suffix):
            return name[: -len(suffix)], SUFFIXES[suffix]
    return name, "html"


class WebDatabase(Database):
    """A reader waits for Neo4j a second or two, not the command line's 15 s: then a 503 says why.
    A Neo4j that is starting takes connections before it answers on them: a page waits 5 s for one,
    not the driver's 60 s, so that it has its 503 in seconds then too (bench/soak.py)."""

    retry_seconds = 2.0
    acquire_seconds = 5.0


class Web:
    """The application's state: one Database (the driver reconnects by itself when Neo4j returns),
    the templates, the questions and the texts folder."""

    def __init__(self, db: Database, texts: Path | None = None) -> None:
        self.db = db
        self.texts = texts
        self.env = Environment(loader=PackageLoader("kg.web", "templates"),
                               autoescape=select_autoescape(default=True, default_for_string=True))
        self.env.filters["words"] = lambda v: ", ".join(map(str, v)) if isinstance(v, list) else v

    # --- responses -----------------------------------------------------------------------------

    def html(self, template: str, link: Callable[[str], str], **context: Any) -> str:
        """A page from its template; `link` turns a site path (`/entity/eps`) into the href to write."""
        return self.env.get_template(template).render(link=link, **context)

    def page(self, request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        revision = context.get("revision")
        asked = request.query_params.get("rev")
        context["changed"] = bool(asked and revision is not None and asked != revision.tag)
        return HTMLResponse(self.html(template, _absolute, **context), status_code=status)

    def answer(self, query: Query, asked: dict[str, str], form: bool = True) -> dict[str, Any]:
        """What a question's page shows for these parameters (no answer while a required one is missing);
        `form`: with what its form suggests (kg site's pages have no form)."""
        missing = [p.name for p in query.params.values() if p.required and p.name not in asked]
        if missing:
            given(query, asked)  # what is there is checked (a bad date is a 400) before all of it is
        results = None if missing else run(self.db, query, asked)
        sources = source_details(self.db, cited(results.rows)) if results else {}
        entity_param = any(p.type == "entity" for p in query.params.values())
        names = facts.names(self.db, SUGGEST_INLINE + 1) if form and entity_param else []
        many = len(names) > SUGGEST_INLINE
        return {"q": query, "asked": asked, "results": results, "missing": missing, "names": [] if many else names,
                "suggest": many, "table": _table(query, results, sources) if results else None}

    def answer_data(self, query: Query, results: Results, asked: dict[str, str], revision: facts.Revision,
                    permalink: str | None) -> dict[str, Any]:
        return {"question": query.name, "title": query.title, "params": asked, "revision": revision.tag,
                "permalink": permalink, "columns": results.columns, "rows": results.rows,
                "truncated": results.truncated, "notes": results.notes}

    def answer_text(self, query: Query, results: Results, fmt: str) -> str:
        out = io.StringIO()
        sources = source_details(self.db, cited(results.rows)) if fmt == "markdown" else None
        render(results.columns, results.rows, fmt, out, title=query.title, sources=sources, notes=results.notes)
        return out.getvalue()

    def data(self, value: Any, status: int = 200) -> JSONResponse:
        return JSONResponse(plain(value), status_code=status)

    # --- pages ---------------------------------------------------------------------------------

    def index_data(self, revision: facts.Revision) -> dict[str, Any]:
        """The front page's data: the revision, counts by kind, the sources, the questions."""
        return {"revision": revision.tag, "counts": facts.counts(self.db), "sources": facts.sources(self.db),
                "questions": [{"name": q.name, "title": q.title, "description": q.description}
                              for q in catalogue().values()]}

    def index(self, request: Request) -> Response:
        fmt = "json" if request.url.path == "/index.json" else "html"
        revision = facts.revision(self.db)
        body = self.index_data(revision)
        if fmt == "json":
            return self.data(body)
        return self.page(request, "index.html", revision=revision, counts=body["counts"], sources=body["sources"],
                         questions=body["questions"])

    def entity(self, request: Request) -> Response:
        entity_id, fmt = _split(request.path_params["id"])
        found = facts.entity(self.db, entity_id, _as_of(request))
        if found is None:
            raise self._missing("entity", entity_id)
        revision = facts.revision(self.db)
        if fmt == "json":
            return self.data({"revision": revision.tag, **found})
        return self.page(request, "entity.html", revision=revision, e=found)

    def neighbourhood(self, request: Request) -> Response:
        entity_id = request.path_params["id"]
        if not facts.exists(self.db, entity_id):
            raise self._missing("entity", entity_id)
        return HTMLResponse(view_page(self.db, focus=entity_id, depth=1), headers={"X-Kg-Own-Csp": "1"})

    def source(self, request: Request) -> Response:
        source_id, fmt = _split(request.path_params["id"])
        found = facts.source(self.db, source_id, self.texts, _as_of(request))
        if found is None:
            raise self._missing("source", source_id)
        revision = facts.revision(self.db)
        if fmt == "json":
            return self.data({"revision": revision.tag, **found})
        return self.page(request, "source.html", revision=revision, s=found)

    def question(self, request: Request) -> Response:
        name, fmt = _split(request.path_params["name"], (".json", ".csv", ".md"))
        questions = catalogue()
        query = questions.get(name)
        if query is None:
            raise NotFound(f"no question named {name!r}", [(q, f"/question/{q}") for q in
                                                           facts.closest(name, list(questions))])
        asked = {k: v for k, v in request.query_params.items() if k in query.params and v != ""}
        for key, value in asked.items():
            if len(value) > MAX_QUERY_TEXT:
                raise UsageError(f"parameter {key!r} is longer than {MAX_QUERY_TEXT} characters")
        unknown = sorted(set(request.query_params) - set(query.params) - {"rev"})
        if unknown:
            raise UsageError(f"question {name!r} takes no parameter {unknown[0]!r} "
                             f"(it takes: {', '.join(query.params) or 'none'})")
        revision = facts.revision(self.db)
        permalink = _permalink(name, asked, revision.tag)
        if fmt != "html":
            missing = [p.name for p in query.params.values() if p.required and p.name not in asked]
            if missing:
                raise UsageError(f"question {name!r} needs {', '.join(missing)}")
            results = run(self.db, query, asked)
            if fmt == "json":
                return self.data(self.answer_data(query, results, asked, revision, permalink))
            media = "text/csv" if fmt == "csv" else "text/markdown"
            return PlainTextResponse(self.answer_text(query, results, fmt), media_type=f"{media}; charset=utf-8")
        query_string = request.url.query
        formats = {label: f"/question/{name}{suffix}?{query_string}"
                   for label, suffix in (("JSON", ".json"), ("CSV", ".csv"), ("Markdown", ".md"))}
        return self.page(request, "question.html", revision=revision, permalink=permalink, formats=formats,
                         static=False, **self.answer(query, asked))

    def search(self, request: Request) -> Response:
        fmt = "json" if request.url.path == "/search.json" else "html"
        text = request.query_params.get("q", "")
        kind = request.query_params.get("kind") or None
        if len(text) > MAX_QUERY_TEXT:
            raise UsageError(f"the search is longer than {MAX_QUERY_TEXT} characters")
        hits = search(self.db, text, 100) if text.strip() else []
        per_kind: dict[str, int] = {}
        for hit in hits:
            per_kind[hit["label"]] = per_kind.get(hit["label"], 0) + 1
        shown = [h for h in hits if kind is None or h["label"] == kind]
        revision = facts.revision(self.db)
        if fmt == "json":
            return self.data({"revision": revision.tag, "q": text, "kind": kind, "counts": per_kind, "hits": shown})
        return self.page(request, "search.html", revision=revision, q=text, search_text=text, kind=kind,
                         counts=per_kind, hits=shown, query_string=request.url.query)

    def suggest(self, request: Request) -> Response:
        text = request.query_params.get("q", "")
        if len(text) > MAX_QUERY_TEXT:
            raise UsageError(f"the text is longer than {MAX_QUERY_TEXT} characters")
        return self.data({"q": text, "names": facts.suggest(self.db, text)})

    def _missing(self, what: str, wanted: str) -> NotFound:
        rows = facts.sources(self.db) if what == "source" else facts.names(self.db)
        by_id = {r["id"]: r.get("title") or r.get("name") or r["id"] for r in rows}
        close = facts.closest(wanted, list(by_id))
        return NotFound(f"no {what} with the id {wanted!r}", [(by_id[i], f"/{what}/{i}") for i in close])

    # --- errors --------------------------------------------------------------------------------

    def error(self, request: Request, status: int, message: str, closest: list[tuple[str, str]] | None = None
              ) -> Response:
        if request.url.path.endswith((".json", ".csv", ".md")):
            return self.data({"error": message, "status": status, "closest": [u for _, u in closest or []]}, status)
        return self.page(request, "error.html", status=status, status_code=status, message=message,
                         closest=closest or [])


def _as_of(request: Request) -> str | None:
    """A page's `as_of` parameter (a date of any precision), or None; a bad one is a 400 naming it."""
    as_of = request.query_params.get("as_of") or None
    if as_of is None:
        return None
    try:
        return check_iso(as_of)
    except ValueError as e:
        raise UsageError(f"parameter 'as_of' expects date: {e}") from None


def refusal(scope: Scope) -> tuple[int, str] | None:
    """Why a request's address is refused before any page sees it (status, message), or None: longer
    than MAX_TARGET (414); a `%` that starts no escape, text that is not UTF-8 once its escapes are
    read, a NUL, a parameter given twice (400). Otherwise each page would take such text as it
    came, the server's decoding having put U+FFFD for what was not UTF-8 and kept the last of two
    values."""
    path = scope.get("raw_path") or scope["path"].encode("utf-8")
    query = scope.get("query_string") or b""
    if len(path) + len(query) > MAX_TARGET:
        return 414, f"the address is longer than {MAX_TARGET:,} bytes"
    for what, raw in (("path", path), ("query", query)):
        if _BAD_ESCAPE.search(raw):
            return 400, f"the {what} holds a '%' that starts no escape (% and two hexadecimal digits)"
    try:
        text = unquote_to_bytes(path).decode("utf-8")
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return 400, "the address is not UTF-8 text once its escapes are read"
    if "\0" in text or any("\0" in k or "\0" in v for k, v in pairs):
        return 400, "the address holds a NUL character"
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            return 400, f"parameter {key!r} is given more than once; give it once"
        seen.add(key)
    return None


def _absolute(path: str) -> str:
    return path


def plain(value: Any) -> Any:
    """A page's data as JSON values (dataclasses as their fields)."""
    return json.loads(json.dumps(value, default=fields_of))


def fields_of(value: Any) -> Any:
    """`json.dumps`'s `default`: a dataclass (or any object) as its public fields."""
    if hasattr(value, "__dict__"):
        return {k: v for k, v in vars(value).items() if not k.startswith("_")}
    return str(value)


def _permalink(name: str, asked: dict[str, str], rev: str) -> str:
    return f"/question/{name}?" + urlencode({**asked, "rev": rev})


def _table(query: Query, results: Results, sources: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The answer as cells: an entity column shown as its name column linked to the entity's page
    (`x` with `x_id` declared as an entity), sources as numbered footnotes with their quotes."""
    entity_cols = {c for c, kind in query.columns.items() if kind == "entity"}
    linked = {c[:-3]: c for c in entity_cols if c.endswith("_id") and c[:-3] in results.columns}
    hidden = set(linked.values()) | {"quotes"}
    columns = [c for c in results.columns if c not in hidden]
    numbers: dict[str, int] = {}
    notes: list[dict[str, Any]] = []
    rows = []
    for row in results.rows:
        cells = []
        for c in columns:
            value = row.get(c)
            if c in linked and row.get(linked[c]):
                cells.append({"text": value, "href": f"/entity/{row[linked[c]]}"})
            elif c in entity_cols and value:
                cells.append({"text": value, "href": f"/entity/{value}"})
            elif c == "sources" and isinstance(value, list):
                given = row.get("quotes")
                quotes: list[Any] = given if isinstance(given, list) else []
                marks = []
                for i, sid in enumerate(value):
                    quote = quotes[i] if i < len(quotes) else None
                    key = f"{sid}\0{quote}"
                    if key not in numbers:
                        numbers[key] = len(numbers) + 1
                        notes.append({"n": numbers[key], "source": sid, "quote": quote,
                                      "title": sources.get(sid, {}).get("title") or sid})
                    marks.append(numbers[key])
                cells.append({"marks": marks})
            else:
                cells.append({"text": value})
        rows.append(cells)
    return {"columns": columns, "rows": rows, "notes": notes}


def token_from_environment() -> str | None:
    """The token `kg serve --auth` asks of every request (KG_WEB_TOKEN), if set."""
    return os.environ.get(TOKEN_ENV) or None


def authorised(header: str | None, token: str) -> bool:
    """Whether an Authorization header carries the token: `Bearer TOKEN`, or Basic with any user and
    the token as the password (so that a browser's login prompt works)."""
    if not header:
        return False
    scheme, _, value = header.partition(" ")
    given = ""
    if scheme.lower() == "bearer":
        given = value.strip()
    elif scheme.lower() == "basic":
        try:
            given = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[2]
        except (ValueError, UnicodeDecodeError):
            return False
    return hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


def create_app(settings: Settings | None = None, texts: Path | None = None, token: str | None = None,
               desk: Desk | None = None) -> Starlette:
    """The application (uvicorn calls this as a factory: `kg serve`). With `token`, every request
    must carry it (see `authorised`); without one, the factory reads KG_WEB_TOKEN when KG_WEB_AUTH=1
    (how `kg serve --auth --workers N` hands it to its workers, never on a command line). With `desk`
    (`kg serve --curate`), the curation desk's pages under /curate (kg/web/curate.py), its writes the
    only POSTs."""
    if token is None and os.environ.get("KG_WEB_AUTH") == "1":
        token = token_from_environment()
        if token is None:
            raise UsageError(f"kg serve --auth: set {TOKEN_ENV} in the environment")
    web = Web(WebDatabase(settings or Settings.resolve()), texts if texts is not None else texts_dir(None))

    def guarded(handler: Callable[[Request], Response]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                return await run_in_threadpool(handler, request)
            except NotFound as e:
                return web.error(request, 404, str(e), e.closest)
            except Refused as e:
                return web.error(request, e.status, str(e), e.closest)
            except UsageError as e:
                return web.error(request, 400, str(e))
            except ConnectionFailed:
                return web.error(request, 503, AWAY)
            except KgError as e:
                return web.error(request, 400, str(e))
            except Exception:  # never a traceback in a response; the server's log has it
                log.exception("error serving %s", request.url.path)
                return web.error(request, 500, "something went wrong on the server while making this page")
        return endpoint

    routes = [
        Route("/", guarded(web.index), methods=["GET", "HEAD"]),
        Route("/index.json", guarded(web.index), methods=["GET", "HEAD"]),
        Route("/entity/{id}/graph", guarded(web.neighbourhood), methods=["GET", "HEAD"]),
        Route("/entity/{id}", guarded(web.entity), methods=["GET", "HEAD"]),
        Route("/source/{id}", guarded(web.source), methods=["GET", "HEAD"]),
        Route("/question/{name}", guarded(web.question), methods=["GET", "HEAD"]),
        Route("/search", guarded(web.search), methods=["GET", "HEAD"]),
        Route("/search.json", guarded(web.search), methods=["GET", "HEAD"]),
        Route("/suggest.json", guarded(web.suggest), methods=["GET", "HEAD"]),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]
    if desk is not None:
        routes[-1:-1] = desk.routes(web.env, guarded)

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        desk_path = desk is not None and request.url.path.startswith("/curate")
        message = {404: f"no page at {request.url.path}",
                   405: f"{request.method} is not allowed at {request.url.path}" if desk_path
                   else f"{request.method} is not allowed: kg only reads"}
        return web.error(request, status, message.get(status, str(getattr(exc, "detail", "error"))))

    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error},
                    middleware=[Middleware(Guard, web=web, token=token)])
    # no redirect from a path ending in `/` to the one without: an id holding `%2F` is a 404, not a 307
    app.router.redirect_slashes = False
    app.state.web = web
    app.state.desk = desk
    return app


class Guard:
    """Every response: the token checked (when there is one), the address checked (`refusal`), the
    security headers set. Plain ASGI, so a response streams through untouched (Starlette's
    BaseHTTPMiddleware costs a task per request)."""

    def __init__(self, app: ASGIApp, web: Web, token: str | None) -> None:
        self.app, self.web, self.token = app, web, token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent = MutableHeaders(scope=message)
                if "x-kg-own-csp" in sent:
                    del sent["x-kg-own-csp"]
                else:
                    sent["Content-Security-Policy"] = CSP
                for key, value in HEADERS.items():
                    sent.setdefault(key, value)
            await send(message)

        if self.token is not None and not authorised(Headers(scope=scope).get("authorization"), self.token):
            response = self.web.error(Request(scope), 401, "this graph is shared with a token: give it as the "
                                      "password (any user name), or as `Authorization: Bearer TOKEN`")
            response.headers["WWW-Authenticate"] = 'Basic realm="kg", charset="UTF-8"'
            await response(scope, receive, with_headers)
            return
        refused = refusal(scope)
        if refused is not None:
            await self.web.error(Request(scope), *refused)(scope, receive, with_headers)
            return
        await self.app(scope, receive, with_headers)
