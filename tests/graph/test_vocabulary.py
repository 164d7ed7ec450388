"""One source of truth for the vocabulary: kg/graph/schema.py declares each label (with its look), each
relationship type, each property (type, choices, the labels a reference may name); the seed models,
the JSON Schema, docs/model.md's tables, the palette and the schema statements all follow from it."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kg.docs import model_tables
from kg.errors import ValidationFailed
from kg.graph.db import Database
from kg.graph.palette import PALETTE
from kg.graph.schema import (
    NODE_KINDS,
    REL_KINDS,
    VOCABULARY,
    Look,
    NodeKind,
    Prop,
    Vocabulary,
    constraint_statements,
    node_labels,
)
from kg.seed.curate import schema_line
from kg.seed.loader import ensure_schema
from kg.seed.model import build_models, default_models
from kg.seed.reader import read
from kg.seed.validate import validate
from tests.conftest import ROOT

SCHEMA = ROOT / "docs" / "seed.schema.json"
SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")
#: the shapes vis-network draws with a label beside or inside them
VIS_SHAPES = {"dot", "diamond", "square", "triangle", "triangleDown", "star", "hexagon", "box", "ellipse",
              "circle", "database", "text"}


# --- a vocabulary with one label and one reference property more ------------------------------------

def _extended() -> Vocabulary:
    court = NodeKind("Court", "A court that rules on police conduct.", Look("#444444", "#222222", "hexagon", "name"),
                     {"jurisdiction": Prop("str", "where it sits"),
                      "tier": Prop("str", "", ("provincial", "superior", "appeal", "supreme"))})
    stop = REL_KINDS["ORDERED_STOP"]
    rels = {**REL_KINDS, "ORDERED_STOP": replace(stop, props={
        **stop.props, "court": Prop("str", "the court whose ruling it follows", refers_to=("Court",))})}
    return Vocabulary({**NODE_KINDS, "Court": court}, rels)


REGISTRY = """\
actors:
  - {id: eps, label: PoliceAgency, name: Edmonton Police Service}
  - {id: clearview-app, label: Product, name: Clearview AI}
  - {id: ctv-news, label: Organization, name: CTV News}
  - {id: ab-court, label: Court, name: Court of King's Bench of Alberta, tier: superior, jurisdiction: Alberta}
"""

SOURCE = """\
source: {id: src-test, title: A test article, publisher: ctv-news, published: "2020-03"}
relations:
  - {type: ORDERED_STOP, from: eps, to: eps, product: clearview-app, court: COURT, kind: directive,
     quote: "told its officers to stop", confidence: high}
"""


def _write(folder: Path, court: str = "ab-court", registry: str = REGISTRY) -> Path:
    (folder / "actors.yaml").write_text(registry, encoding="utf-8")
    (folder / "source.yaml").write_text(SOURCE.replace("COURT", court), encoding="utf-8")
    return folder


def _problems(paths: list[Path], **kwargs: Any) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        validate(paths, **kwargs)
    return caught.value.problems


def test_a_label_and_a_reference_property_more_reach_validation(tmp_path: Path) -> None:
    models = build_models(_extended())
    seed = validate([_write(tmp_path)], models=models)
    assert seed.nodes["ab-court"].label == "Court"
    assert seed.nodes["ab-court"].props["tier"] == "superior"
    (rel,) = seed.rels.values()
    assert (rel.type, rel.props["court"], rel.props["product"]) == ("ORDERED_STOP", "ab-court", "clearview-app")

    # the new reference is checked like `product`: it must name a Court
    wrong = _problems([_write(tmp_path, court="clearview-app")], models=models)
    assert wrong == [f"{tmp_path / 'source.yaml'}:3: 'clearview-app' is a Product; expected Court here"]
    # the new label has exactly its own properties, typed
    bad = REGISTRY.replace("tier: superior", "tier: county, level: federal")
    problems = _problems([_write(tmp_path, registry=bad)], models=models)
    registry = tmp_path / "actors.yaml"
    assert f"{registry}:5: tier 'county' is not one of: provincial, superior, appeal, supreme" in problems
    assert f"{registry}:5: unknown property 'level' for Court (allowed: jurisdiction, tier)" in problems

    # kg's own vocabulary refuses both: the label is not one, and ORDERED_STOP has no `court`
    problems = _problems([_write(tmp_path)])
    assert any(p.startswith(f"{registry}:5: actors[3].label: Input should be 'PoliceAgency'") and "Court" not in p
               for p in problems), problems


def test_a_label_and_a_reference_property_more_reach_the_json_schema_docs_palette_and_indexes() -> None:
    vocab = _extended()
    schema = build_models(vocab).json_schema()
    court = schema["$defs"]["Court"]
    assert set(court["properties"]) >= {"id", "label", "name", "jurisdiction", "tier"}
    assert court["additionalProperties"] is False
    assert {"enum": ["provincial", "superior", "appeal", "supreme"], "type": "string"} in court["properties"]["tier"][
        "anyOf"]
    ref = schema["$defs"]["ORDERED_STOP"]["properties"]["court"]
    assert any(alt.get("pattern") for alt in ref["anyOf"]) and "Court" in ref["description"]
    assert "court" not in default_models().json_schema()["$defs"]["ORDERED_STOP"]["properties"]

    tables = model_tables(vocab)
    assert re.search(r"^\| `Court` \| A court that rules on police conduct\. \| 0 \|", tables, re.M)
    assert "`court` (id of a Court: the court whose ruling it follows)" in tables
    assert "`tier`: provincial / superior / appeal / supreme" in tables

    assert vocab.looks()["Court"].shape == "hexagon"
    statements = constraint_statements(vocab)
    assert "CREATE INDEX kg_court_name IF NOT EXISTS FOR (n:Court) ON (n.name)" in statements
    assert ("CREATE INDEX kg_rel_ordered_stop_court IF NOT EXISTS FOR ()-[r:ORDERED_STOP]-() ON (r.court)"
            in statements)
    (search,) = [s for s in statements if "kg_search " in s]
    assert "|Court|" in search and "Court" not in " ".join(constraint_statements())


# --- the vocabulary itself ---------------------------------------------------------------------------

def test_every_label_has_a_look() -> None:
    assert list(PALETTE) == [*NODE_KINDS, "Source"]
    assert set(PALETTE) == set(node_labels())
    for label, look in PALETTE.items():
        assert re.fullmatch(r"#[0-9a-f]{6}", look.color) and re.fullmatch(r"#[0-9a-f]{6}", look.border), label
        assert look.shape in VIS_SHAPES, label
        assert look.caption in ("name", "title") and look.size > 0, label


def test_references_are_declared_once_and_name_real_labels() -> None:
    refs = VOCABULARY.ref_props()
    assert refs == {("LEARNED_OF_AT", "product"): ("Product",), ("ORDERED_STOP", "product"): ("Product",)}
    for labels in refs.values():
        assert set(labels) <= set(NODE_KINDS)
    for kind in REL_KINDS.values():
        assert set(kind.sources) | set(kind.targets) <= set(NODE_KINDS), kind.type


def test_each_declaration_has_its_own_properties_in_the_models() -> None:
    models = default_models()
    assert set(models.nodes) == set(NODE_KINDS) and set(models.relations) == set(REL_KINDS)
    for label, model in models.nodes.items():
        assert set(model.prop_fields) == set(NODE_KINDS[label].props)
    for rel_type, rel_model in models.relations.items():
        assert set(rel_model.prop_fields) == set(REL_KINDS[rel_type].props)
        assert set(models.links[rel_type].prop_fields) == set(REL_KINDS[rel_type].props)
    # `as` is a Python keyword: kept as `as` in the file and the schema
    assert models.relations["MARKETED_TO"].prop_fields == {"as": "as_", "note": "note"}


# --- the full-text indexes of an existing database ------------------------------------------------------

def _fulltext(db: Database) -> list[dict[str, Any]]:
    return db.read("SHOW FULLTEXT INDEXES YIELD id, name, entityType, labelsOrTypes, properties "
                   "WHERE name STARTS WITH 'kg_' RETURN id, name, entityType, labelsOrTypes, properties ORDER BY name")


@pytest.mark.db
def test_ensure_schema_brings_an_old_full_text_index_up_to_the_vocabulary(db: Database) -> None:
    ensure_schema(db)
    db.run_auto("DROP INDEX kg_search IF EXISTS")
    db.run_auto("CREATE FULLTEXT INDEX kg_search FOR (n:PoliceAgency|Person) ON EACH [n.name]")  # an older kg's
    db.run_auto("CALL db.awaitIndexes(300)")
    assert ensure_schema(db) == ["kg_search"]
    first = _fulltext(db)
    by_name = {row["name"]: row for row in first}
    assert sorted(by_name["kg_search"]["labelsOrTypes"]) == node_labels()
    assert by_name["kg_search"]["properties"] == ["name", "aliases_text", "quotes_text", "summary"]
    assert sorted(by_name["kg_search_facts"]["labelsOrTypes"]) == sorted(REL_KINDS)
    assert ensure_schema(db) == []  # equal: nothing is dropped or made again
    assert _fulltext(db) == first


# --- seed files name their JSON Schema, and pass it -------------------------------------------------

SEED_FILES = sorted((ROOT / "seed").rglob("*.yaml"))


@pytest.mark.parametrize("path", SEED_FILES, ids=[p.name for p in SEED_FILES])
def test_every_seed_file_names_the_json_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = SCHEMA_LINE.match(first)
    assert match, f"{path}: the first line should be `# yaml-language-server: $schema=<path>`"
    assert (path.parent / match.group(1)).resolve() == SCHEMA.resolve()
    assert first == schema_line(path, ROOT)


def test_a_scaffold_names_the_json_schema_relative_to_where_it_is_written(tmp_path: Path) -> None:
    assert schema_line(tmp_path / "seed" / "sources" / "x.yaml", tmp_path) == (
        "# yaml-language-server: $schema=../../docs/seed.schema.json")
    assert schema_line(tmp_path / "data" / "seed" / "sources" / "x.yaml", tmp_path) == (
        "# yaml-language-server: $schema=../../../docs/seed.schema.json")


@functools.cache
def _json_validator() -> Any:
    """docs/seed.schema.json, checked against its meta-schema and compiled once."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", SEED_FILES, ids=[p.name for p in SEED_FILES])
def test_the_seed_passes_the_json_schema(path: Path) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in _json_validator().iter_errors(read(path).data)]
    assert errors == []


@pytest.mark.parametrize("case", ["unknown-property.yaml", "bad-choice.yaml", "wrong-type-officers.yaml",
                                  "unknown-label.yaml", "injection-property-key.yaml"])
def test_a_wrong_property_fails_the_json_schema(case: str) -> None:
    data = read(ROOT / "tests" / "bad_seeds" / case).data
    assert not _json_validator().is_valid(data)
    good = read(ROOT / "tests" / "bad_seeds" / "_base" / "actors.yaml").data
    assert _json_validator().is_valid(good)


def test_model_md_names_no_path_of_a_machine() -> None:
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    assert not re.search(r"(?<![\w.])/(work|home|Users|tmp)/", text)
