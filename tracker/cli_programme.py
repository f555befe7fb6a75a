"""CLI commands about the programme's data: people and tokens, the demo, import and export."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.cli import fail, unit_of_work
from tracker.config import get_settings
from tracker.errors import TrackerError
from tracker.people.models import Person, Role

DEMO_TOKENS_FILE = Path(".tracker-demo-tokens")


def create_user(
    name: Annotated[str, typer.Option(help="Full name.")],
    email: Annotated[str, typer.Option(help="Unique e-mail; the login identity.")],
    role: Annotated[str, typer.Option(help="admin, lead, owner or viewer.")],
    timezone: Annotated[str, typer.Option(help="IANA timezone for nudges.")] = "UTC",
    slack_id: Annotated[str | None, typer.Option(help="Slack user id (U...).")] = None,
) -> None:
    """Create a person and print their id and a first API token (shown once)."""
    from tracker.auth.service import issue_token
    from tracker.people.schemas import PersonCreate
    from tracker.people.service import create_person

    try:
        data = PersonCreate.model_validate({"name": name, "email": email, "role": role,
                                            "timezone": timezone, "slack_user_id": slack_id})
    except ValidationError as exc:
        fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()))
    with unit_of_work() as session:
        person = create_person(session, actor=None, data=data.model_dump(exclude_none=True))
        _, secret = issue_token(session, person=person, name="cli")
    typer.echo(f"person id: {person.id} ({person.role.value}, {person.email})")
    typer.echo(f"token:     {secret}")
    typer.echo("The token is shown once: keep it now (send it as `Authorization: Bearer ...`).")


def create_token(
    email: Annotated[str, typer.Option(help="Whose token.")],
    name: Annotated[str, typer.Option(help="What the token is for, e.g. 'laptop'.")],
) -> None:
    """Issue another API token for an existing person (shown once)."""
    from tracker.auth.service import issue_token
    from tracker.people.service import find_by_email

    with unit_of_work() as session:
        person = find_by_email(session, email)
        if person is None:
            fail(f"no person with email {email.strip().lower()}")
        if not person.active:
            fail(f"{person.email} is deactivated; reactivate them before issuing a token")
        _, secret = issue_token(session, person=person, name=name)
    typer.echo(f"token for {person.email} ({name}): {secret}")
    typer.echo("The token is shown once: keep it now.")


def demo(
    if_empty: Annotated[bool, typer.Option(
        "--if-empty", help="Do nothing when a journey map already exists.")] = False,
    tokens_file: Annotated[Path, typer.Option(
        help="Where to keep the demo logins (git-ignored).")] = DEMO_TOKENS_FILE,
) -> None:
    """Load the demo programme and print a login (API token) for each role."""
    from tracker.demo import load_demo, programme_is_empty

    with unit_of_work() as session:
        if not programme_is_empty(session):
            if if_empty:
                typer.echo("demo not loaded: the database already holds journey maps"
                           + (f" (demo logins: {tokens_file})" if tokens_file.exists() else ""))
                return
            fail("the database already holds journey maps; the demo loads into an empty "
                 "programme (use --if-empty to skip quietly)")
        logins = load_demo(session)
    settings = get_settings()
    lines = ["# Demo logins written by `tracker demo`. Tokens are secrets: keep this file local.",
             "# Use: . ./.tracker-demo-tokens && curl -H \"Authorization: Bearer $LEAD_TOKEN\" "
             f"http://{settings.host}:{settings.port}/people"]
    for login in logins:
        lines += [f"# {login.role}: {login.name} <{login.email}>",
                  f"{login.role.upper()}_TOKEN={login.token}"]
    # 0600: the file holds working credentials.
    fd = os.open(tokens_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write("\n".join(lines) + "\n")
    typer.echo("Demo programme loaded. Logins (also in " + str(tokens_file) + "):")
    for login in logins:
        typer.echo(f"  {login.role:<7} {login.name} <{login.email}>  {login.token}")


def _actor(session: Session, email: str | None) -> Person:
    if email:
        from tracker.people.service import find_by_email

        person = find_by_email(session, email)
        if person is None:
            fail(f"no person with email {email.strip().lower()}")
        return person
    # Without --as the import is done in the name of the programme's lead (or an admin).
    for role in (Role.lead, Role.admin):
        person = session.scalar(select(Person).where(Person.role == role, Person.active)
                                .order_by(Person.id).limit(1))
        if person is not None:
            return person
    fail("no lead or admin exists to import as; create one or pass --as EMAIL")


def _import_csv(path: Path, journey: int | None, dry_run: bool, as_email: str | None) -> None:
    try:
        from tracker.friction.csv_import import import_friction_csv
    except ModuleNotFoundError as exc:
        if exc.name != "tracker.friction.csv_import":
            raise
        fail("CSV import is not available in this build (tracker.friction.csv_import is missing)")
    if journey is None:
        fail("a CSV import needs --journey ID (the journey map the friction points belong to)")
    text = path.read_text(encoding="utf-8-sig")  # spreadsheet exports often start with a BOM
    with unit_of_work() as session:
        try:
            report = import_friction_csv(session, actor=_actor(session, as_email), text=text,
                                         journey_map_id=journey, dry_run=dry_run)
        except TrackerError as exc:
            # One line per problem, by CSV line, so the sheet can be fixed in one pass.
            for error in exc.details.get("errors", []):
                typer.echo(f"{path}:{error['line']}: {error.get('field') or '-'}: "
                           f"{error['message']}", err=True)
            fail(exc.message)
        if dry_run:
            session.rollback()  # the service wrote nothing; make sure nothing is committed
    verb = "would create" if dry_run else "created"
    typer.echo(f"{path}: {report.rows} row(s); {verb} {report.friction_points_created} friction "
               f"point(s), added to {report.friction_points_updated}; "
               f"{report.evidence_added} evidence, {report.affected_customers_added} "
               "affected customer(s)")


def _import_json(path: Path, dry_run: bool) -> None:
    from tracker.backup import import_programme

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        fail(f"{path} is not valid JSON: {exc}")
    with unit_of_work() as session:
        counts = import_programme(session, data)
        if dry_run:
            session.rollback()
    total = sum(counts.values())
    typer.echo(f"{'would import' if dry_run else 'imported'} {total} rows in {len(counts)} "
               "tables. API tokens are never exported: issue new ones with "
               "`tracker create-token --email ... --name ...`.")


def import_(
    file: Annotated[Path | None, typer.Argument(help="A friction-point CSV file.")] = None,
    journey: Annotated[int | None, typer.Option(help="Journey map id for a CSV.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only; write nothing.")] = False,
    as_email: Annotated[str | None, typer.Option("--as", help="Import as this person.")] = None,
    json_file: Annotated[Path | None, typer.Option(
        "--json", help="A whole-programme export (into an empty database).")] = None,
) -> None:
    """Import friction points from a CSV (FILE --journey ID) or a whole programme (--json FILE)."""
    if (file is None) == (json_file is None):
        fail("give either a CSV FILE with --journey ID, or --json FILE")
    path = file or json_file
    assert path is not None
    if not path.is_file():
        fail(f"{path}: no such file")
    if json_file is not None:
        _import_json(json_file, dry_run)
    else:
        _import_csv(path, journey, dry_run, as_email)


def export(
    out: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
) -> None:
    """Export the whole programme as JSON (API tokens excluded: they are secrets)."""
    from tracker.backup import export_programme

    with unit_of_work() as session:
        data = export_programme(session)
    text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    rows = sum(len(t["rows"]) for t in data["tables"])
    typer.echo(f"exported {rows} rows in {len(data['tables'])} tables to {out}", err=True)


def register(app: typer.Typer) -> None:
    app.command("create-user")(create_user)
    app.command("create-token")(create_token)
    app.command()(demo)
    app.command("import")(import_)
    app.command()(export)
    from tracker.cli_digest import digest

    app.command()(digest)
