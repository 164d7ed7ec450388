"""`kg xref`, `kg xref judge` and `kg merge` on a copy of the seed with planted twins: a source file
(fiction, written for these tests) that names the Halton Regional Police Service "HRPS" and Ann
Cavoukian "Dr. A. Cavoukian" and declares them as new actors, next to a near miss (another regional
police service). The merged seed is loaded into the real test Neo4j."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from kg.errors import KgError, ValidationFailed
from kg.graph.db import Database
from kg.seed.judgements import JUDGEMENTS_FILE
from kg.seed.judgements import load as load_judgements
from kg.seed.loader import load
from kg.seed.merge import merge
from kg.seed.texts import pin_of
from kg.seed.validate import validate
from kg.seed.xref import MAX_BLOCK, Candidate, xref
from kg.synth import generate
from tests.conftest import ROOT, ServerHandle, clean_env, run_kg

SEED = ROOT / "seed"
TEXTS = ROOT.parent / "shared" / "sources"

ARTICLE = """\
Halton police review facial recognition, privacy expert says

By Test Writer, Kg Test Gazette. March 9, 2030

HALTON -- The HRPS said its free trial of Clearview AI had ended while the Halton Regional Police review the app.

"Police should never have tried it without telling anyone," said Dr. A. Cavoukian, the former privacy commissioner.

The Durham Regional Police Service said it had no plans to use the app.
"""

TWINS = """\
# yaml-language-server: $schema=../../docs/seed.schema.json
# A test source (fiction) with twins of registry actors.
source:
  id: src-test-twins
  title: Halton police review facial recognition, privacy expert says
  publisher: ctv-news
  published: "2030-03-09"
  text: {{file: twins.txt, sha256: {sha256}, length: {length}}}
  confidence: high

nodes:
  - id: hrps
    label: PoliceAgency
    name: HRPS
    aliases: [Halton Regional Police]
    jurisdiction: Halton Region, Ontario
    level: regional
    quote: "The HRPS said its free trial of Clearview AI had ended"
    confidence: high
  - id: a-cavoukian     # the twin of ann-cavoukian
    label: Person
    name: Dr. A. Cavoukian
    description: former privacy commissioner
    quote: "said Dr. A. Cavoukian, the former privacy commissioner"
    confidence: high
  - id: durham-police   # a near miss: another regional police service
    label: PoliceAgency
    name: Durham Regional Police Service
    jurisdiction: Durham Region, Ontario
    level: regional
    quote: "The Durham Regional Police Service said it had no plans to use the app"
    confidence: high
  - id: st-cavoukian-never-tried
    label: Statement
    name: Cavoukian says police should never have tried the app without telling anyone
    stance: criticism
    quote: "Police should never have tried it without telling anyone"
    confidence: high
    links:
      - {{type: MADE, from: a-cavoukian}}
      - {{type: ABOUT, to: clearview-app}}

relations:
  - type: HAD_ACCESS
    from: hrps
    to: clearview-app
    mode: free_trial
    stopped: true
    quote: "its free trial of Clearview AI had ended"
    confidence: high
  - type: HOLDS_ROLE
    from: a-cavoukian
    to: ontario-ipc
    role: former_commissioner
    quote: "the former privacy commissioner"
    confidence: medium
"""


def _project(tmp_path: Path) -> tuple[Path, Path]:
    """A checkout-like folder with a copy of the seed and the twins' source, and a texts folder with
    the seed's texts and the twins' article."""
    project = tmp_path / "project"
    shutil.copytree(SEED, project / "seed")
    shutil.copytree(ROOT / "cypher", project / "cypher")
    (project / "pyproject.toml").write_text("")
    texts = tmp_path / "texts"
    shutil.copytree(TEXTS, texts)
    (texts / "twins.txt").write_text(ARTICLE)
    pin = pin_of(texts / "twins.txt")
    (project / "seed" / "sources" / "test-twins.yaml").write_text(TWINS.format(sha256=pin.sha256, length=pin.length))
    return project, texts


def _env(texts: Path, **more: str) -> dict[str, str]:

    env = clean_env()
    return {**env, "KG_TEXTS": str(texts), "KG_WHO": "test-curator", **more}


def _pairs(found: list[Candidate]) -> list[tuple[str, str]]:
    return [(c.a, c.b) for c in found]


def _files(seed_dir: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(seed_dir.rglob("*")) if p.is_file()}


# --- kg xref -----------------------------------------------------------------------------------------

def test_the_planted_twins_are_found_with_their_evidence_and_the_near_misses_are_not(tmp_path: Path) -> None:
    project, texts = _project(tmp_path)
    seed = validate([project / "seed"], texts=texts)
    result = xref(seed)
    pairs = _pairs(result.candidates)
    assert ("halton-police", "hrps") in pairs and ("a-cavoukian", "ann-cavoukian") in pairs
    for near_miss in [("durham-police", "halton-police"), ("halton-police", "niagara-police"),
                      ("hamilton-police", "halton-police"), ("alberta-oipc", "ontario-ipc")]:
        assert tuple(sorted(near_miss)) not in pairs
    assert [c.score for c in result.candidates] == sorted((c.score for c in result.candidates), reverse=True)
    assert all(0 <= c.score <= 1 for c in result.candidates)

    halton = result.candidates[pairs.index(("halton-police", "hrps"))]
    evidence = {e.feature: e for e in halton.evidence}
    assert "the same once forms are set aside (halton" in evidence["names"].detail  # "Halton Regional Police"
    assert evidence["jurisdiction"].effect > 0 and "Halton Region, Ontario" in evidence["jurisdiction"].detail
    assert "clearview-app" in evidence["neighbours"].detail
    assert halton.score == pytest.approx(min(1.0, sum(e.effect for e in halton.evidence)))

    ann = result.candidates[pairs.index(("a-cavoukian", "ann-cavoukian"))]
    evidence = {e.feature: e for e in ann.evidence}
    assert "A. is the initial of Ann" in evidence["names"].detail and "titles set aside: dr" in evidence["names"].detail
    assert "ontario-ipc" in evidence["employer"].detail and "former_commissioner" in evidence["employer"].detail
    assert halton.score > ann.score  # the service's names agree once its forms are set aside; hers by an initial

    # the seed alone has no pair at the default threshold, and blocking compared few of its pairs
    plain = xref(validate([SEED]))
    assert plain.candidates == []
    n = plain.stats.actors
    assert plain.stats.pairs_compared < n * (n - 1) / 2 / 10


def test_kg_xref_prints_json_best_first_and_a_table(tmp_path: Path) -> None:
    project, texts = _project(tmp_path)
    proc = run_kg("--project", str(project), "xref", "--format", "json", env=_env(texts))
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [(r["a"], r["b"]) for r in rows][:2] == [("halton-police", "hrps"), ("a-cavoukian", "ann-cavoukian")]
    assert set(rows[0]) == {"a", "b", "score", "evidence"}
    assert {"feature", "effect", "detail"} <= set(rows[0]["evidence"][0])
    assert "candidate pairs at 0.7 or more" in proc.stderr
    table = run_kg("--project", str(project), "xref", "--format", "markdown", env=_env(texts))
    assert table.returncode == 0 and "| halton-police | hrps |" in table.stdout


def test_blocking_keeps_the_pairs_compared_near_linear(tmp_path: Path) -> None:
    generate(tmp_path / "synth", entities=3000)
    result = xref(validate([tmp_path / "synth"]))
    s = result.stats
    assert s.pairs_compared < s.actors * (s.actors - 1) / 2 / 50  # of 4.5 million
    assert s.pairs_compared <= s.keys * MAX_BLOCK * (MAX_BLOCK - 1) / 2
    assert s.capped_keys > 0  # the synthetic names' common words are skipped
    assert s.candidates < s.actors / 100  # synthetic names differ by their numbers


# --- judgements ---------------------------------------------------------------------------------------

def test_a_judged_pair_is_not_proposed_again_and_a_different_pair_never_merges(tmp_path: Path) -> None:
    project, texts = _project(tmp_path)
    env = _env(texts)
    judged = run_kg("--project", str(project), "xref", "judge", "halton-police", "hrps", "different",
                    "--why", "a test: say they differ", env=env)
    assert judged.returncode == 0, judged.stderr
    [j] = load_judgements(project / "seed").items
    assert (j.a, j.b, j.decision, j.who, j.why) == ("halton-police", "hrps", "different", "test-curator",
                                                    "a test: say they differ")
    proc = run_kg("--project", str(project), "xref", "--format", "json", env=env)
    pairs = [(r["a"], r["b"]) for r in json.loads(proc.stdout)]
    assert ("halton-police", "hrps") not in pairs and ("a-cavoukian", "ann-cavoukian") in pairs
    assert "1 judged pairs left out" in proc.stderr

    before = _files(project / "seed")
    refused = run_kg("--project", str(project), "merge", "halton-police", "hrps", env=env)
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1 and "judged different" in refused.stderr
    assert _files(project / "seed") == before

    # unsure is a decision too; judging a pair again replaces its judgement
    run_kg("--project", str(project), "xref", "judge", "ann-cavoukian", "a-cavoukian", "unsure", "--why", "?",
           env=env)
    run_kg("--project", str(project), "xref", "judge", "hrps", "halton-police", "unsure", "--why", "not sure",
           env=env)
    judgements = load_judgements(project / "seed")
    assert [(j.a, j.decision) for j in judgements.items] == [("hrps", "unsure"), ("ann-cavoukian", "unsure")]
    assert xref(validate([project / "seed"]), judgements).candidates == []


def test_judgements_are_validated_with_file_and_line(tmp_path: Path) -> None:
    project, texts = _project(tmp_path)
    path = project / "seed" / JUDGEMENTS_FILE
    path.write_text("judgements:\n"
                    "  - {a: eps, b: rcmp, decision: different, who: me, why: two forces}\n"
                    "  - {a: eps, b: eps, decision: same, who: me, why: twice}\n"
                    "  - {a: eps, b: rcmp, decision: maybe, who: me, why: hmm}\n"
                    "  - {a: rcmp, b: eps, decision: same, who: me, why: again}\n")
    proc = run_kg("--project", str(project), "validate", env=_env(texts))
    assert proc.returncode == 1
    assert f"{path}:4: judgements.2.decision: Input should be 'same', 'different' or 'unsure'" in proc.stderr
    with pytest.raises(ValidationFailed) as caught:
        load_judgements(project / "seed")
    path.write_text("judgements:\n"
                    "  - {a: eps, b: rcmp, decision: different, who: me, why: two forces}\n"
                    "  - {a: eps, b: eps, decision: same, who: me, why: twice}\n"
                    "  - {a: rcmp, b: eps, decision: same, who: me, why: again}\n")
    with pytest.raises(ValidationFailed) as caught:
        load_judgements(project / "seed")
    assert caught.value.problems == [
        f"{path}:3: a judgement names two different ids, not 'eps' twice",
        f"{path}:4: rcmp and eps are judged again (first at {path}:2); change that judgement instead",
    ]


# --- kg merge -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("keep", "other", "message"), [
    ("halton-police", "no-such-actor", "unknown id 'no-such-actor'"),
    ("halton-police", "halton-police", "cannot merge 'halton-police' into itself"),
    ("halton-police", "st-cavoukian-never-tried", "is a Statement, a fact"),
    ("halton-police", "src-test-twins", "is a source, not an actor"),
    ("halton-police", "ontario-police-services", "linked by PART_OF"),
])
def test_merge_refusals_are_one_line_and_leave_the_seed_untouched(tmp_path: Path, keep: str, other: str,
                                                                  message: str) -> None:
    project, texts = _project(tmp_path)
    before = _files(project / "seed")
    proc = run_kg("--project", str(project), "merge", keep, other, env=_env(texts))
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.count("\n") == 1 and message in proc.stderr and "Traceback" not in proc.stderr
    assert _files(project / "seed") == before


def test_merge_dry_run_prints_the_changes_and_writes_nothing(tmp_path: Path) -> None:
    project, texts = _project(tmp_path)
    before = _files(project / "seed")
    proc = run_kg("--project", str(project), "merge", "halton-police", "hrps", "--dry-run", env=_env(texts))
    assert proc.returncode == 0, proc.stderr
    assert '+    aliases: [Halton police, Halton service, "HRPS", "Halton Regional Police"]' in proc.stdout
    assert "-    from: hrps\n+    from: halton-police" in proc.stdout
    assert "nothing was written" in proc.stderr
    assert _files(project / "seed") == before


def test_merge_into_a_source_declared_actor_takes_the_registry_actors_names(tmp_path: Path) -> None:
    project, texts = _project(tmp_path)
    seed_dir = project / "seed"
    merge(seed_dir, "hrps", "halton-police", who="test", why="the other way round", texts=texts)
    seed = validate([seed_dir], texts=texts)
    assert "halton-police" not in seed.nodes
    hrps = seed.nodes["hrps"]
    assert {"Halton Regional Police Service", "Halton police"} <= set(hrps.props["aliases"])
    assert hrps.props["note"].startswith("The article says only 'Halton police'")  # a property it lacked
    assert "halton-police" not in (seed_dir / "sources" / "cbc-hamilton-2020-02.yaml").read_text()
    assert seed.rels["ryan-anderson--HOLDS_ROLE--hrps"].props["sources"] == ["src-cbc-hamilton-2020-02"]
    access = seed.rels["hrps--HAD_ACCESS--clearview-app"].props
    assert access["sources"] == ["src-cbc-hamilton-2020-02", "src-test-twins"]
    assert "# Registry of actors named in the seed sources" in (seed_dir / "actors" / "actors.yaml").read_text()
    with pytest.raises(KgError, match="unknown id 'halton-police'"):
        merge(seed_dir, "hrps", "halton-police", who="test", why="again")


@pytest.mark.db
def test_merge_then_load_hangs_the_facts_of_other_on_keep_with_their_sources_and_quotes(
        tmp_path: Path, db: Database, server: ServerHandle) -> None:
    from kg.questions.catalogue import get
    from kg.questions.run import run

    def halton_rows() -> list[str]:  # the rows of a named question that name Halton's service, by id
        rows = run(db, get("agencies-using-tool"), {}).rows
        return [r["agency_id"] for r in rows if r["agency_id"] in ("halton-police", "hrps")]

    project, texts = _project(tmp_path)
    seed_dir = project / "seed"
    load(db, validate([seed_dir], texts=texts))
    assert sorted(set(halton_rows())) == ["halton-police", "hrps"]  # one service counted as two
    comments = [line for line in (seed_dir / "actors" / "actors.yaml").read_text().splitlines() if "# " in line]

    env = _env(texts, **{k: v for k, v in server.env().items() if k.startswith("NEO4J_")})
    for keep, other in (("halton-police", "hrps"), ("ann-cavoukian", "a-cavoukian")):
        proc = run_kg("--project", str(project), "merge", keep, other, "--why", f"{other} is {keep}", env=env)
        assert proc.returncode == 0, proc.stderr
        assert "next: kg load --dry-run" in proc.stderr
    assert [line for line in (seed_dir / "actors" / "actors.yaml").read_text().splitlines()
            if "# " in line] == comments  # the registry's comments stay

    preview = run_kg("--project", str(project), "load", "--dry-run", "--format", "json", env=env)
    assert preview.returncode == 0, preview.stderr
    changes = {(r["change"], r["id"]) for r in json.loads(preview.stdout)}
    assert {("removed", "hrps"), ("removed", "a-cavoukian")} <= changes
    loaded = run_kg("--project", str(project), "load", env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert set(halton_rows()) == {"halton-police"}  # after the merge, the question counts it once

    assert db.read("MATCH (n:Entity) WHERE n.id IN ['hrps', 'a-cavoukian'] RETURN n.id AS id") == []
    [halton] = db.read("MATCH (n:PoliceAgency {id: 'halton-police'}) RETURN n.aliases AS aliases")
    assert {"HRPS", "Halton Regional Police"} <= set(halton["aliases"])
    [access] = db.read("MATCH (:Entity {id: 'halton-police'})-[r:HAD_ACCESS]->(:Entity {id: 'clearview-app'}) "
                       "RETURN r.sources AS sources, r.quotes AS quotes")
    assert access["sources"] == ["src-cbc-hamilton-2020-02", "src-test-twins"]
    assert access["quotes"][1] == "its free trial of Clearview AI had ended"
    [said] = db.read("MATCH (p:Person {id: 'ann-cavoukian'})-[:MADE]->(s:Statement {id: 'st-cavoukian-never-tried'}) "
                     "<-[r:REPORTS]-(src:Source) RETURN src.id AS source, r.quote AS quote")
    assert said == {"source": "src-test-twins", "quote": "Police should never have tried it without telling anyone"}
    [role] = db.read("MATCH (:Person {id: 'ann-cavoukian'})-[r:HOLDS_ROLE]->(:Entity {id: 'ontario-ipc'}) "
                     "RETURN r.sources AS sources")
    assert role["sources"] == ["src-ctv-edmonton-2020-02-28", "src-test-twins"]
    assert db.read("MATCH (:Source {id: 'src-test-twins'})-[:MENTIONS]->(n {id: 'halton-police'}) "
                   "RETURN n.id AS id") == [{"id": "halton-police"}]

    judgements = load_judgements(seed_dir)
    [halton_j, ann_j] = judgements.items
    assert (halton_j.a, halton_j.b, halton_j.decision, halton_j.who) == ("halton-police", "hrps", "same",
                                                                         "test-curator")
    assert halton_j.merged is not None and halton_j.merged.name == "HRPS"
    assert halton_j.merged.quotes == {"src-test-twins": "The HRPS said its free trial of Clearview AI had ended"}
    assert ann_j.merged is not None and ann_j.merged.props == {"description": "former privacy commissioner"}
    assert xref(validate([seed_dir]), judgements).candidates == []
    data = YAML(typ="safe").load((seed_dir / JUDGEMENTS_FILE).read_text())
    assert data["judgements"][0]["why"] == "hrps is halton-police"


def test_a_relationship_that_disagrees_keeps_an_id_of_its_own(tmp_path: Path) -> None:
    project, texts = _project(tmp_path)
    twins = project / "seed" / "sources" / "test-twins.yaml"
    twins.write_text(twins.read_text().replace("mode: free_trial", "mode: account"))
    merge(project / "seed", "halton-police", "hrps", who="test", why="a test", texts=texts)
    seed = validate([project / "seed"], texts=texts)
    assert seed.rels["halton-police--HAD_ACCESS--clearview-app"].props["sources"] == ["src-cbc-hamilton-2020-02"]
    own = seed.rels["halton-police-had-access-clearview-app-was-hrps"]
    assert (own.start, own.end, own.props["mode"], own.props["sources"]) == (
        "halton-police", "clearview-app", "account", ["src-test-twins"])


@pytest.mark.parametrize(("words", "kept"), [
    ("its free trial of Clearview AI had ended", 1),  # the same words: said once
    ("The HRPS said its free trial of Clearview AI had ended", 2),  # other words: both kept
])
def test_one_source_reporting_both_relationships(tmp_path: Path, words: str, kept: int) -> None:
    project, texts = _project(tmp_path)
    twins = project / "seed" / "sources" / "test-twins.yaml"
    twins.write_text(twins.read_text() + f"""\
  - {{type: USED, from: halton-police, to: clearview-app, quote: "its free trial of Clearview AI had ended",
     confidence: high}}
  - {{type: USED, from: hrps, to: clearview-app, quote: "{words}", confidence: high}}
mentions: [hrps, halton-police, ctv-news]
""")
    merge(project / "seed", "halton-police", "hrps", who="test", why="a test", texts=texts)
    seed = validate([project / "seed"], texts=texts)
    used = [r for r in seed.rels.values() if r.type == "USED" and r.start == "halton-police"]
    assert len(used) == kept
    assert sorted(q for r in used for q in r.props["quotes"]) == sorted(
        {"its free trial of Clearview AI had ended", words})
    assert "mentions: [halton-police, ctv-news]" in twins.read_text()


def test_a_registry_actor_merged_away_leaves_the_comments_after_it(tmp_path: Path) -> None:
    """The registry's section headings hang, in ruamel.yaml, on the entry before them."""
    project, texts = _project(tmp_path)
    registry = project / "seed" / "actors" / "actors.yaml"
    comments = [line for line in registry.read_text().splitlines() if line.lstrip().startswith("#")]
    assert "  # ---------------------------------------------------------------- organisations" in comments
    merge(project / "seed", "clearview-app", "facial-recognition-technology", who="test", why="a test", texts=texts)
    assert [line for line in registry.read_text().splitlines() if line.lstrip().startswith("#")] == comments
    seed = validate([project / "seed"], texts=texts)
    assert "facial-recognition-technology" not in seed.nodes
    assert "facial recognition software" in seed.nodes["clearview-app"].props["aliases"]
