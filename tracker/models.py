"""Imports every domain's models so metadata is complete (Alembic and the app rely on it)."""

from tracker.actions.models import ActionItem, ChecklistEntry, ProgressUpdate, TrainingRecord
from tracker.actions.spans import OpenSpan
from tracker.activity.models import ActivityEntry
from tracker.auth.models import ApiToken, PasswordCredential, PasswordLink, SignInThrottle, WebSession
from tracker.digests.models import DigestDelivery, DigestShareLink
from tracker.friction.models import AffectedCustomer, Evidence, FrictionPoint
from tracker.health.models import ConnectionActivity, InboundRejection
from tracker.investigations.models import Investigation
from tracker.journeys.models import JourneyMap, JourneyStage, JourneyStep
from tracker.metrics.models import MomentMetric, Observation, SuccessMetric
from tracker.moments.models import MomentOfTruth, PriorityWeightSet
from tracker.nudges.models import Nudge, NudgePolicy, NudgeSchedule
from tracker.outbox.models import OutboxMessage
from tracker.people.models import Person, Team
from tracker.sync.models import InboundDelivery, TicketLink, TicketTarget

__all__ = [
    "ActionItem", "ActivityEntry", "AffectedCustomer", "ApiToken", "ChecklistEntry", "ConnectionActivity",
    "DigestDelivery", "DigestShareLink", "Evidence", "FrictionPoint", "InboundDelivery", "InboundRejection",
    "Investigation",
    "JourneyMap",
    "JourneyStage", "JourneyStep", "MomentMetric", "MomentOfTruth", "Nudge", "NudgePolicy", "NudgeSchedule",
    "Observation", "OpenSpan", "OutboxMessage", "PasswordCredential", "PasswordLink", "Person", "PriorityWeightSet",
    "ProgressUpdate", "SignInThrottle", "SuccessMetric", "Team", "TicketLink", "TicketTarget", "TrainingRecord",
    "WebSession",
]
