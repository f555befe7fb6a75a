from __future__ import annotations

from pydantic import Field, field_validator

from tracker.api.input import Input
from tracker.investigations.models import InvestigationStatus, RootCauseCategory


class InvestigationForm(Input):
    """What an investigation's owner (or a lead) records on its page: the fields the service
    lets an owner change, plus the version the page showed."""

    hypotheses: str = Field("", max_length=20_000, description="One hypothesis per line.")
    findings: str = Field("", max_length=50_000)
    root_cause: str = Field("", max_length=20_000)
    root_cause_category: RootCauseCategory | None = None
    root_cause_area: str = Field("", max_length=200)
    status: InvestigationStatus
    version: int = Field(ge=1)
    # The newest activity entry the page showed: after it is what someone else changed.
    seen_activity: int = Field(0, ge=0)

    @field_validator("root_cause_category", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value

    def changes(self) -> dict[str, object]:
        """The service's update body (it strips text and records only what really changed)."""
        return {
            "hypotheses": [line.strip() for line in self.hypotheses.splitlines() if line.strip()],
            "findings": self.findings.strip(), "root_cause": self.root_cause,
            "root_cause_category": self.root_cause_category, "root_cause_area": self.root_cause_area,
            "status": self.status,
        }
