"""Loading seed files: the one way `kg load` and `kg.load()` both do it.

1. The files are validated first (against the article texts, when there is a folder of them). The
   database is opened only when it is needed: to resolve the ids that some files name without
   declaring them, to preview, or to write; so bad files never reach it.
2. The whole seed (no paths, or the project's seed/ folder itself) is the truth: what no file
   declares any more is removed. Some files only: ids they name may be in the database already,
   and nothing they do not mention changes.
3. `dry_run` previews what would change, per source (kg/seed/plan.py); `bulk` imports into the
   empty database of the local server `kg db up` started (kg/server/bulk.py).
4. After a load into that local server, its Neo4j Browser guide is written from the seed at hand.

>>> loaded = load([], Database.connect())     # doctest: +SKIP
>>> loaded.summary()                          # doctest: +SKIP
'loaded 3 files: 2 sources, 127 nodes, 266 relationships in 1.2s; ...'
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kg.config import Settings
from kg.errors import UsageError
from kg.graph.db import Database
from kg.project import seed_dir
from kg.seed.loader import LoadReport, labels_of
from kg.seed.loader import load as write
from kg.seed.plan import Plan, preview
from kg.seed.validate import seed_bytes, unchecked_note, validate
from kg.seed.validated import Seed
from kg.server.bulk import BulkReport, bulk_load, bulk_target
from kg.server.checkout import guide_after_load

#: what a long step reports as it goes: what it is doing, and how much more of its total it did
Tick = Callable[[str, int], None]
#: a progress display for a step: made with the step's name ("validating", "loading") and its total
#: (bytes of seed files, rows to write); the CLI's draws a bar in a terminal for long work
Progress = Callable[[str, int], AbstractContextManager[Tick]]


@contextmanager
def no_progress(_step: str, _total: int) -> Iterator[Tick]:
    yield lambda _what, _n: None


@dataclass
class Loaded:
    """What a load did: the validated seed, and the report of the write, the bulk import or the preview."""

    seed: Seed
    full: bool
    report: LoadReport | BulkReport | None = None
    plan: Plan | None = None
    #: what to tell the user after the summary (the Browser guide written, or why not)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        done = self.plan if self.plan is not None else self.report
        assert done is not None
        return done.summary()


def whole_seed(paths: Sequence[Path]) -> bool:
    """Whether `paths` name the whole seed (none, or the project's seed folder), not some files of it."""
    return not paths or (len(paths) == 1 and Path(paths[0]).resolve() == seed_dir().resolve())


def check(paths: Sequence[Path], texts: Path | None = None, strict: bool = False,
          resolve: Callable[[list[str]], dict[str, str]] | None = None,
          progress: Progress = no_progress) -> Seed:
    """Validate seed files (default: the project's seed/), with progress over their bytes."""
    files = list(paths) or [seed_dir()]
    with progress("validating", seed_bytes(files)) as tick:
        return validate(files, texts=texts, strict=strict, resolve=resolve, progress=tick)


def load(paths: Sequence[Path], db: Database | Settings, *, texts: Path | None = None, strict: bool = False,
         dry_run: bool = False, bulk: bool = False, force: bool = False, batch_size: int | None = None,
         progress: Progress = no_progress, log: Callable[[str], None] = lambda _: None) -> Loaded:
    """Validate `paths` (default: the project's seed/) and load them into `db`: an open Database (left
    open), or the Settings to open one with when needed (closed at the end). `log` hears the notes
    that come before the summary (quotes left unchecked; the bulk import's steps)."""
    full = whole_seed(paths)
    if bulk:
        return _bulk(paths, db.settings if isinstance(db, Database) else db, texts, strict, dry_run, full,
                     progress, log)
    with ExitStack() as stack:
        opened: list[Database] = [db] if isinstance(db, Database) else []

        def database() -> Database:
            if not opened:
                assert isinstance(db, Settings)
                opened.append(stack.enter_context(Database(db)))
            return opened[0]

        seed = check(paths, texts, strict, None if full else (lambda ids: labels_of(database(), ids)), progress)
        _note_unchecked(seed, log)
        if dry_run:
            return Loaded(seed, full, plan=preview(database(), seed, full=full))
        total = sum(seed.counts()[k] for k in ("sources", "nodes", "relationships"))
        with progress("loading", total) as tick:
            report = write(database(), seed, batch_size=batch_size, progress=tick, full=full, force=force)
        uri = database().settings.uri
    return _with_guide(Loaded(seed, full, report=report), uri)


def _bulk(paths: Sequence[Path], settings: Settings, texts: Path | None, strict: bool, dry_run: bool, full: bool,
          progress: Progress, log: Callable[[str], None]) -> Loaded:
    """Refusals first (nothing touched), then validation (the server still untouched), then the import.
    The files must be self-contained (every id they name declared in them), as a load of some files
    into an empty database needs anyway."""
    if dry_run:
        raise UsageError("--bulk and --dry-run do not go together: into an empty database everything is new "
                         "(see what a seed holds with `kg validate`)")
    server = bulk_target(settings)
    seed = check(paths, texts, strict, progress=progress)
    _note_unchecked(seed, log)
    report = bulk_load(server, settings, seed, log=log, full=full)
    return _with_guide(Loaded(seed, full, report=report), settings.uri)


def _note_unchecked(seed: Seed, log: Callable[[str], None]) -> None:
    note = unchecked_note(seed)
    if note:
        log(f"note: {note}")


def _with_guide(loaded: Loaded, uri: str) -> Loaded:
    said = guide_after_load(uri, loaded.seed if loaded.full else None)
    if said:
        loaded.notes.append(said)
    return loaded

