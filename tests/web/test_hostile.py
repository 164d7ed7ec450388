"""Hostile requests to every route of `kg serve`, the curation desk's too, through a real HTTP server
(uvicorn on 127.0.0.1), each sent byte for byte over a socket: an HTTP client would resolve `../`
and re-encode escapes before they left it. Cypher in every parameter, `../`, encoded `../`, NUL and
backslashes in path segments, huge and malformed parameters, invalid UTF-8, repeated parameters,
bad dates, other methods, an over-long URL; and, at the desk, writes without its CSRF token, from
another origin or host, of another type, too large, or with its token and Cypher in every field.

Each answer is a 4xx whose page says why, or a 200 where the input is only data (each such case
says why); never a 5xx, a traceback, a server error code or a line of kg's Cypher. Every node and
relationship of the graph, and every seed file of the desk's project, is the same after a route's
cases as before. The routes are read from the application (`app.routes`), so a route added
without hostile cases here fails `test_every_route_has_hostile_cases`."""

from __future__ import annotations

import contextlib
import hashlib
import html
import http.client
import json
import re
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import pytest
from starlette.routing import BaseRoute, Mount, Route

from kg.cli.web import desk_loader
from kg.config import Settings
from kg.graph.db import Database
from kg.questions.catalogue import catalogue
from kg.web.app import create_app
from kg.web.curate import MAX_BODY, Desk
from tests.conftest import ROOT, ServerHandle
from tests.web.conftest import serving
from tests.web.test_web import TEXTS

pytestmark = pytest.mark.db
CTV = "src-ctv-edmonton-2020-02-28"
METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE")
CYPHER = ("' OR 1=1 //", "MATCH (n) DETACH DELETE n", "}) RETURN n //", '" }) MATCH (n) SET n.pwned = 1 //',
          "eps' }) CALL dbms.security.createUser('x', 'y') //")
#: a path segment as sent, and what it tries
SEGMENTS = [
    *((quote(c, safe=""), "Cypher") for c in CYPHER),
    ("..", "a parent segment"),
    ("%2e%2e", "an encoded parent segment"),
    ("..%2f..%2f..%2fetc%2fpasswd", "../ with encoded slashes"),
    ("%2e%2e%2f%2e%2e%2fetc%2fpasswd", "../ encoded whole"),
    ("..%5c..%5cwindows%5cwin.ini", "..\\ encoded"),
    ("..\\..\\etc\\passwd", "..\\ as it is"),
    ("eps%00", "an encoded NUL"),
    ("%00", "a NUL alone"),
    ("eps%ff%fe", "invalid UTF-8"),
    ("%e2%82", "a truncated UTF-8 sequence"),
    ("eps%zz", "a malformed escape"),
    ("eps%", "a lone %"),
    ("a" * 2000, "a 2,000-character id"),
]
#: a parameter's value as sent (after `name=`), and what it tries
VALUES = [
    *((quote(c, safe=""), "Cypher") for c in CYPHER),
    ("x" * 4000, "4,000 characters"),
    ("%zz", "a malformed escape"),
    ("%", "a lone %"),
    ("%ff%fe", "invalid UTF-8"),
    ("%00", "an encoded NUL"),
]
BAD_DATES = ["2020-13", "2020-02-30", "2019-11-15T10:00", "yesterday", "20200", "-1", "2020-1-1", "0000-00-00"]

DATA = "data"  # a 200 is right: the value is only data


@dataclass(frozen=True)
class Param:
    """A parameter a route reads, and what any value of it that is not its own gets (DATA: a 200,
    with why; else a 4xx)."""

    name: str
    takes: str  # "date", "text", ... what it is
    hostile: str = "4xx"
    why: str = ""


#: each route of the application: an example of its path, and the parameters it reads
ROUTES: dict[str, tuple[str, list[Param]]] = {
    "/": ("/", [Param("rev", "revision", DATA, "a permalink's revision: compared with the graph's, the page says "
                                               "the graph changed")]),
    "/index.json": ("/index.json", [Param("rev", "revision", DATA, "ignored by the JSON")]),
    "/entity/{id}/graph": ("/entity/eps/graph", []),
    "/entity/{id}": ("/entity/eps", [Param("as_of", "date"), Param("rev", "revision", DATA, "compared")]),
    "/source/{id}": (f"/source/{CTV}", [Param("as_of", "date"), Param("rev", "revision", DATA, "compared")]),
    "/question/{name}": ("/question/stop-orders", []),  # every question's own parameters, below
    "/search": ("/search", [Param("q", "text", DATA, "searched for as words (no hit, or hits holding them)"),
                            Param("kind", "kind", DATA, "a kind no hit has: none shown")]),
    "/search.json": ("/search.json", [Param("q", "text", DATA, "searched for as words"),
                                      Param("kind", "kind", DATA, "a kind no hit has: none shown")]),
    "/suggest.json": ("/suggest.json", [Param("q", "text", DATA, "names starting so: none")]),
    "/static": ("/static/kg.css", []),
    "/curate": ("/curate", []),
    "/curate/names.json": ("/curate/names.json", [Param("q", "text", DATA, "names holding the words: none"),
                                                  Param("labels", "labels", DATA, "no actor has such a label")]),
    "/curate/source/{id}": (f"/curate/source/{CTV}", []),
    "/curate/source/{id}/passage.json": (f"/curate/source/{CTV}/passage.json",
                                         [Param("q", "text", DATA, "words looked for in the text: not found, "
                                                                   "the closest passage offered")]),
    "/curate/source/{id}/facts.json": (f"/curate/source/{CTV}/facts.json", []),
    "/curate/source/{id}/actors.json": (f"/curate/source/{CTV}/actors.json", []),
    "/curate/source/{id}/load.json": (f"/curate/source/{CTV}/load.json", []),
}


@dataclass(frozen=True)
class Case:
    what: str
    method: str
    target: bytes  # the request target, as sent
    expect: str | frozenset[int] = "4xx"  # DATA, "4xx" (any), or these statuses
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    text: str


def send(port: int, case: Case) -> Answer:
    """The request exactly as the case has it (never normalised), over a socket of its own."""
    headers = {"Host": f"127.0.0.1:{port}", "Connection": "close", **dict(case.headers)}
    if case.body or case.method in ("POST", "PUT", "PATCH"):
        headers["Content-Length"] = str(len(case.body))
    head = case.method.encode() + b" " + case.target + b" HTTP/1.1\r\n"
    head += b"".join(f"{k}: {v}\r\n".encode() for k, v in headers.items())
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # answered before the body was read
            sock.sendall(head + b"\r\n" + case.body)
        response = http.client.HTTPResponse(sock, method=case.method)
        response.begin()
        body = response.read()
    return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body.decode("utf-8", "replace"))


def _cypher_lines() -> set[str]:
    """Lines of kg's own Cypher (the named questions and the pages' statements), long enough to be telling."""
    texts = [p.read_text(encoding="utf-8") for p in (ROOT / "cypher").glob("*.cypher")]
    texts.append((ROOT / "kg" / "web" / "facts.py").read_text(encoding="utf-8"))
    lines = {ln.strip().strip('"f').strip() for t in texts for ln in t.splitlines()}
    return {ln for ln in lines if len(ln) > 30 and re.search(r"\b(MATCH|RETURN|WHERE|WITH|UNWIND)\b", ln)
            and not ln.startswith(("//", "#", '"""'))}


CYPHER_LINES = _cypher_lines()


def message(answer: Answer) -> str:
    """What an error page says: its JSON's `error`, its `<p class="error">`, or a plain text."""
    if answer.headers.get("content-type", "").startswith("application/json"):
        return str(json.loads(answer.text).get("error") or "")
    found = re.search(r'<p class="error">(.*?)</p>', answer.text, re.S)
    if found:
        return html.unescape(found.group(1)).strip()
    return answer.text.strip() if answer.headers.get("content-type", "").startswith("text/plain") else ""


def check(answer: Answer, case: Case) -> None:
    where = f"{case.method} {case.target[:200]!r} ({case.what})"
    assert answer.status < 500, f"{where}: {answer.status} {answer.text[:500]}"
    if case.expect == DATA:
        assert answer.status == 200, f"{where}: {answer.status} {answer.text[:300]}"
    elif case.expect == "4xx":
        assert 400 <= answer.status < 500, f"{where}: {answer.status} {answer.text[:300]}"
    else:
        assert answer.status in case.expect, f"{where}: {answer.status} {answer.text[:300]}"
    if answer.status >= 400 and case.method != "HEAD":
        assert len(message(answer)) > 10, f"{where}: a {answer.status} that says nothing: {answer.text[:300]}"
    for leak in ("Traceback", "Neo.ClientError", "Neo.TransientError", "Neo.DatabaseError", 'File "/',
                 "something went wrong"):
        assert leak not in answer.text, f"{where}: {leak!r} in {answer.text[:500]}"
    shown = [ln for ln in CYPHER_LINES if ln in html.unescape(answer.text)]
    assert not shown, f"{where}: kg's Cypher in the answer: {shown[:2]}"


# --- the cases ------------------------------------------------------------------------------------

def _route_path(route: BaseRoute) -> str:
    assert isinstance(route, Route | Mount), route
    return route.path


def _methods(route: BaseRoute) -> set[str]:
    return set(route.methods or ()) if isinstance(route, Route) else {"GET", "HEAD"}


def _with(example: str, query: str) -> bytes:
    joiner = "&" if "?" in example else "?"
    return f"{example}{joiner}{query}".encode()


def cases(route: BaseRoute, csrf: str) -> list[Case]:
    """Every hostile case for one route: its path segments, its parameters, other methods, and, for
    the desk's writes, their bodies and headers."""
    path = _route_path(route)
    example, params = ROUTES[path]
    allowed = _methods(route)
    read = "GET" if "GET" in allowed else "POST"
    out: list[Case] = []
    # the path: each hostile segment in place of the route's own parameter (the file, for /static)
    template = path.replace("{name}", "{id}")
    if "{id}" in template or isinstance(route, Mount):
        parts = example.split("/")
        spot = 2 if isinstance(route, Mount) else template.split("/").index("{id}")
        for segment, what in SEGMENTS:
            target = "/".join([*parts[:spot], segment, *parts[spot + 1:]])
            if read == "POST":  # the desk's write refuses before any id is looked at: not its page
                out.append(Case(f"{what} in the id, no token", "POST", target.encode(), "4xx", b"{}",
                                (("Content-Type", "application/json"),)))
            else:
                out.append(Case(f"{what} in the path", read, target.encode()))
                if not isinstance(route, Mount) and template.endswith("{id}"):
                    out.append(Case(f"{what} in the path, as .json", read, f"{target}.json".encode()))
    # the parameters: hostile values, repeated, 100 KB; and for a date, bad dates
    if read == "GET":
        query_params = list(params)
        if path == "/question/{name}":
            for query in catalogue().values():  # each parameter, the others required given their examples
                for asked in query.params.values():
                    others = {k: v for k, v in query.example_args().items() if k != asked.name}
                    base = f"/question/{query.name}" + (f"?{urlencode(others)}" if others else "")
                    out += _param_cases(base, Param(asked.name, asked.type))
                    if others:  # and alone: the form checks what it was given before all of it is there;
                        # an entity is looked up once the question can be asked, and till then shown back
                        alone = Param(asked.name, asked.type, DATA if asked.type == "entity" else "4xx",
                                      "shown back in the form, which asks for the rest")
                        out += _param_cases(f"/question/{query.name}", alone)
        for p in query_params:
            out += _param_cases(example, p)
        out.append(Case("a parameter of 100 KB (kg's 414; uvicorn's 400 when a head of over 16 KB comes in pieces)",
                        read, _with(example, "q=" + "x" * 100_000), frozenset({400, 414})))
        out.append(Case("an address of 10 KB", read, (example + "/" + "a" * 10_000).encode(), frozenset({414})))
        out.append(Case("a parameter the page does not take, holding Cypher", read,
                        _with(example, "cypher=" + quote(CYPHER[1], safe="")),
                        frozenset({400}) if path == "/question/{name}" else DATA))
        out.append(Case("a query string of escapes gone wrong", read, _with(example, "%=%&=&&%zz")))
    # other methods
    for method in METHODS:
        if method not in allowed:
            out.append(Case(f"{method}, which the route does not take", method, example.encode(), frozenset({405}),
                            b"MATCH (n) DETACH DELETE n" if method in ("POST", "PUT", "PATCH") else b""))
    if read == "POST":
        out += _write_cases(example, csrf)
    return out


def _param_cases(example: str, p: Param) -> list[Case]:
    hostile = DATA if p.hostile == DATA else "4xx"
    out = []
    for value, what in VALUES:
        expect: str | frozenset[int] = hostile
        if what in ("a malformed escape", "a lone %", "invalid UTF-8", "an encoded NUL"):
            expect = "4xx"  # not text: refused, whatever the parameter
        if what == "4,000 characters" and (p.takes == "text" or example.startswith("/question/")):
            expect = "4xx"  # a search, or any parameter of a question, is at most 500 characters
        out.append(Case(f"{what} in {p.name} ({p.why or p.takes})", "GET", _with(example, f"{p.name}={value}"),
                        expect))
    out.append(Case(f"{p.name} given twice", "GET", _with(example, f"{p.name}=1&{p.name}=" + quote(CYPHER[1]))))
    if p.takes == "date":
        out += [Case(f"a bad date in {p.name}: {d}", "GET", _with(example, f"{p.name}={quote(d)}"), frozenset({400}))
                for d in BAD_DATES]
    return out


def _write_cases(example: str, csrf: str) -> list[Case]:
    """The desk's writes: refused without its token, from another origin or host, of another type,
    too large; with its token, Cypher in every field writes nothing."""
    own = (("Origin", "http://127.0.0.1:{port}"), ("Content-Type", "application/json"))
    fields = {"quote": CYPHER[1], "kind": "USED", "from": CYPHER[0], "to": CYPHER[2], "name": CYPHER[3],
              "label": "PoliceAgency) DETACH DELETE (n", "date": "2020-13", "confidence": CYPHER[4],
              "aliases": CYPHER[1]}
    body = json.dumps(fields).encode()
    with_token = json.dumps({**fields, "csrf": csrf}).encode()
    target = example.encode()
    out = [
        Case("no CSRF token, Cypher in every field", "POST", target, frozenset({403}), body, own),
        Case("a wrong CSRF token", "POST", target, frozenset({403}), json.dumps({**fields, "csrf": "x" * 43}).encode(),
             own),
        Case("the token as a header only, from no origin", "POST", target, frozenset({403}), body,
             (("Content-Type", "application/json"), ("X-Kg-Csrf", csrf))),
        Case("another origin", "POST", target, frozenset({403}), with_token,
             (("Origin", "http://evil.example"), ("Content-Type", "application/json"))),
        Case("a Host that is not loopback", "POST", target, frozenset({403}), with_token,
             (*own, ("Host", "evil.example"))),
        Case("a form, not JSON", "POST", target, frozenset({415}), b"quote=MATCH+(n)+DETACH+DELETE+n",
             (("Origin", "http://127.0.0.1:{port}"), ("Content-Type", "application/x-www-form-urlencoded"))),
        Case("a body that is not JSON", "POST", target, frozenset({400}), b"{'quote': MATCH (n)", own),
        Case("JSON that is not an object", "POST", target, frozenset({400}), b'["MATCH (n) DETACH DELETE n"]', own),
        Case("invalid UTF-8 in the body", "POST", target, frozenset({400}), b'{"quote": "\xff\xfe"}', own),
        Case(f"a body over {MAX_BODY:,} bytes", "POST", target, frozenset({413}),
             json.dumps({"quote": "x" * (MAX_BODY + 1024)}).encode(), own),
        Case("a number where text goes, with the token", "POST", target, frozenset({400}),
             json.dumps({"csrf": csrf, "quote": 1}).encode(), own),
    ]
    if not example.endswith("/load.json"):  # a Load with the token loads the file: not hostile
        out.append(Case("the token, and Cypher in every field: nothing written", "POST", target, frozenset({400}),
                        with_token, own))
        out.append(Case("the token, and ../ in the id", "POST",
                        example.replace(CTV, "..%2f..%2fpyproject").encode(), "4xx", with_token, own))
    return out


# --- the server, the graph and the seed files ------------------------------------------------------

def digest(db: Database) -> str:
    """Every node (labels, properties) and relationship (type, ends, properties) of the graph."""
    nodes = db.read("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    rels = db.read("MATCH (a)-[r]->(b) RETURN type(r) AS type, properties(a) AS a, properties(b) AS b, "
                   "properties(r) AS props")
    lines = sorted(json.dumps(row, sort_keys=True, default=str) for row in [*nodes, *rels])
    return hashlib.sha256("\n".join(lines).encode()).hexdigest() + f" ({len(nodes)} nodes, {len(rels)} relationships)"


def seed_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclass
class Served:
    port: int
    app: Any
    desk: Desk
    seed: Path


@pytest.fixture(scope="module")
def served(seeded: Database, _guarded: ServerHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`kg serve --curate` over a copy of the project (its seed is what the test server holds)."""
    root = tmp_path_factory.mktemp("hostile") / "project"
    shutil.copytree(ROOT / "seed", root / "seed")
    shutil.copytree(ROOT / "cypher", root / "cypher")
    (root / "pyproject.toml").write_text("")
    desk = Desk(root / "seed", TEXTS, desk_loader(_guarded.settings, TEXTS))
    app = create_app(_guarded.settings, TEXTS, desk=desk)
    with serving(app) as url:
        yield Served(int(urlsplit(url).port or 0), app, desk, root / "seed")


def _offline_routes() -> list[BaseRoute]:
    """The routes of an application with the desk, made without any server (for the test ids)."""
    unused = Settings(uri="bolt://127.0.0.1:1", username="neo4j", password="unused")
    desk = Desk(ROOT / "seed", TEXTS, lambda _file, _dry: None)  # type: ignore[arg-type]
    app = create_app(unused, TEXTS, desk=desk)
    app.state.web.db.close()
    return list(app.routes)


ROUTE_PATHS = [_route_path(r) for r in _offline_routes()]


def test_every_route_has_hostile_cases() -> None:
    assert set(ROUTE_PATHS) == set(ROUTES), ("routes without hostile cases (add them to ROUTES): "
                                             f"{sorted(set(ROUTE_PATHS) - set(ROUTES))}; "
                                             f"cases for no route: {sorted(set(ROUTES) - set(ROUTE_PATHS))}")


@pytest.mark.parametrize("path", ROUTE_PATHS)
def test_hostile_requests_get_a_4xx_that_says_why_and_change_nothing(served: Served, seeded: Database,
                                                                     path: str) -> None:
    route = next(r for r in served.app.routes if _route_path(r) == path)
    battery = cases(route, served.desk.csrf)
    assert len(battery) >= 8, f"{path}: only {len(battery)} hostile cases"
    graph, files = digest(seeded), seed_files(served.seed)
    failures = []
    for case in battery:
        case = Case(case.what, case.method, case.target, case.expect, case.body,
                    tuple((k, v.replace("{port}", str(served.port))) for k, v in case.headers))
        try:
            check(send(served.port, case), case)
        except AssertionError as e:
            failures.append(str(e).splitlines()[0][:400])
    assert not failures, f"{len(failures)} of {len(battery)} cases:\n" + "\n".join(failures)
    assert digest(seeded) == graph, f"{path}: the graph changed"
    assert seed_files(served.seed) == files, f"{path}: a seed file changed"
