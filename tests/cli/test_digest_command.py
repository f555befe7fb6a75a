"""`tracker digest` prints a team's or the programme's week as Markdown, HTML or JSON."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.cli.conftest import Run
from tracker.people.models import Team


def test_digest_command(migrated: Run, db: Session) -> None:
    assert migrated("demo").exit_code == 0
    db.rollback()
    team = db.scalars(select(Team).order_by(Team.id)).first()
    assert team is not None
    result = migrated("digest", "--team", str(team.id), "--week", "2026-W47")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"# {team.name}: week 2026-W47\n") and "## Still overdue, by owner" in result.stdout
    by_name = migrated("digest", "--team", team.name, "--week", "2026-W47", "--format", "html")
    assert by_name.exit_code == 0 and by_name.stdout.startswith("<!doctype html>")
    programme = migrated("digest", "--programme", "--week", "2026-W47", "--format", "json")
    assert programme.exit_code == 0 and json.loads(programme.stdout)["title"] == "Programme: week 2026-W47"
    for args, message in ((("digest",), "--team"), (("digest", "--team", "Nope"), "no team 'Nope'"),
                          (("digest", "--programme", "--week", "2026-47"), "week must look like"),
                          (("digest", "--programme", "--format", "pdf"), "--format")):
        refused = migrated(*args)
        assert refused.exit_code == 1 and message in refused.output, (args, refused.output)


def test_digest_finds_a_team_by_the_start_of_its_name_and_defaults_to_this_week(migrated: Run) -> None:
    from tracker.clock import today
    from tracker.digests.weeks import week_of

    assert migrated("demo").exit_code == 0
    this_week = week_of(today()).label
    for given in ("Billing", "billing operations", "BILLING OP"):
        result = migrated("digest", "--team", given)
        assert result.exit_code == 0, (given, result.output)
        assert result.stdout.startswith(f"# Billing Operations: week {this_week}\n"), result.stdout[:80]
    programme = migrated("digest", "--programme", "--format", "json")
    assert json.loads(programme.stdout)["week"] == this_week  # as GET /digests/programme answers
    unknown = migrated("digest", "--team", "Zz")
    assert unknown.exit_code == 1 and "'Billing Operations'" in unknown.output  # lists the teams


def test_demo_tokens_file_names_the_configured_port(run: Run, db_url: str) -> None:
    from pathlib import Path

    from typer.testing import CliRunner

    from tracker.cli import app
    from tracker.config import get_settings

    assert run("migrate").exit_code == 0
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["demo"], env={"TRACKER_DATABASE_URL": db_url, "TRACKER_PORT": "8299"})
    assert result.exit_code == 0, result.output
    text = Path(".tracker-demo-tokens").read_text()
    assert "http://127.0.0.1:8299/people" in text and ":8000" not in text
