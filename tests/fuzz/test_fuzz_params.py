"""Generated question parameters: `kg query run NAME -p key=value` and the web app's query strings
(every route that reads one), against the real test server holding the seed. Each case is answered,
or refused naming the parameter (exit 1 or 2 on the command line, a 4xx on the web), never with a
traceback or a 500; and the graph's canonical export is the same after all of them."""

from __future__ import annotations

import hashlib
import html
import io
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from kg.export import jsonl
from kg.graph.db import Database
from kg.questions.catalogue import catalogue
from tests.conftest import ROOT, ServerHandle, run_kg
from tests.fuzz.conftest import assert_clean, budget, counted
from tests.fuzz.strategies import ODD_TEXT, TEXT

pytestmark = pytest.mark.db

QUESTIONS = catalogue()
PARAM_NAMES = sorted({p for q in QUESTIONS.values() for p in q.params} | {"as_of", "limit", "q", "kind", "rev"})
VALUES = st.one_of(
    ODD_TEXT, TEXT,
    st.integers().map(str), st.floats().map(str), st.sampled_from(["0", "-1", "1", "10000000000000000000000"]),
    st.dates().map(lambda d: d.isoformat()), st.sampled_from(["2020", "2020-02", "2020-02-30", "2019-11-15"]),
    st.sampled_from(["Toronto Police Service", "eps", "EPS", "Clearview AI", "rcmp", "Frank Bergen"]),
)
KEYS = st.one_of(st.sampled_from(PARAM_NAMES), st.sampled_from(["", " ", "=", "p", "a b"]), st.text(max_size=10))


def _digest(db: Database) -> str:
    out = io.StringIO()
    jsonl.write(db, out)
    return hashlib.sha256(out.getvalue().encode()).hexdigest()


@pytest.fixture(scope="module")
def unchanged(seeded: Database) -> Iterator[Database]:
    """The seeded graph, whose canonical export must be the same after the module's cases."""
    before = _digest(seeded)
    yield seeded
    assert _digest(seeded) == before


@budget(ci=25, long=4_000)
@given(name=st.sampled_from(sorted(QUESTIONS)), pairs=st.lists(st.tuples(KEYS, VALUES), max_size=4),
       raw=st.lists(st.one_of(ODD_TEXT, st.text(max_size=20)), max_size=1))
def test_cli_parameters(unchanged: Database, _guarded: ServerHandle, name: str, pairs: list[tuple[str, str]],
                        raw: list[str]) -> None:
    counted("kg query run -p")
    args = [x for k, v in pairs for x in ("-p", f"{k}={v}")] + [x for r in raw for x in ("-p", r)]
    proc = run_kg("query", "run", name, *args, "--format", "json", env=_guarded.env())
    keys = tuple(k.strip() for k, _ in pairs if k.strip()) + tuple(QUESTIONS[name].params) + ("key=value",)
    assert_clean(proc, names=keys)


ROUTES = [f"/question/{q}" for q in sorted(QUESTIONS)] + [f"/question/{q}.json" for q in sorted(QUESTIONS)] + [
    "/question/stop-orders.csv", "/question/statements.md", "/search", "/search.json", "/suggest.json",
    "/entity/eps", "/entity/eps.json", "/source/src-ctv-edmonton-2020-02-28", "/source/src-cbc-hamilton-2020-02.json",
    "/", "/index.json"]


@pytest.fixture(scope="module")
def client(unchanged: Database, _guarded: ServerHandle) -> Iterator[TestClient]:
    from kg.web.app import create_app

    with TestClient(create_app(_guarded.settings, ROOT.parent / "shared" / "sources"),
                    raise_server_exceptions=False) as c:
        yield c


@budget(ci=20, long=6_000)
@given(route=st.sampled_from(ROUTES), pairs=st.lists(st.tuples(KEYS, VALUES), max_size=4))
def test_web_query_strings(client: TestClient, route: str, pairs: list[tuple[str, str]]) -> None:
    counted("kg serve: query strings")
    # at most 8,000 characters a value: the test client refuses a URL over 64 KB (tests/web/test_hostile.py
    # sends longer ones through a real socket)
    page = client.get(route, params=[(k, v[:8000]) for k, v in pairs])
    assert page.status_code in (200, 400, 404, 414), (route, pairs, page.status_code, page.text[:500])
    assert "Traceback" not in page.text
    if page.status_code == 400:
        said = page.json()["error"] if route.endswith((".json", ".csv", ".md")) else html.unescape(page.text)
        question = QUESTIONS.get(route.removeprefix("/question/").split(".")[0])
        needed = [p for p in question.params if p in said] if question and " needs " in said else []
        named = bool(needed) or any(repr(k) in said for k, _ in pairs) or "the address" in said  # refused whole
        assert named or "the search is longer" in said or "the text is longer" in said, (route, pairs, said[:500])
