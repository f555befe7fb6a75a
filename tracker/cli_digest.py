"""`tracker digest`: a team's (or the programme's) weekly digest, printed as Markdown or HTML."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.cli import fail, unit_of_work
from tracker.people.models import Team


def digest(
    team: Annotated[str | None, typer.Option(
        help="Team id, name, or the start of one name (any case): Billing for Billing Operations.")] = None,
    week: Annotated[str | None, typer.Option(help="ISO week, e.g. 2026-W47 (default: this week, as the API).")] = None,
    format: Annotated[str, typer.Option("--format", help="md, html or json.")] = "md",  # noqa: A002
    programme: Annotated[bool, typer.Option("--programme", help="The whole programme, not one team.")] = False,
) -> None:
    """Print the weekly status digest of a team or of the whole programme."""
    from tracker.clock import today
    from tracker.digests.builder import build_digest
    from tracker.digests.render import to_html, to_markdown
    from tracker.digests.weeks import week_of

    if format not in ("md", "html", "json"):
        fail("--format must be md, html or json")
    if programme == (team is not None):
        fail("name one team with --team, or pass --programme")
    with unit_of_work() as session:
        scope = "programme"
        if team is not None:
            scope = f"team:{_find_team(session, team).id}"
        # The current week so far, as `GET /digests/...` answers; Monday's post covers the week before.
        report = build_digest(session, scope=scope, week=week or week_of(today()).label)
    if format == "md":
        typer.echo(to_markdown(report))
    elif format == "html":
        typer.echo(to_html(report))
    else:
        typer.echo(json.dumps(asdict(report), indent=2))


def _find_team(session: Session, given: str) -> Team:
    """By id, by name in any case, else by the one name that starts with `given`."""
    if given.isdigit() and int(given) < 2**31:
        found = session.get(Team, int(given))
        if found is not None:
            return found
    teams = list(session.scalars(select(Team).order_by(Team.name)))
    wanted = given.strip().casefold()
    exact = [t for t in teams if t.name.casefold() == wanted]
    starting = exact or [t for t in teams if wanted and t.name.casefold().startswith(wanted)]
    if len(starting) == 1:
        return starting[0]
    if starting:
        fail(f"{given!r} could be " + ", ".join(repr(t.name) for t in starting) + ": say which")
    fail(f"no team {given!r}; teams: " + ", ".join(repr(t.name) for t in teams))
