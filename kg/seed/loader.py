"""Write a validated `Seed` into Neo4j: constraints first, then the removal of facts a reloaded
source no longer reports, then `UNWIND ... MERGE` statements keyed on stable ids.

Labels and relationship types come from kg/graph/schema.py only (they are checked by validation and
looked up again here); every value is a query parameter.

Provenance in the graph:
- every relationship carries `sources`, `quotes`, `confidences` (parallel lists) and `confidence`;
- every fact node carries the same lists, and each source has `(:Source)-[:REPORTS {quote}]->(fact)`;
- each source has `MENTIONS` to every id its facts name, `PUBLISHED_BY` its publisher and
  `AUTHORED_BY` its authors;
- a Source remembers what it reported (`reports`, `cites`) so that loading an edited file again
  removes what the file no longer says.

Two shortcuts, both giving the graph the general path gives:
- into a database that holds no kg node, nodes and relationships are `CREATE`d (nothing to merge
  with, no stale fact to look for); two loads racing into an empty database: the one that loses
  the unique-id race falls back to the general path;
- a whole-seed load remembers a digest of what it wrote, with the graph's node and relationship
  counts, on one `(:KgLoad)` node; loading the same seed again into that graph writes nothing.
  A hand edit that keeps the counts (a property changed in the Browser) is not seen: `--force`.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import os
import random
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import neo4j

from kg.graph.db import Database
from kg.graph.schema import (
    BASE_LABEL,
    LOAD_LABEL,
    NODE_KINDS,
    PROVENANCE_RELS,
    REL_KINDS,
    SOURCE_LABEL,
    VOCABULARY,
    Vocabulary,
    constraint_statements,
)
from kg.seed.validated import NodeRec, RelRec, Seed, SourceRec, cited, stored

T = TypeVar("T")
DEFAULT_BATCH = 2000
#: rows per statement when creating into an empty database (CREATE is cheap per row: fewer round trips)
CREATE_BATCH = 10_000
#: rows a load writes in one transaction (all or nothing); a larger seed commits in batches
ATOMIC_ROWS = 50_000
#: Source rows per batch: a source's row lists everything it reports (500 facts each at 100k
#: entities, 1,000 sources in one batch were ~140 MB of the load's peak memory)
SOURCE_BATCH = 50
#: changes when what the loader writes for the same seed changes: a stored digest then no longer matches
DIGEST_FORMAT = "kg-load/2"
LOAD_ID = "kg-load"
#: transactions a large load into an empty database keeps in flight (see `Writer`); at 100k entities
#: on two cores, 2 took 55 s of writing against 75 s for 1, and 3 or 4 no less than 2
WRITERS = 2
#: the first pause before a batch that failed with a transient error is tried again (doubled each time,
#: as the driver's `execute_write` does)
RETRY_FIRST_DELAY = 1.0
KIND_LABELS = ":".join(sorted(NODE_KINDS))


@dataclass
class LoadReport:
    files: int = 0
    sources: int = 0
    nodes: int = 0
    relationships: int = 0
    counters: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    stale_relationships: int = 0
    stale_nodes: int = 0
    absent_nodes: int = 0
    absent_relationships: int = 0
    seconds: float = 0.0
    #: the graph already held this very seed (same digest and counts): nothing was written
    unchanged: bool = False

    def summary(self) -> str:
        c = self.counters
        if self.unchanged:
            return (f"nothing changed since the last load: {self.files} files, {self.sources} sources, "
                    f"{self.nodes} nodes, {self.relationships} relationships checked in {self.seconds:.1f}s; "
                    "created 0 nodes and 0 relationships: wrote nothing (kg load --force writes them again)")
        return (f"loaded {self.files} files: {self.sources} sources, {self.nodes} nodes, {self.relationships} "
                f"relationships in {self.seconds:.1f}s; created {c['nodes_created']} nodes and "
                f"{c['relationships_created']} relationships, set {c['properties_set']} properties; removed "
                f"{self.stale_relationships} relationships and {self.stale_nodes} nodes their sources no "
                "longer report" + (f", and {self.absent_nodes} nodes and {self.absent_relationships} relationships "
                                   "no seed file declares any more" if self.absent_nodes or self.absent_relationships
                                   else ""))


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def stale_fulltext_indexes(db: Database, vocab: Vocabulary = VOCABULARY) -> list[str]:
    """kg's full-text indexes whose labels, types or properties are not the vocabulary's any more
    (the database was made by an older kg); `IF NOT EXISTS` alone would keep them as they were."""
    wanted = vocab.fulltext_indexes()
    rows = db.read("SHOW FULLTEXT INDEXES YIELD name, entityType, labelsOrTypes, properties "
                   "WHERE name IN $names RETURN name, entityType, labelsOrTypes, properties", {"names": list(wanted)})
    return sorted(row["name"] for row in rows
                  if (row["entityType"], sorted(row["labelsOrTypes"]), list(row["properties"]))
                  != (wanted[row["name"]][0], sorted(wanted[row["name"]][1]), wanted[row["name"]][2]))


def ensure_schema(db: Database, vocab: Vocabulary = VOCABULARY) -> list[str]:
    """Constraints and indexes, idempotent (`IF NOT EXISTS`), then wait for them to be online. A
    full-text index that differs from the vocabulary's is dropped and made again (and only then);
    returns the names of those remade."""
    stale = stale_fulltext_indexes(db, vocab)
    for name in stale:  # a name from the vocabulary, never from the database's text
        db.run_auto(f"DROP INDEX {name} IF EXISTS")
    for statement in constraint_statements(vocab):
        db.run_auto(statement)
    db.run_auto("CALL db.awaitIndexes(300)")
    return stale


def _keep(var: str) -> str:
    """Cypher computing `cites`: the citations of `var` by sources outside this load, plus this
    load's (`row_props`), as [source, quote, confidence] triples sorted by source, so the result
    does not depend on which files were loaded together."""
    return (
        f"WITH *, coalesce({var}.sources, []) AS os, coalesce({var}.quotes, []) AS oq, "
        f"coalesce({var}.confidences, []) AS oc, coalesce(row_props.sources, []) AS ns "
        "WITH *, COLLECT { "
        "UNWIND [i IN range(0, size(os) - 1) WHERE NOT os[i] IN $loaded | [os[i], oq[i], oc[i]]] "
        "+ [j IN range(0, size(ns) - 1) | [ns[j], row_props.quotes[j], row_props.confidences[j]]] AS t "
        "RETURN t ORDER BY t[0] } AS cites "
    )


def _cited(var: str) -> str:
    """Cypher setting the citation properties of `var` from `cites` (see `_keep`)."""
    none = "CASE WHEN row_props.sources IS NULL THEN null ELSE"
    return (
        f"{var}.sources = {none} [t IN cites | t[0]] END, "
        f"{var}.quotes = {none} [t IN cites | t[1]] END, "
        f"{var}.confidences = {none} [t IN cites | t[2]] END, "
        f"{var}.confidence = {none} CASE WHEN any(t IN cites WHERE t[2] = 'high') THEN 'high' "
        "WHEN any(t IN cites WHERE t[2] = 'medium') THEN 'medium' ELSE 'low' END END, "
        # one text of all quotes, for the full-text index
        f"{var}.quotes_text = {none} reduce(text = '', t IN cites | text + t[1] + ' | ') END"
    )


def _node_query(label: str, merge_citations: bool) -> str:
    """MERGE nodes of one label. With `merge_citations`, citations by sources outside this load
    are kept (a partial load); without, the rows' own citations are the whole truth (no other
    source is in the database), which is much cheaper."""
    assert label in NODE_KINDS or label == SOURCE_LABEL
    head = f"UNWIND $rows AS row_props MERGE (n:{BASE_LABEL} {{id: row_props.id}}) "
    relabel = f"REMOVE n:{KIND_LABELS}:{SOURCE_LABEL} SET n = row_props, n:{label}"
    return head + _keep("n") + relabel + ", " + _cited("n") if merge_citations else head + relabel


def _rel_query(rel_type: str, merge_citations: bool) -> str:
    """MERGE relationships of one type by key (see `_node_query` for `merge_citations`). A key that
    a source now declares between other ends was dropped as stale first (`_remove_stale`)."""
    assert rel_type in REL_KINDS
    head = (
        "UNWIND $rows AS row "
        f"MATCH (a:{BASE_LABEL} {{id: row.start}}) MATCH (b:{BASE_LABEL} {{id: row.end}}) "
        f"MERGE (a)-[r:{rel_type} {{key: row.props.key}}]->(b) "
    )
    if not merge_citations:
        return head + "SET r = row.props"
    return head + "WITH r, row.props AS row_props " + _keep("r") + "SET r = row_props, " + _cited("r")


def _count(counters: dict[str, int], summary: neo4j.ResultSummary) -> None:
    c = summary.counters
    for name in ("nodes_created", "nodes_deleted", "relationships_created", "relationships_deleted",
                 "properties_set", "labels_added", "labels_removed"):
        counters[name] += getattr(c, name)


Tx = neo4j.ManagedTransaction | neo4j.Transaction


class Writer:
    """Runs the statements of one load, inside `tx` when given (one transaction for the whole
    load), else in transactions of `batch_size` rows each.

    With a `pool` (of `writers` threads), a batch is committed there while the next is made here:
    the server and Python work at once instead of taking turns. A statement `write` calls `parallel`
    keeps up to `writers` batches in flight, any other one at a time; either way, a statement's
    batches have all committed before `write` returns."""

    def __init__(self, db: Database, report: LoadReport, batch_size: int, loaded: list[str],
                 tick: Callable[[str, int], None], tx: Tx | None = None, create_size: int = CREATE_BATCH,
                 pool: ThreadPoolExecutor | None = None, writers: int = 1) -> None:
        self.db, self.report, self.batch_size, self.create_size = db, report, batch_size, create_size
        self.loaded, self.tick, self.tx = loaded, tick, tx
        self.pool = pool if tx is None else None
        #: batches in flight at most (at once, in a statement that allows it)
        self.parallel = writers if self.pool is not None else 1
        self._pending: deque[tuple[Future[tuple[int, neo4j.ResultSummary]], str, int]] = deque()
        #: set when a batch has failed (after its retries): the others in flight then give up at once
        self._failed = threading.Event()

    def _drain(self, keep: int = 0) -> int:
        """Wait for batches being committed until at most `keep` are; their `removed` count."""
        removed = 0
        while len(self._pending) > keep:
            future, what, rows = self._pending.popleft()
            removed += self._counted(future.result())
            self.tick(what, rows)
        return removed

    def _counted(self, done: tuple[int, neo4j.ResultSummary]) -> int:
        """Count a committed batch's changes (here, once: a batch the driver retried after a deadlock
        ran twice) and return its `removed` count."""
        _count(self.report.counters, done[1])
        return done[0]

    def _in_tx(self, work: Callable[[Tx], T]) -> T:
        if self.tx is not None:
            return work(self.tx)
        if self.parallel > 1:
            return self._retried(work)
        with self.db.driver.session(database=self.db.settings.database) as session:
            return session.execute_write(work)

    def _retried(self, work: Callable[[Tx], T]) -> T:
        """`work` in a write transaction, retried as the driver's `execute_write` retries it (transient
        errors: a deadlock, a server briefly away), except that it gives up as soon as another batch
        of this load has failed: that load is lost anyway. (The driver's own retries went on for their
        whole `max_transaction_retry_time` after the server died under a batch in flight, so a load
        ended up to 30 s after its first error.)"""
        delay, deadline = RETRY_FIRST_DELAY, time.monotonic() + self.db.retry_seconds
        while True:
            try:
                with self.db.driver.session(database=self.db.settings.database) as session, \
                        session.begin_transaction() as tx:
                    done = work(tx)
                    tx.commit()
                    return done
            except (neo4j.exceptions.DriverError, neo4j.exceptions.Neo4jError) as e:
                if not e.is_retryable() or self._failed.is_set() or time.monotonic() + delay > deadline:
                    raise
                jitter = random.uniform(0.8, 1.2)  # noqa: S311 (spreads retries; nothing secret)
                if self._failed.wait(delay * jitter):  # another batch failed meanwhile
                    raise
                delay *= 2

    def fetch(self, query: str, **params: Any) -> list[dict[str, Any]]:
        return self._in_tx(lambda tx: [r.data() for r in tx.run(query, params)])

    def write(self, query: str, rows: Iterable[Any], what: str, batch_size: int | None = None,
              parallel: bool = False) -> int:
        """Run `query` over `rows` (as $rows, in batches); return the sum of the `removed` column, if any.
        `parallel`: batches may commit at once, in any order (rows that create, each on its own;
        a deadlock between two transactions is retried like any transient error)."""
        removed = 0
        keep = self.parallel - 1 if parallel else 0
        try:
            for chunk in batches(rows, batch_size or self.batch_size):
                def work(tx: Tx, chunk: list[Any] = chunk) -> tuple[int, neo4j.ResultSummary]:
                    result = tx.run(query, rows=chunk, loaded=self.loaded)
                    counted = sum(int(r.get("removed") or 0) for r in result)
                    return counted, result.consume()

                def commit(work: Callable[[Tx], tuple[int, neo4j.ResultSummary]] = work,
                           chunk: list[Any] = chunk) -> tuple[int, neo4j.ResultSummary]:
                    try:
                        done = self._in_tx(work)
                    except BaseException:
                        self._failed.set()  # the batches in flight stop retrying
                        raise
                    # the driver's objects of a transaction hold its parameters in a reference cycle,
                    # which the collector frees late (the seed's millions of objects make full
                    # collections rare): 70 MB of rows at 100k entities, until the rows are emptied
                    chunk.clear()
                    return done

                rows_in = len(chunk)
                if self.pool is None:
                    removed += self._counted(commit())
                    self.tick(what, rows_in)
                else:
                    removed += self._drain(keep)
                    self._pending.append((self.pool.submit(commit), what, rows_in))
            removed += self._drain()
        finally:
            while self._pending:  # making a batch failed: let those in flight end first
                self._pending.popleft()[0].exception()
        return removed


def load(db: Database, seed: Seed, batch_size: int | None = None,
         progress: Callable[[str, int], None] | None = None, atomic_rows: int | None = None,
         full: bool = False, force: bool = False) -> LoadReport:
    """Write `seed` into the database; safe to run again (the graph ends the same).

    `full` says that `seed` is the whole seed: then actors, facts and sources that no file declares
    any more are removed. Otherwise (some files only) nothing the files do not mention changes, and
    properties that other sources declared on a shared fact are kept.

    A seed of at most `atomic_rows` rows (default: `KG_ATOMIC_ROWS`, else `ATOMIC_ROWS`) is written
    in one transaction, so a failure (a server error, a crash, a kill) leaves the database as it
    was; a larger one goes in transactions of `batch_size` rows (by default `DEFAULT_BATCH`
    merging, `CREATE_BATCH` creating), and loading again after a failure completes it. Transient
    errors (two loads at once deadlocking, a leader switch) are retried by the driver.

    A whole seed (`full`) that the graph already holds, as the last whole-seed load left it (same
    digest, same node and relationship counts), is not written again unless `force`.
    """
    started = time.perf_counter()
    tick = progress or (lambda _what, _n: None)
    loaded = sorted(seed.sources)
    merge_size, create_size = batch_size or DEFAULT_BATCH, batch_size or CREATE_BATCH
    atomic = atomic_rows if atomic_rows is not None else int(os.environ.get("KG_ATOMIC_ROWS", ATOMIC_ROWS))
    digest = seed_digest(seed) if full else None
    with db.errors():
        ensure_schema(db)
        if digest is not None and not force and _holds(db, digest):
            report = LoadReport(len(seed.files), len(seed.sources), len(seed.nodes), len(seed.rels), unchanged=True)
            report.seconds = time.perf_counter() - started
            return report

        def attempt(create: bool) -> LoadReport:
            if len(seed.sources) + len(seed.nodes) + len(seed.rels) <= atomic:
                def whole(tx: neo4j.ManagedTransaction) -> LoadReport:
                    report = LoadReport(len(seed.files), len(seed.sources), len(seed.nodes), len(seed.rels))
                    write_seed(Writer(db, report, merge_size, loaded, tick, tx, create_size), seed, report, full,
                                digest, create)
                    return report

                with db.driver.session(database=db.settings.database) as session:
                    return session.execute_write(whole)
            report = LoadReport(len(seed.files), len(seed.sources), len(seed.nodes), len(seed.rels))
            with ThreadPoolExecutor(WRITERS, thread_name_prefix="kg-load") as pool:
                write_seed(Writer(db, report, merge_size, loaded, tick, None, create_size, pool, WRITERS), seed,
                            report, full, digest, create)
            return report

        try:
            report = attempt(create=True)
        except neo4j.exceptions.ConstraintError:
            # another load created these ids since this one found the database empty: merge instead
            report = attempt(create=False)
    report.seconds = time.perf_counter() - started
    return report


def seed_digest(seed: Seed) -> str:
    """A digest of what the loader writes for `seed`: its files' names and bytes as validation read
    them, and the code that turns them into a graph (kg/graph/schema.py and kg/seed/, so that another
    version of kg writes again). Equal digests, equal graphs; a file merely reformatted costs one
    needless write."""
    digest = hashlib.sha256(f"{DIGEST_FORMAT}\n{_code_digest()}\n{seed.content.hexdigest()}\n".encode())
    digest.update(repr(sorted(seed.external.items())).encode())
    return digest.hexdigest()


@functools.cache
def _code_digest() -> str:
    package = Path(__file__).resolve().parent
    code = hashlib.sha256()
    for path in [package.parent / "graph" / "schema.py", *sorted(package.glob("*.py"))]:
        code.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return code.hexdigest()


_COUNTS = (f"CALL () {{ MATCH (n:{BASE_LABEL}) RETURN count(n) AS nodes }} "
           "CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships } ")


_REMEMBER = (f"MERGE (m:{LOAD_LABEL} {{id: $id}}) WITH m {_COUNTS}"
             "SET m.digest = $digest, m.nodes = nodes, m.relationships = relationships")


def remember(db: Database, seed: Seed) -> None:
    """Remember `seed` as the whole seed the graph holds (what `kg load --bulk` does after its import),
    so that loading it again writes nothing."""
    db.write(_REMEMBER, {"id": LOAD_ID, "digest": seed_digest(seed)})


def _holds(db: Database, digest: str) -> bool:
    """Whether the last whole-seed load wrote this digest and the graph still has its counts."""
    rows = db.read(f"MATCH (m:{LOAD_LABEL} {{id: $id}}) {_COUNTS}"
                   "RETURN m.digest = $digest AND m.nodes = nodes AND m.relationships = relationships AS same",
                   {"id": LOAD_ID, "digest": digest})
    return bool(rows) and rows[0]["same"] is True


#: properties the loader computes from citations; never carried over from the database
CITATION_PROPS = frozenset({"sources", "quotes", "confidences", "confidence", "quotes_text"})


def write_seed(w: Writer, seed: Seed, report: LoadReport, full: bool = False, digest: str | None = None,
                create: bool = True) -> None:
    """Write `seed`; with `digest` (a whole seed), remember it with the graph's counts at the end.
    Any write first forgets the last digest (a load cut short, or of some files, matches none) and
    signs the KgLoad node as the graph's latest writer: a load that CREATEs checks at its end that
    no other load has signed since."""
    writer = uuid.uuid4().hex
    w.fetch(f"MERGE (m:{LOAD_LABEL} {{id: $id}}) SET m.digest = null, m.writer = $writer", id=LOAD_ID, writer=writer)
    if create and not w.fetch(f"MATCH (n:{BASE_LABEL}) RETURN 1 AS found LIMIT 1"):
        _create_seed(w, seed)
        # Another load that signed after this one (its signature replaced, or removed at its end,
        # this one's) may have merged provenance edges that this one had not yet created: CREATE
        # then made them twice. Nodes and facts cannot double (their ids and keys are unique), so
        # only the edges of the loaded sources, and only then, are looked at again (MERGE in their
        # place costs about 60% more writing at 100k).
        if not w.fetch(f"MATCH (m:{LOAD_LABEL} {{id: $id}}) WHERE m.writer = $writer RETURN 1 AS alone",
                       id=LOAD_ID, writer=writer):
            w.write(f"UNWIND $rows AS id MATCH (s:{SOURCE_LABEL} {{id: id}})-[r:{'|'.join(PROVENANCE_RELS)}]->(n) "
                    "WITH s, type(r) AS t, n, collect(r) AS twins WHERE size(twins) > 1 "
                    "UNWIND tail(twins) AS twin DELETE twin", sorted(seed.sources), "provenance")
    else:
        _merge_seed(w, seed, report, full)
    if digest is not None:
        w.fetch(_REMEMBER, id=LOAD_ID, digest=digest)
    else:  # nothing to remember: the graph keeps no KgLoad node (unless another load has signed since)
        w.fetch(f"MATCH (m:{LOAD_LABEL} {{id: $id}}) WHERE m.writer = $writer DELETE m", id=LOAD_ID, writer=writer)


def _create_seed(w: Writer, seed: Seed) -> None:
    """The database holds no kg node: CREATE everything, the graph `_merge_seed` would make. Rows are
    made as they are sent (a large seed is not copied)."""
    size = w.create_size
    w.write(f"UNWIND $rows AS row CREATE (n:{BASE_LABEL}:{SOURCE_LABEL}) SET n = row",
            ({**stored(s.props), "reports": sorted(s.node_ids), "cites": sorted(_cite_entries(s, seed))}
             for s in seed.sources.values()), "sources", min(size, SOURCE_BATCH), parallel=True)
    by_label: dict[str, list[NodeRec]] = defaultdict(list)
    for node in seed.nodes.values():
        by_label[node.label].append(node)
    for label in sorted(by_label):
        assert label in NODE_KINDS
        w.write(f"UNWIND $rows AS row CREATE (n:{BASE_LABEL}:{label}) SET n = row",
                (stored(n.props) for n in by_label.pop(label)), "nodes", size, parallel=True)
    by_type: dict[str, list[RelRec]] = defaultdict(list)
    for rel in seed.rels.values():
        by_type[rel.type].append(rel)
    ends = f"UNWIND $rows AS row MATCH (a:{BASE_LABEL} {{id: row.start}}) MATCH (b:{BASE_LABEL} {{id: row.end}}) "
    for rel_type in sorted(by_type):
        assert rel_type in REL_KINDS
        w.write(ends + f"CREATE (a)-[r:{rel_type}]->(b) SET r = row.props",
                ({"start": r.start, "end": r.end, "props": stored(r.props)} for r in by_type.pop(rel_type)),
                "relationships", size, parallel=True)
    # one REPORTS per source and fact (validation allows one citation per source and fact)
    w.write(ends + "CREATE (a)-[:REPORTS {quote: row.quote, confidence: row.confidence}]->(b)",
            ({"start": c.source, "end": n.id, "quote": c.quote, "confidence": c.confidence}
             for n in seed.nodes.values() for c in cited(n.props)), "provenance", size, parallel=True)
    w.write(ends + "CREATE (a)-[:MENTIONS]->(b)",
            ({"start": s.id, "end": m} for s in seed.sources.values() for m in sorted(s.mentions)), "provenance", size,
            parallel=True)
    w.write(ends + "CREATE (a)-[:PUBLISHED_BY]->(b)",
            ({"start": s.id, "end": s.publisher} for s in seed.sources.values()), "provenance", size)
    w.write(ends + "CREATE (a)-[:AUTHORED_BY]->(b)",
            ({"start": s.id, "end": a} for s in seed.sources.values() for a in dict.fromkeys(s.authors)),
            "provenance", size)


def _merge_seed(w: Writer, seed: Seed, report: LoadReport, full: bool) -> None:
    # 1. what each loaded source reported last time and no longer does (read before the Source
    #    nodes are rewritten, since they remember it); on a full load, whatever no file declares
    existed = _remove_stale(w, seed, report)
    if full:
        _remove_absent(w, seed, report)

    # 2. sources and nodes, one query per label (labels cannot be parameters)
    # citations by sources outside this load must be kept only if there are such sources
    merge = bool(w.fetch(f"MATCH (s:{SOURCE_LABEL}) WHERE NOT s.id IN $loaded RETURN s.id LIMIT 1",
                         loaded=w.loaded))
    w.write(_node_query(SOURCE_LABEL, merge), [stored(s.props) for s in seed.sources.values()], "sources")
    by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for node in seed.nodes.values():
        by_label[node.label].append(stored(node.props))
    for label in sorted(by_label):
        rows = _with_others(w, label, by_label[label]) if merge else by_label[label]
        w.write(_node_query(label, merge), rows, "nodes")

    # 3. relationships, one query per type
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rel in seed.rels.values():
        by_type[rel.type].append({"start": rel.start, "end": rel.end, "props": stored(rel.props)})
    for rel_type in sorted(by_type):
        rows = _with_others(w, rel_type, by_type[rel_type], rel=True) if merge else by_type[rel_type]
        w.write(_rel_query(rel_type, merge), rows, "relationships")

    # 4. provenance edges of the loaded sources: merged, and those the files no longer imply removed
    _provenance(w, seed, existed)


def _with_others(w: Writer, kind: str, rows: list[dict[str, Any]], rel: bool = False) -> list[dict[str, Any]]:
    """Rows with the properties that sources outside this load declared on the same facts added
    (a partial load must not drop them); the rows' own values win. Facts no other source cites
    keep only what the loaded files say."""
    key = "key" if rel else "id"
    ids = [(r["props"] if rel else r)[key] for r in rows]
    match = f"MATCH ()-[n:{kind}]->() WHERE n.key IN $ids" if rel else f"MATCH (n:{kind}) WHERE n.id IN $ids"
    found = w.fetch(f"{match} AND any(s IN coalesce(n.sources, []) WHERE NOT s IN $loaded) "
                    f"RETURN n.{key} AS id, properties(n) AS props", ids=ids, loaded=w.loaded)
    others = {r["id"]: {k: v for k, v in r["props"].items() if k not in CITATION_PROPS} for r in found}
    if not others:
        return rows
    out = []
    for row in rows:
        props = row["props"] if rel else row
        kept = others.get(props[key])
        merged = {**kept, **props} if kept else props
        out.append({**row, "props": merged} if rel else merged)
    return out


def _remove_absent(w: Writer, seed: Seed, report: LoadReport) -> None:
    """A full load: remove the nodes (actors, facts, sources) and kg's relationships that no seed
    file declares any more. Nodes without kg's base label and relationships of other types stay."""
    declared = {*seed.nodes, *seed.sources}
    gone = [r["id"] for r in w.fetch(f"MATCH (n:{BASE_LABEL}) RETURN n.id AS id") if r["id"] not in declared]
    keys = {rel.key for rel in seed.rels.values()}
    stale = w.fetch("MATCH ()-[r]->() WHERE type(r) IN $types RETURN type(r) AS type, r.key AS key",
                    types=sorted(REL_KINDS))
    by_type: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in stale:
        if row["key"] not in keys and row["type"] in REL_KINDS:
            by_type[row["type"]].append({"key": row["key"]})
    for rel_type, rows in sorted(by_type.items()):
        report.absent_relationships += w.write(
            f"UNWIND $rows AS row MATCH ()-[r:{rel_type} {{key: row.key}}]->() DELETE r RETURN count(*) AS removed",
            rows, "stale")
    report.absent_nodes += w.write(
        f"UNWIND $rows AS row MATCH (n:{BASE_LABEL} {{id: row.id}}) DETACH DELETE n RETURN count(*) AS removed",
        [{"id": i} for i in gone], "stale")


def _provenance(w: Writer, seed: Seed, existed: set[str]) -> None:
    reports = [{"source": c.source, "id": n.id, "quote": c.quote, "confidence": c.confidence}
               for n in seed.nodes.values() for c in cited(n.props)]
    w.write(f"UNWIND $rows AS row MATCH (s:{BASE_LABEL} {{id: row.source}}) MATCH (n:{BASE_LABEL} {{id: row.id}}) "
            "MERGE (s)-[r:REPORTS]->(n) SET r.quote = row.quote, r.confidence = row.confidence", reports, "provenance")
    mentions = [{"source": s.id, "id": m} for s in seed.sources.values() for m in sorted(s.mentions)]
    w.write(f"UNWIND $rows AS row MATCH (s:{BASE_LABEL} {{id: row.source}}) MATCH (n:{BASE_LABEL} {{id: row.id}}) "
            "MERGE (s)-[:MENTIONS]->(n)", mentions, "provenance")
    authorship = [{"source": s.id, "publisher": s.publisher, "authors": s.authors} for s in seed.sources.values()]
    w.write(f"UNWIND $rows AS row MATCH (s:{BASE_LABEL} {{id: row.source}}) "
            f"MATCH (p:{BASE_LABEL} {{id: row.publisher}}) MERGE (s)-[:PUBLISHED_BY]->(p) "
            f"WITH s, row UNWIND row.authors AS author MATCH (a:{BASE_LABEL} {{id: author}}) "
            "MERGE (s)-[:AUTHORED_BY]->(a)", authorship, "provenance")
    if existed:  # sources loaded before: drop the provenance edges their files no longer imply
        expected = {(s.id, "REPORTS", n) for s in seed.sources.values() for n in s.node_ids}
        expected |= {(s.id, "MENTIONS", m) for s in seed.sources.values() for m in s.mentions}
        expected |= {(s.id, "PUBLISHED_BY", s.publisher) for s in seed.sources.values()}
        expected |= {(s.id, "AUTHORED_BY", a) for s in seed.sources.values() for a in s.authors}
        current = w.fetch(f"MATCH (s:{SOURCE_LABEL})-[r:{'|'.join(PROVENANCE_RELS)}]->(n) "
                          "WHERE s.id IN $ids RETURN s.id AS s, type(r) AS t, n.id AS n", ids=sorted(existed))
        stale = [r for r in current if (r["s"], r["t"], r["n"]) not in expected]
        w.write(f"UNWIND $rows AS row MATCH (s:{BASE_LABEL} {{id: row.s}})-[r]->(n:{BASE_LABEL} {{id: row.n}}) "
                "WHERE type(r) = row.t DELETE r", stale, "provenance")
    w.write(f"UNWIND $rows AS row MATCH (s:{BASE_LABEL} {{id: row.id}}) "
            "SET s.reports = row.reports, s.cites = row.cites",
            [{"id": s.id, "reports": sorted(s.node_ids), "cites": sorted(_cite_entries(s, seed))}
             for s in seed.sources.values()], "sources")


def _cite_entries(src: SourceRec, seed: Seed) -> set[str]:
    """What a Source remembers of each relationship it cites: type, key and both ends."""
    return {f"{t}|{k}|{seed.rels[k].start}|{seed.rels[k].end}" for t, k in src.rel_keys}


def _remove_stale(w: Writer, seed: Seed, report: LoadReport) -> set[str]:
    """Drop the citations of loaded sources that their files no longer make, and the facts left
    with no citation at all; return the loaded sources that were in the database before."""
    previous = w.fetch(f"MATCH (s:{SOURCE_LABEL}) WHERE s.id IN $ids AND s.cites IS NOT NULL "
                       "RETURN s.id AS id, s.cites AS cites, s.reports AS reports", ids=sorted(seed.sources))
    stale_rels: dict[str, list[dict[str, str]]] = defaultdict(list)
    stale_nodes: list[dict[str, str]] = []
    for row in previous:
        src = seed.sources[row["id"]]
        for entry in set(row["cites"] or []) - _cite_entries(src, seed):
            rel_type, key = entry.split("|")[:2]
            if rel_type in REL_KINDS:  # the allow-list again: this text came from the database
                stale_rels[rel_type].append({"key": key, "source": src.id})
        stale_nodes += [{"id": n, "source": src.id} for n in set(row["reports"] or []) - set(src.node_ids)]
    for rel_type, rows in sorted(stale_rels.items()):
        report.stale_relationships += w.write(
            f"UNWIND $rows AS row MATCH ()-[r:{rel_type} {{key: row.key}}]->() "
            "WITH r, row, [i IN range(0, size(r.sources) - 1) WHERE r.sources[i] <> row.source] AS keep "
            "SET r.quotes = [i IN keep | r.quotes[i]], r.confidences = [i IN keep | r.confidences[i]], "
            "r.sources = [i IN keep | r.sources[i]] "
            "WITH r WHERE size(r.sources) = 0 DELETE r RETURN count(*) AS removed", rows, "stale")
    if stale_nodes:
        report.stale_nodes += w.write(
            f"UNWIND $rows AS row MATCH (n:{BASE_LABEL} {{id: row.id}}) "
            "WITH n, row, [i IN range(0, size(coalesce(n.sources, [])) - 1) WHERE n.sources[i] <> row.source] AS keep "
            "SET n.quotes = [i IN keep | n.quotes[i]], n.confidences = [i IN keep | n.confidences[i]], "
            "n.sources = [i IN keep | n.sources[i]] "
            "WITH n WHERE size(n.sources) = 0 DETACH DELETE n RETURN count(*) AS removed", stale_nodes, "stale")
    return {row["id"] for row in previous}


def wipe(db: Database) -> None:
    """Delete every node and relationship (the schema stays). Relationships go first, in batches:
    a batch of nodes that holds a hub would otherwise delete its many links in one transaction."""
    db.run_auto("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS")
    db.run_auto("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")



def labels_of(db: Database, ids: list[str]) -> dict[str, str]:
    """id -> label of the nodes in the database that have these ids (a partial load's references)."""
    with db.errors():
        rows = db.read(f"MATCH (n:{BASE_LABEL}) WHERE n.id IN $ids "
                       f"RETURN n.id AS id, [l IN labels(n) WHERE l <> '{BASE_LABEL}'][0] AS label", {"ids": ids})
    return {r["id"]: r["label"] for r in rows}
