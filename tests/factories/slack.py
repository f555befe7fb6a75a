"""A team in the tracker mirrored in the Slack emulator: a lead, two owners, a viewer, a channel."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from integrations.slack.emulator import SlackEmulator
from tests import factories
from tests.factories.actions import action_item
from tracker.actions.models import ActionItem
from tracker.nudges.models import Nudge, NudgeKind, NudgeState
from tracker.outbox.service import enqueue
from tracker.people.models import Person, Role, Team

_seq = itertools.count(1)


@dataclass
class SlackWorld:
    session: Session
    emulator: SlackEmulator
    lead: Person
    owner: Person
    other_owner: Person
    viewer: Person
    team: Team
    channel_id: str

    @classmethod
    def build(cls, session: Session, emulator: SlackEmulator) -> SlackWorld:
        n = next(_seq)

        def both(role: Role, handle: str, real: str) -> Person:
            email = f"{handle}{n}@example.com"
            user = emulator.add_user(f"{handle}{n}", email=email, real_name=real)
            return factories.person(session, role, name=real, email=email, slack_user_id=user.id)

        lead = both(Role.lead, "maya", "Maya Okafor")
        owner = both(Role.owner, "ana", "Ana Silva")
        other = both(Role.owner, "ben", "Ben Weber")
        viewer = both(Role.viewer, "grace", "Grace Liu")
        channel = emulator.add_channel(f"cx-team-{n}", members=[p.slack_user_id for p in (lead, owner, other)
                                                                if p.slack_user_id])
        team = factories.team(session, lead_id=lead.id, slack_channel=f"#{channel.name}")
        session.commit()
        return cls(session, emulator, lead, owner, other, viewer, team, channel.id)

    def item(self, *, owner: Person | None = None, days: int = -3, **data: Any) -> ActionItem:
        """An item of the team (deadline `days` from today), created by the lead."""
        return action_item(self.session, owner=owner or self.owner, lead=self.lead, team_id=self.team.id,
                           deadline=date.today() + timedelta(days=days), **data)

    def nudge(self, item: ActionItem, kind: NudgeKind = NudgeKind.overdue,
              recipient: Person | None = None) -> Nudge:
        """A pending nudge and its outbox message, as the sweep records them."""
        nudge = Nudge(action_item_id=item.id, kind=kind, slot=f"slot-{next(_seq)}",
                      recipient_id=(recipient or self.owner).id if kind is not NudgeKind.escalation else None,
                      state=NudgeState.pending)
        self.session.add(nudge)
        self.session.flush()
        enqueue(self.session, kind="slack.nudge", payload={"nudge_id": nudge.id}, ordering_key=f"nudge:{item.id}")
        self.session.commit()
        return nudge

    def refreshed(self, nudge: Nudge) -> Nudge:
        self.session.expire_all()
        found = self.session.get(Nudge, nudge.id)
        assert found is not None
        return found
