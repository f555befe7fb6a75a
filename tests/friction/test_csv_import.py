from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.factories import journeys as jf
from tracker.friction.csv_import import ImportFailed, import_friction_csv
from tracker.friction.models import FrictionPoint
from tracker.people.models import Role

FIXTURES = Path(__file__).parent.parent / "fixtures"
CSV = {"Content-Type": "text/csv"}


def _count(session, map_id: int) -> int:
    return session.scalar(select(func.count()).select_from(FrictionPoint)
                          .where(FrictionPoint.journey_map_id == map_id))


def _import(client, headers, map_id: int, data: bytes | str, **params):
    return client.post(f"/journey-maps/{map_id}/friction-points/import", headers={**headers, **CSV},
                       content=data, params=params)


def test_board_export_merges_rows_into_friction_points(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    jmap = jf.journey_map(session)
    r = _import(client, lead, jmap.id, (FIXTURES / "friction_board.csv").read_bytes())
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["rows"] == 4 and report["dry_run"] is False
    assert report["friction_points_created"] == 2 and report["friction_points_updated"] == 0
    assert report["evidence_added"] == 3 and report["affected_customers_added"] == 2
    first = client.get(f"/friction-points/{report['friction_point_ids'][0]}", headers=lead).json()
    assert first["title"] == "Unexplained adjustment line"
    assert first["step_name"] == "Open invoice" and first["upstream_cause"] == "billing"
    assert first["description"] == 'Nobody can tell what the "adjustment" is for'
    assert [(e["source"], e["note"]) for e in first["evidence"]] == [
        ("workshop", "Sticky #12"), ("support_tickets", "37 tickets in March,\nmost from SMB")]
    assert first["evidence"][1]["link"] == "https://support.example.com/v/1"
    assert [c["name"] for c in first["affected_customers"]] == ["Dana Ruiz", "Lee Park"]
    assert first["affected_customers"][0]["segment"] == "SMB"
    second = client.get(f"/friction-points/{report['friction_point_ids'][1]}", headers=lead).json()
    assert second["evidence"][0]["source"] == "interview"  # "Interview" in the file
    log = client.get("/activity", headers=lead, params={
        "entity_type": "friction_point", "entity_id": first["id"]}).json()["items"]
    assert log[0]["action"] == "imported"


def test_reimport_adds_only_what_is_new(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    jmap = jf.journey_map(session)
    data = (FIXTURES / "friction_board.csv").read_bytes()
    assert _import(client, lead, jmap.id, data).status_code == 200
    again = _import(client, lead, jmap.id, data).json()
    assert again["friction_points_created"] == again["friction_points_updated"] == 0
    assert again["evidence_added"] == 0 and _count(session, jmap.id) == 2
    more = "stage,step,title,evidence_source,customer_name,customer_contact\n" \
           "Notice,Open invoice,UNEXPLAINED adjustment line,survey,Kim,kim@example.com\n"
    report = _import(client, lead, jmap.id, more).json()
    assert report["friction_points_updated"] == 1 and report["evidence_added"] == 1
    assert report["affected_customers_added"] == 1 and _count(session, jmap.id) == 2


def test_bom_semicolons_crlf_and_blank_lines(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    jmap = jf.journey_map(session)
    r = _import(client, lead, jmap.id, (FIXTURES / "friction_semicolon_bom.csv").read_bytes())
    assert r.status_code == 200, r.text
    assert r.json()["friction_points_created"] == 2 and r.json()["rows"] == 2
    fp = client.get(f"/friction-points/{r.json()['friction_point_ids'][0]}", headers=lead).json()
    assert fp["evidence"][0]["note"] == "NPS comment; verbatim"
    assert fp["stage_name"] == "Notice"


def test_bad_rows_all_reported_and_nothing_written(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    jmap = jf.journey_map(session)
    r = _import(client, lead, jmap.id, (FIXTURES / "friction_bad.csv").read_bytes())
    assert r.status_code == 422
    error = r.json()["error"]
    got = {(e["line"], e["field"]) for e in error["details"]["errors"]}
    assert got == {(3, "step"), (4, "stage"), (5, "title"), (5, "evidence_source"),
                   (6, "evidence_link"), (6, "customer_contact")}
    step_error = next(e for e in error["details"]["errors"] if e["field"] == "step")
    assert "unknown step 'Open invoce' in stage 'Notice'" in step_error["message"]
    assert "'Open invoice'" in step_error["message"]  # the choices are named
    assert error["field"] == "step" and "nothing was imported" in error["message"]
    assert _count(session, jmap.id) == 0  # line 2 was fine, but all or nothing


@pytest.mark.parametrize(("text", "line", "field", "needle"), [
    ("", 1, None, "empty"),
    ("stage,step,title\n", 1, None, "no rows"),
    ("stage,step,titel\nNotice,Open invoice,x\n", 1, "titel", "unknown column"),
    ("stage,step\nNotice,Open invoice\n", 1, "title", "no 'title'"),
    ("stage,step,title\nNotice,Open invoice,x,surplus\n", 2, None, "4 cells"),
    ("stage,step,title\n\nNotice,Open invoice,\"unterminated\n", 3, None, "cannot be read"),
    ("stage,step,title,description\nNotice,Open invoice,x,one\n\nNotice,open invoice,X,two\n",
     4, "description", "differs from line 2"),
    ("stage,step,title,evidence_note\nNotice,Open invoice,x,a note\n", 2, "evidence_source",
     "evidence_source is empty"),
])
def test_file_level_problems(session, text, line, field, needle) -> None:
    lead = factories.person(session, Role.lead)
    jmap = jf.journey_map(session)
    with pytest.raises(ImportFailed) as caught:
        import_friction_csv(session, actor=lead, text=text, journey_map_id=jmap.id)
    first = caught.value.details["errors"][0]
    assert (first["line"], first["field"]) == (line, field), first
    assert needle in first["message"]
    assert caught.value.status == 422


def test_trailing_empty_cells_and_tabs_are_fine(session) -> None:
    lead = factories.person(session, Role.lead)
    jmap = jf.journey_map(session)
    text = "stage\tstep\ttitle\t\nNotice\tOpen invoice\tTabbed\t\t\n"
    report = import_friction_csv(session, actor=lead, text=text, journey_map_id=jmap.id)
    assert report.friction_points_created == 1 and _count(session, jmap.id) == 1


def test_dry_run_counts_without_writing(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    jmap = jf.journey_map(session)
    data = (FIXTURES / "friction_board.csv").read_bytes()
    r = _import(client, lead, jmap.id, data, dry_run="true")
    assert r.status_code == 200
    assert r.json()["dry_run"] is True and r.json()["friction_points_created"] == 2
    assert r.json()["friction_point_ids"] == [] and _count(session, jmap.id) == 0
    bad = _import(client, lead, jmap.id, (FIXTURES / "friction_bad.csv").read_bytes(),
                  dry_run="true")
    assert bad.status_code == 422 and len(bad.json()["error"]["details"]["errors"]) == 6


def test_import_endpoint_refusals(client, session) -> None:
    _, viewer = factories.user(session, Role.viewer)
    _, owner = factories.user(session, Role.owner)
    _, lead = factories.user(session, Role.lead)
    jmap = jf.journey_map(session)
    data = (FIXTURES / "friction_board.csv").read_bytes()
    assert _import(client, viewer, jmap.id, data).status_code == 403
    assert _import(client, owner, jmap.id, data).status_code == 403
    assert _import(client, lead, 999999, data).status_code == 404
    latin1 = "stage,step,title\nNotice,Open invoice,Café\n".encode("latin-1")
    r = _import(client, lead, jmap.id, latin1)
    assert r.status_code == 422 and r.json()["error"]["field"] == "body"
    assert _count(session, jmap.id) == 0
