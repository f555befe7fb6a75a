from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base
from tracker.types import UTCDateTime, utcnow


class EvidenceSource(StrEnum):
    workshop = "workshop"
    interview = "interview"
    survey = "survey"
    support_tickets = "support_tickets"
    analytics = "analytics"
    other = "other"


class FrictionPoint(Base):
    """An observed break in the experience at one step of a journey map."""

    __tablename__ = "friction_points"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The map is implied by the step, but friction lists are filtered by journey constantly.
    journey_map_id: Mapped[int] = mapped_column(
        ForeignKey("journey_maps.id", ondelete="CASCADE"), index=True
    )
    step_id: Mapped[int] = mapped_column(ForeignKey("journey_steps.id", ondelete="CASCADE"), index=True)
    moment_id: Mapped[int | None] = mapped_column(
        ForeignKey("moments_of_truth.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    upstream_cause: Mapped[str | None] = mapped_column(String(120))  # e.g. "billing", "docs"
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="friction_point", cascade="all, delete-orphan", lazy="raise",
        order_by="Evidence.id",
    )
    affected_customers: Mapped[list[AffectedCustomer]] = relationship(
        back_populates="friction_point", cascade="all, delete-orphan", lazy="raise",
        order_by="AffectedCustomer.id",
    )

    __mapper_args__ = {"version_id_col": version}


class Evidence(Base):
    __tablename__ = "friction_evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    friction_point_id: Mapped[int] = mapped_column(
        ForeignKey("friction_points.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[EvidenceSource] = mapped_column(Enum(EvidenceSource, native_enum=False, length=20))
    note: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(1000))

    friction_point: Mapped[FrictionPoint] = relationship(back_populates="evidence", lazy="raise")


class AffectedCustomer(Base):
    """A customer who met this friction and must hear about the fix (closing the loop)."""

    __tablename__ = "affected_customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    friction_point_id: Mapped[int] = mapped_column(
        ForeignKey("friction_points.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(320))
    segment: Mapped[str | None] = mapped_column(String(100))

    friction_point: Mapped[FrictionPoint] = relationship(
        back_populates="affected_customers", lazy="raise"
    )
