"""`kg xref` (candidate duplicates among the actors, with the evidence), `kg xref judge` (a decision
on a pair, kept in seed/judgements.yaml) and `kg merge` (one actor where the seed had two)."""

from __future__ import annotations

import getpass
import json
import os
from enum import StrEnum
from typing import Annotated

import typer

from kg.cli.app import app, err
from kg.cli.options import OutputFormat, TextsDir, emit

xref_app = typer.Typer(help="Candidate duplicates among the actors of the seed, with the evidence; "
                            "`kg xref judge` records a decision on a pair.",
                       invoke_without_command=True)
app.add_typer(xref_app, name="xref")


class XrefFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


class Decision(StrEnum):
    same = "same"
    different = "different"
    unsure = "unsure"


Who = Annotated[str | None, typer.Option("--who", help="who decides (default: env KG_WHO, else your login name)",
                                         show_default=False)]


def _who(who: str | None) -> str:
    return who or os.environ.get("KG_WHO") or getpass.getuser()


@xref_app.callback()
def xref(
    ctx: typer.Context,
    threshold: Annotated[float, typer.Option(min=0.0, max=1.0, help="the lowest score listed")] = 0.7,
    fmt: Annotated[XrefFormat, typer.Option("--format", "-f", help="table, json (for tools) or markdown")]
    = XrefFormat.table,
    limit: Annotated[int | None, typer.Option(min=1, help="at most this many pairs, best first",
                                              show_default=False)] = None,
) -> None:
    """Pairs of actors that are probably one, best first: a score in 0..1 and the evidence per
    feature (names and aliases, titles and initials, legal and police-service forms, properties
    that agree or conflict, neighbours, employers and roles, sources that name both, dates).
    Reads the validated seed (no database). Pairs judged in seed/judgements.yaml are left out.

    \b
    Examples:
      kg xref
      kg xref --threshold 0.5 --format json
      kg xref judge halton-police niagara-police different --why "two regional services"
      kg merge halton-police hrps --why "HRPS is the Halton Regional Police Service"
    """
    if ctx.invoked_subcommand is not None:
        return
    from kg.project import seed_dir
    from kg.seed.judgements import load as load_judgements
    from kg.seed.validate import validate
    from kg.seed.xref import rows
    from kg.seed.xref import xref as find

    folder = seed_dir()
    result = find(validate([folder]), load_judgements(folder), threshold=threshold)
    found = result.candidates[:limit] if limit else result.candidates
    s = result.stats
    note = (f"{len(result.candidates)} candidate pairs at {threshold:g} or more among {s.actors} actors: "
            f"{s.pairs_compared} pairs compared (blocking on {s.keys} keys; {s.capped_keys} keys shared by more "
            f"than the cap skipped), {s.judged} judged pairs left out")
    if fmt is XrefFormat.json:
        typer.echo(json.dumps([c.as_json() for c in found], ensure_ascii=False, indent=2))
        err(note)
        return
    if not found:
        err(note)
        return
    emit(["a", "b", "score", "evidence"], rows(found), OutputFormat(fmt.value),
         notes=[note] if fmt is XrefFormat.markdown else None)
    if fmt is XrefFormat.table:
        err(note)


@xref_app.command("judge")
def judge(
    a: Annotated[str, typer.Argument(help="an actor's id")],
    b: Annotated[str, typer.Argument(help="the other actor's id")],
    decision: Annotated[Decision, typer.Argument(help="same, different or unsure")],
    why: Annotated[str, typer.Option("--why", help="the reason, for whoever reads it next")],
    who: Who = None,
) -> None:
    """Record a decision on a pair in seed/judgements.yaml (replacing an earlier one of the same
    pair): it is not proposed again, and a `different` pair never merges. `same` does not merge:
    `kg merge` does.

    \b
    Example: kg xref judge halton-police niagara-police different --why "two regional services"
    """
    from kg.errors import UsageError
    from kg.project import writable_seed_dir
    from kg.seed.judgements import Judgement, record, today
    from kg.seed.validate import validate

    folder = writable_seed_dir()
    seed = validate([folder])
    for ident in (a, b):
        if ident not in seed.nodes:
            raise UsageError(f"unknown id {ident!r}: no actor of {folder} has it")
    if a == b:
        raise UsageError(f"a judgement names two actors, not {a!r} twice")
    path = record(folder, Judgement(a=a, b=b, decision=decision.value, who=_who(who), why=why, date=today()))
    typer.echo(str(path))
    err(f"judged {a} and {b} {decision.value} in {path}")


@app.command("merge")
def merge(
    keep: Annotated[str, typer.Argument(help="the actor that stays (its id)")],
    other: Annotated[str, typer.Argument(help="the actor merged into it, whose id goes")],
    why: Annotated[str, typer.Option("--why", help="the reason, kept in the judgement")]
    = "the same actor (kg merge)",
    who: Who = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="print the changes to the seed files; write nothing")]
    = False,
    texts: TextsDir = None,
) -> None:
    """Merge actor OTHER into KEEP, in the seed files: every reference to OTHER names KEEP, OTHER's
    names become KEEP's aliases and its properties KEEP's where KEEP has none, and no fact is lost
    (each still cites its sources). The merged seed is validated before anything is written, and
    the merge is recorded as a `same` judgement in seed/judgements.yaml, with what OTHER was.
    Refused, with the seed untouched: an unknown id, a fact or a source, an actor into itself, and
    a pair judged different.

    \b
    Example: kg merge halton-police hrps --why "HRPS is the Halton Regional Police Service"
             kg load --dry-run     # what the graph would change
    """
    from kg.project import writable_seed_dir
    from kg.seed.merge import merge as do_merge
    from kg.seed.texts import texts_dir

    result = do_merge(writable_seed_dir(), keep, other, who=_who(who), why=why, texts=texts_dir(texts),
                      dry_run=dry_run)
    if dry_run:
        typer.echo(result.diff(), nl=False)
        err(f"dry run: merging {other} into {keep} would change {len(result.changed)} files; nothing was written")
    else:
        for path in result.changed:
            typer.echo(str(path))
        err(f"merged {other} into {keep}: {len(result.changed)} files rewritten, the judgement recorded; "
            "next: kg load --dry-run, then kg load")
    for note in result.notes:
        err(f"note: {note}")
