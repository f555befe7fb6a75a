from __future__ import annotations

from pydantic import BaseModel, EmailStr, Field

from tracker.people.models import Role


class InviteForm(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    role: Role
