from __future__ import annotations

from pydantic import BaseModel, Field


class DigestSectionOut(BaseModel):
    title: str
    lines: list[str]
    empty_text: str


class DigestOut(BaseModel):
    title: str = Field(examples=["Billing Operations: week 2026-W47"])
    scope: str = Field(description="'team:<id>' or 'programme'.")
    week: str = Field(examples=["2026-W47"])
    period: str = Field(examples=["16-22 Nov 2026"])
    headline: str
    sections: list[DigestSectionOut]
    totals: dict[str, int]
