"""The graph's vocabulary, declared once: node labels (with how each is drawn), relationship
types (with the labels at their ends), their properties (type, meaning, choices, and whether the
value names another node), and the constraints and indexes that back them.

Everything else is derived from here: the pydantic models of seed files (kg/seed/model.py), so
validation and `docs/seed.schema.json`; the tables of `docs/model.md` (kg/docs.py); the palette
of the views and of Neo4j Browser (kg/graph/palette.py); the constraint and index statements below.
It is also the allow-list the loader and the query guards rely on: a label or a relationship type
that is not named here never reaches a Cypher string. Adding a kind of node or link, or a
property, is one entry here and then `kg docs`; adding a new article never touches code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

#: Every node carries this label besides its own, so that ids are unique across kinds and
#: a reference can be resolved without knowing the kind.
BASE_LABEL = "Entity"
#: the one node `kg load` keeps about the last whole-seed load (its digest); not kg data: no base label,
#: left out of exports and statistics
LOAD_LABEL = "KgLoad"
#: properties the loader derives from others for the indexes (full-text search, names in any case):
#: not facts, so `kg diff` does not compare them, views do not show them, and the exports for people's
#: tools (GraphML, GEXF) leave them out; the CSV keeps them, since `kg load --bulk` imports it whole
DERIVED = frozenset({"quotes_text", "aliases_text", "name_key"})

PropType = Literal["str", "int", "float", "bool", "str[]", "date"]


@dataclass(frozen=True)
class Prop:
    type: PropType = "str"
    doc: str = ""
    choices: tuple[str, ...] = ()
    #: For a property whose value is the id of another node: the labels that node may have.
    refers_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Look:
    """How a kind of node is drawn, in the HTML views (kg/views/viz.py) and Neo4j Browser (kg/browser/guide.py)."""

    color: str       # fill, as #rrggbb
    border: str      # outline, as #rrggbb
    shape: str       # a vis-network shape
    caption: str     # the property shown as the node's caption
    size: int = 22   # relative size in the views; the Browser style draws twice this diameter


@dataclass(frozen=True)
class NodeKind:
    label: str
    doc: str
    look: Look
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
#: How docs/model.md abbreviates these groups of end labels.
END_GROUPS = {"any": ANYTHING, "actor": ACTORS, "org": ORG_LIKE}

_note = Prop("str", "free-text remark by the curator (not from the article)")
_named = Prop("bool", "false when the article does not name it: an honest placeholder")
_when = Prop("date", "when: an ISO date with its precision")

NODE_KINDS: dict[str, NodeKind] = {k.label: k for k in [
    NodeKind("PoliceAgency", "A police service or force (or a group of them, `collective: true`).",
             Look("#1f77b4", "#15507f", "dot", "name", 30), {
                 "jurisdiction": Prop("str", "where it polices, e.g. 'Edmonton, Alberta'"),
                 "level": Prop("str", "the level of government it answers to",
                               ("municipal", "regional", "provincial", "federal")),
                 "collective": Prop("bool", "true for a group such as 'Ontario police services'"),
                 "note": _note,
             }),
    NodeKind("Unit", "A unit, branch or division inside an organisation.",
             Look("#7fb3e0", "#4f83b0", "dot", "name", 20), {"note": _note, "named": _named}),
    NodeKind("OversightBody", "A privacy commissioner's office, a ministry, or another body that oversees police.",
             Look("#2ca02c", "#1c6b1c", "diamond", "name", 28), {
                 "jurisdiction": Prop("str", "e.g. 'Ontario', 'Canada (federal)'"),
                 "note": _note,
             }),
    NodeKind("Person", "A person, named or not.", Look("#ff7f0e", "#b35500", "dot", "name", 22), {
        "named": _named, "note": _note, "description": Prop("str", "who they are, in brief"),
    }),
    NodeKind("Vendor", "A company that sells a product.", Look("#d62728", "#8f1a1a", "square", "name", 28),
             {"note": _note}),
    NodeKind("Product", "A product or app, such as a facial recognition tool.",
             Look("#e377c2", "#a14f89", "square", "name", 26), {
                 "category": Prop("str", "e.g. 'facial recognition'"), "note": _note,
                 "description": Prop("str", "what it does, in brief"),
             }),
    NodeKind("Organization", "Any other organisation: social platform, news outlet, programme.",
             Look("#8c564b", "#5e3a32", "triangle", "name", 20), {
                 "kind": Prop("str", "what sort of organisation",
                              ("social_platform", "news_outlet", "programme", "search_engine", "other")),
                 "note": _note,
             }),
    NodeKind("Conference", "A conference or convention; unnamed ones stay unnamed (`named: false`).",
             Look("#bcbd22", "#7e7f16", "star", "name", 24), {
                 "named": _named, "kind": Prop("str", "", ("conference", "convention")),
                 "note": _note,
             }),
    NodeKind("Investigation", "An investigation, review or evaluation.",
             Look("#17becf", "#0f7f8a", "hexagon", "name", 22), {
                 "kind": Prop("str", "", ("investigation", "review", "evaluation")),
                 "subject": Prop("str", "what it is about, in the article's terms"),
                 "status": Prop("str", "as of the source",
                                ("announced", "launched", "underway", "pending", "completed")),
                 "note": _note,
             }, is_fact=True, is_actor=False),
    NodeKind("Statement", "Something an agency or person said publicly, with its date.",
             Look("#c5b0d5", "#8c78a0", "box", "name", 16), {
                 "date": _when,
                 "stance": Prop("str", "what the statement does",
                                ("denial", "admission", "correction", "defence", "criticism", "call", "explanation",
                                 "assurance", "praise", "other")),
                 "medium": Prop("str", "how it was said: 'told media', 'letter', 'email', 'interview', ..."),
                 "summary": Prop("str", "the statement in a few neutral words"),
                 "note": _note,
             }, is_fact=True, is_actor=False),
    NodeKind("Event", "A dated happening: a breach, a letter, a sign-up, an order ...",
             Look("#f7b6d2", "#b9819a", "ellipse", "name", 18), {
                 "date": _when,
                 "kind": Prop("str", "", ("breach", "legal_action", "foi_request", "foi_response", "sign_up",
                                          "discovery", "order", "disclosure", "other")),
                 "note": _note,
             }, is_fact=True, is_actor=False),
    NodeKind("Report", "A media report that is cited but not itself a loaded source.",
             Look("#9edae5", "#6aa3ad", "box", "name", 18), {"date": _when, "note": _note},
             is_fact=True, is_actor=False),
    NodeKind("Figure", "A number reported about something, with its unit and the words used.",
             Look("#dbdb8d", "#a3a35f", "box", "name", 16), {
                 "value": Prop("float", "the number"), "unit": Prop("str", "what is counted"),
                 "qualifier": Prop("str", "estimate, at least, about ...",
                                   ("exact", "estimate", "approximate", "at_least")),
                 "note": _note,
             }, is_fact=True, is_actor=False),
]}

#: The label of loaded source documents; not declared in seed `nodes`, made from a file's `source:`
#: block (kg/seed/model.py's SourceMeta gives its keys; these are what the graph stores).
SOURCE_LABEL = "Source"
SOURCE_KIND = NodeKind(
    SOURCE_LABEL, "A loaded article (made from a file's `source:` block, not declared as a node).",
    Look("#7f7f7f", "#4d4d4d", "box", "title", 22), {
        "title": Prop("str", "the headline, or a description"), "headline": Prop("str", "as printed"),
        "text": Prop("str", "the article's file in the texts folder"), "url": Prop("str", ""),
        "language": Prop("str", ""), "confidence": Prop("str", "how sure the publication date is"),
        "published": Prop("date", "when it was published"),
        "reports": Prop("str[]", "what it reported at the last load"),
        "cites": Prop("str[]", "the relationship keys it cited at the last load"),
    }, is_actor=False)

_start = Prop("date", "from when")
_end = Prop("date", "until when")
_count = Prop("int", "how many officers, accounts or people")
_product = Prop("str", "the product concerned", refers_to=("Product",))

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
            (*AGENCY_LIKE,), ("Product",), {"purpose": Prop("str", ""), "date": _when, "note": _note}),
    RelKind("ATTENDED", "An agency, unit or person attended a conference.", (*AGENCY_LIKE, "Person"), ("Conference",),
            {"date": _when, "officers": _count, "note": _note}),
    RelKind("LEARNED_OF_AT", "An agency learned of a product at a conference (the product is `PRESENTED_AT` there).",
            (*AGENCY_LIKE, "Person"), ("Conference",), {
                "product": Prop("str", "the product learned of", refers_to=("Product",)),
                "date": _when, "note": _note,
            }),
    RelKind("PRESENTED_AT", "A product was presented or marketed at a conference.", ("Product", "Vendor"),
            ("Conference",), {"note": _note}),
    RelKind("MARKETED_TO", "A vendor marketed a product to a kind of customer.", ("Vendor", "Product"),
            (*ORG_LIKE,), {"as": Prop("str", "how it was marketed"), "note": _note}),
    RelKind("CONDUCTS", "A body conducts an investigation or review.", (*ORG_LIKE, "Person"), ("Investigation",),
            {"date": _when, "note": _note}),
    RelKind("INTO", "An investigation is into a subject (an agency, a vendor, a product ...).", ("Investigation",),
            ANYTHING, {"note": _note}),
    RelKind("AWAITS", "An agency waits for an investigation or review before deciding.", (*ORG_LIKE,),
            ("Investigation",), {"note": _note}),
    RelKind("HAS_JURISDICTION_OVER", "An oversight body oversees an agency.", ("OversightBody",), (*ORG_LIKE,),
            {"note": _note}),
    RelKind("ORDERED_STOP", "A person or body ordered, asked or decided that use of a product stop.",
            (*ACTORS,), (*ACTORS,), {
                "kind": Prop("str", "", ("order", "request", "suspension", "directive")),
                "product": _product,
                "date": _when, "note": _note,
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
            (*ORG_LIKE,), {"date": _when, "note": _note}),
    RelKind("PUBLISHED", "An outlet or person published a report.", (*ORG_LIKE, "Person"), ("Report",),
            {"note": _note}),
    RelKind("REPORTED_FIGURE", "A report or statement gave a figure.", ("Report", "Statement"), ("Figure",),
            {"note": _note}),
    RelKind("SCRAPES", "A product collects data from a platform.", ("Product", "Vendor"), ("Organization",),
            {"note": _note}),
    RelKind("CRITICIZED", "A person or body criticised an actor's conduct.", (*ACTORS,), (*ACTORS, "Product"),
            {"date": _when, "note": _note}),
]}

#: Relationships the loader itself makes between a source and what it reports or mentions, and its
#: publisher and authors; seed files never declare them.
PROVENANCE: dict[str, RelKind] = {k.type: k for k in [
    RelKind("REPORTS", "Made by the loader: the source reports this fact.", (SOURCE_LABEL,),
            tuple(k.label for k in NODE_KINDS.values() if k.is_fact), {
                "quote": Prop("str", "the source's words"), "confidence": Prop("str", "", ("high", "medium", "low")),
            }),
    RelKind("MENTIONS", "Made by the loader: every id the source's facts name, its publisher, authors and "
            "`mentions:`.", (SOURCE_LABEL,), ANYTHING),
    RelKind("PUBLISHED_BY", "Made by the loader from `publisher`.", (SOURCE_LABEL,), ("Organization", "Person")),
    RelKind("AUTHORED_BY", "Made by the loader from `authors`.", (SOURCE_LABEL,), ("Person",)),
]}
#: The provenance relationship types: the one list (views, FtM and the loader read it from here).
PROVENANCE_RELS = tuple(PROVENANCE)

Confidence = Literal["high", "medium", "low"]


@dataclass(frozen=True)
class Vocabulary:
    """A whole vocabulary; the models, docs and schema statements are functions of one, so a test can
    build them for a vocabulary with a label or a property more."""

    nodes: dict[str, NodeKind]
    rels: dict[str, RelKind]
    source: NodeKind = SOURCE_KIND
    provenance: dict[str, RelKind] = field(default_factory=lambda: dict(PROVENANCE))

    def node_labels(self) -> list[str]:
        """Every label a node of the graph may have besides `Entity` (Source included), sorted."""
        return sorted([*self.nodes, self.source.label])

    def looks(self) -> dict[str, Look]:
        """The look of each label, in declaration order (Source last)."""
        return {k.label: k.look for k in [*self.nodes.values(), self.source]}

    def ref_props(self) -> dict[tuple[str, str], tuple[str, ...]]:
        """(label or type, property) -> the labels its value may name, for properties naming a node."""
        kinds: list[NodeKind | RelKind] = [*self.nodes.values(), *self.rels.values()]
        return {(k.label if isinstance(k, NodeKind) else k.type, name): p.refers_to
                for k in kinds for name, p in k.props.items() if p.refers_to}

    def fulltext_indexes(self) -> dict[str, tuple[str, list[str], list[str]]]:
        """name -> (NODE or RELATIONSHIP, the labels or types, the properties) of each full-text index."""
        return {
            "kg_search": ("NODE", self.node_labels(), ["name", "aliases_text", "quotes_text", "summary"]),
            "kg_search_facts": ("RELATIONSHIP", sorted(self.rels), ["quotes_text"]),
        }


VOCABULARY = Vocabulary(NODE_KINDS, REL_KINDS)


def name_key(text: str) -> str:
    """A name or an alias as a text is compared with it: without surrounding spaces, in lower case.
    Every node and source stores its name so (`name_key`, range-indexed), written by the loader."""
    return text.strip().lower()


def node_labels() -> list[str]:
    return VOCABULARY.node_labels()


def fulltext_statement(name: str, entity: str, labels: list[str], props: list[str]) -> str:
    """The statement that creates a full-text index (names come from the vocabulary only)."""
    var = "n" if entity == "NODE" else "r"
    pattern = f"(n:{'|'.join(labels)})" if entity == "NODE" else f"()-[r:{'|'.join(labels)}]-()"
    return (f"CREATE FULLTEXT INDEX {name} IF NOT EXISTS FOR {pattern} "
            f"ON EACH [{', '.join(f'{var}.{p}' for p in props)}]")


def constraint_statements(vocab: Vocabulary = VOCABULARY) -> list[str]:
    """Idempotent schema statements, named predictably (`kg_<what>`)."""
    stmts = [
        f"CREATE CONSTRAINT kg_entity_id IF NOT EXISTS FOR (n:{BASE_LABEL}) REQUIRE n.id IS UNIQUE",
    ]
    for rel in sorted(vocab.rels):
        stmts.append(
            f"CREATE CONSTRAINT kg_rel_{rel.lower()}_key IF NOT EXISTS "
            f"FOR ()-[r:{rel}]-() REQUIRE r.key IS UNIQUE"
        )
    for label in vocab.node_labels():
        stmts.append(f"CREATE INDEX kg_{label.lower()}_name IF NOT EXISTS FOR (n:{label}) ON (n.name)")
    # a text names a node by its name in any case (kg/questions/entities.py)
    stmts.append(f"CREATE INDEX kg_entity_name_key IF NOT EXISTS FOR (n:{BASE_LABEL}) ON (n.name_key)")
    for (owner, prop), _ in sorted(vocab.ref_props().items()):  # properties naming a node are looked up by value
        if owner in vocab.rels:
            stmts.append(f"CREATE INDEX kg_rel_{owner.lower()}_{prop} IF NOT EXISTS "
                         f"FOR ()-[r:{owner}]-() ON (r.{prop})")
        else:
            stmts.append(f"CREATE INDEX kg_{owner.lower()}_{prop} IF NOT EXISTS FOR (n:{owner}) ON (n.{prop})")
    for name, (entity, labels, props) in vocab.fulltext_indexes().items():
        stmts.append(fulltext_statement(name, entity, labels, props))
    return stmts
