"""The message a nudge carries: the advance button's phase, the ticket, snoozes left, days left."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from tests import factories
from tests.factories.actions import action_item, moment
from tracker.actions import service
from tracker.actions.models import Phase
from tracker.nudges.messages import build_message
from tracker.nudges.models import NudgeKind
from tracker.nudges.service import snooze
from tracker.people.models import Role
from tracker.sync.models import LinkState, TargetKind, TicketLink, TicketTarget

BASE = "http://tracker.test/"


def move(session: Session, item_id: int, *targets: Phase) -> None:
    for target in targets:
        service.change_phase(session, actor=None, item_id=item_id, to=target, expected_version=None,
                             reason="waiting on finance" if target is Phase.blocked else None)


def test_next_phase_follows_the_main_line(session: Session) -> None:
    plain = action_item(session)
    trained = action_item(session, training_needed=True, training_target=3)
    first = build_message(session, item_id=plain.id, kind=NudgeKind.before_due, base_url=BASE)
    assert first.next_phase == "implementing"
    move(session, plain.id, Phase.implementing)
    move(session, trained.id, Phase.implementing)
    assert build_message(session, item_id=plain.id, kind="overdue", base_url=BASE).next_phase == "closing_loop"
    assert build_message(session, item_id=trained.id, kind="overdue", base_url=BASE).next_phase == "training"
    move(session, plain.id, Phase.blocked)
    assert build_message(session, item_id=plain.id, kind="overdue", base_url=BASE).next_phase == "implementing"
    move(session, plain.id, Phase.implementing, Phase.closing_loop)
    message = build_message(session, item_id=plain.id, kind=NudgeKind.due_today, base_url=BASE, note="Moved by Ana")
    assert (message.next_phase, message.kind, message.note) == ("done", "due_today", "Moved by Ana")


def test_message_fields(session: Session) -> None:
    owner = factories.person(session, Role.owner, timezone="Asia/Tokyo", name="Aiko Tanaka")
    m = moment(session)
    item = action_item(session, owner=owner, moment_id=m.id, deadline=date(2026, 11, 20))
    target = TicketTarget(name="Billing Jira", kind=TargetKind.jira, connection="acme", project="BILL")
    session.add(target)
    session.flush()
    session.add(TicketLink(action_item_id=item.id, target_id=target.id, state=LinkState.linked,
                           marker=f"m-{item.id}", remote_url="https://acme.example/browse/BILL-7"))
    session.flush()
    # 23:30 UTC on the 17th is already the 18th in Tokyo: two days to go there.
    now = datetime(2026, 11, 17, 23, 30, tzinfo=UTC)
    message = build_message(session, item_id=item.id, kind=NudgeKind.before_due, base_url=BASE, now=now)
    assert message.days_to_deadline == 2 and message.deadline == date(2026, 11, 20)
    assert message.ticket_url == "https://acme.example/browse/BILL-7"
    assert message.item_url == f"http://tracker.test/action-items/{item.id}"
    assert (message.moment_title, message.owner_name, message.phase) == (m.title, "Aiko Tanaka", "planned")
    assert message.can_snooze
    snooze(session, actor=owner, item_id=item.id)
    snooze(session, actor=owner, item_id=item.id)
    assert not build_message(session, item_id=item.id, kind="overdue", base_url=BASE).can_snooze


def test_the_snooze_button_says_how_long_the_teams_snooze_holds(session: Session) -> None:
    from integrations.slack.message_blocks import nudge_blocks
    from tracker.nudges.models import NudgePolicy

    item = action_item(session)
    labels = [e["text"]["text"] for b in nudge_blocks(build_message(session, item_id=item.id, kind="overdue",
                                                                    base_url=BASE))
              if b["type"] == "actions" for e in b["elements"]]
    assert "Snooze 1 day" in labels  # the default policy
    session.add(NudgePolicy(team_id=item.team_id, snooze_days=3))
    session.flush()
    labels = [e["text"]["text"] for b in nudge_blocks(build_message(session, item_id=item.id, kind="overdue",
                                                                    base_url=BASE))
              if b["type"] == "actions" for e in b["elements"]]
    assert "Snooze 3 days" in labels and "Snooze 1 day" not in labels
