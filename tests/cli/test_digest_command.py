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
