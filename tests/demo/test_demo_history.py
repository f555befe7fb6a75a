"""The demo's history agrees with its items: a done item moved to done when it was completed
(so that week's digest lists it as moved *and* completed), after its customers were told."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.actions.models import ActionItem, ChecklistEntry, Phase
from tracker.activity.models import ActivityEntry
from tracker.demo import load_demo
from tracker.digests.builder import build_digest
from tracker.digests.weeks import week_of


def test_done_items_moved_when_completed_and_after_their_checklist(session: Session) -> None:
    load_demo(session)
    done = list(session.scalars(select(ActionItem).where(ActionItem.phase == Phase.done)))
    assert done
    for item in done:
        assert item.completed_at is not None
        moves = [e for e in session.scalars(select(ActivityEntry).where(
            ActivityEntry.action_item_id == item.id, ActivityEntry.action == "phase_changed"))
            if (e.changes or {}).get("phase", {}).get("to") == "done"]
        assert moves and all(m.at <= item.completed_at for m in moves), (item.title, moves, item.completed_at)
        told = [e.notified_at for e in session.scalars(select(ChecklistEntry).where(
            ChecklistEntry.action_item_id == item.id)) if e.notified_at is not None]
        assert all(at <= item.completed_at for at in told), item.title

        week = week_of(item.completed_at.date()).label
        report = build_digest(session, scope=f"team:{item.team_id}", week=week)
        sections = {s.title: s.lines for s in report.sections}
        assert any(item.title in line for line in sections["Completed"]), (week, sections["Completed"])
        assert any(item.title in line and line.startswith("done:") for line in sections["Moved this week"]), (
            week, sections["Moved this week"])
