"""My work: an owner's items by deadline with what blocks each, and the Slack buttons' actions
through the same services, writing the same activity, ticket sync and Slack refreshes."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests import factories
from tests.factories.actions import action_item
from tests.web.conftest import HTML, Browser
from tracker.actions import service
from tracker.actions.models import ActionItem, Phase, ProgressUpdate
from tracker.activity.models import ActivityEntry
from tracker.messaging.ports import Interaction
from tracker.nudges.models import Nudge, NudgeKind, NudgeSchedule, NudgeState
from tracker.nudges.posts import record_post
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.people.models import Person, Role, Team
from tracker.slack.service import apply_interaction
from tracker.sync.models import LinkState, TargetKind, TicketLink, TicketTarget

PAGE = "/app/my-work"
HTMX = {"HX-Request": "true"}
XSS = '<script>alert("x")</script>'


def _owner_and_team(session: Session) -> tuple[Person, Person, Team]:
    lead = factories.person(session, Role.lead)
    owner = factories.person(session, Role.owner, slack_user_id=f"U{lead.id:08d}")
    return lead, owner, factories.team(session, lead_id=lead.id)


def _item(session: Session, owner: Person, lead: Person, team: Team, days: int, **data: Any) -> ActionItem:
    return action_item(session, owner=owner, lead=lead, team_id=team.id,
                       deadline=date.today() + timedelta(days=days), **data)


def wire(session: Session, item: ActionItem) -> tuple[str, str]:
    """A linked ticket and a posted Slack reminder, so changes have somewhere to go."""
    target = TicketTarget(name=f"Jira {item.id}", kind=TargetKind.jira, connection="none", project="CX",
                          mapping={})
    session.add(target)
    session.flush()
    session.add(TicketLink(action_item_id=item.id, target_id=target.id, state=LinkState.linked,
                           marker=f"m-{item.id}", remote_key=f"CX-{item.id}", snapshot={}, dirty_fields=[]))
    nudge = Nudge(action_item_id=item.id, kind=NudgeKind.overdue, slot=f"s-{item.id}",
                  recipient_id=item.owner_id, state=NudgeState.sent)
    session.add(nudge)
    session.flush()
    channel, ts = f"D{item.id:06d}", f"1700000000.{item.id:06d}"
    record_post(session, nudge, channel=channel, ts=ts)
    session.commit()
    return channel, ts


class Trail:
    """What one action left behind: new activity entries and new outbox messages. Messages
    already queued count as delivered, so a refresh cannot hide behind one still waiting
    (a waiting refresh absorbs later changes: the worker reads the item when it runs)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        session.execute(update(OutboxMessage).where(OutboxMessage.state == OutboxState.pending)
                        .values(state=OutboxState.done))
        session.commit()
        self.activity = session.scalar(select(ActivityEntry.id).order_by(ActivityEntry.id.desc()).limit(1)) or 0
        self.outbox = session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1)) or 0

    def actions(self, item_id: int) -> list[tuple[str, int | None]]:
        self.session.expire_all()
        return [(e.action, e.actor_id) for e in self.session.scalars(
            select(ActivityEntry).where(ActivityEntry.id > self.activity, ActivityEntry.action_item_id == item_id)
            .order_by(ActivityEntry.id))]

    def messages(self) -> list[OutboxMessage]:
        self.session.expire_all()
        return list(self.session.scalars(select(OutboxMessage).where(OutboxMessage.id > self.outbox)
                                         .order_by(OutboxMessage.id)))

    def kinds(self) -> set[str]:
        return {m.kind for m in self.messages()}


def hx(browser: Browser, url: str, data: dict[str, str]) -> Any:
    """A form sent by htmx: the answer is the row, not a page."""
    return browser.client.post(url, data=data, headers={**HTML, **HTMX}, follow_redirects=False)


def _form(page: str, item_id: int, action: str) -> dict[str, str]:
    """The hidden fields of one row's form, as the page drew them."""
    form = re.search(rf'action="/app/my-work/items/{item_id}/{action}".*?</form>', page, re.S)
    assert form, f"no {action} form for item {item_id}"
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(0)))


def _lazy_form(browser: Browser, page: str, item_id: int, which: str) -> dict[str, str]:
    """The hidden fields of a row's text form, fetched as htmx fetches it when its section opens."""
    url = re.search(rf'hx-get="({PAGE}/items/{item_id}/forms/{which}\?[^"]+)"', page)
    assert url, f"no {which} section for item {item_id}"
    r = browser.client.get(url.group(1).replace("&amp;", "&"), headers={**HTML, **HTMX})
    assert r.status_code == 200 and "<html" not in r.text
    action = "updates" if which == "update" else "work-plan"
    return _form(r.text, item_id, action)


def test_the_text_forms_load_when_their_section_opens(browser: Browser, session: Session) -> None:
    """A row carries its update and work-plan forms only once asked: the page stays light, the
    fetched form carries the version the row showed, and a change made since is refused."""
    lead, owner, team = _owner_and_team(session)
    item = _item(session, owner, lead, team, 2)
    token = browser.sign_in_as(owner)
    page = browser.get(PAGE).text
    assert f'action="{PAGE}/items/{item.id}/updates"' not in page
    assert f'action="{PAGE}/items/{item.id}/work-plan"' not in page
    assert f'href="/app/action-items/{item.id}#updates"' in page  # the same form without script
    assert f'href="/app/action-items/{item.id}#plan"' in page
    fields = _lazy_form(browser, page, item.id, "plan")
    assert fields["version"] == str(item.version)
    service.update_action_item(session, actor=lead, item_id=item.id, data={"title": "Renamed meanwhile"},
                               expected_version=item.version)
    session.commit()
    r = hx(browser, f"{PAGE}/items/{item.id}/work-plan", {**fields, "text": "A plan", "csrf_token": token})
    assert r.status_code == 409 and "Renamed meanwhile" in r.text and lead.name in r.text
    assert _lazy_form(browser, page, item.id, "update")["seen_activity"] == fields["seen_activity"]
    plain = browser.client.get(f"{PAGE}/items/{item.id}/forms/plan", headers=HTML, follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == f"/app/action-items/{item.id}#plan"
    assert browser.client.get(f"{PAGE}/items/{item.id}/forms/other", headers=HTML).status_code == 422
    assert browser.client.get(f"{PAGE}/items/{item.id}/forms/plan?version=-1", headers=HTML).status_code == 422
    someone_elses = _item(session, factories.person(session), lead, team, 2)
    assert browser.client.get(f"{PAGE}/items/{someone_elses.id}/forms/update",
                              headers={**HTML, **HTMX}).status_code == 403


def test_items_come_by_deadline_overdue_first_with_finished_ones_apart(browser: Browser, session: Session) -> None:
    lead, owner, team = _owner_and_team(session)
    later = _item(session, owner, lead, team, 10, title="Later one")
    late = _item(session, owner, lead, team, -3, title="Late one")
    soon = _item(session, owner, lead, team, 1, title="Soon one")
    _item(session, factories.person(session), lead, team, -30, title="Someone else's")
    finished = _item(session, owner, lead, team, -1, title="Finished one")
    service.waive(session, actor=lead, item_id=finished.id, what="checklist", reason="none", expected_version=None)
    for to in ("implementing", "closing_loop", "done"):
        service.change_phase(session, actor=lead, item_id=finished.id, to=to, expected_version=None)
    session.commit()
    browser.sign_in_as(owner)
    page = browser.get(PAGE)
    assert page.status_code == 200
    text = page.text
    order = [text.index(f'id="work-{i.id}"') for i in (late, soon, later)]
    assert order == sorted(order)
    assert "3 open items" in text and "1 overdue" in text
    assert "Someone else&#39;s" not in text and f'id="work-{finished.id}"' not in text
    assert "Finished recently" in text and "Finished one" in text
    assert re.search(rf'id="work-{late.id}"[^>]*>|class="work work--overdue" id="work-{late.id}"', text)


def test_each_row_says_what_blocks_it(browser: Browser, session: Session) -> None:
    lead, owner, team = _owner_and_team(session)
    moment = factories.actions.moment(session)
    factories.actions.friction(session, moment_id=moment.id, customers=[("Acme", "ap@acme.example"),
                                                                        ("Globex", "ap@globex.example")])
    item = _item(session, owner, lead, team, 5, moment_id=moment.id, training_needed=True, training_target=8)
    target = TicketTarget(name="Jira", kind=TargetKind.jira, connection="none", project="CX", mapping={})
    session.add(target)
    session.flush()
    session.add(TicketLink(action_item_id=item.id, target_id=target.id, state=LinkState.broken, remote_key="CX-9",
                           broken_reason=f"the project was archived {XSS}", marker="m", snapshot={},
                           dirty_fields=[]))
    service.change_phase(session, actor=owner, item_id=item.id, to="blocked", reason=f"waiting on legal {XSS}",
                         expected_version=None)
    session.commit()
    browser.sign_in_as(owner)
    text = browser.get(PAGE).text
    for said in ("Blocked: waiting on legal", "No work plan yet", "Training unfinished: 0 of 8 people trained",
                 "2 customers still to tell", "Ticket CX-9 link broken: the project was archived",
                 "Mark planned"):  # a blocked item's Slack button unblocks it
        assert said in text, said
    assert "<script>alert" not in text and "&lt;script&gt;" in text
    plain = _item(session, owner, lead, team, 5)
    service.submit_work_plan(session, actor=owner, item_id=plain.id, text="Do it", expected_version=None)
    session.commit()
    assert "Nothing stands between this item and done" in browser.get(PAGE).text


def test_done_is_offered_disabled_while_the_gate_holds(browser: Browser, session: Session) -> None:
    lead, owner, team = _owner_and_team(session)
    moment = factories.actions.moment(session)
    factories.actions.friction(session, moment_id=moment.id, customers=[("Acme", "ap@acme.example")])
    item = _item(session, owner, lead, team, 5, moment_id=moment.id)
    for to in ("implementing", "closing_loop"):
        service.change_phase(session, actor=owner, item_id=item.id, to=to, expected_version=None)
    session.commit()
    browser.sign_in_as(owner)
    text = browser.get(PAGE).text
    button = re.search(rf'<button type="submit" id="work-{item.id}-next"[^>]*>', text)
    assert button and "disabled" in button.group(0)
    assert "Not yet: checklist unfinished" in text and "1 customer still to tell" in text


def test_next_phase_moves_the_item_like_the_slack_button(browser: Browser, session: Session) -> None:
    lead, owner, team = _owner_and_team(session)
    item = _item(session, owner, lead, team, -2)
    channel, ts = wire(session, item)
    token = browser.sign_in_as(owner)
    fields = _form(browser.get(PAGE).text, item.id, "next-phase")
    assert fields["to"] == "implementing" and fields["version"] == str(item.version)
    trail = Trail(session)
    r = browser.post(f"{PAGE}/items/{item.id}/next-phase", {**fields, "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == f"{PAGE}#work-{item.id}"
    session.refresh(item)
    assert item.phase is Phase.implementing
    assert trail.actions(item.id) == [("phase_changed", owner.id)]
    entry = session.scalars(select(ActivityEntry).where(ActivityEntry.action_item_id == item.id)
                            .order_by(ActivityEntry.id.desc()).limit(1)).one()
    assert entry.source == "web"  # the log says which door the owner came in by
    messages = trail.messages()
    assert {m.kind for m in messages} == {"ticket.sync", "slack.refresh"}
    refresh = next(m for m in messages if m.kind == "slack.refresh")
    assert (refresh.payload["channel"], refresh.payload["ts"], refresh.payload["item_id"]) == (channel, ts, item.id)

    # With htmx the row comes back in place, saying what happened.
    fields = _form(browser.get(PAGE).text, item.id, "next-phase")
    r = hx(browser, f"{PAGE}/items/{item.id}/next-phase", {**fields, "csrf_token": token})
    assert r.status_code == 200 and r.text.lstrip().startswith("<li") and "Marked closing the loop." in r.text
    assert "<html" not in r.text


def test_update_snooze_and_work_plan_write_what_slack_and_the_item_page_write(
        browser: Browser, session: Session) -> None:
    lead, owner, team = _owner_and_team(session)
    item = _item(session, owner, lead, team, 3)
    wire(session, item)
    token = browser.sign_in_as(owner)

    trail = Trail(session)
    r = hx(browser, f"{PAGE}/items/{item.id}/updates", {"note": "Vendor call on <b>Friday</b>", "csrf_token": token})
    assert r.status_code == 200 and "Update posted." in r.text
    assert trail.actions(item.id) == [("progress_posted", owner.id)]
    assert session.scalar(select(ProgressUpdate.note).where(ProgressUpdate.action_item_id == item.id)) \
        == "Vendor call on <b>Friday</b>"
    assert trail.kinds() == set()  # neither the ticket nor the reminder shows updates

    trail = Trail(session)
    r = hx(browser, f"{PAGE}/items/{item.id}/snooze", {"csrf_token": token})
    assert r.status_code == 200 and "Reminders snoozed until" in r.text and "1 of 2 snoozes used" in r.text
    assert trail.actions(item.id) == [("snoozed", owner.id)]
    assert trail.kinds() == {"slack.refresh"}  # the message loses its snooze button at the limit

    fields = _lazy_form(browser, browser.get(PAGE).text, item.id, "plan")
    trail = Trail(session)
    r = browser.post(f"{PAGE}/items/{item.id}/work-plan", {**fields, "text": "1. Map codes. 2. Ship.",
                                                           "csrf_token": token})
    assert r.status_code == 303
    session.refresh(item)
    assert item.work_plan == "1. Map codes. 2. Ship."
    assert trail.actions(item.id) == [("work_plan_submitted", owner.id)]
    assert trail.kinds() == {"slack.refresh"}  # a work-plan reminder says the plan is in


def test_snoozes_stop_at_the_teams_limit_and_the_refusal_says_so(browser: Browser, session: Session) -> None:
    lead, owner, team = _owner_and_team(session)
    item = _item(session, owner, lead, team, -1)
    token = browser.sign_in_as(owner)
    for _ in range(2):
        assert browser.post(f"{PAGE}/items/{item.id}/snooze", {"csrf_token": token}).status_code == 303
    page = browser.get(PAGE).text
    assert f'id="work-{item.id}-snooze"' not in page
    assert "Snoozed 2 times, the team's limit" in page and "goes to the team's lead" in page
    trail = Trail(session)
    r = hx(browser, f"{PAGE}/items/{item.id}/snooze", {"csrf_token": token})  # an old page's button
    assert r.status_code == 409
    assert "snoozed 2 times, the team&#39;s limit (max_snoozes=2)" in r.text and 'role="alert"' in r.text
    assert trail.actions(item.id) == [] and trail.kinds() == set()
    r = browser.post(f"{PAGE}/items/{item.id}/snooze", {"csrf_token": token})  # without JavaScript
    assert r.status_code == 409 and "<html" in r.text and "the team&#39;s limit (max_snoozes=2)" in r.text
    session.expire_all()
    assert session.get(NudgeSchedule, item.id).snoozes == 2  # type: ignore[union-attr]


def test_a_stale_version_is_refused_with_what_changed(browser: Browser, session: Session) -> None:
    lead, owner, team = _owner_and_team(session)
    item = _item(session, owner, lead, team, 4)
    token = browser.sign_in_as(owner)
    fields = _form(browser.get(PAGE).text, item.id, "next-phase")
    service.update_action_item(session, actor=lead, item_id=item.id, expected_version=None,
                               data={"deadline": date.today() + timedelta(days=20)})
    session.commit()
    trail = Trail(session)
    r = hx(browser, f"{PAGE}/items/{item.id}/next-phase", {**fields, "csrf_token": token})
    assert r.status_code == 409
    assert "Someone changed this item" in r.text and lead.name in r.text and "deadline:" in r.text
    session.refresh(item)
    assert item.phase is Phase.planned and trail.actions(item.id) == [] and trail.kinds() == set()
    # The row drawn with the refusal carries the new version: pressing again applies.
    fields = _form(r.text, item.id, "next-phase")
    assert browser.post(f"{PAGE}/items/{item.id}/next-phase", {**fields, "csrf_token": token}).status_code == 303


def test_another_owners_item_is_refused_by_the_server(browser: Browser, session: Session) -> None:
    lead, owner, team = _owner_and_team(session)
    item = _item(session, owner, lead, team, 2)
    token = browser.sign_in_as(factories.person(session, Role.owner))
    assert f'id="work-{item.id}"' not in browser.get(PAGE).text
    trail = Trail(session)
    posts = {"next-phase": {"to": "implementing", "version": str(item.version)}, "updates": {"note": "mine now"},
             "snooze": {}, "work-plan": {"text": "my plan", "version": str(item.version)}}
    for action, data in posts.items():
        r = hx(browser, f"{PAGE}/items/{item.id}/{action}", {**data, "csrf_token": token})
        assert r.status_code == 403 and "belongs to someone else" in r.text, action
    assert trail.actions(item.id) == [] and trail.kinds() == set()


def test_a_viewer_gets_no_controls_and_a_forged_post_is_refused(browser: Browser, session: Session) -> None:
    lead, owner, team = _owner_and_team(session)
    viewer = factories.person(session, Role.viewer)
    item = _item(session, owner, lead, team, 2)
    item.owner_id = viewer.id  # an owner who became a viewer: their items show, read-only
    session.commit()
    token = browser.sign_in_as(viewer)
    page = browser.get(PAGE).text
    assert f'id="work-{item.id}"' in page and "<form method=\"post\" action=\"/app/my-work" not in page
    assert 'href="/app/my-work"' not in page  # no menu entry for viewers
    r = browser.post(f"{PAGE}/items/{item.id}/snooze", {"csrf_token": token})
    assert r.status_code == 403


def test_the_menu_and_the_home_page_lead_owners_here(browser: Browser, session: Session) -> None:
    lead, owner, team = _owner_and_team(session)
    _item(session, owner, lead, team, -1)
    browser.sign_in_as(owner)
    home = browser.get("/").text
    assert '<a href="/app/my-work"' in home and "1 overdue" in home


def test_invalid_input_is_a_clear_4xx(browser: Browser, session: Session) -> None:
    lead, owner, team = _owner_and_team(session)
    item = _item(session, owner, lead, team, 2)
    token = browser.sign_in_as(owner)
    url = f"{PAGE}/items/{item.id}"
    r = hx(browser, f"{url}/updates", {"note": "   ", "csrf_token": token})
    assert r.status_code == 422 and "note must be non-empty text" in r.text and 'aria-invalid="true"' in r.text
    r = hx(browser, f"{url}/updates", {"note": "a\x00b", "csrf_token": token})
    assert r.status_code == 422 and "NUL" in r.text
    r = hx(browser, f"{url}/next-phase", {"to": "finished", "version": "1", "csrf_token": token})
    assert r.status_code == 422 and "to:" in r.text
    r = hx(browser, f"{url}/next-phase", {"to": "implementing", "csrf_token": token})
    assert r.status_code == 422 and "version: Field required" in r.text
    r = hx(browser, f"{url}/next-phase", {"to": "done", "version": str(item.version), "csrf_token": token})
    assert r.status_code == 409 and "cannot move to done" in r.text
    r = browser.post(f"{url}/work-plan", {"text": "x" * 20001, "version": "1", "csrf_token": token})
    assert r.status_code == 422 and "at most 20000 characters" in r.text
    assert browser.post(f"{PAGE}/items/999999/snooze", {"csrf_token": token}).status_code == 404
    assert browser.post(f"{PAGE}/items/x/snooze", {"csrf_token": token}).status_code == 422
    session.refresh(item)
    assert item.phase is Phase.planned and item.work_plan is None


def test_what_my_work_writes_is_what_the_slack_buttons_write(browser: Browser, session: Session) -> None:
    lead, owner, team = _owner_and_team(session)
    on_web, in_slack = _item(session, owner, lead, team, -2), _item(session, owner, lead, team, -2)
    wire(session, on_web)
    channel, ts = wire(session, in_slack)
    token = browser.sign_in_as(owner)
    for action, path in (("advance", "next-phase"), ("snooze", "snooze"), ("update", "updates")):
        trail = Trail(session)
        session.refresh(in_slack)
        raw = {"shown_phase": in_slack.phase.value, "promised_phase": "implementing"} if action == "advance" else {}
        outcome = apply_interaction(session, Interaction(
            kind="button", action=action, slack_user_id=owner.slack_user_id or "", action_item_id=in_slack.id,
            text="Vendor call booked" if action == "update" else None, channel=channel, message_ts=ts,
            response_url="https://hooks.slack.test/respond", raw=raw))
        session.commit()
        assert outcome.ok, outcome.message
        slack = ([a for a, _ in trail.actions(in_slack.id)], trail.kinds())

        trail = Trail(session)
        page = browser.get(PAGE).text
        if path == "updates":
            data = {"note": "Vendor call booked"}
        elif path == "work-plan":
            data = _lazy_form(browser, page, on_web.id, "plan")
        else:
            data = _form(page, on_web.id, path)
        assert hx(browser, f"{PAGE}/items/{on_web.id}/{path}", {**data, "csrf_token": token}).status_code == 200
        web = ([a for a, _ in trail.actions(on_web.id)], trail.kinds())
        assert web[0] == slack[0], action  # the same activity, by the same person
        if action == "update":
            # Slack redraws the clicked message to carry its "Update posted" line; nothing a
            # message shows changed, so a post from the page refreshes none.
            assert slack[1] == {"slack.refresh"} and web[1] == set()
        else:
            assert web[1] == slack[1], action  # the same ticket sync and message refreshes
    session.refresh(on_web)
    session.refresh(in_slack)
    assert on_web.phase is in_slack.phase is Phase.implementing
