"""demo, import (CSV and JSON), export and run-sandbox through the CLI."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.cli.conftest import Run
from tracker.auth.service import authenticate_token
from tracker.friction.models import FrictionPoint
from tracker.journeys.models import JourneyMap


def _count(db: Session, model: type) -> int:
    db.rollback()  # end the read snapshot so the CLI's commits are visible
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_demo_prints_logins_and_writes_the_tokens_file(migrated: Run, db: Session,
                                                       tmp_path: Path) -> None:
    result = migrated("demo")
    assert result.exit_code == 0, result.output
    tokens_file = tmp_path / ".tracker-demo-tokens"
    assert stat.S_IMODE(tokens_file.stat().st_mode) == 0o600
    tokens = dict(line.split("=", 1) for line in tokens_file.read_text().splitlines()
                  if not line.startswith("#"))
    assert set(tokens) == {"LEAD_TOKEN", "OWNER_TOKEN", "VIEWER_TOKEN", "ADMIN_TOKEN"}
    for name, token in tokens.items():
        assert token in result.stdout
        assert authenticate_token(db, token)[0].role.value == name.removesuffix("_TOKEN").lower()


def test_demo_if_empty_is_idempotent(migrated: Run, db: Session) -> None:
    assert migrated("demo", "--if-empty").exit_code == 0
    maps, points = _count(db, JourneyMap), _count(db, FrictionPoint)
    result = migrated("demo", "--if-empty")
    assert result.exit_code == 0 and "not loaded" in result.stdout
    assert (_count(db, JourneyMap), _count(db, FrictionPoint)) == (maps, points)
    result = migrated("demo")  # without --if-empty, loading twice is refused, not duplicated
    assert result.exit_code == 1 and "already holds journey maps" in result.stderr
    assert _count(db, JourneyMap) == maps


BAD_CSV = """stage,step,title,evidence_source
Noticing the problem,Reads the invoice PDF,Totals hard to find,workshop
Nope,Reads the invoice PDF,Unknown stage,workshop
Noticing the problem,Reads the invoice PDF,,survey
"""
GOOD_CSV = """stage,step,title,evidence_source,evidence_note
Noticing the problem,Reads the invoice PDF,Totals hard to find,workshop,sticky from the board
"""


def test_csv_import_reports_line_numbers_and_writes_nothing(migrated: Run, db: Session,
                                                            tmp_path: Path) -> None:
    assert migrated("demo").exit_code == 0
    before = _count(db, FrictionPoint)
    (tmp_path / "bad.csv").write_text(BAD_CSV)
    result = migrated("import", "bad.csv", "--journey", "1")
    assert result.exit_code == 1
    assert "bad.csv:3: stage" in result.stderr and "bad.csv:4: title" in result.stderr
    assert "nothing was imported" in result.stderr
    assert _count(db, FrictionPoint) == before


def test_csv_import_dry_run_then_for_real(migrated: Run, db: Session, tmp_path: Path) -> None:
    assert migrated("demo").exit_code == 0
    before = _count(db, FrictionPoint)
    (tmp_path / "good.csv").write_text(GOOD_CSV)
    result = migrated("import", "good.csv", "--journey", "1", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would create 1 friction point" in result.stdout
    assert _count(db, FrictionPoint) == before
    result = migrated("import", "good.csv", "--journey", "1", "--as", "aiko.tanaka@example.com")
    assert result.exit_code == 0, result.output
    assert _count(db, FrictionPoint) == before + 1
    created = db.scalars(select(FrictionPoint).order_by(FrictionPoint.id.desc())).first()
    assert created is not None and created.title == "Totals hard to find"


@pytest.mark.parametrize(("args", "message"), [
    (["good.csv"], "needs --journey"),
    (["good.csv", "--journey", "99"], "journey map 99 not found"),
    (["good.csv", "--journey", "1", "--as", "ghost@example.com"], "no person with email"),
    (["missing.csv", "--journey", "1"], "no such file"),
    ([], "either a CSV FILE"),
    (["good.csv", "--json", "good.csv"], "either a CSV FILE"),
])
def test_import_usage_errors(migrated: Run, tmp_path: Path, args: list[str], message: str) -> None:
    assert migrated("demo").exit_code == 0
    (tmp_path / "good.csv").write_text(GOOD_CSV)
    result = migrated("import", *args)
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output


def test_export_then_import_json_into_another_database(migrated: Run, tmp_path: Path) -> None:
    assert migrated("demo").exit_code == 0
    result = migrated("export", "--out", "programme.json")
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "programme.json").read_text())
    assert "api_tokens" not in {t["name"] for t in data["tables"]}

    refused = migrated("import", "--json", "programme.json")
    assert refused.exit_code == 1 and "empty database" in refused.stderr

    other = f"sqlite:///{tmp_path / 'other.db'}"
    from typer.testing import CliRunner

    from tracker.cli import app
    from tracker.config import get_settings

    runner = CliRunner()
    for args in (["migrate"], ["import", "--json", "programme.json"], ["export"]):
        get_settings.cache_clear()
        result = runner.invoke(app, args, env={"TRACKER_DATABASE_URL": other})
        assert result.exit_code == 0, result.output
    again = json.loads(result.stdout)
    assert {**again, "exported_at": None} == {**data, "exported_at": None}


def test_import_json_rejects_garbage(migrated: Run, tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("{not json")
    result = migrated("import", "--json", "x.json")
    assert result.exit_code == 1 and "not valid JSON" in result.stderr
    (tmp_path / "y.json").write_text('{"format": "something-else"}')
    result = migrated("import", "--json", "y.json")
    assert result.exit_code == 1 and "not a tracker export" in result.stderr


def test_run_sandbox_migrates_loads_demo_and_serves(run: Run, db: Session,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import tracker.cli

    served: list[dict[str, object]] = []
    monkeypatch.setattr(tracker.cli, "serve", lambda **kw: served.append(kw))
    result = run("run-sandbox", "--port", "8123")
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8123/docs" in result.stdout and ".tracker-demo-tokens" in result.stdout
    assert served == [{"host": None, "port": 8123, "reload": False}]
    maps = _count(db, JourneyMap)
    assert maps >= 2
    assert run("run-sandbox").exit_code == 0  # a second `make run` keeps the data
    assert _count(db, JourneyMap) == maps


def test_worker_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"}
    cli = [sys.executable, "-c", "from tracker.cli import app; app()"]
    subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True)
    proc = subprocess.Popen([*cli, "worker"], env=env, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    # Wait for the start line: the signal handlers are installed by then (a loaded machine
    # can take seconds to import the app).
    started = ""
    while "worker" not in started or "started" not in started:
        started = proc.stderr.readline()
        assert started, "the worker exited before starting"
    assert "ticket.sync" in started
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert re.search(r"worker \S+ stopped", err)
