"""The graph's vocabulary: node labels, relationship types, their properties, and the
constraints and indexes that back them.

This module is the allow-list the loader and the query guards rely on: a label or a
relationship type that is not named here never reaches a Cypher string. Adding a kind of
node or link to the model means adding one entry here (and documenting it in
docs/model.md); adding a new article never does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

#: Every node carries this label besides its own, so that ids are unique across kinds and
#: a reference can be resolved without knowing the kind.
BASE_LABEL = "Entity"

PropType = Literal["str", "int", "float", "bool", "str[]", "date"]


@dataclass(frozen=True)
class Prop:
    type: PropType = "str"
    doc: str = ""
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class NodeKind:
    label: str
    doc: str
    props: dict[str, Prop] = field(default_factory=dict)
    #: Facts (statements, events, ...) must cite a source; actors need not.
    is_fact: bool = False
    #: Whether a registry (actors) file may declare it.
    is_actor: bool = True


@dataclass(frozen=True)
class RelKind:
    type: str
    doc: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    props: dict[str, Prop] = field(default_factory=dict)


AGENCY_LIKE = ("PoliceAgency", "Unit")
ORG_LIKE = ("PoliceAgency", "Unit", "OversightBody", "Vendor", "Organization")
ACTORS = (*ORG_LIKE, "Person")
ANYTHING = (
    "PoliceAgency", "Unit", "OversightBody", "Person", "Vendor", "Product", "Organization",
    "Conference", "Investigation", "Statement", "Event", "Report", "Figure",
)

_note = Prop("str", "free-text remark by the curator (not from the article)")
_named = Prop("bool", "false when the article does not name it (an honest placeholder)")

NODE_KINDS: dict[str, NodeKind] = {k.label: k for k in [
    NodeKind("PoliceAgency", "A police service or force (or a group of them, `collective: true`).", {
        "jurisdiction": Prop("str", "where it polices, e.g. 'Edmonton, Alberta'"),
        "level": Prop("str", "municipal, regional, provincial or federal",
                      ("municipal", "regional", "provincial", "federal")),
        "collective": Prop("bool", "true for a group such as 'Ontario police services'"),
        "note": _note,
    }),
    NodeKind("Unit", "A unit, branch or division inside an organisation.", {"note": _note, "named": _named}),
    NodeKind("OversightBody", "A privacy commissioner's office, a ministry, or another body that oversees police.", {
        "jurisdiction": Prop("str", "e.g. 'Ontario', 'Canada (federal)'"),
        "note": _note,
    }),
    NodeKind("Person", "A person, named or not.", {"named": _named, "note": _note,
                                                    "description": Prop("str", "who they are, in brief")}),
    NodeKind("Vendor", "A company that sells a product.", {"note": _note}),
    NodeKind("Product", "A product or app, such as a facial recognition tool.", {
        "category": Prop("str", "e.g. 'facial recognition'"), "note": _note,
        "description": Prop("str", "what it does, in brief"),
    }),
    NodeKind("Organization", "Any other organisation: social platform, news outlet, programme.", {
        "kind": Prop("str", "what sort of organisation",
                     ("social_platform", "news_outlet", "programme", "search_engine", "other")),
        "note": _note,
    }),
    NodeKind("Conference", "A conference or convention; unnamed ones stay unnamed (`named: false`).", {
        "named": _named, "kind": Prop("str", "conference or convention", ("conference", "convention")),
        "note": _note,
    }),
    NodeKind("Investigation", "An investigation, review or evaluation.", {
        "kind": Prop("str", "", ("investigation", "review", "evaluation")),
        "subject": Prop("str", "what it is about, in the article's terms"),
        "status": Prop("str", "as of the source", ("announced", "launched", "underway", "pending", "completed")),
        "note": _note,
    }, is_fact=True, is_actor=False),
    NodeKind("Statement", "Something an agency or person said publicly, with its date.", {
        "stance": Prop("str", "what the statement does",
                       ("denial", "admission", "correction", "defence", "criticism", "call", "explanation",
                        "assurance", "praise", "other")),
        "medium": Prop("str", "how it was said: 'told media', 'letter', 'email', 'interview', ..."),
        "summary": Prop("str", "the statement in a few neutral words"),
        "note": _note,
    }, is_fact=True, is_actor=False),
    NodeKind("Event", "A dated happening: a breach, a letter, a sign-up, an order ...", {
        "kind": Prop("str", "", ("breach", "legal_action", "foi_request", "foi_response", "sign_up",
                                 "discovery", "order", "disclosure", "other")),
        "note": _note,
    }, is_fact=True, is_actor=False),
    NodeKind("Report", "A media report that is cited but not itself a loaded source.", {
        "note": _note,
    }, is_fact=True, is_actor=False),
    NodeKind("Figure", "A number reported about something, with its unit and the words used.", {
        "value": Prop("float", "the number"), "unit": Prop("str", "what is counted"),
        "qualifier": Prop("str", "estimate, at least, about ...", ("exact", "estimate", "approximate", "at_least")),
        "note": _note,
    }, is_fact=True, is_actor=False),
]}

#: The label of loaded source documents; not declared in seed `nodes`, made from `source:`.
SOURCE_LABEL = "Source"

_date = Prop("date", "when (ISO date with its precision)")
_start = Prop("date", "from when")
_end = Prop("date", "until when")
_count = Prop("int", "how many officers, accounts or people")

REL_KINDS: dict[str, RelKind] = {k.type: k for k in [
    RelKind("HOLDS_ROLE", "A person holds a role in an organisation.", ("Person",), (*ORG_LIKE,), {
        "title": Prop("str", "the title as written: 'Supt.', 'Deputy Chief', 'Const.'"),
        "role": Prop("str", "normalised role", ("chief", "deputy_chief", "superintendent", "constable",
                                               "spokesperson", "commissioner", "former_commissioner",
                                               "reporter", "official", "officer", "former_officer",
                                               "criminologist", "other")),
        "start": _start, "end": _end, "note": _note,
    }),
    RelKind("PART_OF", "A unit belongs to an organisation; an agency to a collective.", (*ORG_LIKE,), (*ORG_LIKE,),
            {"note": _note}),
    RelKind("MAKES", "A vendor makes or sells a product.", ("Vendor",), ("Product",), {"note": _note}),
    RelKind("HAD_ACCESS", "An agency, unit or person had access to a product (accounts, log-ins, trial).",
            (*AGENCY_LIKE, "Person"), ("Product",), {
                "mode": Prop("str", "how", ("trial", "free_trial", "account", "evaluation")),
                "officers": _count, "start": _start, "end": _end,
                "how": Prop("str", "how access was obtained, in brief"),
                "approved": Prop("bool", "approved by the organisation"),
                "stopped": Prop("bool", "access or use has been stopped or suspended"),
                "note": _note,
            }),
    RelKind("USED", "An agency, unit or person used a product, and how.", (*AGENCY_LIKE, "Person"), ("Product",), {
        "mode": Prop("str", "how it was used", ("trial", "evaluation", "research", "test", "operational")),
        "purpose": Prop("str", "what for, in the article's terms"),
        "officers": _count, "start": _start, "end": _end,
        "approved": Prop("bool", "approved by the organisation"),
        "stopped": Prop("bool", "use has been stopped or suspended"),
        "note": _note,
    }),
    RelKind("PLANNED_USE", "An agency planned or explored using a kind of technology or product.",
            (*AGENCY_LIKE,), ("Product",), {"purpose": Prop("str", ""), "date": _date, "note": _note}),
    RelKind("ATTENDED", "An agency, unit or person attended a conference.", (*AGENCY_LIKE, "Person"), ("Conference",),
            {"date": _date, "officers": _count, "note": _note}),
    RelKind("LEARNED_OF_AT", "An agency learned of a product at a conference (the product is `PRESENTED` there).",
            (*AGENCY_LIKE, "Person"), ("Conference",), {"product": Prop("str", "id of the product learned of"),
                                                        "date": _date, "note": _note}),
    RelKind("PRESENTED_AT", "A product was presented or marketed at a conference.", ("Product", "Vendor"),
            ("Conference",), {"note": _note}),
    RelKind("MARKETED_TO", "A vendor marketed a product to a kind of customer.", ("Vendor", "Product"),
            (*ORG_LIKE,), {"as": Prop("str", "how it was marketed"), "note": _note}),
    RelKind("CONDUCTS", "A body conducts an investigation or review.", (*ORG_LIKE, "Person"), ("Investigation",),
            {"date": _date, "note": _note}),
    RelKind("INTO", "An investigation is into a subject (an agency, a vendor, a product ...).", ("Investigation",),
            ANYTHING, {"note": _note}),
    RelKind("AWAITS", "An agency waits for an investigation or review before deciding.", (*ORG_LIKE,),
            ("Investigation",), {"note": _note}),
    RelKind("HAS_JURISDICTION_OVER", "An oversight body oversees an agency.", ("OversightBody",), (*ORG_LIKE,),
            {"note": _note}),
    RelKind("ORDERED_STOP", "A person or body ordered, asked or decided that use of a product stop.",
            (*ACTORS,), (*ACTORS,), {
                "kind": Prop("str", "", ("order", "request", "suspension", "directive")),
                "product": Prop("str", "id of the product concerned"),
                "date": _date, "note": _note,
            }),
    RelKind("MADE", "A person or organisation made a statement.", (*ACTORS,), ("Statement",), {"note": _note}),
    RelKind("ON_BEHALF_OF", "A statement was made for an organisation.", ("Statement",), (*ORG_LIKE,), {"note": _note}),
    RelKind("ABOUT", "A statement, event, report or figure is about something.",
            ("Statement", "Event", "Report", "Figure", "Investigation"), ANYTHING, {"note": _note}),
    RelKind("CORRECTS", "A later statement corrects or reverses an earlier one.", ("Statement",), ("Statement",),
            {"note": _note}),
    RelKind("CONTRADICTS", "A statement contradicts another (without being a correction by the same speaker).",
            ("Statement",), ("Statement",), {"note": _note}),
    RelKind("PARTICIPATED_IN", "An actor took part in an event, with a role.", (*ACTORS, "Product"), ("Event",),
            {"role": Prop("str", "sender, recipient, target, affected, actor, ..."), "note": _note}),
    RelKind("SENT_CEASE_AND_DESIST", "An organisation sent a cease-and-desist letter to another.", (*ORG_LIKE,),
            (*ORG_LIKE,), {"date": _date, "note": _note}),
    RelKind("PUBLISHED", "An outlet or person published a report.", (*ORG_LIKE, "Person"), ("Report",),
            {"note": _note}),
    RelKind("REPORTED_FIGURE", "A report or statement gave a figure.", ("Report", "Statement"), ("Figure",),
            {"note": _note}),
    RelKind("SCRAPES", "A product collects data from a platform.", ("Product", "Vendor"), ("Organization",),
            {"note": _note}),
    RelKind("CRITICIZED", "A person or body criticised an actor's conduct.", (*ACTORS,), (*ACTORS, "Product"),
            {"date": _date, "note": _note}),
]}

#: Relationships the loader itself makes between a source and what it reports or mentions, and its
#: publisher and authors: the one list (views, FtM and the loader read it from here).
PROVENANCE_RELS = ("REPORTS", "MENTIONS", "PUBLISHED_BY", "AUTHORED_BY")

Confidence = Literal["high", "medium", "low"]


def node_labels() -> list[str]:
    return sorted([*NODE_KINDS, SOURCE_LABEL])


def rel_types() -> list[str]:
    return sorted([*REL_KINDS, *PROVENANCE_RELS])


def constraint_statements() -> list[str]:
    """Idempotent schema statements, named predictably (`kg_<what>`)."""
    stmts = [
        f"CREATE CONSTRAINT kg_entity_id IF NOT EXISTS FOR (n:{BASE_LABEL}) REQUIRE n.id IS UNIQUE",
    ]
    for rel in sorted(REL_KINDS):
        stmts.append(
            f"CREATE CONSTRAINT kg_rel_{rel.lower()}_key IF NOT EXISTS "
            f"FOR ()-[r:{rel}]-() REQUIRE r.key IS UNIQUE"
        )
    for label in node_labels():
        stmts.append(f"CREATE INDEX kg_{label.lower()}_name IF NOT EXISTS FOR (n:{label}) ON (n.name)")
    for rel in sorted(REL_KINDS):  # properties that name another node are looked up by value
        if "product" in REL_KINDS[rel].props:
            stmts.append(f"CREATE INDEX kg_rel_{rel.lower()}_product IF NOT EXISTS FOR ()-[r:{rel}]-() ON (r.product)")
    stmts.append(
        f"CREATE FULLTEXT INDEX kg_search IF NOT EXISTS FOR (n:{'|'.join(node_labels())}) "
        "ON EACH [n.name, n.aliases_text, n.quotes_text, n.summary]"
    )
    stmts.append(
        f"CREATE FULLTEXT INDEX kg_search_facts IF NOT EXISTS FOR ()-[r:{'|'.join(sorted(REL_KINDS))}]-() "
        "ON EACH [r.quotes_text]"
    )
    return stmts


def describe() -> dict[str, Any]:
    """The vocabulary as plain data, for docs and the JSON Schema."""
    return {
        "labels": {k: {"doc": v.doc, "props": {p: vars(s) for p, s in v.props.items()}}
                   for k, v in NODE_KINDS.items()},
        "relationships": {k: {"doc": v.doc, "from": v.sources, "to": v.targets,
                              "props": {p: vars(s) for p, s in v.props.items()}}
                          for k, v in REL_KINDS.items()},
    }
