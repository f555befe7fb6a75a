from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base
from tracker.types import UTCDateTime, utcnow


class MomentOfTruth(Base):
    """A make-or-break moment grouping friction points; prioritized by a weighted score.

    Factors are 1..5. `score` is stored (recomputed whenever factors or weights change) so lists
    sort by priority with an index instead of computing the formula per row.
    """

    __tablename__ = "moments_of_truth"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    journey_map_id: Mapped[int | None] = mapped_column(
        ForeignKey("journey_maps.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    reach: Mapped[int] = mapped_column(Integer, default=3)
    severity: Mapped[int] = mapped_column(Integer, default=3)
    emotional_weight: Mapped[int] = mapped_column(Integer, default=3)
    business_impact: Mapped[int] = mapped_column(Integer, default=3)
    effort: Mapped[int] = mapped_column(Integer, default=3)
    confidence: Mapped[int] = mapped_column(Integer, default=3)
    score: Mapped[float] = mapped_column(Float, default=0.0, index=True)
    rank_override: Mapped[int | None] = mapped_column(Integer)
    rank_override_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # Overrides the owning teams' ticket targets for this moment's action items.
    ticket_target_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket_targets.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class PriorityWeightSet(Base):
    """The programme's weights for the priority formula; one row, absent until a lead edits them."""

    __tablename__ = "priority_weights"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reach: Mapped[float] = mapped_column(Float)
    severity: Mapped[float] = mapped_column(Float)
    emotional_weight: Mapped[float] = mapped_column(Float)
    business_impact: Mapped[float] = mapped_column(Float)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
