"""The nudge sweep: find due schedule rows, decide, record, enqueue, move `next_at`.

One sweep is a fixed number of statements whatever the number of stored or due items (up to
`limit`): select the due rows with everything the policy needs (one joined query, locked with
FOR UPDATE OF nudge_schedule SKIP LOCKED so two workers split the work), read their recent
nudges (one query), insert the nudges (one multi-row INSERT ... ON CONFLICT DO NOTHING
RETURNING), their outbox messages (one executemany) and the new `next_at`s (one executemany).

Recorded before sent: the Nudge row and its outbox message commit together, so a crash before
the commit records nothing (the next sweep decides again), and a crash after it leaves the
message for the outbox worker. The unique (item, kind, slot) makes a second recording a no-op.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from tracker.nudges.dialect import insert_ignoring_conflicts
from tracker.nudges.facts import facts_select, history, to_facts
from tracker.nudges.models import Nudge, NudgeSchedule, NudgeState
from tracker.nudges.policy import decide, next_check
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.types import utcnow

NUDGE_KIND = "slack.nudge"


def due_rows(session: Session, *, now: datetime, limit: int) -> list[Any]:
    stmt = (
        facts_select(from_schedule=True)
        .where(NudgeSchedule.next_at <= now)
        .order_by(NudgeSchedule.next_at, NudgeSchedule.action_item_id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=NudgeSchedule)
    )
    return list(session.execute(stmt))


def sweep(session: Session, *, now: datetime, limit: int = 500) -> int:
    """Record the nudges due at `now` (at most one per item) and enqueue them; returns how many
    were recorded. The caller commits."""
    return sweep_batch(session, now=now, limit=limit)[1]


def sweep_batch(session: Session, *, now: datetime, limit: int) -> tuple[int, int]:
    """One batch: (due rows looked at, nudges recorded). Fewer rows than `limit`: none left."""
    rows = due_rows(session, now=now, limit=limit)
    if not rows:
        return 0, 0
    sent = history(session, (r.id for r in rows), now=now)
    nudges: list[dict[str, Any]] = []
    moves: list[dict[str, Any]] = []
    for row in rows:
        facts = to_facts(row, sent.get(row.id, ()))
        decision = decide(facts, now)
        if decision is not None:
            nudges.append({
                "action_item_id": row.id, "kind": decision.kind, "slot": decision.slot,
                "recipient_id": row.lead_id if decision.to_lead else row.owner_id,
                "state": NudgeState.pending, "created_at": now,
            })
            facts = facts.with_sent(decision.kind, decision.slot, now)
        moves.append({"action_item_id": row.id, "next_at": next_check(facts, now)})
    recorded = _record(session, nudges)
    session.execute(update(NudgeSchedule), moves)
    return len(rows), recorded


def _record(session: Session, nudges: list[dict[str, Any]]) -> int:
    if not nudges:
        return 0
    # executemany + RETURNING: SQLAlchemy's "insertmanyvalues" sends one multi-row statement per
    # 1000 rows from a cached compilation (a .values(list) would be recompiled every sweep).
    stmt = insert_ignoring_conflicts(session, Nudge.__table__).returning(Nudge.id, Nudge.action_item_id)
    inserted = session.connection().execute(stmt, nudges).all()
    if inserted:
        created = utcnow()
        session.connection().execute(insert(OutboxMessage).returning(OutboxMessage.id), [
            {"kind": NUDGE_KIND, "payload": {"nudge_id": nudge_id},
             "ordering_key": f"nudge:{item_id}", "state": OutboxState.pending, "attempts": 0,
             "available_at": created, "created_at": created}
            for nudge_id, item_id in inserted
        ])
    return len(inserted)
