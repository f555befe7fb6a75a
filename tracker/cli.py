"""The `tracker` command line: run the service, manage the database, load and move data.

Every command that touches the database opens its own engine from the settings
(TRACKER_DATABASE_URL) and does its work in one transaction: all of it or none of it.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, NoReturn

import typer
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.orm import Session

import tracker.models  # noqa: F401 - every mapper must be known before the first flush
from tracker import wiring
from tracker.config import get_settings
from tracker.db import make_engine, make_session_factory, transaction
from tracker.errors import TrackerError

app = typer.Typer(help="The tracker: journey-mapping findings to owned, shipped change.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
log = logging.getLogger("tracker")


def fail(message: str) -> NoReturn:
    """A user's mistake or a refused operation: a message and exit code 1, no traceback."""
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(1)


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One engine and one transaction for one command; typed errors become clean exits."""
    engine = make_engine(get_settings().database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            yield session
    except TrackerError as exc:
        fail(exc.message)
    except (DataError, IntegrityError) as exc:
        # The database refused a value (too long, out of range, a broken reference): the input's
        # fault, not the connection's.
        fail(f"the database refused the data, nothing was written: {exc.orig}")
    except DBAPIError as exc:
        fail(f"database error: {exc.orig}\n(is TRACKER_DATABASE_URL right, and has "
             "`tracker migrate` been run?)")
    finally:
        engine.dispose()


def _setup_logging() -> None:
    logging.basicConfig(level=get_settings().log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@app.command()
def migrate(revision: Annotated[str, typer.Option(help="Alembic revision to reach.")] = "head"
            ) -> None:
    """Upgrade the database schema (creates the database file on SQLite)."""
    from tracker.migrations import upgrade

    upgrade(get_settings().database_url, revision)
    typer.echo(f"database at revision {revision}")


@app.command()
def downgrade(revision: Annotated[str, typer.Option(help="Alembic revision to go back to.")]
              ) -> None:
    """Downgrade the database schema (`--revision base` drops every table)."""
    from tracker.migrations import downgrade as alembic_downgrade

    alembic_downgrade(get_settings().database_url, revision)
    typer.echo(f"database at revision {revision}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default: TRACKER_HOST (127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Default: TRACKER_PORT (8000).")] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
) -> None:
    """Serve the HTTP API with uvicorn."""
    import uvicorn

    settings = get_settings()
    uvicorn.run("tracker.serving:served_app", factory=True, host=host or settings.host,
                port=port or settings.port, reload=reload, log_level=settings.log_level)


@app.command()
def worker(
    worker_id: Annotated[str | None, typer.Option(help="Name in leases and logs (default host:pid).")] = None,
    no_scheduler: Annotated[bool, typer.Option("--no-scheduler", help="Deliver only; no sweeps.")] = False,
) -> None:
    """Deliver the outbox (tickets, messages) and run the periodic sweeps, until SIGTERM/SIGINT."""
    from tracker.worker.main import run_worker

    _setup_logging()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    run_worker(get_settings(), stop, with_scheduler=not no_scheduler, worker_id=worker_id)


@app.command("run-sandbox")
def run_sandbox(
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
) -> None:
    """What `make run` does: migrate, load the demo when empty, explain, then serve."""
    from tracker import cli_logging
    from tracker.cli_programme import demo

    # One process holds the API, the worker thread and the emulators: their INFO lines show,
    # and a passing vendor fault is one line (tracker/cli_logging.py).
    cli_logging.configure(get_settings().log_level)
    migrate("head")
    demo(if_empty=True)
    settings = get_settings()
    base = f"http://{host or settings.host}:{port or settings.port}"
    lines = [f"Open:         {base}/  (the programme home, after signing in)", *_demo_sign_in_lines(),
             f"API docs:     {base}/docs", "Demo logins:  .tracker-demo-tokens "
             "(source it, then: curl -H \"Authorization: Bearer $LEAD_TOKEN\" "
             f"{base}/...)"]
    sandbox, sandbox_lines = wiring.start_sandbox(settings, base)
    typer.echo("\n".join(["", *lines, *sandbox_lines, ""]))
    try:
        serve(host=host, port=port, reload=False)
    finally:
        if sandbox is not None:
            sandbox.stop()


def _demo_sign_in_lines() -> list[str]:
    from tracker.demo.sign_ins import SIGN_INS_FILE, ensure_demo_sign_ins

    with unit_of_work() as session:
        sign_ins = ensure_demo_sign_ins(session)
    if not sign_ins:
        return ["Sign in:      `tracker password-link --email you@example.com` makes a set-password link"]
    rows = [f"  {s.role:<7} {s.email:<28} {s.password}" for s in sign_ins]
    return [f"Sign in as (email, password; also in {SIGN_INS_FILE}):", *rows]


slack_app = typer.Typer(help="Setting up the Slack app.", no_args_is_help=True)
app.add_typer(slack_app, name="slack")


@slack_app.command("manifest")
def slack_manifest(
    url: Annotated[str | None, typer.Option(help="Public base URL Slack calls (default: TRACKER_BASE_URL).")] = None,
) -> None:
    """Print the Slack app manifest (JSON): scopes, /tracker command, interactivity URL."""
    import json

    from integrations.slack.manifest import app_manifest

    settings = get_settings()
    name = settings.slack.app_name if settings.slack else "CX Tracker"
    typer.echo(json.dumps(app_manifest(url or settings.base_url, app_name=name), indent=2))


def _register() -> None:
    # The data commands live in their own module so this file stays about running things.
    from tracker import cli_auth, cli_programme

    cli_programme.register(app)
    cli_auth.register(app)


_register()
