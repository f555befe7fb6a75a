"""Signing in and out, setting a password through a one-time link, changing one's password."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from tracker.api.deps import DbSession
from tracker.auth import links, passwords, sessions, throttle
from tracker.auth.signin import sign_in
from tracker.errors import TrackerError
from tracker.web.auth.forms import ChangePasswordForm, NewPasswordForm, SignInForm
from tracker.web.forms import GENERAL, FormResult, form_of
from tracker.web.paths import HOME, SIGN_IN, safe_next
from tracker.web.routing import page_router
from tracker.web.session import (
    MaybeSignedIn,
    PageUser,
    SignedInSession,
    clear_session_cookie,
    set_session_cookie,
)
from tracker.web.templating import render

router = page_router()

SignInInput = Annotated[FormResult[SignInForm], Depends(form_of(SignInForm))]
NewPasswordInput = Annotated[FormResult[NewPasswordForm], Depends(form_of(NewPasswordForm))]
ChangePasswordInput = Annotated[FormResult[ChangePasswordForm], Depends(form_of(ChangePasswordForm))]


def _wait_text(wait: timedelta) -> str:
    minutes = math.ceil(wait.total_seconds() / 60)
    if wait < timedelta(minutes=1):
        return f"{math.ceil(wait.total_seconds())} seconds"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def sign_in_page(request: Request, *, next_path: str = HOME, form: FormResult[SignInForm] | None = None,
                 status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = render(request, "auth/sign_in.html",
                      {"form": form or FormResult(None), "next": safe_next(next_path)}, status=status)
    response.headers.update(headers or {})
    return response


@router.get("/sign-in")
def sign_in_form(request: Request, signed: MaybeSignedIn, next: str = HOME) -> Response:
    if signed is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return sign_in_page(request, next_path=next)


@router.post("/sign-in")
def sign_in_submit(request: Request, db: DbSession, form: SignInInput, signed: MaybeSignedIn) -> Response:
    next_path = safe_next(form.values.get("next"))
    if form.data is None:
        return sign_in_page(request, next_path=next_path, form=form, status=422)
    ip = request.client.host if request.client else "unknown"
    outcome = sign_in(db, email=form.data.email, password=form.data.password, ip=ip,
                      user_agent=request.headers.get("user-agent", ""))
    if not outcome.ok:
        # The same words whether or not the e-mail exists; the counters were written and the
        # request still commits (nothing is raised).
        failed = FormResult[SignInForm](None, {"email": form.data.email, "next": next_path})
        if outcome.wait > timedelta(0):
            failed.errors[GENERAL] = ("Too many failed sign-ins for this account or from this network. "
                                      f"Try again in {_wait_text(outcome.wait)}.")
            return sign_in_page(request, next_path=next_path, form=failed, status=429,
                                headers={"Retry-After": str(math.ceil(outcome.wait.total_seconds()))})
        failed.errors[GENERAL] = "The e-mail address and password do not match an account."
        return sign_in_page(request, next_path=next_path, form=failed, status=401)
    if signed is not None:  # someone else's session in this browser ends here
        sessions.end_session(db, signed.session)
    response = RedirectResponse(next_path, status_code=303)
    assert outcome.secret is not None
    set_session_cookie(request, response, outcome.secret)
    return response


@router.post("/sign-out")
def sign_out(request: Request, db: DbSession, signed: MaybeSignedIn) -> Response:
    if signed is not None:
        sessions.end_session(db, signed.session)
    response = RedirectResponse(SIGN_IN, status_code=303)
    clear_session_cookie(request, response)
    return response


@router.get("/set-password/{secret}")
def set_password_form(request: Request, db: DbSession, secret: str) -> Response:
    found = links.find_link(db, secret)
    if found is None:
        return render(request, "auth/link_invalid.html", status=404)
    link, person = found
    return render(request, "auth/set_password.html",
                  {"person": person, "purpose": link.purpose, "form": FormResult(None)})


@router.post("/set-password/{secret}")
def set_password_submit(request: Request, db: DbSession, secret: str, form: NewPasswordInput) -> Response:
    found = links.find_link(db, secret)
    if found is None:
        return render(request, "auth/link_invalid.html", status=404)
    link, person = found
    context = {"person": person, "purpose": link.purpose, "form": form}
    if form.data is None:
        return render(request, "auth/set_password.html", context, status=422)
    try:
        links.use_link(db, link=link, person=person, password=form.data.password)
    except TrackerError as exc:
        return render(request, "auth/set_password.html", {**context, "form": form.fail(exc)}, status=422)
    _, cookie = sessions.start_session(db, person=person, user_agent=request.headers.get("user-agent", ""))
    response = RedirectResponse(HOME, status_code=303)
    set_session_cookie(request, response, cookie)
    return response


@router.get("/app/account")
def account(request: Request, db: DbSession, signed: SignedInSession, ended: int | None = None) -> Response:
    browsers = sessions.live_sessions(db, person_id=signed.person.id)
    return render(request, "auth/account.html", {"browsers": browsers, "this_session": signed.session.id,
                                                 "ended": ended})


@router.post("/app/account/sessions/end-others")
def end_other_sessions(db: DbSession, signed: SignedInSession) -> Response:
    ended = sessions.revoke_sessions(db, person_id=signed.person.id, except_id=signed.session.id)
    return RedirectResponse(f"/app/account?ended={ended}", status_code=303)


@router.get("/app/account/password")
def change_password_form(request: Request, _: PageUser, changed: bool = False) -> Response:
    return render(request, "auth/change_password.html", {"form": FormResult(None), "changed": changed})


@router.post("/app/account/password")
def change_password_submit(request: Request, db: DbSession, signed: SignedInSession,
                           form: ChangePasswordInput) -> Response:
    context = {"form": form, "changed": False}
    if form.data is None:
        return render(request, "auth/change_password.html", context, status=422)
    # Guesses at the current password count like failed sign-ins: a borrowed session must not
    # become a way round the lock-out.
    keys = throttle.keys_for(signed.person.email, request.client.host if request.client else "unknown")
    wait = throttle.retry_after(db, keys)
    if wait > timedelta(0):
        failed = FormResult[ChangePasswordForm](None, {}, {GENERAL: f"Too many wrong passwords. Try again in "
                                                                     f"{_wait_text(wait)}."})
        return render(request, "auth/change_password.html", {**context, "form": failed}, status=429)
    if not passwords.verify_password(db, signed.person, form.data.current):
        throttle.record_failure(db, keys)
        failed = FormResult[ChangePasswordForm](None, {}, {"current": "This is not your current password."})
        return render(request, "auth/change_password.html", {**context, "form": failed}, status=422)
    try:
        passwords.set_password(db, person=signed.person, password=form.data.password,
                               keep_session_id=signed.session.id)
    except TrackerError as exc:
        return render(request, "auth/change_password.html", {**context, "form": form.fail(exc)}, status=422)
    return RedirectResponse("/app/account/password?changed=true", status_code=303)
