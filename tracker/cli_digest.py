"""`tracker digest`: a team's (or the programme's) weekly digest, printed as Markdown or HTML."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer
from sqlalchemy import select

from tracker.cli import fail, unit_of_work
from tracker.people.models import Team


def digest(
    team: Annotated[str | None, typer.Option(help="Team id or exact name.")] = None,
    week: Annotated[str | None, typer.Option(help="ISO week, e.g. 2026-W47 (default: last week).")] = None,
    format: Annotated[str, typer.Option("--format", help="md, html or json.")] = "md",  # noqa: A002
    programme: Annotated[bool, typer.Option("--programme", help="The whole programme, not one team.")] = False,
) -> None:
    """Print the weekly status digest of a team or of the whole programme."""
    from datetime import timedelta

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
            by_id = team.isdigit() and int(team) < 2**31
            stmt = select(Team).where(Team.id == int(team) if by_id else Team.name == team)
            found = session.scalars(stmt).first()
            if found is None:
                fail(f"no team {team!r} (give its id or exact name; `GET /teams` lists them)")
            scope = f"team:{found.id}"
        report = build_digest(session, scope=scope, week=week or week_of(today() - timedelta(days=7)).label)
    if format == "md":
        typer.echo(to_markdown(report))
    elif format == "html":
        typer.echo(to_html(report))
    else:
        typer.echo(json.dumps(asdict(report), indent=2))
