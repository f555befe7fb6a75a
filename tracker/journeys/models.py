from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base
from tracker.types import JSONType, UTCDateTime, utcnow


class MapKind(StrEnum):
    customer = "customer"
    employee = "employee"


class Channel(StrEnum):
    phone = "phone"
    chat = "chat"
    email = "email"
    web = "web"
    social = "social"
    in_person = "in_person"
    app = "app"
    other = "other"


class JourneyMap(Base):
    __tablename__ = "journey_maps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[MapKind] = mapped_column(Enum(MapKind, native_enum=False, length=16))
    persona: Mapped[str] = mapped_column(String(200))
    scope_start: Mapped[str] = mapped_column(String(300))
    scope_end: Mapped[str] = mapped_column(String(300))
    objectives: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # Success metrics are rows of their own: tracker/metrics (the API still lists their names).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    stages: Mapped[list[JourneyStage]] = relationship(
        back_populates="journey_map",
        order_by="JourneyStage.position",
        cascade="all, delete-orphan",
        lazy="raise",
    )

    __mapper_args__ = {"version_id_col": version}


class JourneyStage(Base):
    __tablename__ = "journey_stages"
    __table_args__ = (UniqueConstraint("journey_map_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    journey_map_id: Mapped[int] = mapped_column(ForeignKey("journey_maps.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))

    journey_map: Mapped[JourneyMap] = relationship(back_populates="stages", lazy="raise")
    steps: Mapped[list[JourneyStep]] = relationship(
        back_populates="stage",
        order_by="JourneyStep.position",
        cascade="all, delete-orphan",
        lazy="raise",
    )


class JourneyStep(Base):
    """One touchpoint: what the customer was doing, thinking and feeling, and where."""

    __tablename__ = "journey_steps"
    __table_args__ = (UniqueConstraint("stage_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("journey_stages.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    doing: Mapped[str] = mapped_column(Text, default="")
    thinking: Mapped[str] = mapped_column(Text, default="")
    feeling: Mapped[str] = mapped_column(Text, default="")
    emotion_score: Mapped[int] = mapped_column(Integer, default=0)  # -5 (furious) .. +5 (delighted)
    channel: Mapped[Channel] = mapped_column(Enum(Channel, native_enum=False, length=16))
    people_met: Mapped[list[str]] = mapped_column(JSONType, default=list)
    systems_met: Mapped[list[str]] = mapped_column(JSONType, default=list)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)

    stage: Mapped[JourneyStage] = relationship(back_populates="steps", lazy="raise")
