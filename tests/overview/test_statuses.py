"""The programme-wide status query agrees with moments.status for every kind of moment, in both
of statuses_for's query shapes (through the indexes for a few moments, one pass for many)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from tests import factories
from tests.factories.actions import investigation, moment
from tests.factories.digests import item
from tracker.actions.models import Phase as P
from tracker.investigations.models import InvestigationStatus
from tracker.moments import status
from tracker.moments.status import MomentStatus, statuses_for
from tracker.overview.statuses import all_statuses

DUE = date(2026, 12, 1)


@pytest.mark.parametrize("indexed_up_to", [100, 0], ids=["indexed", "one pass"])
def test_all_statuses_match_statuses_for(session: Session, monkeypatch: pytest.MonkeyPatch,
                                         indexed_up_to: int) -> None:
    monkeypatch.setattr(status, "INDEXED_UP_TO", indexed_up_to)
    owner, team = factories.person(session), factories.team(session)
    m = {name: moment(session) for name in (
        "open", "investigating", "concluded", "planned", "via_investigation", "in_progress", "closed",
        "only_cancelled", "blocked")}
    investigation(session, moment_id=m["investigating"].id)
    investigation(session, moment_id=m["concluded"].id).status = InvestigationStatus.concluded
    item(session, team, owner, "a", P.planned, DUE, moment_id=m["planned"].id)
    # No moment of its own: it belongs to its investigation's moment.
    inv = investigation(session, moment_id=m["via_investigation"].id)
    item(session, team, owner, "b", P.done, DUE, investigation_id=inv.id)
    item(session, team, owner, "c", P.done, DUE, moment_id=m["in_progress"].id)
    item(session, team, owner, "d", P.planned, DUE, moment_id=m["in_progress"].id)
    item(session, team, owner, "e", P.done, DUE, moment_id=m["closed"].id)
    item(session, team, owner, "f", P.cancelled, DUE, moment_id=m["closed"].id)
    item(session, team, owner, "g", P.cancelled, DUE, moment_id=m["only_cancelled"].id)
    item(session, team, owner, "h", P.blocked, DUE, moment_id=m["blocked"].id, phase_before_block=P.planned)
    item(session, team, owner, "orphan", P.planned, DUE)  # no moment at all: counted nowhere
    session.flush()
    ours = all_statuses(session)
    assert ours == statuses_for(session, list(ours))
    assert {name: ours[x.id] for name, x in m.items()} == {
        "open": MomentStatus.open, "investigating": MomentStatus.investigating,
        "concluded": MomentStatus.investigating, "planned": MomentStatus.actions_planned,
        "via_investigation": MomentStatus.loop_closed, "in_progress": MomentStatus.in_progress,
        "closed": MomentStatus.loop_closed, "only_cancelled": MomentStatus.open,
        "blocked": MomentStatus.in_progress}
