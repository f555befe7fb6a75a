"""Uploading observations as CSV: every bad line reported by number, nothing half-imported."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests import factories
from tests.metrics.factories import metric
from tracker.metrics.models import Observation, ObservationSource
from tracker.metrics.observations import record_observation
from tracker.people.models import Role


def _post(client, headers, metric_id: int, text: str, **params):  # type: ignore[no-untyped-def]
    return client.post(f"/metrics/{metric_id}/observations/import", content=text.encode(), params=params,
                       headers={**headers, "Content-Type": "text/csv"})


def _values(session, metric_id: int) -> dict[date, float]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return {o.period_start: o.value for o in session.scalars(
        select(Observation).where(Observation.metric_id == metric_id))}


def test_bad_lines_are_reported_by_number_and_nothing_is_imported(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    m = metric(session)
    text = ("period,value\n"
            "2026-W01,38\n"      # line 2: fine
            "2026-W02,forty\n"   # line 3: not a number
            "\n"                 # blank lines are skipped (and still counted)
            "2026-W03,\n"        # line 5: empty value
            "week 4,12\n"        # line 6: unreadable period
            "2026-01-02,40\n"    # line 7: a day of 2026-W01 again
            "2099-W01,3\n"       # line 8: still to come
            "2026-W09,1 234\n")  # line 9: fine (a space as thousands separator)
    r = _post(client, lead, m.id, text)
    assert r.status_code == 422, r.text
    errors = r.json()["error"]["details"]["errors"]
    assert [(e["line"], e["field"]) for e in errors] == [
        (3, "value"), (5, "value"), (6, "period"), (7, "period"), (8, "period")]
    assert "'forty' is not a number" in errors[0]["message"]
    assert "also on line 2" in errors[3]["message"]
    assert r.json()["error"]["message"].endswith("nothing was imported")
    assert _values(session, m.id) == {}


def test_a_good_file_imports_and_replaces(client, session) -> None:
    lead_person, lead = factories.user(session, Role.lead)
    m = metric(session)
    record_observation(session, m.id, date(2026, 1, 5), 41, ObservationSource.api)
    record_observation(session, m.id, date(2026, 1, 12), 36, ObservationSource.api)
    session.commit()
    text = "\ufeffPeriod;Value\n2026-W01;38\n2026-W02;40,5\n2026-01-14;36\n"  # Excel's ; and , decimals
    preview = _post(client, lead, m.id, text, dry_run="true")
    assert preview.status_code == 200, preview.text
    assert preview.json() == {"dry_run": True, "rows": 3, "created": 1, "replaced": 1, "unchanged": 1}
    assert len(_values(session, m.id)) == 2  # the dry run wrote nothing
    done = _post(client, lead, m.id, text)
    assert done.json() == {"dry_run": False, "rows": 3, "created": 1, "replaced": 1, "unchanged": 1}
    assert _values(session, m.id) == {date(2025, 12, 29): 38, date(2026, 1, 5): 40.5, date(2026, 1, 12): 36}
    replaced = session.scalars(select(Observation).where(Observation.period_start == date(2026, 1, 5))).one()
    assert (replaced.source, replaced.recorded_by_id) == (ObservationSource.csv, lead_person.id)


def test_header_problems(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    m = metric(session)
    for text, field in (("week,value\n2026-W01,3\n", "week"), ("period\n2026-W01\n", "value"),
                        ("\n\n", None)):
        r = _post(client, lead, m.id, text)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["details"]["errors"][0]["field"] == field
        assert r.json()["error"]["details"]["errors"][0]["line"] == 1
    viewer = factories.user(session, Role.viewer)[1]
    assert _post(client, viewer, m.id, "period,value\n").status_code == 403


def test_an_upload_that_is_not_utf8_or_too_large_is_refused_naming_the_body(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    m = metric(session)
    headers = {**lead, "Content-Type": "text/csv"}
    body = "period,value\n2026-W01,1\né".encode("latin-1")
    latin1 = client.post(f"/metrics/{m.id}/observations/import", content=body, headers=headers)
    assert latin1.status_code == 422 and "not UTF-8" in latin1.text and '"body"' in latin1.text
    big = client.post(f"/metrics/{m.id}/observations/import", content=b"period,value\n" + b"x" * 1_000_001,
                      headers=headers)
    assert big.status_code in (413, 422) and _values(session, m.id) == {}
