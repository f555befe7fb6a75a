from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base
from tracker.types import JSONType, UTCDateTime, utcnow


class InvestigationStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    concluded = "concluded"


class RootCauseCategory(StrEnum):
    department = "department"
    process = "process"
    tool = "tool"
    policy = "policy"


class Investigation(Base):
    """Root-cause work on a moment of truth: hypotheses, findings, and the cause upstream."""

    __tablename__ = "investigations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    moment_id: Mapped[int] = mapped_column(
        ForeignKey("moments_of_truth.id", ondelete="CASCADE"), index=True
    )
    # Set when the investigation was promoted from one friction point rather than the moment.
    friction_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("friction_points.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    due_date: Mapped[date | None] = mapped_column(Date)
    hypotheses: Mapped[list[str]] = mapped_column(JSONType, default=list)
    findings: Mapped[str] = mapped_column(Text, default="")
    root_cause: Mapped[str | None] = mapped_column(Text)
    root_cause_category: Mapped[RootCauseCategory | None] = mapped_column(
        Enum(RootCauseCategory, native_enum=False, length=16)
    )
    # Which upstream department, process, tool or policy: free text ("billing", "invoice PDF").
    root_cause_area: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[InvestigationStatus] = mapped_column(
        Enum(InvestigationStatus, native_enum=False, length=16), default=InvestigationStatus.open
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
