"""`kg site --out DIR`: the pages of `kg serve` as static files. Every entity, source and question
page is `PATH/index.html` with its `.json` beside (`entity/eps/index.html`, `entity/eps.json`);
answers also `.csv` and `.md`. Links are relative, so any static file server, or a subfolder of a
newsroom's site, serves the folder with no Python and no Neo4j. Search reads a prebuilt index of
names, aliases and quotes (`search/index.json`) in the browser. The folder is written whole or not
at all (kg/export/atomic.py)."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.export.atomic import atomic_dir
from kg.graph.db import Database
from kg.graph.schema import SOURCE_LABEL
from kg.questions.catalogue import Query, catalogue
from kg.views.build import source_details
from kg.views.page import linked_assets, pieces_page
from kg.views.shards import shard
from kg.web import facts
from kg.web.app import HERE, Web, fields_of

#: ids that are safe as folder names (the seed's own rule for ids)
SAFE_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
#: the file that marks a folder as a site kg wrote (so that writing it again may replace it)
MARKER = ".kg-site"
#: entities read and written per round of queries, and sources (a query or two each)
BATCH = 500
SOURCE_BATCH = 20
#: where the neighbourhood page (graph/index.html) finds the files of `linked_assets()`, and the
#: entities' pieces (entity/ID/neighbourhood.json); the sources' details are beside it
VIEW_ASSETS, PIECES = "../static/view/", "../entity/"


@dataclass
class SiteReport:
    pages: int
    files: int
    seconds: float

    def summary(self, out: Path) -> str:
        return f"wrote {self.pages} pages ({self.files} files) to {out} in {self.seconds:.1f}s"


def relative(page: str) -> Callable[[str], str]:
    """The `link` of a page at `page` (a path in the site, such as entity/eps/index.html): a site path
    (`/entity/x`, `/entity/x.json`, `/`) as a relative href (`../x/`, `../x.json`, `../../`)."""
    up = "../" * page.count("/")

    def link(path: str) -> str:
        inner = path.lstrip("/")
        if not inner:
            return up or "./"
        last = inner.rsplit("/", 1)[-1]
        return up + inner + ("" if "." in last or inner.endswith("/") else "/")
    return link


def _safe(kind: str, value: str) -> str:
    if not SAFE_ID.fullmatch(value):
        raise KgError(f"{kind} id {value!r} cannot be a page of the static site (ids are a-z, 0-9 and -)")
    return value


class _Writer:
    def __init__(self, web: Web, root: Path, revision: facts.Revision) -> None:
        self.web, self.root, self.revision = web, root, revision
        self.pages = self.files = 0

    def text(self, path: str, text: str) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        self.files += 1

    def json(self, path: str, value: Any) -> None:
        self.text(path, json.dumps(value, default=fields_of, ensure_ascii=False) + "\n")  # no indent: the C encoder

    def add(self, done: tuple[int, int]) -> None:
        self.pages += done[0]
        self.files += done[1]

    def page(self, path: str, template: str, **context: Any) -> None:
        self.text(path, self.web.html(template, relative(path), revision=self.revision, changed=False, **context))
        self.pages += 1


def build_site(db: Database, out: Path, texts: Path | None = None, graphs: bool = True, *,
               workers: int | None = None, batch: int = BATCH) -> SiteReport:
    """Write the static site of the graph `db` holds into the folder `out` (replaced whole). Entities
    are read `batch` at a time, sources 20 at a time; with more than two such tasks, `workers`
    processes (default: one per core) read, render and write them (where processes can fork)."""
    started = time.perf_counter()
    web = Web(db, texts)
    revision = facts.revision(db)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_dir(out, lambda folder: (folder / MARKER).is_file() or not any(folder.iterdir()),
                    "a folder `kg site` wrote") as root:
        w = _Writer(web, root, revision)
        w.text(MARKER, "written by kg site; kg site replaces this folder whole\n")
        questions = catalogue()
        index = web.index_data(revision)
        w.page("index.html", "index.html", counts=index["counts"], sources=index["sources"],
               questions=index["questions"])
        w.json("index.json", index)
        titles = facts.titles_of(index["sources"])
        ids = [_safe("entity", i) for i in facts.entity_ids(db)]
        sources = [_safe("source", s["id"]) for s in index["sources"]]
        tasks = [("entity", ids[i:i + batch]) for i in range(0, len(ids), batch)]
        tasks += [("source", sources[i:i + SOURCE_BATCH]) for i in range(0, len(sources), SOURCE_BATCH)]
        fork = "fork" in multiprocessing.get_all_start_methods()
        n = (workers if workers is not None else os.cpu_count() or 1) if fork and len(tasks) > 2 else 1
        details = source_details(db, set(sources)) if graphs else {}
        job = {"writer": w, "titles": titles, "graphs": graphs, "texts": texts, "sources": details}
        if n <= 1:
            for task in tasks:
                w.add(_task(job, db, task))
        else:
            # `n` forked workers each read, render and write task after task, each with its own
            # connection to Neo4j (opened after the fork); they inherit the writer and the titles
            _FORKED.update(job=job, settings=db.settings)
            try:
                with ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork"),
                                         initializer=_connect) as pool:
                    for done in pool.map(_forked_task, tasks):
                        w.add(done)
            finally:
                _FORKED.clear()
        for query in questions.values():
            _question(w, query)
        entries = facts.search_index(db)
        w.json("search/index.json", entries)
        w.page("search/index.html", "site_search.html", entries=len(entries))
        w.page("404.html", "error.html", status_code=404, message="no page here", closest=[])
        shutil.copytree(HERE / "static", root / "static")
        w.files += len(list((HERE / "static").iterdir()))
        if graphs:  # the neighbourhood page, and its scripts and style
            w.text("graph/index.html", pieces_page(VIEW_ASSETS, PIECES, "sources.json"))
            w.json("graph/sources.json", details)
            w.pages += 1
            for name, text in linked_assets().items():
                w.text(f"static/view/{name}", text)
    return SiteReport(w.pages, w.files, time.perf_counter() - started)


#: what forked workers inherit from the process that starts them (the writer of the site, the
#: sources' titles, whether to draw, the connection's settings), and each one's own database
_FORKED: dict[str, Any] = {}


def _connect() -> None:
    _FORKED["db"] = Database(_FORKED["settings"])


def _forked_task(task: tuple[str, list[str]]) -> tuple[int, int]:
    return _task(_FORKED["job"], _FORKED["db"], task)


def _task(job: dict[str, Any], db: Database, task: tuple[str, list[str]]) -> tuple[int, int]:
    """Read these entities (with their neighbourhoods when the job draws them) or these sources, and
    write their pages: (pages, files) written."""
    site: _Writer = job["writer"]
    w = _Writer(site.web, site.root, site.revision)  # counts this task's files; add() sums them
    kind, ids = task
    if kind == "entity":
        graphs = job["graphs"]
        rows = facts.entity_rows(db, ids, graph=graphs)
        found = facts.entities(db, ids, titles=job["titles"], rows=rows)
        drawn = neighbourhoods(rows, job["sources"]) if graphs else {}
        for entity_id, e in found.items():
            w.page(f"entity/{entity_id}/index.html", "entity.html", e=e, graphs=graphs, static=True)
            w.json(f"entity/{entity_id}.json", {"revision": w.revision.tag, **e})
            if graphs:
                w.json(f"entity/{entity_id}/neighbourhood.json", drawn[entity_id])
    else:
        for source_id in ids:
            s = facts.source(db, source_id, job["texts"])
            assert s is not None
            w.page(f"source/{source_id}/index.html", "source.html", s=s, static=True)
            w.json(f"source/{source_id}.json", {"revision": w.revision.tag, **s})
    return w.pages, w.files


def neighbourhoods(rows: facts.EntityRows, sources: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The piece of each entity's neighbourhood (kg/views/shards.py), from the rows of its page (read
    `with graph`): its relationships to other entities, less those to sources."""
    rels: dict[str, list[dict[str, Any]]] = {}
    for r in rows.rels:
        if SOURCE_LABEL not in r["labels"]:
            rels.setdefault(r["of"], []).append(r)
    out = {}
    for n in rows.nodes:
        edges, others = [], {}
        for r in rels.get(n["id"], ()):
            ends = (n["id"], r["id"]) if r["outgoing"] else (r["id"], n["id"])
            edges.append({"id": r["rid"], "type": r["type"], "from": ends[0], "to": ends[1], "props": r["props"]})
            others[r["id"]] = {"labels": r["labels"], "props": {k: r[k] for k in ("name", "date", "start",
                               "date_precision", "start_precision") if r.get(k) is not None}}
        node = {"id": n["id"], "labels": n["labels"], "props": n["props"], "mentioned_by": n["mentioned_by"]}
        out[n["id"]] = shard(node, edges, others, sources)
    return out


def _question(w: _Writer, query: Query) -> None:
    """A question's page with its defaults (or, when it needs a parameter, its example), and with its
    example parameters when they differ: `question/NAME/` and `question/NAME/example/`."""
    example = query.example_args(optional=True)
    needs = any(p.required for p in query.params.values())
    variants = [("", example)] if needs else [("", {})] + ([("example", example)] if example else [])
    for folder, asked in variants:
        base = f"question/{query.name}" + (f"/{folder}" if folder else "")
        other = None
        if len(variants) > 1:
            other = ({"href": f"/question/{query.name}/example", "text": "with its example parameters"} if not folder
                     else {"href": f"/question/{query.name}", "text": "with its defaults"})
        context = w.web.answer(query, asked, form=False)
        formats = {label: relative(f"{base}/index.html")(f"/{base}{suffix}")
                   for label, suffix in (("JSON", ".json"), ("CSV", ".csv"), ("Markdown", ".md"))}
        w.page(f"{base}/index.html", "question.html", permalink=None, formats=formats, static=True, other=other,
               **context)
        results = context["results"]
        if results is None:  # a required parameter without an example: the page says what to give
            continue
        w.json(f"{base}.json", w.web.answer_data(query, results, asked, w.revision, None))
        w.text(f"{base}.csv", w.web.answer_text(query, results, "csv"))
        w.text(f"{base}.md", w.web.answer_text(query, results, "markdown"))
