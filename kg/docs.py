"""Documentation generated from the code, so it cannot drift: `kg docs` writes it, and a test
fails when a committed copy differs from what the code generates now."""

from __future__ import annotations

import ast
import json
import textwrap
import tomllib
from collections.abc import Callable
from pathlib import Path

from kg.browser.guide import guide_html
from kg.browser.style import grass
from kg.config import project_root
from kg.graph.schema import END_GROUPS, VOCABULARY, Prop, Vocabulary
from kg.questions.catalogue import catalogue as questions
from kg.seed.model import json_schema_text
from kg.seed.validate import validate
from kg.seed.validated import Seed


def queries_markdown() -> str:
    lines = [
        "# Named questions",
        "",
        "Generated from the headers of `cypher/*.cypher` by `kg docs`; do not edit by hand.",
        "Run one with `kg query run NAME [-p key=value ...] [--format table|records|json|csv|markdown]",
        "[--columns a,b]`. Entity parameters take an id, a name or an alias (`EPS`, `Edmonton police`).",
        "Every answer row names its sources.",
        "",
        "## Standing at a date",
        "",
        "The questions where time matters take `as_of` (the timeline: `from` and `to`), a date of any",
        "precision: `2019`, `2019-11` or `2019-11-15`. A date names a period, from its first day to its",
        "last. As of a date A, a fact dated D is",
        "",
        "| D as of A | when | example |",
        "| --- | --- | --- |",
        "| `certain` | D ends by the end of A | `2019-10` as of `2019-11`, or of `2019-10` |",
        "| `possible` | D starts by the end of A but may end after it "
        "| `2019-10` as of `2019-10-15`; `2019` as of `2019-11` |",
        "| left out | D starts after A ends | `2019-12` as of `2019-11` |",
        "| left out, counted in a note | the fact has no date | |",
        "",
        "Each row then says `certain` or `possible` in its `as_of` column (without a date asked, that",
        "column is not shown). Between `from` and `to`, a fact is `certain` when its whole period lies",
        "inside, `possible` when it overlaps the bounds. The rule is written once, in `kg/graph/when.py`: in",
        "the question files below it is called like a function, `kg.as_of(date)` and",
        "`kg.between(date)`, and kg writes each call out as plain Cypher when it reads the file, so",
        "`kg query show NAME` prints Cypher that runs as it is in Neo4j Browser (set the date with",
        "`:param as_of => '2019-11'`). No server plugin is needed.",
        "",
        "```bash",
        "kg query run agencies-using-tool -p as_of=2019-11   # Toronto and Halton (October 2019), not Edmonton",
        "```",
        "",
        "## How many rows",
        "",
        "Every question lists at most `limit` rows in its own order (default 100; `connection`: 10",
        "chains; `oversight`: 20 bodies, each a long row with all the body did), so that an answer",
        "stays quick on a large graph (a few round trips' time at 100,000 entities, docs/benchmarks.md).",
        "An answer cut short says so: on the",
        "command line a note on stderr (`showing the first 100 rows; more exist: give -p limit=1000",
        "(or more) to see more`), under the table in Markdown (`kg query run-all --format markdown`",
        "too), and `Results.truncated` is true in Python; JSON and CSV on stdout stay data only. A",
        "limit is a positive whole number (`-p limit=0` is a usage error). kg asks the Cypher for one",
        "row more than the limit, to know whether more exist. As of a date, the limit counts the rows",
        "shown: undated rows are left out after the Cypher, and kg asks again for more rows until the",
        "limit is filled or there are no more (the note then counts the undated rows among those shown).",
        "",
        "```bash",
        "kg query run officials -p limit=5    # the first five, and a note that more exist",
        "```",
        "",
        "## Writing a question",
        "",
        "A question is one file, `cypher/NAME.cypher`: a block comment holding YAML, then the Cypher.",
        "Neo4j Browser ignores the comment, so the file can be pasted there as it is.",
        "",
        "```cypher",
        "/*",
        "name: stop-orders                  # the file's name, without .cypher",
        "title: Stop orders",
        "description: Who ordered (or asked) that use stop, for which agency, and when?",
        "params:                            # every $param the Cypher uses, and only those",
        "  agency: {type: entity, default: null, example: Toronto police, doc: only orders aimed at this agency}",
        "  as_of: {type: date, default: null, example: 2020-02-05, doc: orders given by then}",
        "columns:                           # the result columns that hold ids, and what kind",
        "  ordered_by_id: entity",
        "  for_agency_id: entity",
        "  product: entity",
        "  sources: sources",
        "*/",
        "MATCH ... RETURN who.name AS ordered_by, who.id AS ordered_by_id, ...",
        "```",
        "",
        "- `params`: each parameter's `type` (`str`, `int`, `float`, `bool`, `date`, or `entity`: an id,",
        "  a name or an alias, resolved to the id before the query runs), `default` (without one the",
        "  parameter is required), `example` (used by these docs, the Browser guide and the tests) and",
        "  `doc`. A question that lists rows declares `limit: {type: int, default: 100, ...}` and",
        "  ends its Cypher with `ORDER BY ... LIMIT $limit`; what is costly per row (a `COLLECT`",
        "  over a neighbourhood) comes after the `LIMIT`, so only the rows shown pay for it.",
        "- `columns`: the result columns whose cells are ids, each with its kind: `entity` (one entity",
        "  id), `entities` (a list of them), `fact` (a fact node's id or a relationship's key),",
        "  `source` (one source id) or `sources` (a list of them). The views (`kg viz --query`) draw",
        "  the nodes in these columns, and the ends of each `fact` link, and read no other cell: a",
        "  name or a quote, however much it looks like an id, is text. Next to a column of names,",
        "  return the ids too (`agency` and `agency_id`; `said_by` and `said_by_ids`).",
        "",
        "`kg` refuses a file whose header is not YAML or names an unknown type or kind, and the tests",
        "(`Query.check()`) refuse one that uses an undeclared parameter, declares an unused one,",
        "declares a column its last `RETURN` does not give, or writes. Questions only read: a keyword",
        "guard refuses write clauses and the query runs in a read transaction.",
        "",
        "## The questions",
        "",
        "| name | question | parameters |",
        "| --- | --- | --- |",
    ]
    catalogue = questions()
    for q in catalogue.values():
        params = "<br>".join(
            f"`{p.name}` ({p.type}{'' if p.required else f', default `{json.dumps(p.default)}`'})"
            for p in q.params.values()
        ) or "none"
        lines.append(f"| [`{q.name}`](#{q.name}) | {q.description} | {params} |")
    for q in catalogue.values():
        lines += ["", f"## {q.name}", "", f"**{q.title}.** {q.description}", ""]
        if q.params:
            lines += ["| parameter | type | default | example | meaning |", "| --- | --- | --- | --- | --- |"]
            for p in q.params.values():
                default = "(required)" if p.required else f"`{json.dumps(p.default)}`"
                example = f"`{p.example}`" if p.example is not None else ""
                lines.append(f"| `{p.name}` | {p.type} | {default} | {example} | {p.doc} |")
            lines.append("")
        if q.columns:
            lines += ["Id columns: " + ", ".join(f"`{c}` ({k})" for c, k in q.columns.items()) + ".", ""]
        example = " ".join(f'-p {k}="{v}"' for k, v in q.example_args(optional=True).items())
        lines += ["```bash", f"kg query run {q.name} {example}".rstrip(), "```", "",
                  "```cypher", q.written, "```"]
    return "\n".join(lines) + "\n"


# --- docs/model.md: the tables of labels and relationship types -------------------------------

MODEL_BEGIN = "<!-- generated by `kg docs` from kg/graph/schema.py and seed/: the tables below -->"
MODEL_END = "<!-- end of generated tables -->"


def _ends(labels: tuple[str, ...], groups: dict[str, tuple[str, ...]]) -> str:
    """`PoliceAgency, Unit, Person`, with a whole group of labels written as its name (`actor, Product`)."""
    left = list(labels)
    named: list[str] = []
    for name, members in groups.items():
        if len(members) > 1 and set(members) <= set(left):
            named.append(name)
            left = [x for x in left if x not in members]
    return ", ".join([*named, *left])


def _prop_text(name: str, prop: Prop) -> str:
    if prop.choices:
        return f"`{name}`{f' ({prop.doc})' if prop.doc else ''}: {' / '.join(prop.choices)}"
    if prop.refers_to:
        return f"`{name}` (id of a {' or '.join(prop.refers_to)}{f': {prop.doc}' if prop.doc else ''})"
    return f"`{name}` ({prop.type}{f': {prop.doc}' if prop.doc else ''})"


def _props_text(props: dict[str, Prop], hide: str | None) -> str:
    return "; ".join(_prop_text(k, v) for k, v in props.items() if k != hide) or "—"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def model_tables(vocab: Vocabulary, seed: Seed | None = None) -> str:
    """The node label and relationship type sections of docs/model.md, with what the seed has of each."""
    facts = tuple(k.label for k in vocab.nodes.values() if k.is_fact)
    groups = {"any": tuple(vocab.nodes), **{k: v for k, v in END_GROUPS.items() if k != "any"}, "fact": facts}
    ids: dict[str, list[str]] = {label: [] for label in vocab.node_labels()}
    rels: dict[str, int] = dict.fromkeys([*vocab.rels, *vocab.provenance], 0)
    if seed is not None:
        for node in seed.nodes.values():
            ids[node.label].append(node.id)
        ids[vocab.source.label] = list(seed.sources)
        for rel in seed.rels.values():
            rels[rel.type] += 1
        provenance = {"REPORTS": sum(len(s.node_ids) for s in seed.sources.values()),
                      "MENTIONS": sum(len(s.mentions) for s in seed.sources.values()),
                      "PUBLISHED_BY": len(seed.sources),
                      "AUTHORED_BY": sum(len(s.authors) for s in seed.sources.values())}
        rels.update({k: v for k, v in provenance.items() if k in rels})
    n_actors = sum(len(ids[k]) for k, v in vocab.nodes.items() if not v.is_fact)
    n_facts = sum(len(ids[k]) for k, v in vocab.nodes.items() if v.is_fact)
    smaller = {k: v for k, v in groups.items() if k != "any"}
    group_text = "; ".join(f"*{k}* = {_ends(v, {g: m for g, m in smaller.items() if g != k})}"
                           for k, v in sorted(smaller.items(), key=lambda kv: len(kv[1])))
    node_note = "note" if all("note" in k.props for k in vocab.nodes.values()) else None
    rel_note = "note" if all("note" in k.props for k in vocab.rels.values()) else None
    lines = [
        MODEL_BEGIN,
        "## Node labels",
        "",
        "Every node also has the label `Entity` and the properties `id` (unique) and `name`; `aliases`",
        *textwrap.wrap(
            "(with `aliases_text` for search) where the articles use other names, and `name_key` (the name in lower"
            " case, for looking names up)"
            + ("; `note` (the curator's remark, not the article's) is allowed on every label" if node_note else "")
            + ". Fact nodes (*Fact.*) also carry `sources`, `quotes`, `confidences` (parallel lists, one entry per "
            "citing source), `confidence` and `quotes_text`.", 100),
        f"n = nodes in the current seed ({n_actors + n_facts}: {n_actors} actors, {n_facts} facts).",
        "",
        "| label | what it is | n | example ids | properties |",
        "| --- | --- | --- | --- | --- |",
    ]
    for kind in [*vocab.nodes.values(), vocab.source]:
        examples = ", ".join(f"`{i}`" for i in ids[kind.label][:3])
        lines.append(f"| `{kind.label}` | {_cell(kind.doc)}{' *Fact.*' if kind.is_fact else ''} | "
                     f"{len(ids[kind.label])} | {examples} | {_cell(_props_text(kind.props, node_note))} |")
    lines += [
        "",
        "## Relationship types",
        "",
        *textwrap.wrap(
            f"Ends: {group_text}; *any* = any label except {vocab.source.label}."
            + (" Every type also allows `note`." if rel_note else "")
            + " Every relationship carries `key`, `sources`, `quotes`, `confidences`, `confidence` and "
            "`quotes_text`. A date property `d` is stored as `d`, `d_precision`, `d_as_written`, `d_note`. A "
            "property that names another node holds its id (the loader indexes it). n = relationships in the "
            f"current seed ({sum(rels[k] for k in vocab.rels)}; and the loader's provenance edges, last).", 100),
        "",
        "| type | from → to | meaning | properties | n |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rk in [*vocab.rels.values(), *vocab.provenance.values()]:
        lines.append(f"| `{rk.type}` | {_ends(rk.sources, groups)} → {_ends(rk.targets, groups)} | {_cell(rk.doc)} | "
                     f"{_cell(_props_text(rk.props, rel_note))} | {rels[rk.type]} |")
    lines.append(MODEL_END)
    return "\n".join(lines)


def model_markdown(root: Path | None = None) -> str:
    """docs/model.md with its tables made again from the vocabulary and the project's seed (the prose
    around them is written by hand; a project without the page gets the tables alone)."""
    root = root or project_root()
    page = root / "docs" / "model.md"
    text = page.read_text(encoding="utf-8") if page.is_file() else f"# The graph model\n\n{MODEL_BEGIN}{MODEL_END}\n"
    before, rest = text.split(MODEL_BEGIN, 1)
    _, after = rest.split(MODEL_END, 1)
    seed = validate([root / "seed"]) if (root / "seed").is_dir() else None
    return before + model_tables(VOCABULARY, seed) + after


def seed_schema() -> str:
    return json_schema_text()


def browser_guide() -> str:
    return guide_html()


def browser_style() -> str:
    return grass()


# --- docs/architecture.md: the layers, from pyproject.toml's import contracts ------------------------

ARCH_BEGIN = "<!-- generated by `kg docs` from the import contracts in pyproject.toml and kg/: the layers below -->"
ARCH_END = "<!-- end of generated layers -->"
PACKAGE = Path(__file__).resolve().parent


def _summary(path: Path) -> str:
    """The first sentence of a module's docstring, on one line."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    text = " ".join(doc.split("\n\n")[0].split())
    end = text.find(". ")
    return text if end < 0 else text[:end + 1]


def _member(name: str) -> tuple[str, str, str]:
    """(where, what it owns, its modules) of one member of a layer: a package or a module of kg."""
    folder = PACKAGE / name
    if folder.is_dir():
        modules = ", ".join(p.stem for p in sorted(folder.glob("*.py")) if p.name != "__init__.py")
        return f"`kg/{name}/`", _summary(folder / "__init__.py"), modules
    return f"`kg/{name}.py`", _summary(PACKAGE / f"{name}.py"), ""


def architecture_layers(contracts: list[dict[str, object]]) -> str:
    layered = next(c for c in contracts if c.get("type") == "layers")
    layers = [[m.strip() for m in str(layer).split("|")] for layer in layered["layers"]]  # type: ignore[attr-defined]
    lines = [ARCH_BEGIN, "", "```mermaid", "flowchart TD"]
    for i, members in enumerate(layers):
        lines.append(f'    L{i}["{" · ".join(members)}"]')
    lines += [f"    L{i} --> L{i + 1}" for i in range(len(layers) - 1)]
    lines += ["```", "",
              "Each layer imports only from the layers below it; members of one layer (`·`) do not import",
              "each other. Checked by `lint-imports` (`make lint`), with these contracts:",
              ""]
    lines += [f"- **{c.get('name')}** (`{c.get('type')}`)" for c in contracts]
    lines += ["", "| layer | where | what it owns | modules |", "| --- | --- | --- | --- |"]
    for i, members in enumerate(layers):
        for name in members:
            where, what, modules = _member(name)
            lines.append(f"| {i} | {where} | {_cell(what)} | {modules} |")
    lines += ["", ARCH_END]
    return "\n".join(lines)


def architecture_markdown(root: Path | None = None) -> str | None:
    """docs/architecture.md with its diagram and table made again from the contracts (the prose
    around them is written by hand); None where the project is not kg's own checkout."""
    root = root or project_root()
    pyproject = root / "pyproject.toml"
    config = tomllib.loads(pyproject.read_text(encoding="utf-8")) if pyproject.is_file() else {}
    linter = config.get("tool", {}).get("importlinter", {})
    if linter.get("root_package") != "kg":
        return None
    page = root / "docs" / "architecture.md"
    text = page.read_text(encoding="utf-8") if page.is_file() else f"# Architecture\n\n{ARCH_BEGIN}{ARCH_END}\n"
    before, rest = text.split(ARCH_BEGIN, 1)
    _, after = rest.split(ARCH_END, 1)
    return before + architecture_layers(linter.get("contracts", [])) + after


#: committed file (relative to the project root) -> its generator (None: not made in this project)
GENERATED: dict[str, Callable[[], str | None]] = {
    "docs/queries.md": queries_markdown,
    "docs/seed.schema.json": seed_schema,
    "docs/model.md": model_markdown,
    # Neo4j Browser's guide and style, as docker compose's kg-guide service serves them (kg/browser/guide.py)
    "docs/browser/kg-guide.html": browser_guide,
    "docs/browser/kg.grass": browser_style,
    "docs/architecture.md": architecture_markdown,
}


def write_all(root: Path) -> list[str]:
    """Regenerate every generated document; return those that changed."""
    changed = []
    for rel, make in GENERATED.items():
        path = root / rel
        text = make()
        if text is None:
            continue
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            changed.append(rel)
    return changed
