"""A value the database refuses is the data's fault: the CLI says so instead of suspecting the
database URL."""

from __future__ import annotations

import pytest
import typer
from sqlalchemy.exc import DataError

from tracker import cli


def test_a_refused_value_does_not_blame_the_database_url(monkeypatch, capfd, tmp_path) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises((SystemExit, typer.Exit)), cli.unit_of_work():
        raise DataError("INSERT ...", {}, Exception("value too long for type character varying(200)"))
    err = capfd.readouterr().err
    assert "value too long" in err and "refused the data" in err
    assert "TRACKER_DATABASE_URL" not in err
