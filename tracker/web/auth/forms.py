from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from tracker.auth.passwords import MAX_LENGTH


class SignInForm(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=MAX_LENGTH)
    next: str = "/"


class NewPasswordForm(BaseModel):
    password: str = Field(max_length=MAX_LENGTH)
    confirm: str = Field(max_length=MAX_LENGTH)

    @model_validator(mode="after")
    def _same(self) -> NewPasswordForm:
        if self.password != self.confirm:
            raise ValueError("the two passwords differ")
        return self


class ChangePasswordForm(NewPasswordForm):
    current: str = Field(min_length=1, max_length=MAX_LENGTH)
