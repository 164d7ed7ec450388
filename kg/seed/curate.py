"""Curation: finding words in the article texts, and adding an article (`kg source add`).

`add_source` extracts an article's plain text (a `.txt`, a saved `.html` page through trafilatura,
a `.pdf` through pypdf), writes it into the texts folder (never inside the repository), and
writes a scaffold `seed/sources/<id>.yaml` that validates as it is: the `source:` block with the
text's pin, empty `nodes:` and `relations:`, and as comments the registry actors the text names
and the names it uses that match no actor.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from kg.errors import KgError, UsageError
from kg.seed.model import ID_PATTERN, check_iso
from kg.seed.names import ORGANISATION, candidate_names, office_match
from kg.seed.texts import Article, Texts, pin_of
from kg.seed.validate import validate

SOURCES_DIR = Path("sources")


# --- finding words -----------------------------------------------------------------------------

def source_texts(seed_dir: Path) -> dict[str, str]:
    """source id -> text file name, read from the `source:` blocks under `seed_dir`."""
    out: dict[str, str] = {}
    for path in sorted(seed_dir.rglob("*.y*ml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            continue  # `kg validate` reports broken files; finding words needs only the good ones
        meta = data.get("source") if isinstance(data, dict) else None
        text = meta.get("text") if isinstance(meta, dict) else None
        file = text.get("file") if isinstance(text, dict) else text
        if isinstance(meta, dict) and isinstance(meta.get("id"), str) and isinstance(file, str):
            out[meta["id"]] = file
    return out


def find_words(texts: Texts, words: str, seed_dir: Path, source: str | None = None) -> list[dict[str, Any]]:
    """Every place `words` occur in the texts (or in one source's text): source, file, line, context.

    Raises KgError naming the closest passage when they occur nowhere."""
    by_file: dict[str, list[str]] = {}
    for sid, file in source_texts(seed_dir).items():
        by_file.setdefault(file, []).append(sid)
    if source is not None:
        files = [f for f, sids in by_file.items() if source in sids]
        if not files:
            raise UsageError(f"no source {source!r} with a text in {seed_dir}")
    else:
        files = texts.files()
    rows: list[dict[str, Any]] = []
    best: tuple[float, str, int, str] | None = None
    for file in files:
        if not texts.has(file):
            raise KgError(f"text {file} is not in the texts folder {texts.folder}")
        article = texts.article(file)
        for found in article.find_all(words):
            rows.append({"source": ", ".join(sorted(by_file.get(file, []))) or None, "file": file,
                         "line": found.line, "context": found.context})
        if not rows:
            near = article.closest(words)
            if best is None or near.similarity > best[0]:
                best = (near.similarity, file, near.line, near.passage)
    if not rows:
        hint = f"; closest passage: \"{best[3]}\" ({best[1]}:{best[2]}, similarity {best[0]:.2f})" if best else ""
        raise KgError(f"{words!r} does not occur in {source or 'any text'}{hint}")
    return rows


# --- extracting an article ----------------------------------------------------------------------

@dataclass
class Extracted:
    text: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    date: str | None = None
    date_as_written: str | None = None
    publisher: str | None = None
    url: str | None = None
    #: a full date near the top of a text without metadata: (ISO, as written, line); shown, not used
    date_hint: tuple[str, str, int] | None = None


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_DATE_WORDS = re.compile(
    r"\b(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+(?P<day>\d{1,2}),?\s+"
    r"(?P<year>(?:19|20)\d{2})\b|\b(?P<iso>(?:19|20)\d{2}-\d{2}-\d{2})\b")


def date_in(text: str) -> tuple[str, str] | None:
    """The first full date written in `text`, as (ISO, the words as written)."""
    for match in _DATE_WORDS.finditer(text):
        try:
            if match.group("iso"):
                return check_iso(match.group("iso")), match.group(0)
            month = next(i for i, m in enumerate(_MONTHS, 1) if m.startswith(match.group("month").lower()[:3]))
            iso = date(int(match.group("year")), month, int(match.group("day"))).isoformat()
            return iso, match.group(0)
        except (ValueError, StopIteration):
            continue
    return None


def extract(path: Path) -> Extracted:
    """The article's plain text and what its file says about it."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".txt", ".text", ".md"):
            text = path.read_text(encoding="utf-8")
            first = next((ln.strip() for ln in text.splitlines() if ln.strip()), None)
            out = Extracted(text, title=first)
        elif suffix in (".html", ".htm"):
            out = _from_html(path.read_text(encoding="utf-8", errors="replace"))
        elif suffix == ".pdf":
            out = _from_pdf(path)
        else:
            raise UsageError(f"{path}: kg source add takes a .txt, a saved .html page or a .pdf, "
                             f"not {suffix or 'this'}")
    except OSError as e:
        raise UsageError(f"{path}: cannot read: {e.strerror or e}") from e
    except UnicodeDecodeError as e:
        raise KgError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})") from e
    out.text = out.text.strip() + "\n"
    if len(out.text.strip()) < 20:
        raise KgError(f"{path}: no article text could be extracted")
    if out.date is None:  # the text's first date may be the events', not the article's: a hint, never the date
        top = out.text.splitlines()[:40]
        found = date_in("\n".join(top))
        if found:
            line = next(i for i, ln in enumerate(top, 1) if found[1] in ln)
            out.date_hint = (found[0], found[1], line)
    return out


def _from_html(html: str) -> Extracted:
    try:  # trafilatura, and what it imports when it first reads a page (lxml_html_clean, through jusText)
        import trafilatura

        doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                          include_tables=False, favor_precision=True)
    except ImportError as e:
        raise KgError(f"cannot read saved HTML pages: a library kg needs is missing ({e}); "
                      "reinstall kg (pip install --force-reinstall kg)") from e
    if doc is None:
        raise KgError("no article text could be extracted from the page")
    meta: dict[str, Any] = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    authors = [a.strip() for a in re.split(r";|\band\b|,", meta.get("author") or "") if a.strip()]
    published = meta.get("date")
    return Extracted(meta.get("text") or "", title=meta.get("title"), authors=authors,
                     date=check_iso(published) if published else None, date_as_written=published,
                     publisher=meta.get("sitename") or meta.get("hostname"), url=meta.get("url"))


def _from_pdf(path: Path) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        text = "\n\n".join((page.extract_text() or "").strip() for page in reader.pages)
        info = reader.metadata
        title = str(info.title) if info and info.title else None
        authors = [str(info.author)] if info and info.author else []
    except (PdfReadError, ValueError, KeyError) as e:
        raise KgError(f"{path}: not a readable PDF ({e})") from e
    except Exception as e:  # pypdf raises many kinds for a broken file (found by tests/fuzz)
        raise KgError(f"{path}: not a readable PDF ({type(e).__name__}: {e})") from e
    try:
        created = info.creation_date if info else None
    except ValueError:  # a creation date pypdf cannot read (D:nonsense, found by tests/fuzz) is no date
        created = None
    return Extracted(text, title=title, authors=authors,
                     date=created.date().isoformat() if created else None,
                     date_as_written=None)


# --- the scaffold -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Actor:
    id: str
    label: str
    name: str
    aliases: tuple[str, ...]


@dataclass
class Added:
    source_id: str
    seed_file: Path
    text_file: Path
    named: list[tuple[Actor, int, int]]  # actor, count, first line
    candidates: list[tuple[str, int, str]]  # name, first line, a guess of its kind (person, organisation, place)
    #: what the scaffold could not know and leaves for a person (the validator refuses it until then)
    unknown: list[str] = field(default_factory=list)
    #: the registry file of a new outlet the page named, when one was scaffolded
    actors_file: Path | None = None


def _words_re(name: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])" + re.escape(name) + r"(?![\w])", flags)


def actors_named(article: Article, actors: Iterable[Actor]) -> list[tuple[Actor, int, int]]:
    """The actors whose name or an alias occurs in the text (case-sensitive, whole words), or that
    an office in the article's own words names ("the Ontario privacy commissioner" for the
    "Information and Privacy Commissioner of Ontario": kg.seed.names.office_match), with how often
    and the first line."""
    actors = list(actors)
    found: dict[str, set[int]] = {}
    for actor in actors:
        for name in {actor.name, *actor.aliases}:
            found.setdefault(actor.id, set()).update(m.start() for m in _words_re(name).finditer(article.text))
    by_name = {n: a for a in actors for n in (a.name, *a.aliases)}
    for name, _line, kind in candidate_names(article, []):
        official = office_match(name, by_name, lambda n: by_name[n].id) if kind == ORGANISATION else None
        if official is not None:
            hits = _words_re(name, re.IGNORECASE).finditer(article.text)
            found[by_name[official].id].update(m.start() for m in hits)
    out = [(a, len(found[a.id]), article.line_at(min(found[a.id]))) for a in actors if found.get(a.id)]
    return sorted(out, key=lambda t: (t[2], t[0].id))


def _comment(text: str, limit: int = 100) -> str:
    """Text safe inside a one-line YAML comment (YAML 1.1 also breaks lines at NEL, LS and PS)."""
    flat = re.sub(r"[\r\n\x85\u2028\u2029\t]+", " ", text).strip()
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def _match_actor(name: str | None, actors: Iterable[Actor], labels: tuple[str, ...]) -> Actor | None:
    if not name:
        return None
    wanted = name.strip().lower().removeprefix("www.")
    for actor in actors:
        if actor.label in labels and wanted in {n.lower() for n in (actor.name, *actor.aliases, actor.id)}:
            return actor
    return None


class _Registry(yaml.SafeDumper):
    """YAML laid out as the registry's own files are: a list indented under its key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def slug(text: str, words: int = 6, empty: str = "article") -> str:
    """An id's part from text: its first words, lower-case, a-z and 0-9 joined by '-' (`empty` if none)."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())[:words]) or empty


def _new_outlet(name: str, taken: set[str]) -> dict[str, Any]:
    """The registry entry of an outlet a page names (`og:site_name`, else its host) that no actor is."""
    shown = name.strip().removeprefix("www.")
    base = slug(shown, 8)
    ident = base if base not in taken else next(f"{base}-{i}" for i in range(2, 1000) if f"{base}-{i}" not in taken)
    return {"id": ident, "label": "Organization", "name": shown, "kind": "news_outlet"}


def _mark_unknown(dumped: str) -> str:
    """The scaffold's YAML with each value it could not know marked where it stands."""
    return re.sub(r"^(  (publisher|published): null)$", r"\1  # NOT KNOWN: see the note above", dumped, flags=re.M)


def _date_option(option: str, value: str) -> str:
    """A date given as an option, or a usage error naming it (found by tests/fuzz: a traceback before)."""
    try:
        return check_iso(value)
    except ValueError as e:
        raise UsageError(f"{option} {value!r}: {e}") from None


def add_source(article_path: Path, seed_dir: Path, texts_folder: Path, project: Path, *,
               source_id: str | None = None, publisher: str | None = None, title: str | None = None,
               published: str | None = None, url: str | None = None) -> Added:
    """Extract `article_path`, write its text into `texts_folder` and a scaffold into `seed_dir/sources/`."""
    if not article_path.is_file():
        raise UsageError(f"{article_path}: no such file")
    folder = texts_folder.resolve()
    root = project.resolve()
    if folder.is_relative_to(root) and not folder.is_relative_to(root / ".kg"):
        raise UsageError(f"refusing to write an article text inside the repository ({texts_folder}): article texts "
                         "are other people's words; use .kg/texts/ (git ignores it) or a folder outside the checkout")
    seed = validate([seed_dir])  # the scaffold must fit the seed as it is
    actors = [Actor(n.id, n.label, n.props["name"], tuple(n.props.get("aliases", []))) for n in seed.nodes.values()
              if n.in_registry]
    got = extract(article_path)
    unknown: list[str] = []
    outlet: dict[str, Any] | None = None  # a new Organization for the outlet the page names
    if publisher:
        pub = next((a for a in actors if a.id == publisher), None)
        if pub is None:
            orgs = ", ".join(a.id for a in actors if a.label == "Organization") or "none yet"
            raise UsageError(f"--publisher {publisher!r} is no actor of {seed_dir} (its Organizations: {orgs})")
    else:
        pub = _match_actor(got.publisher, actors, ("Organization",))
        if pub is None and got.publisher:
            outlet = _new_outlet(got.publisher, {a.id for a in actors} | set(seed.sources))
            pub = Actor(outlet["id"], "Organization", outlet["name"], ())
    if pub is not None and pub.label not in ("Organization", "Person"):
        raise UsageError(f"--publisher {publisher!r} is a {pub.label}; a publisher is an Organization or a Person")
    if pub is None:
        unknown.append("publisher: the article does not name its publisher; write the actor's id in the scaffold, "
                       "or give it with --publisher")
    when, as_written = (_date_option("--published", published), None) if published else (got.date,
                                                                                          got.date_as_written)
    if not when:
        hint = (f"; its text has {got.date_hint[1]!r} at line {got.date_hint[2]}, which may be a date of the "
                "events it reports" if got.date_hint else "")
        unknown.append(f"published: the article's metadata gives no date{hint}; write the publication date in the "
                       "scaffold, or give it with --published")
    sid = source_id or "-".join(["src", pub.id if pub else "unknown", when or slug(got.title or article_path.stem)])
    if not re.match(ID_PATTERN, sid):
        raise UsageError(f"--id {sid!r} is not an id (lower-case letters, digits and '-')")
    if sid in seed.sources or sid in seed.nodes:
        raise UsageError(f"the id {sid!r} is taken in {seed_dir}; give another with --id")
    seed_file = seed_dir / SOURCES_DIR / f"{sid}.yaml"
    shown = seed_file.resolve().relative_to(root).as_posix() if seed_file.resolve().is_relative_to(root) \
        else seed_file.as_posix()
    if seed_file.exists():
        raise UsageError(f"{seed_file} exists; kg source add never overwrites a file")
    outlet_file = seed_dir / "actors" / f"{outlet['id']}.yaml" if outlet else None
    if outlet_file is not None and outlet_file.exists():
        raise UsageError(f"{outlet_file} exists; kg source add never overwrites a file (give --publisher ID)")
    text_file = texts_folder / f"{sid}.txt"
    if text_file.exists() and text_file.read_text(encoding="utf-8") != got.text:
        raise UsageError(f"{text_file} exists with another text; kg source add never overwrites a file")

    article = Article(text_file.name, got.text)
    named = actors_named(article, actors)
    candidates = candidate_names(article, [n for a in actors for n in (a.name, *a.aliases)])
    authors = [a for a in (_match_actor(n, actors, ("Person",)) for n in got.authors) if a]
    texts_folder.mkdir(parents=True, exist_ok=True)
    if not text_file.exists():
        _write_new(text_file, got.text)
    pin = pin_of(text_file)
    block: dict[str, Any] = {"source": {
        "id": sid,
        "title": title or got.title or sid,
        "headline": got.title,
        "publisher": pub.id if pub else None,
        "authors": [a.id for a in authors],
        "published": {"value": when, **({"as_written": as_written} if as_written else {})} if when else None,
        "text": {"file": pin.file, "sha256": pin.sha256, "length": pin.length},
        "url": url or got.url,
        "confidence": "high",
    }, "nodes": [], "relations": []}
    lines = [
        schema_line(seed_file, root),
        f"# {_comment(title or got.title or sid)}",
        f"# Scaffold written by `kg source add` from {_comment(article_path.name)}. Next: add facts under nodes: and",
        "# relations:, each with a verbatim quote (kg quote find \"words\" --source " + sid + "), then",
        f"# kg validate, kg load --dry-run {shown}, kg load {shown}.",
        *[f"# NOT KNOWN (kg validate refuses the file until a person writes it) - {_comment(u, 400)}" for u in unknown],
        *([f"# The publisher is a new outlet, scaffolded in {_comment(outlet_file.name)} from the page's site name."]
          if outlet_file else []),
        _mark_unknown(yaml.safe_dump(block, sort_keys=False, allow_unicode=True, width=110).rstrip()),
        "",
        "# Registry actors the text names (id, how often, first line):",
        *[f"#   {a.id:32} {n:3}x  line {line}: {_comment(a.name, 60)}" for a, n, line in named],
        *(["#   (none)"] if not named else []),
        "# Names in the text that match no actor (candidates for new actors; the kind is a guess):",
        *[f"#   line {line:4}  {_comment(name, 60):40} {kind}?" for name, line, kind in candidates],
        *(["#   (none)"] if not candidates else []),
    ]
    unmatched = [n for n in got.authors if not _match_actor(n, actors, ("Person",))]
    if unmatched:
        lines.append(f"# Authors as printed, not yet actors: {_comment(', '.join(unmatched))}")
    seed_file.parent.mkdir(parents=True, exist_ok=True)
    if outlet_file is not None:
        _write_new(outlet_file, "\n".join([
            schema_line(outlet_file, root),
            f"# A news outlet scaffolded by `kg source add` from the site name of {_comment(article_path.name)}: "
            "check its name, add aliases.",
            yaml.dump({"actors": [outlet]}, Dumper=_Registry, sort_keys=False, allow_unicode=True,
                      width=110).rstrip(), ""]))
    _write_new(seed_file, "\n".join(lines) + "\n")
    return Added(sid, seed_file, text_file, named, candidates, unknown, outlet_file)


#: where `kg docs` writes the JSON Schema of seed files, from the project's root
SEED_SCHEMA = "docs/seed.schema.json"


def schema_line(seed_file: Path, project: Path) -> str:
    """The first line of a seed file: tells editors with the YAML language server (VS Code's YAML
    extension and others) where the JSON Schema is, as a path relative to the file."""
    relative = os.path.relpath(project.resolve() / SEED_SCHEMA, seed_file.parent.resolve())
    return f"# yaml-language-server: $schema={Path(relative).as_posix()}"


def _write_new(path: Path, text: str) -> None:
    """Write a file that must not exist yet (never overwrite), atomically enough for one writer."""
    try:
        with path.open("x", encoding="utf-8") as f:
            f.write(text)
    except FileExistsError as e:
        raise UsageError(f"{path} exists; kg source add never overwrites a file") from e
