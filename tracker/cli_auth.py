"""CLI commands about browser sign-in: set a password, or print a one-time set-password link."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.cli import fail, unit_of_work
from tracker.config import get_settings


def set_password(
    email: Annotated[str, typer.Option(help="Whose password.")],
    password: Annotated[str, typer.Option(
        prompt=True, hide_input=True, confirmation_prompt=True,
        help="Asked for when omitted (typed twice, not echoed).")],
) -> None:
    """Set a person's browser password; their signed-in browsers are signed out."""
    from tracker.auth.passwords import set_password as store
    from tracker.people.service import find_by_email

    with unit_of_work() as session:
        person = find_by_email(session, email)
        if person is None:
            fail(f"no person with email {email.strip().lower()}")
        store(session, person=person, password=password)
    typer.echo(f"password set for {person.email}; their other sessions were signed out")


def password_link(email: Annotated[str, typer.Option(help="Who the link is for.")]) -> None:
    """Print a one-time link to set a password (an invitation, or a reset). Shown once."""
    from tracker.auth.links import LINK_LIFETIME, issue_link, link_path
    from tracker.people.service import find_by_email

    with unit_of_work() as session:
        person = find_by_email(session, email)
        if person is None:
            fail(f"no person with email {email.strip().lower()}")
        link, secret = issue_link(session, actor=None, person=person)
    hours = int(LINK_LIFETIME.total_seconds() // 3600)
    typer.echo(f"{link.purpose} link for {person.email} (works once, expires in {hours} hours):")
    typer.echo(get_settings().base_url.rstrip("/") + link_path(secret))


def register(app: typer.Typer) -> None:
    app.command("set-password")(set_password)
    app.command("password-link")(password_link)
