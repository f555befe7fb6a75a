"""Team pages: the list, creating a team, editing one with its version (a stale edit lists who
changed what), refusals named next to their field, the nudge policy saved through put_policy,
and its preview: exactly what the policy functions decide for an example item, unsaved values
included. Owners and viewers read without controls and are refused by the server."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests import factories
from tests.factories.programme import build_world
from tests.hostile import HOSTILE
from tests.web.conftest import Browser
from tracker.actions.models import ActionItem, Phase, Priority
from tracker.activity.models import ActivityEntry
from tracker.nudges import service as nudges
from tracker.nudges.policy import Facts, Rules, decide
from tracker.people import service as people
from tracker.people.models import Role, Team
from tracker.sync.models import TargetKind, TicketTarget

TODAY = date(2031, 1, 14)  # a Tuesday: the default example deadline, 10 days on, is Friday 24 January
ROW = re.compile(r'<tr data-kind="(\w+)" data-to="(\w+)" data-local="([^"]+)"')


@pytest.fixture(autouse=True)
def _pinned_today(app: FastAPI) -> None:
    app.state.today = lambda: TODAY


def _target(session: Session, name: str = "Billing Jira") -> TicketTarget:
    target = TicketTarget(name=name, kind=TargetKind.jira, connection="acme_jira", project="BILL",
                          issue_type="Task", mapping={})
    session.add(target)
    session.flush()
    return target


def _team_form(team: Team, token: str, **fields: str) -> dict[str, str]:
    return {"name": team.name, "department": team.department, "lead_id": str(team.lead_id or ""),
            "slack_channel": team.slack_channel or "", "timezone": team.timezone,
            "ticket_target_id": str(team.ticket_target_id or ""), "version": str(team.version),
            "csrf_token": token, **fields}


def _policy_form(token: str, version: int = 0, rules: Rules = Rules(), **fields: str) -> dict[str, str]:
    values = {name: str(getattr(rules, name)) for name in Rules.field_names()
              if name not in ("remind_on_due_day", "skip_weekends")}
    values.update({name: "on" for name in ("remind_on_due_day", "skip_weekends") if getattr(rules, name)})
    return {**values, "version": str(version), "csrf_token": token, **fields}


def _rows(page: str) -> list[tuple[str, str, str]]:
    return ROW.findall(page)


def _decided_every_quarter_hour(rules: Rules, *, deadline: date, owner_tz: str,
                                lead_tz: str) -> list[tuple[str, str, str]]:
    """The reference: `decide` asked every 15 minutes, as a sweep would, for an item assigned at
    the start of TODAY with no work plan, until the escalation and the nudge after it."""
    start = datetime.combine(TODAY, time(0), tzinfo=ZoneInfo(owner_tz)).astimezone(UTC)
    facts = Facts(item_id=1, phase=Phase.planned, deadline=deadline, assigned_at=start,
                  work_plan_submitted=False, owner_tz=owner_tz, lead_tz=lead_tz, rules=rules)
    got: list[tuple[str, str, str]] = []
    moment = start
    while moment < start + timedelta(days=60):
        decision = decide(facts, moment)
        if decision is not None:
            facts = facts.with_sent(decision.kind, decision.slot, moment)
            local = moment.astimezone(ZoneInfo(lead_tz if decision.to_lead else owner_tz))
            got.append((decision.kind.value, "lead" if decision.to_lead else "owner", local.isoformat()))
            if any(kind == "escalation" for kind, _, _ in got[:-1]):
                return got
        moment += timedelta(minutes=15)
    raise AssertionError("no escalation within 60 days")


# --- the list and creating a team ----------------------------------------------------------------

def test_the_list_shows_each_team_with_its_lead_channel_target_and_open_items(
        browser: Browser, session: Session) -> None:
    world = build_world(session)
    team, lead = world["team"], world["lead"]
    team.slack_channel, team.timezone, team.ticket_target_id = "#billing-ops", "Europe/Madrid", _target(session).id
    for phase in (Phase.implementing, Phase.done):
        session.add(ActionItem(title=f"Also {phase}", team_id=team.id, owner_id=world["owner"].id, phase=phase,
                               deadline=TODAY, priority=Priority.low))
    factories.team(session, name="Documentation", department="docs")
    session.commit()
    browser.sign_in_as(lead)
    page = browser.get("/app/teams")
    assert page.status_code == 200
    row = page.text[page.text.index(f'href="/app/teams/{team.id}"'):]
    row = row[:row.index("</tr>")]
    for shown in (team.name, team.department, lead.name, "#billing-ops", "Europe/Madrid", "Billing Jira", "BILL"):
        assert shown in row, shown
    assert f'href="/app/board?team={team.id}"' in row and ">2</a>" in row  # planned + implementing; done is not open
    assert "Documentation" in page.text and 'action="/app/teams"' in page.text
    assert '<a href="/app/teams"' in page.text  # the menu entry


def test_a_lead_creates_a_team_and_refusals_are_named_at_their_field(browser: Browser, session: Session) -> None:
    world = build_world(session)
    target = _target(session)
    session.commit()
    token = browser.sign_in_as(world["lead"])
    form = {"name": "  Billing Operations ", "department": "billing", "lead_id": str(world["lead"].id),
            "slack_channel": "#billing-ops", "timezone": "Europe/Madrid", "ticket_target_id": str(target.id),
            "csrf_token": token}
    r = browser.post("/app/teams", form)
    assert r.status_code == 303, r.text[:500]
    created = session.scalars(select(Team).where(Team.name == "Billing Operations")).one()
    assert r.headers["location"] == f"/app/teams/{created.id}?created"
    assert (created.department, created.lead_id, created.slack_channel, created.timezone,
            created.ticket_target_id) == ("billing", world["lead"].id, "#billing-ops", "Europe/Madrid", target.id)
    assert "Team added." in browser.get(r.headers["location"]).text
    count = session.scalar(select(func.count()).select_from(Team))
    for fields, name, status in (({"name": "billing operations"}, "name", 409),  # taken, whatever the case
                                 ({"timezone": "Mars/Olympus"}, "timezone", 422),
                                 ({"name": " "}, "name", 422),
                                 ({"ticket_target_id": "999999"}, "ticket_target_id", 422),
                                 ({"lead_id": str(factories.person(session, Role.viewer).id)}, "lead_id", 422)):
        session.commit()
        r = browser.post("/app/teams", {**form, **fields})
        assert r.status_code == status, (fields, r.status_code)
        assert f'id="f-{name}-error"' in r.text, fields
        assert "Not created" in r.text
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Team)) == count  # nothing half-created
    assert "already exists" in browser.post("/app/teams", {**form, "name": "BILLING OPERATIONS"}).text


# --- editing a team --------------------------------------------------------------------------------

def test_a_lead_edits_the_team_with_its_version(browser: Browser, session: Session) -> None:
    world = build_world(session)
    team = world["team"]
    target = _target(session)
    admin = factories.person(session, Role.admin, name="Sam Rivera")
    session.commit()
    token = browser.sign_in_as(world["lead"])
    page = browser.get(f"/app/teams/{team.id}")
    assert page.status_code == 200
    assert f'name="version" value="{team.version}"' in page.text
    assert "CX leads and admins" in page.text and "Sam Rivera, admin" in page.text
    shown = team.version
    r = browser.post(f"/app/teams/{team.id}", _team_form(
        team, token, name="Billing", slack_channel="#billing", timezone="Asia/Tokyo",
        lead_id=str(admin.id), ticket_target_id=str(target.id)))
    assert r.status_code == 303 and r.headers["location"] == f"/app/teams/{team.id}?saved=team"
    session.refresh(team)
    assert (team.name, team.slack_channel, team.timezone, team.lead_id, team.ticket_target_id) == (
        "Billing", "#billing", "Asia/Tokyo", admin.id, target.id)
    assert team.version == shown + 1
    entry = session.scalars(select(ActivityEntry).where(ActivityEntry.entity_type == "team",
                                                        ActivityEntry.entity_id == team.id)).all()[-1]
    assert entry.changes["timezone"] == {"from": "UTC", "to": "Asia/Tokyo"}
    after = browser.get(r.headers["location"]).text
    assert "Team saved." in after and "Asia/Tokyo" in after
    # Emptying the optional fields clears them.
    r = browser.post(f"/app/teams/{team.id}", _team_form(team, token, slack_channel="", lead_id="",
                                                         ticket_target_id=""))
    assert r.status_code == 303
    session.refresh(team)
    assert (team.slack_channel, team.lead_id, team.ticket_target_id) == (None, None, None)


def test_a_stale_edit_lists_who_changed_what_and_keeps_the_typed_values(browser: Browser, session: Session) -> None:
    world = build_world(session)
    team = world["team"]
    colleague = factories.person(session, Role.admin, name="Ana Lima")
    token = browser.sign_in_as(world["lead"])
    shown = browser.get(f"/app/teams/{team.id}").text
    seen = re.search(r'name="seen_activity" value="(\d+)"', shown).group(1)  # type: ignore[union-attr]
    version = team.version
    people.update_team(session, actor=colleague, team_id=team.id, expected_version=version,
                       data={"slack_channel": "#billing-escalations"})
    session.commit()
    r = browser.post(f"/app/teams/{team.id}", {**_team_form(team, token, name="My new name"),
                                               "version": str(version), "seen_activity": seen})
    assert r.status_code == 409
    assert "Someone changed this team" in r.text and "Ana Lima" in r.text and "#billing-escalations" in r.text
    assert 'value="My new name"' in r.text  # what was typed is not lost
    session.refresh(team)
    assert team.name != "My new name" and team.slack_channel == "#billing-escalations"


def test_refused_edits_are_named_and_save_nothing(browser: Browser, session: Session) -> None:
    world = build_world(session)
    team = world["team"]
    factories.team(session, name="Documentation", department="docs")
    gone = factories.person(session, Role.lead, active=False)
    session.commit()
    token = browser.sign_in_as(world["lead"])
    before = (team.name, team.department, team.timezone, team.version)
    for fields, name, status in (({"name": "documentation"}, "name", 409),
                                 ({"timezone": "Europe/Atlantis"}, "timezone", 422),
                                 ({"name": ""}, "name", 422),
                                 ({"department": "x" * 61}, "department", 422),
                                 ({"lead_id": str(gone.id)}, "lead_id", 422),
                                 ({"lead_id": "999999"}, "lead_id", 422),
                                 ({"ticket_target_id": "999999"}, "ticket_target_id", 422),
                                 ({"version": "zero"}, "version", 422)):
        # The other fields change too: none of it may be saved when one field is refused.
        r = browser.post(f"/app/teams/{team.id}", _team_form(team, token, slack_channel="#changed", **fields))
        assert r.status_code == status, (fields, r.status_code, r.text[:300])
        assert f'id="f-{name}-error"' in r.text or name == "version", fields
        session.refresh(team)
        assert (team.name, team.department, team.timezone, team.version) == before
        assert team.slack_channel is None
    assert "Europe/Atlantis" in html.unescape(browser.post(
        f"/app/teams/{team.id}", _team_form(team, token, timezone="Europe/Atlantis")).text)


# --- the nudge policy ------------------------------------------------------------------------------

def test_the_policy_is_saved_through_put_policy_with_its_version(browser: Browser, session: Session) -> None:
    world = build_world(session)
    team = world["team"]
    token = browser.sign_in_as(world["lead"])
    page = browser.get(f"/app/teams/{team.id}").text
    assert f'action="/app/teams/{team.id}/nudge-policy"' in page and "This team uses the defaults" in page
    wanted = Rules(days_before_due=3, remind_on_due_day=False, overdue_every_days=1, escalate_after_overdue_days=4,
                   work_plan_after_days=0, max_snoozes=1, snooze_days=2, workday_start_hour=8,
                   workday_end_hour=18, skip_weekends=True)
    r = browser.post(f"/app/teams/{team.id}/nudge-policy", _policy_form(token, 0, wanted))
    assert r.status_code == 303 and r.headers["location"] == f"/app/teams/{team.id}?saved=policy#policy"
    assert nudges.get_policy(session, team.id) == (wanted, 1)
    logged = session.scalars(select(ActivityEntry).where(ActivityEntry.entity_type == "nudge_policy")).all()
    assert [e.action for e in logged] == ["created"] and logged[0].actor_id == world["lead"].id
    saved = browser.get(r.headers["location"]).text
    assert "Nudge policy saved." in saved and 'name="version" value="1"' in saved
    # Unticking a box sends nothing for it: it is saved as off.
    form = _policy_form(token, 1, wanted)
    del form["skip_weekends"]
    r = browser.post(f"/app/teams/{team.id}/nudge-policy", form)
    assert r.status_code == 303
    assert nudges.get_policy(session, team.id)[0].skip_weekends is False


def test_a_stale_or_invalid_policy_is_refused_at_its_field_and_saves_nothing(
        browser: Browser, session: Session) -> None:
    world = build_world(session)
    team = world["team"]
    colleague = factories.person(session, Role.lead, name="Ana Lima")
    token = browser.sign_in_as(world["lead"])
    for fields, name in (({"workday_start_hour": "17", "workday_end_hour": "9"}, "workday_end_hour"),
                         ({"days_before_due": "31"}, "days_before_due"),
                         ({"overdue_every_days": ""}, "overdue_every_days"),
                         ({"snooze_days": "soon"}, "snooze_days"),
                         ({"escalate_after_overdue_days": "0"}, "escalate_after_overdue_days")):
        r = browser.post(f"/app/teams/{team.id}/nudge-policy", _policy_form(token, 0, Rules(), **fields))
        assert r.status_code == 422, fields
        assert f'id="f-{name}-error"' in r.text and "Not saved" in r.text, fields
        assert nudges.get_policy(session, team.id) == (Rules(), 0)
    nudges.put_policy(session, actor=colleague, team_id=team.id, expected_version=0, data={"max_snoozes": 5})
    session.commit()
    r = browser.post(f"/app/teams/{team.id}/nudge-policy", _policy_form(token, 0, Rules(days_before_due=7)))
    assert r.status_code == 409
    assert "Someone changed this team&#39;s nudge policy" in r.text and "Ana Lima" in r.text
    assert "max snoozes: 2 → 5" in r.text
    assert re.search(r'id="f-days_before_due"[^>]*value="7"', r.text)  # the typed value is kept
    assert nudges.get_policy(session, team.id) == (Rules(max_snoozes=5), 1)


# --- the preview -----------------------------------------------------------------------------------

def test_the_preview_is_what_the_policy_functions_decide(browser: Browser, session: Session) -> None:
    world = build_world(session)
    team, lead = world["team"], world["lead"]
    team.timezone = lead.timezone = "Europe/Berlin"
    session.commit()
    browser.sign_in_as(world["owner"])
    page = browser.get(f"/app/teams/{team.id}").text
    deadline = TODAY + timedelta(days=10)
    expected = _decided_every_quarter_hour(Rules(), deadline=deadline, owner_tz="Europe/Berlin",
                                           lead_tz="Europe/Berlin")
    assert _rows(page) == expected
    # Read as a person would: a work-plan reminder three days in, the before-due reminder at
    # 9:00 local two days before, the due day, overdue every two working days, the escalation to
    # the lead once five days overdue, and the owner's reminders going on after it.
    assert expected == [
        ("work_plan", "owner", "2031-01-17T09:00:00+01:00"),
        ("before_due", "owner", "2031-01-22T09:00:00+01:00"),
        ("due_today", "owner", "2031-01-24T09:00:00+01:00"),
        ("overdue", "owner", "2031-01-27T09:00:00+01:00"),  # Saturday and Sunday skipped
        ("escalation", "lead", "2031-01-29T09:00:00+01:00"),  # 5 days overdue
        ("overdue", "owner", "2031-01-31T09:00:00+01:00"),
    ]
    assert "Fri 24 Jan 2031" in page and lead.name in page


def test_the_preview_follows_the_leads_timezone_and_another_example_deadline(
        browser: Browser, session: Session) -> None:
    world = build_world(session)
    team, lead = world["team"], world["lead"]
    team.timezone, lead.timezone, team.slack_channel = "Asia/Tokyo", "America/New_York", "#docs"
    session.commit()
    browser.sign_in_as(factories.person(session, Role.viewer))
    page = browser.get(f"/app/teams/{team.id}?example_deadline=2031-03-03").text
    expected = _decided_every_quarter_hour(Rules(), deadline=date(2031, 3, 3), owner_tz="Asia/Tokyo",
                                           lead_tz="America/New_York")
    assert _rows(page) == expected
    escalation = next(row for row in expected if row[0] == "escalation")
    # Sent in the lead's working hours in New York, and not on a Tokyo day the owner already
    # had a reminder (one nudge per item per owner-local day): the page shows the consequence.
    local = datetime.fromisoformat(escalation[2])
    assert local.utcoffset() == timedelta(hours=-4) and 9 <= local.hour < 17
    assert "#docs" in page
    bad = browser.get(f"/app/teams/{team.id}?example_deadline=someday")
    assert bad.status_code == 422 and "No preview for these values" in bad.text


def test_the_preview_reflects_unsaved_values_and_saves_nothing(
        browser: Browser, session: Session) -> None:
    world = build_world(session)
    team = world["team"]
    token = browser.sign_in_as(world["lead"])
    typed = Rules(days_before_due=3, escalate_after_overdue_days=3, overdue_every_days=1, work_plan_after_days=0,
                  workday_start_hour=10)
    form = _policy_form(token, 0, typed, example_deadline="2031-02-07")
    expected = _decided_every_quarter_hour(typed, deadline=date(2031, 2, 7), owner_tz="UTC", lead_tz="UTC")
    assert expected[0] == ("before_due", "owner", "2031-02-04T10:00:00+00:00")
    # Without JavaScript: the Preview button posts the form; the whole page comes back with
    # what was typed kept in the inputs.
    full = browser.post(f"/app/teams/{team.id}/nudge-policy/preview", form)
    assert full.status_code == 200 and "<html" in full.text and "Unsaved values" in full.text
    assert _rows(full.text) == expected
    assert re.search(r'id="f-days_before_due"[^>]*value="3"', full.text)
    # With htmx: just the preview, redrawn as the values change.
    part = browser.client.post(f"/app/teams/{team.id}/nudge-policy/preview", data=form,
                               headers={"HX-Request": "true"})
    assert part.status_code == 200 and "<html" not in part.text
    assert part.text.lstrip().startswith('<div id="nudge-preview"')
    assert _rows(part.text) == expected
    wrong = browser.client.post(f"/app/teams/{team.id}/nudge-policy/preview",
                                data={**form, "workday_end_hour": "8"}, headers={"HX-Request": "true"})
    assert wrong.status_code == 422 and "workday_end_hour must be after workday_start_hour" in wrong.text
    assert nudges.get_policy(session, team.id) == (Rules(), 0)  # previewing saved nothing


# --- who may do what ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.owner, Role.viewer])
def test_owners_and_viewers_read_without_controls_and_are_refused(
        browser: Browser, session: Session, role: Role) -> None:
    world = build_world(session)
    team = world["team"]
    token = browser.sign_in_as(factories.person(session, role))
    listing = browser.get("/app/teams")
    assert listing.status_code == 200 and team.name in listing.text
    assert 'action="/app/teams"' not in listing.text and "Leads and admins change them" in listing.text
    page = browser.get(f"/app/teams/{team.id}").text
    assert 'method="post"' not in page.replace('action="/sign-out"', "").split("<main", 1)[1]
    assert "Leads and admins change this policy" in page and "Reminder before the deadline" in page
    assert _rows(page)  # the preview of the saved policy is for everyone
    version = team.version
    for url, form in (("/app/teams", {"name": "Mine", "department": "x", "timezone": "UTC"}),
                      (f"/app/teams/{team.id}", _team_form(team, token, name="Mine")),
                      (f"/app/teams/{team.id}/nudge-policy", _policy_form(token, 0, Rules(days_before_due=9))),
                      (f"/app/teams/{team.id}/nudge-policy/preview", _policy_form(token, 0))):
        r = browser.post(url, {**form, "csrf_token": token})
        assert r.status_code == 403, url
    session.refresh(team)
    assert team.version == version and team.name != "Mine"
    assert nudges.get_policy(session, team.id) == (Rules(), 0)
    assert session.scalar(select(func.count()).select_from(Team).where(Team.name == "Mine")) == 0


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_shown_as_text(browser: Browser, session: Session, text: str) -> None:
    world = build_world(session)
    team, lead = world["team"], world["lead"]
    team.name, team.department, team.slack_channel = f"team {text}"[:120], f"dept {text}"[:60], f"#{text}"[:80]
    lead.name = f"lead {text}"
    team.ticket_target_id = _target(session, name=f"target {text}"[:120]).id
    session.commit()
    browser.sign_in_as(world["lead"])
    shown: dict[str, Any] = {"list": browser.get("/app/teams"), "team": browser.get(f"/app/teams/{team.id}")}
    for name, page in shown.items():
        assert page.status_code == 200, name
        for value in (team.name, team.department, team.slack_channel, lead.name):
            if any(c in value for c in "<>&"):
                assert value not in page.text, (name, value)
            assert value in html.unescape(page.text), (name, value)
