"""The metric pages: a map's metrics with the form to add one, and a metric's page with its edit
form, CSV upload, moments, counting status and retry. Writes go through the services the API
calls; viewers and owners read without controls and are refused by the routes; a malformed
query is refused on its field with the vendor's own message (the real clients against the
emulators); hostile text renders inert."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.factories import journeys as jf
from tests.factories import moments as mf
from tests.hostile import HOSTILE
from tests.metrics.counting_harness import Counted, make
from tests.metrics.factories import metric as make_metric
from tests.metrics.factories import weekly
from tests.web.conftest import Browser
from tracker.config import Settings
from tracker.metrics.counting import COUNT_KIND, ordering_key
from tracker.metrics.models import MomentMetric, Observation, SourceKind, SuccessMetric
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.people.models import Role

BAD = {"jira": ("project = SUP AND labels === invoice-vat", "Error in the JQL Query"),
       "github": ("repo:acme/no-such-repo label:invoice-vat", "cannot be searched")}


@pytest.fixture(params=["jira", "github"])
def vendor(request: pytest.FixtureRequest) -> Iterator[Counted]:
    v = make(request.param)
    yield v
    v.emulator.stop()


@pytest.fixture
def settings(database: Any, request: pytest.FixtureRequest) -> Settings:
    """With the emulator's connection when the test asks for a vendor."""
    connections = {}
    if "vendor" in request.fixturenames:
        v: Counted = request.getfixturevalue("vendor")
        connections[v.connection_name] = v.connection_settings()
    return Settings(database_url=database.url, base_url="http://tracker.test", connections=connections)


def _lead(session: Any, browser: Browser) -> str:
    return browser.sign_in_as(factories.person(session, Role.lead))


def _new(**fields: str) -> dict[str, str]:
    return {"name": "Invoice contacts", "unit": "tickets", "direction": "lower_is_better", "period": "weekly",
            "description": "", "source_kind": "manual", "query": "", "connection": "", **fields}


def _error_of(html: str, name: str) -> str:
    """The field's error text, checking it is wired to its input for screen readers."""
    found = re.search(rf'<(?:input|select|textarea) id="f-{name}"[^>]*aria-invalid="true"[^>]*'
                      rf'aria-describedby="[^"]*f-{name}-error', html)
    assert found, f"{name} is not marked invalid and described by its error"
    text = re.search(rf'<(p|div) class="error-text" id="f-{name}-error">(.*?)</\1>', html, re.S)
    assert text
    return text.group(2)


@pytest.mark.parametrize("role", [Role.viewer, Role.owner])
def test_readers_see_no_controls_and_are_refused(session: Any, browser: Browser, role: Role) -> None:
    m = make_metric(session)
    moment = mf.moment(session, journey_map_id=m.journey_map_id)
    session.add(MomentMetric(moment_id=moment.id, metric_id=m.id))
    session.commit()
    token = browser.sign_in_as(factories.person(session, role))
    listing = browser.get(f"/app/journey-maps/{m.journey_map_id}/metrics")
    assert listing.status_code == 200 and "Invoice contacts" in listing.text
    assert "Add a metric" not in listing.text and 'action="/app/journey-maps' not in listing.text
    page = browser.get(f"/app/metrics/{m.id}")
    assert page.status_code == 200 and 'action="/app/metrics' not in page.text and "Unlink" not in page.text
    for url, data in [(f"/app/journey-maps/{m.journey_map_id}/metrics", _new(name="Other")),
                      (f"/app/metrics/{m.id}", _new(version="1")),
                      (f"/app/metrics/{m.id}/moments", {"moment_id": str(moment.id)}),
                      (f"/app/metrics/{m.id}/moments/{moment.id}/unlink", {}),
                      (f"/app/metrics/{m.id}/count/retry", {})]:
        assert browser.post(url, {**data, "csrf_token": token}).status_code == 403, url


def test_lead_adds_a_metric_or_reads_why_not(session: Any, browser: Browser) -> None:
    jmap = jf.journey_map(session)
    token = _lead(session, browser)
    url = f"/app/journey-maps/{jmap.id}/metrics"
    page = browser.get(url)
    assert page.status_code == 200 and "Add a metric" in page.text

    empty = browser.post(url, {**_new(name=" "), "csrf_token": token})
    assert empty.status_code == 422 and "Not added" in empty.text
    assert _error_of(empty.text, "name")

    created = browser.post(url, {**_new(query="left over", connection="x"), "csrf_token": token})
    assert created.status_code == 303, created.text
    metric = session.scalars(select(SuccessMetric).where(SuccessMetric.journey_map_id == jmap.id)).one()
    assert created.headers["location"] == f"/app/metrics/{metric.id}?created"
    # An entered metric keeps no query or connection typed before its source was changed.
    assert (metric.name, metric.unit, metric.source_kind, metric.query) == (
        "Invoice contacts", "tickets", SourceKind.manual, None)
    assert "Metric added." in browser.get(created.headers["location"]).text

    again = browser.post(url, {**_new(), "csrf_token": token})
    assert again.status_code == 409 and "already has a metric named" in _error_of(again.text, "name")
    # A counted source without a query names the field too.
    counted = browser.post(url, {**_new(name="Counted", source_kind="jira_count"), "csrf_token": token})
    assert counted.status_code == 422 and _error_of(counted.text, "query")


def test_a_malformed_query_shows_the_vendor_message(session: Any, browser: Browser, vendor: Counted) -> None:
    jmap = jf.journey_map(session)
    token = _lead(session, browser)
    url = f"/app/journey-maps/{jmap.id}/metrics"
    query, vendor_text = BAD[vendor.kind]
    fields = _new(name="VAT tickets", source_kind=vendor.source_kind.value, connection=vendor.connection_name)
    assert vendor.connection_name in browser.get(url).text  # offered in the connection list
    refused = browser.post(url, {**fields, "query": query, "csrf_token": token})
    assert refused.status_code == 422, refused.text
    assert vendor_text in _error_of(refused.text, "query")
    assert query.replace("=", "") in refused.text.replace("=", "")  # what was typed is kept
    assert session.scalar(select(func.count()).select_from(SuccessMetric)) == 0

    created = browser.post(url, {**fields, "query": vendor.query, "csrf_token": token})
    assert created.status_code == 303, created.text
    metric = session.scalars(select(SuccessMetric)).one()
    assert created.headers["location"] == f"/app/metrics/{metric.id}?created&counted"
    # The backfill is queued with the metric, as the API does.
    assert session.scalars(select(OutboxMessage.payload).where(OutboxMessage.kind == COUNT_KIND)).all() == [
        {"metric_id": metric.id}]
    page = browser.get(f"/app/metrics/{metric.id}")
    assert "Count waiting" in page.text

    edit = browser.post(f"/app/metrics/{metric.id}", {
        **fields, "query": query, "version": str(metric.version), "csrf_token": token})
    assert edit.status_code == 422 and vendor_text in _error_of(edit.text, "query")


def test_edit_with_the_version_shown(session: Any, browser: Browser) -> None:
    m = make_metric(session)
    session.commit()
    token = _lead(session, browser)
    url = f"/app/metrics/{m.id}"
    page = browser.get(url)
    assert 'name="version" value="1"' in page.text and 'id="f-name"' in page.text
    saved = browser.post(url, {**_new(name="Invoice contacts per 1,000", unit="per 1,000 invoices",
                                      direction="higher_is_better"), "version": "1", "csrf_token": token})
    assert saved.status_code == 303 and saved.headers["location"] == f"{url}?saved"
    session.refresh(m)
    assert (m.name, m.unit, m.direction.value, m.version) == ("Invoice contacts per 1,000", "per 1,000 invoices",
                                                              "higher_is_better", 2)
    stale = browser.post(url, {**_new(name="Mine"), "version": "1", "csrf_token": token})
    assert stale.status_code == 409 and "Someone changed this metric" in stale.text
    assert 'value="Mine"' in stale.text
    weekly(session, m, datetime(2026, 1, 5, tzinfo=UTC).date(), [3])
    session.commit()
    monthly = browser.post(url, {**_new(period="monthly"), "version": "2", "csrf_token": token})
    assert monthly.status_code == 409 and "has observations" in _error_of(monthly.text, "period")


def _upload(browser: Browser, url: str, token: str, content: bytes, name: str = "values.csv") -> Any:
    return browser.client.post(url, data={"csrf_token": token}, files={"file": (name, content, "text/csv")},
                               headers={"Accept": "text/html"}, follow_redirects=False)


def test_csv_upload_all_or_nothing_with_problems_by_line(session: Any, browser: Browser) -> None:
    m = make_metric(session)
    session.commit()
    token = _lead(session, browser)
    url = f"/app/metrics/{m.id}/observations/import"
    bad = _upload(browser, url, token, b"period,value\n2026-W01,38\n2026-W02,many\n2099-W01,3\n")
    assert bad.status_code == 422, bad.text
    error = _error_of(bad.text, "file")
    assert "2 problems in values.csv: nothing was imported." in error
    assert "Line 3 (value): &#39;many&#39; is not a number" in error
    assert "Line 4 (period): 2099-W01 is still to come" in error
    assert session.scalar(select(func.count()).select_from(Observation)) == 0

    assert "not UTF-8" in _error_of(_upload(browser, url, token, b"period,value\n2026-W01,\xff\n").text, "file")
    assert "choose a CSV file" in _error_of(
        browser.client.post(url, data={"csrf_token": token}, headers={"Accept": "text/html"}).text, "file")

    good = _upload(browser, url, token, b"period,value\n2026-W01,38\n2026-W02,41\n2026-01-14,36\n")
    assert good.status_code == 303 and good.headers["location"] == f"/app/metrics/{m.id}?imported=3#values"
    assert session.scalar(select(func.count()).select_from(Observation)) == 3
    page = browser.get(good.headers["location"])
    assert "Imported 3 values from the CSV." in page.text and "2026-W02" in page.text


def test_a_lead_records_one_value_and_replaces_it_only_knowingly(session: Any, browser: Browser) -> None:
    """The page's value form: the API's rule (replacing needs the version seen), so a second
    save over an existing value first shows it, and a value changed meanwhile is shown too."""
    m = make_metric(session)
    session.commit()
    token = _lead(session, browser)
    url = f"/app/metrics/{m.id}/observations"

    def post(**fields: str) -> Any:
        return browser.post(url, {"csrf_token": token, "version": "", **fields})

    bad = post(period="2026-W99", value="12")
    assert bad.status_code == 422 and "has no week 99" in _value_error(bad.text, "period")
    assert "still to come" in _value_error(post(period="2099-W01", value="12").text, "period")
    assert "number" in _value_error(post(period="2026-W05", value="twelve").text, "value")
    assert session.scalar(select(func.count()).select_from(Observation)) == 0

    first = post(period="2026-01-28", value="12")  # any day of the week names it
    assert first.status_code == 303 and first.headers["location"] == f"/app/metrics/{m.id}?recorded=2026-W05#values"
    page = browser.get(first.headers["location"]).text
    assert "Value for 2026-W05 saved." in page
    assert session.scalar(select(Observation.value).where(Observation.metric_id == m.id)) == 12

    again = post(period="2026-W05", value="15")
    assert again.status_code == 409
    assert "2026-W05 already has 12" in again.text and "Replace the value" in again.text
    shown = re.search(r'name="version" value="(\d+)"', again.text.split('id="record-title"')[1])
    assert shown and shown.group(1) == "1"
    session.expire_all()
    assert session.scalar(select(Observation.value).where(Observation.metric_id == m.id)) == 12  # not yet

    other = session.scalar(select(Observation).where(Observation.metric_id == m.id))
    other.value, other.version = 13, other.version + 1  # someone else corrects it meanwhile
    session.commit()
    stale = post(period="2026-W05", value="15", version=shown.group(1))
    assert stale.status_code == 409 and "Changed meanwhile: 2026-W05 already has 13" in stale.text

    replaced = post(period="2026-W05", value="15", version="2")
    assert replaced.status_code == 303
    session.expire_all()
    row = session.scalar(select(Observation).where(Observation.metric_id == m.id))
    assert row is not None and row.value == 15 and row.source.value == "web"
    assert browser.get(replaced.headers["location"].replace("2026-W05", "<b>x</b>")).text.count("<b>x</b>") == 0


def test_counted_metrics_take_no_typed_values_and_readers_none(session: Any, browser: Browser) -> None:
    counted = make_metric(session, source_kind=SourceKind.jira_count)
    counted.query, counted.connection = "project = SUP", "jira"
    manual = make_metric(session, name="Typed")
    session.commit()
    _lead(session, browser)
    assert 'id="record-title"' not in browser.get(f"/app/metrics/{counted.id}").text
    assert 'id="record-title"' in browser.get(f"/app/metrics/{manual.id}").text
    viewer = browser.sign_in_as(factories.person(session, Role.viewer))
    assert 'id="record-title"' not in browser.get(f"/app/metrics/{manual.id}").text
    refused = browser.post(f"/app/metrics/{manual.id}/observations",
                           {"csrf_token": viewer, "period": "2026-W05", "value": "1"})
    assert refused.status_code == 403


def _value_error(html: str, name: str) -> str:
    found = re.search(rf'<input id="v-{name}"[^>]*aria-invalid="true"[^>]*aria-describedby="v-{name}-error', html)
    assert found, f"{name} is not marked invalid and described by its error"
    text = re.search(rf'<p class="error-text" id="v-{name}-error">(.*?)</p>', html, re.S)
    assert text
    return text.group(1)


def test_link_and_unlink_a_moment(session: Any, browser: Browser) -> None:
    m = make_metric(session)
    moment = mf.moment(session, journey_map_id=m.journey_map_id, title="Invoice surprise")
    mf.moment(session, journey_map_id=m.journey_map_id, title="Another moment")
    elsewhere = mf.moment(session, journey_map_id=jf.journey_map(session).id)
    session.commit()
    token = _lead(session, browser)
    page = browser.get(f"/app/metrics/{m.id}")
    assert f'<option value="{moment.id}">Invoice surprise</option>' in page.text
    assert f'value="{elsewhere.id}"' not in page.text

    linked = browser.post(f"/app/metrics/{m.id}/moments", {"moment_id": str(moment.id), "csrf_token": token})
    assert linked.status_code == 303
    assert session.get(MomentMetric, (moment.id, m.id)) is not None
    wrong = browser.post(f"/app/metrics/{m.id}/moments", {"moment_id": str(elsewhere.id), "csrf_token": token})
    assert wrong.status_code == 422 and "belongs to journey map" in _error_of(wrong.text, "moment_id")

    unlinked = browser.post(f"/app/metrics/{m.id}/moments/{moment.id}/unlink", {"csrf_token": token})
    assert unlinked.status_code == 303
    session.expire_all()
    assert session.get(MomentMetric, (moment.id, m.id)) is None
    again = browser.post(f"/app/metrics/{m.id}/moments/{moment.id}/unlink", {"csrf_token": token})
    assert again.status_code == 404 and "metric link" in again.text


def test_a_given_up_count_shows_why_and_a_lead_retries_it(session: Any, browser: Browser, client: Any) -> None:
    m = make_metric(session, source_kind=SourceKind.jira_count)
    m.query, m.connection = "project = SUP", "acme_jira"
    gave_up_at = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    dead = OutboxMessage(kind=COUNT_KIND, payload={"metric_id": m.id}, ordering_key=ordering_key(m.id),
                         state=OutboxState.dead, attempts=1, completed_at=gave_up_at,
                         last_error=f"metric {m.id}: Error in the JQL Query: <b>project</b> is unknown")
    session.add(dead)
    session.commit()
    viewer = factories.person(session, Role.viewer)
    token = browser.sign_in_as(viewer)
    page = browser.get(f"/app/metrics/{m.id}").text
    assert "Counting given up" in page and "02 Mar 2026 08:30 UTC" in page
    assert "Error in the JQL Query: &lt;b&gt;project&lt;/b&gt; is unknown" in page
    assert "Retry the count" not in page
    listing = browser.get(f"/app/journey-maps/{m.journey_map_id}/metrics").text
    assert "Counting given up" in listing

    api = client.get(f"/metrics/{m.id}", headers=factories.auth_headers(session, viewer)).json()["count"]
    assert (api["state"], api["message_id"], api["given_up_at"][:16]) == ("given_up", dead.id, "2026-03-02T08:30")
    assert "Error in the JQL Query" in api["last_error"]

    token = _lead(session, browser)
    assert "Retry the count" in browser.get(f"/app/metrics/{m.id}").text
    retried = browser.post(f"/app/metrics/{m.id}/count/retry", {"csrf_token": token})
    assert retried.status_code == 303
    session.refresh(dead)
    assert dead.state is OutboxState.pending and dead.attempts == 0
    assert "Count waiting" in browser.get(retried.headers["location"]).text
    twice = browser.post(f"/app/metrics/{m.id}/count/retry", {"csrf_token": token})
    assert twice.status_code == 409 and "no given-up count to retry" in twice.text


def test_hostile_text_renders_inert(session: Any, browser: Browser) -> None:
    jmap = jf.journey_map(session)
    token = _lead(session, browser)
    url = f"/app/journey-maps/{jmap.id}/metrics"
    ids = []
    for n, text in enumerate(HOSTILE):
        r = browser.post(url, {**_new(name=f"{text} {n}"[:200], unit="<i>u</i>", description=text),
                               "csrf_token": token})
        assert r.status_code == 303, (text, r.text[:300])
        ids.append(int(r.headers["location"].split("/")[-1].split("?")[0]))
    m = make_metric(session, journey_map_id=jmap.id, name="Linked")
    moment = mf.moment(session, journey_map_id=jmap.id, title="<script>alert(1)</script>")
    session.add(MomentMetric(moment_id=moment.id, metric_id=m.id))
    session.commit()
    pages = [browser.get(url).text, browser.get(f"/app/journey-maps/{jmap.id}").text,
             browser.get(f"/app/metrics/{m.id}").text, *(browser.get(f"/app/metrics/{i}").text for i in ids)]
    for html in pages:
        assert "<script>alert(1)</script>" not in html
        assert "<svg/onload" not in html and "<img src=x" not in html and "<i>u</i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0]
