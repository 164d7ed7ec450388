"""Named questions, the engine: the catalogue and its headers, parameter handling and entity
resolution, the read-only guards, JSON and CSV output, search and stats. (What each question answers
on the curated seed: tests/content/test_answers.py.)"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import QueryError, UsageError
from kg.graph.db import Database
from kg.questions import run as queries
from kg.questions.catalogue import catalogue, get, parse
from kg.questions.guard import returned_columns, write_clauses
from kg.questions.search import search
from tests.conftest import ServerHandle, run_kg

CTV = "src-ctv-edmonton-2020-02-28"
CBC = "src-cbc-hamilton-2020-02"
CATALOGUE = ["agencies-learned-at-conferences", "agencies-using-tool", "denied-then-admitted", "investigations",
             "stop-orders", "officials", "statements", "timeline", "entity-profile", "sources-for", "connection",
             "oversight", "trial-access", "unapproved-use"]


# --- the files themselves (no database) ------------------------------------------------------------

def test_the_catalogue_has_every_named_question() -> None:
    assert set(CATALOGUE) <= set(catalogue())


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_header_and_cypher_agree(name: str) -> None:
    query = catalogue()[name]
    assert query.check() == []
    assert query.title and query.description
    for param in query.params.values():
        assert param.doc, f"{name}: parameter {param.name} has no description"
        assert param.example is not None, f"{name}: parameter {param.name} has no example"


def test_every_question_declares_its_id_columns() -> None:
    for name, query in catalogue().items():
        kinds = set(query.columns.values())
        assert kinds & {"entity", "entities", "fact"}, f"{name}: declares no entity columns"
        if "sources" in (returned_columns(query.cypher) or []):
            assert query.columns.get("sources") == "sources", f"{name}: its sources column is not declared"


def test_a_declared_column_must_be_returned_and_of_a_known_kind(tmp_path: Path) -> None:
    head = "/*\nname: {name}\ntitle: t\ndescription: d\nparams: {{}}\ncolumns: {{{columns}}}\n*/\n"
    (tmp_path / "missing.cypher").write_text(
        head.format(name="missing", columns="agency_id: entity, who: entities")
        + "MATCH (a) RETURN a.id AS agency_id, COLLECT { MATCH (a)--(b) RETURN b.id AS who } AS others\n")
    assert get("missing", tmp_path).check() == [
        "missing.cypher: declares columns ['who'] that its RETURN does not give"]
    (tmp_path / "kind.cypher").write_text(head.format(name="kind", columns="agency_id: person") + "RETURN 1\n")
    with pytest.raises(UsageError, match=r"kind.cypher:6: column 'agency_id' has unknown kind 'person'"):
        parse(tmp_path / "kind.cypher")


def test_a_query_file_that_writes_is_refused_before_the_server(tmp_path: Path) -> None:
    (tmp_path / "sneaky.cypher").write_text("/*\nname: sneaky\ntitle: t\ndescription: d\nparams: {}\n*/\n"
                                            "MATCH (n) WITH n LIMIT 1\n// harmless comment: CREATE\n"
                                            "DETACH DELETE n RETURN 1 AS x\n")
    query = get("sneaky", tmp_path)
    assert any("DETACH" in p or "DELETE" in p for p in query.check())
    with pytest.raises(QueryError, match="only reads"):
        queries.run(None, query)  # type: ignore[arg-type]  # refused before any database is touched


@pytest.mark.parametrize("cypher,clause", [
    ("MATCH (n) SET n.x = 1", "SET"), ("CREATE (n)", "CREATE"), ("MATCH (n) CALL (n) { DETACH DELETE n }", "DELETE"),
    ("LOAD CSV FROM 'file:///x' AS row RETURN row", "LOAD CSV"), ("CALL dbms.security.createUser('a','b')", "CALL"),
    ("MERGE (n:X)", "MERGE"), ("DROP INDEX x", "DROP"), ("match (n) remove n:X", "REMOVE"),
])
def test_keyword_guard_finds_writes(cypher: str, clause: str) -> None:
    assert any(clause in found for found in write_clauses(cypher))


@pytest.mark.parametrize("cypher", [
    "MATCH (n) WHERE n.name = 'CREATE something' RETURN n", "MATCH (n) // DELETE later\nRETURN n",
    "MATCH (n:`SET`) RETURN n", "CALL db.index.fulltext.queryNodes('kg_search', 'x') YIELD node RETURN node",
    "MATCH (n) CALL (n) { RETURN n.id AS i } RETURN i", "MATCH (n) WHERE n.offset > 1 RETURN n.created",
])
def test_keyword_guard_lets_reads_through(cypher: str) -> None:
    assert write_clauses(cypher) == []


# --- answers -------------------------------------------------------------------------------------------

@pytest.mark.db
def test_declared_id_columns_are_answered_and_hold_ids_of_the_graph(seeded: Database) -> None:
    for name, query in catalogue().items():
        results = queries.run(seeded, query, query.example_args())
        assert set(query.columns) <= set(results.columns), f"{name}: {set(query.columns) - set(results.columns)}"
        ids, facts = query.ids(results.rows, "entity", "entities", "source", "sources"), query.ids(results.rows, "fact")
        assert ids, f"{name}: its declared columns hold no id"
        known = seeded.read("MATCH (n:Entity) WHERE n.id IN $ids RETURN n.id AS id ORDER BY id", {"ids": ids})
        assert [r["id"] for r in known] == ids, f"{name}: not ids of the graph: {set(ids) - {r['id'] for r in known}}"
        found = seeded.read("MATCH (n:Entity) WHERE n.id IN $f RETURN n.id AS id "
                            "UNION MATCH ()-[r]->() WHERE r.key IN $f RETURN r.key AS id", {"f": facts})
        assert {r["id"] for r in found} == set(facts), f"{name}: facts that are neither a node nor a link"
    # a fact column holds relationship keys as well as fact node ids
    rows = queries.run(seeded, "timeline").rows
    assert any("--" in r["id"] for r in rows) and any(r["id"].startswith("st-") for r in rows)


# --- parameters, guards, formats through the CLI ---------------------------------------------------------

@pytest.mark.db
@pytest.mark.parametrize("args,message", [
    (["query", "run", "no-such-question"], "no query named"),
    (["query", "run", "statements"], "needs parameter 'speaker'"),
    (["query", "run", "stop-orders", "-p", "colour=red"], "does not take colour"),
    (["query", "run", "connection", "-p", "from=EPS", "-p", "to=RCMP", "-p", "limit=many"], "expects int"),
    (["query", "run", "statements", "-p", "speaker=Clearview"], "ambiguous"),
    (["query", "run", "statements", "-p", "speaker=Nobody Atall"], "no entity is called"),
    (["query", "run", "stop-orders", "-p", "agency"], "key=value"),
    (["query", "run", "timeline", "--format", "xml"], "--format"),
])
def test_parameter_errors_exit_2(seeded: Database, server: ServerHandle, args: list[str], message: str) -> None:
    proc = run_kg(*args, env=server.env())
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


@pytest.mark.db
def test_ambiguous_names_list_the_candidates(seeded: Database, server: ServerHandle) -> None:
    proc = run_kg("query", "run", "statements", "-p", "speaker=Clearview", env=server.env())
    assert "clearview-ai" in proc.stderr and "clearview-app" in proc.stderr


@pytest.mark.db
def test_the_seed_and_the_database_resolve_names_by_one_rule(seeded: Database) -> None:
    from kg.config import project_root
    from kg.questions.entities import resolve_entity, resolve_in, seed_index
    from kg.seed.validate import validate

    index = seed_index(validate([project_root() / "seed"]))
    # an id, a name in another case, aliases, and every example of the questions
    texts = ["eps", "edmonton police service", "EPS", "Toronto police", "Clearview AI"]
    texts += [str(p.example) for q in catalogue().values() for p in q.params.values() if p.type == "entity"]
    for text in texts:
        assert resolve_in(index, text) == resolve_entity(seeded, text), text
    def in_seed(text: str) -> str:
        return resolve_in(index, text)

    def in_database(text: str) -> str:
        return resolve_entity(seeded, text)

    for where in (in_seed, in_database):
        with pytest.raises(UsageError, match=r"'Clearview' is ambiguous.*clearview-ai.*clearview-app"):
            where("Clearview")
        with pytest.raises(UsageError, match="no entity is called 'Nobody Atall'"):
            where("Nobody Atall")


@pytest.mark.db
def test_a_name_outranks_an_alias_in_any_case_with_or_without_name_key(db: Database, tmp_path: Path) -> None:
    """Names are found by `name_key` (a range index), aliases by the full-text index only when no
    name matches: an alias never outranks a name, and a graph loaded without `name_key` (by an older
    kg) resolves the same through the full-text index."""
    import shutil

    from kg.config import project_root
    from kg.questions.entities import resolve_entity, resolve_in, seed_index
    from kg.seed.loader import load
    from kg.seed.validate import validate

    seed_dir = tmp_path / "seed"
    shutil.copytree(project_root() / "seed", seed_dir)
    actors = seed_dir / "actors" / "actors.yaml"
    # "EPS" is an alias of eps and the name (in another case) of a union; two products whose names
    # differ only in case
    actors.write_text(actors.read_text() + "\n".join([
        "  - id: eps-union", "    label: Organization", "    name: eps",
        "  - id: tool-upper", "    label: Product", "    name: FaceTool",
        "  - id: tool-lower", "    label: Product", "    name: facetool", ""]))
    seed = validate([seed_dir])
    load(db, seed)
    assert db.read("MATCH (n:Entity {id: 'eps-union'}) RETURN n.name_key AS k") == [{"k": "eps"}]
    index = seed_index(seed)
    for stage in ("with name_key", "without"):
        for text, expected in [("EPS", "eps-union"), ("eps-union", "eps-union"), ("Edmonton Police Service", "eps"),
                               ("  edmonton POLICE service ", "eps"), ("the city force", "eps"),
                               ("Clearview AI", "clearview-ai")]:
            assert resolve_entity(db, text) == resolve_in(index, text) == expected, (stage, text)
        with pytest.raises(UsageError, match=r"'FACETOOL' is ambiguous.*tool-lower.*tool-upper"):
            resolve_entity(db, "FACETOOL")
        with pytest.raises(UsageError, match=r"'FACETOOL' is ambiguous in the seed.*tool-lower.*tool-upper"):
            resolve_in(index, "FACETOOL")
        db.write("MATCH (n:Entity) REMOVE n.name_key")
    # "eps" is the id of one and the name of the other: the id wins
    assert resolve_entity(db, "eps") == "eps"


@pytest.mark.db
def test_json_output_parses_for_every_question(seeded: Database, server: ServerHandle) -> None:
    for name, query in catalogue().items():
        args = [x for k, v in query.example_args().items() for x in ("-p", f"{k}={v}")]
        proc = run_kg("query", "run", name, *args, "--format", "json", env=server.env())
        assert proc.returncode == 0, (name, proc.stderr)
        rows = json.loads(proc.stdout)
        assert isinstance(rows, list) and rows and all(isinstance(r, dict) for r in rows), name


@pytest.mark.db
def test_csv_output_is_rfc4180(seeded: Database, server: ServerHandle) -> None:
    proc = subprocess.run([sys.executable, "-m", "kg", "query", "run", "denied-then-admitted", "--format", "csv"],
                          capture_output=True, env=server.env(), check=False)  # bytes: keep the CRLFs
    assert proc.returncode == 0
    text = proc.stdout.decode("utf-8")
    assert text.count("\r\n") >= 5
    table = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["agency_id"] for r in table] == ["eps", "hamilton-police", "niagara-police", "toronto-police"]
    assert json.loads(table[0]["sources"]) == [CTV]


@pytest.mark.db
def test_no_rows_says_so_and_exits_0(seeded: Database, server: ServerHandle) -> None:
    proc = run_kg("query", "run", "statements", "-p", "speaker=instagram", env=server.env())
    assert proc.returncode == 0 and "no rows" in proc.stderr


@pytest.mark.db
def test_writes_cannot_get_through_either_guard(seeded: Database, server: ServerHandle) -> None:
    before = seeded.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
    proc = run_kg("cypher", "MATCH (n) DETACH DELETE n", env=server.env())
    assert proc.returncode == 1 and "only reads" in proc.stderr
    # the second guard alone: a write sent straight to a read transaction is refused by the server
    with pytest.raises(QueryError):
        seeded.read("CREATE (:Intruder {id: 'x'})")
    with pytest.raises(QueryError):
        seeded.query("MATCH (n:PoliceAgency) SET n.name = 'pwned'")
    assert seeded.read("MATCH (n) RETURN count(n) AS n")[0]["n"] == before
    assert seeded.read("MATCH (n:Intruder) RETURN count(n) AS n") == [{"n": 0}]


@pytest.mark.db
def test_parameters_carrying_cypher_are_just_data(seeded: Database) -> None:
    payload = "eps'}) DETACH DELETE n //"
    with pytest.raises(UsageError, match="no entity is called"):
        queries.run(seeded, "statements", {"speaker": payload})
    rows = queries.run_cypher(seeded, "MATCH (n:Entity) WHERE n.name = $x RETURN n.id AS id", {"x": payload}).rows
    assert rows == []
    assert seeded.read("MATCH (n:PoliceAgency {id: 'eps'}) RETURN count(n) AS n") == [{"n": 1}]


@pytest.mark.db
def test_cypher_command_uses_the_same_parameters_and_output(seeded: Database, server: ServerHandle) -> None:
    proc = run_kg("cypher", "MATCH (a:PoliceAgency {id: $id}) RETURN a.name AS name", "-p", "id=eps",
                  "--format", "json", env=server.env())
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [{"name": "Edmonton Police Service"}]
    missing = run_kg("cypher", "MATCH (a {id: $id}) RETURN a", env=server.env())
    assert missing.returncode == 2 and "$id" in missing.stderr


@pytest.mark.db
def test_search_ranks_names_aliases_and_quotes(seeded: Database, server: ServerHandle) -> None:
    hits = search(seeded, "Cavoukian")
    assert hits[0]["id"] == "ann-cavoukian"
    quotes = search(seeded, "auto theft")
    assert any("auto theft" in (h.get("quote") or "") for h in quotes)
    assert search(seeded, 'wake-up call" (AND) [') is not None  # Lucene syntax is escaped
    assert search(seeded, "Cavoukian OR")[0]["id"] == "ann-cavoukian"  # an operator is a word (kg serve's
    assert search(seeded, "' OR 1=1 // AND NOT") is not None            # hostile requests found it: a 400)
    proc = run_kg("search", "NRPS", "--format", "json", env=server.env())
    assert proc.returncode == 0 and json.loads(proc.stdout)[0]["id"] == "niagara-police"


@pytest.mark.db
def test_stats_counts_labels_and_relationships(seeded: Database, server: ServerHandle) -> None:
    proc = run_kg("stats", "--format", "json", env=server.env())
    rows = {(r["kind"], r["name"]): r["count"] for r in json.loads(proc.stdout)}
    assert rows[("label", "Source")] == 2
    assert rows[("label", "PoliceAgency")] >= 6
    assert rows[("relationship", "CORRECTS")] >= 4


@pytest.mark.db
def test_python_api(seeded: Database, server: ServerHandle) -> None:
    import kg

    assert "denied-then-admitted" in kg.list_queries()
    db = kg.connect(uri=server.settings.uri, username=server.settings.username, password=server.settings.password)
    with db:
        rows = kg.run_query(db, "stop-orders", agency="Toronto police")
        assert "Mark Saunders" in [r["ordered_by"] for r in rows]
        assert kg.search(db, "Bergen")[0]["id"] == "frank-bergen"
