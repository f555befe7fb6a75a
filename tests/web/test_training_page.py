"""The training page: items needing training with their progress, coverage per team and for the
programme, and recording a session (owner or lead, with the record's version)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.factories.programme import build_world
from tests.web.conftest import Browser
from tracker.actions.models import ActionItem, Phase, Priority, TrainingRecord
from tracker.activity.models import ActivityEntry
from tracker.people.models import Role

XSS = "<script>alert(1)</script>"


def _needing(session: Session, world: dict, *, title: str, phase: Phase, trained: int, target: int,
             audience: str = "Billing agents") -> ActionItem:
    item = ActionItem(title=title, team_id=world["team"].id, owner_id=world["owner"].id, phase=phase,
                      deadline=date.today() + timedelta(days=5), priority=Priority.medium)
    session.add(item)
    session.flush()
    session.add(TrainingRecord(action_item_id=item.id, needed=True, audience=audience, sessions_held=1,
                               people_trained=trained, target_count=target))
    session.commit()
    return item


def _record(session: Session, item: ActionItem) -> TrainingRecord:
    session.expire_all()
    found = session.scalar(select(TrainingRecord).where(TrainingRecord.action_item_id == item.id))
    assert found is not None
    return found


def test_items_needing_training_with_coverage_in_training_first(browser: Browser, session: Session) -> None:
    world = build_world(session)  # its item needs no training: not listed
    later = _needing(session, world, title="Teach the new refund rule", phase=Phase.planned, trained=0, target=10)
    now = _needing(session, world, title="Train agents on VAT " + XSS, phase=Phase.training, trained=6,
                   target=20, audience="Tier 1 " + XSS)
    browser.sign_in_as(factories.person(session, Role.viewer))
    session.commit()
    page = browser.get("/app/training").text
    assert page.index(f'id="training-{now.id}"') < page.index(f'id="training-{later.id}"')
    assert world["item"].title not in page
    assert XSS not in page and "Tier 1 &lt;script&gt;" in page
    assert "6 of 20" in page and "Behind:" in page  # in training and short of the target
    assert "0 of 2 items fully trained" in page and "6 of 30" in page  # the programme: 6 of 10 + 20
    assert "Record a session" not in page  # viewers read only


def test_owner_records_a_session_and_it_is_logged(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item = _needing(session, world, title="Train agents", phase=Phase.training, trained=6, target=20)
    token = browser.sign_in_as(world["owner"])
    reply = browser.post(f"/app/training/{item.id}/sessions", {"people": "8", "version": "1", "csrf_token": token})
    assert reply.status_code == 303
    record = _record(session, item)
    assert (record.sessions_held, record.people_trained, record.version) == (2, 14, 2)
    entry = session.scalars(select(ActivityEntry).where(ActivityEntry.action == "training_updated")).one()
    assert entry.changes["people_trained"] == {"from": 6, "to": 14} and entry.source == "web"

    # htmx: the page's main block comes back with the row's status line.
    again = browser.client.post(f"/app/training/{item.id}/sessions",
                                data={"people": "1", "version": "2", "csrf_token": token},
                                headers={"HX-Request": "true", "Accept": "text/html"})
    assert again.status_code == 200 and "Session recorded: 1 person trained." in again.text
    assert "<html" not in again.text


def test_a_stale_version_adds_nothing_and_says_so(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item = _needing(session, world, title="Train agents", phase=Phase.training, trained=6, target=20)
    token = browser.sign_in_as(world["lead"])
    assert browser.post(f"/app/training/{item.id}/sessions",
                        {"people": "2", "version": "1", "csrf_token": token}).status_code == 303
    stale = browser.post(f"/app/training/{item.id}/sessions", {"people": "2", "version": "1", "csrf_token": token})
    assert stale.status_code == 409 and "Nothing was added" in stale.text
    assert _record(session, item).people_trained == 8


def test_refusals_name_what_is_wrong(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item = _needing(session, world, title="Train agents", phase=Phase.training, trained=0, target=5)
    other_owner = factories.person(session, Role.owner)
    session.commit()
    token = browser.sign_in_as(world["owner"])
    bad = browser.post(f"/app/training/{item.id}/sessions", {"people": "-3", "version": "1", "csrf_token": token})
    assert bad.status_code == 422 and "people" in bad.text
    not_needed = browser.post(f"/app/training/{world['item'].id}/sessions",
                              {"people": "3", "version": "1", "csrf_token": token})
    assert not_needed.status_code == 409 and "needs no training" in not_needed.text
    token = browser.sign_in_as(other_owner)
    forged = browser.post(f"/app/training/{item.id}/sessions", {"people": "3", "version": "1", "csrf_token": token})
    assert forged.status_code == 403
    assert _record(session, item).people_trained == 0
