"""Teams: the list with a create form, and one team's page where leads edit it and its nudge
policy. Each save calls the service behind the API (create_team / update_team / put_policy)
with the version the page showed; the policy's preview runs the policy module's own functions
on an example item (tracker/web/teams/preview.py) and saves nothing.

Everyone may read (the API lets every role read teams); the forms are for leads and admins,
and the routes refuse anyone else whatever the page showed.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from tracker.actions.access import is_lead
from tracker.api.deps import DbSession
from tracker.api.params import IdPath
from tracker.clock import Today
from tracker.errors import PreconditionFailed, TrackerError
from tracker.nudges import service as nudges
from tracker.nudges.policy import Rules
from tracker.people import service as people
from tracker.people.models import Person, Team
from tracker.web.forms import FormResult, form_of
from tracker.web.routing import page_router
from tracker.web.session import PageLead, PageUser
from tracker.web.teams import views
from tracker.web.teams.forms import (
    CHECKBOXES,
    PolicyForm,
    TeamEditForm,
    TeamForm,
    example_deadline,
    number_bounds,
)
from tracker.web.teams.preview import schedule
from tracker.web.templating import partial, render

router = page_router()
LIST = "teams/list.html"
PAGE = "teams/team.html"
TeamInput = Annotated[FormResult[TeamForm], Depends(form_of(TeamForm))]
TeamEditInput = Annotated[FormResult[TeamEditForm], Depends(form_of(TeamEditForm))]
PolicyInput = Annotated[FormResult[PolicyForm], Depends(form_of(PolicyForm))]
STALE_TEAM = "Someone changed this team while you were editing. What you typed is kept below; nothing was saved."
STALE_POLICY = ("Someone changed this team's nudge policy while you were editing. What you typed is kept "
                "below; nothing was saved.")


def team_url(team_id: int) -> str:
    return f"/app/teams/{team_id}"


# --- the list ----------------------------------------------------------------------------------

def _list(request: Request, db: Session, me: Person, *, form: FormResult[Any] | None = None,
          status: int = 200) -> Response:
    lead = is_lead(me)
    return render(request, LIST, {"rows": views.team_rows(db), "can_edit": lead,
                                  "form": form or FormResult(None, {"timezone": "UTC"}),
                                  "choices": views.choices(db) if lead else None},
                  status=status)


@router.get("/app/teams")
def teams(request: Request, db: DbSession, me: PageUser) -> Response:
    return _list(request, db, me)


@router.post("/app/teams")
def create_team(request: Request, db: DbSession, me: PageLead, form: TeamInput) -> Response:
    """Add a team, or say why not next to the field (nothing is created)."""
    if form.data is None:
        return _list(request, db, me, form=form, status=422)
    try:
        with db.begin_nested():
            views.check_lead(db, form.data.lead_id, current_lead_id=None)
            team = people.create_team(db, actor=me, data=form.data.data())
    except TrackerError as exc:
        if exc.status in (401, 403) and exc.field is None:
            raise
        return _list(request, db, me, form=form.fail(exc), status=exc.status)
    return RedirectResponse(f"{team_url(team.id)}?created", status_code=303)


# --- one team ----------------------------------------------------------------------------------

def _team_values(team: Team) -> dict[str, str]:
    return {"name": team.name, "department": team.department,
            "lead_id": str(team.lead_id or ""), "slack_channel": team.slack_channel or "",
            "timezone": team.timezone, "ticket_target_id": str(team.ticket_target_id or "")}


def _policy_values(rules: Rules, example: date) -> dict[str, str]:
    values = {name: str(getattr(rules, name)) for name in Rules.field_names() if name not in CHECKBOXES}
    values.update({name: "on" for name in CHECKBOXES if getattr(rules, name)})
    values["example_deadline"] = example.isoformat()
    return values


def _show(request: Request, db: Session, me: Person, team_id: int, today: date, *,
          team_form: FormResult[Any] | None = None, policy_form: FormResult[Any] | None = None,
          example: date | None = None, example_error: str | None = None, status: int = 200,
          notice: str | None = None, stale: list[Any] | None = None, block: str | None = None) -> Response:
    """The team page. The preview follows the policy form when one was posted (unsaved values),
    else the saved policy; an invalid form previews nothing and names what to fix."""
    page = views.team_page(db, person=me, team_id=team_id)
    preview_rules = page.rules
    if policy_form is not None and policy_form.data is not None:
        example = policy_form.data.example_deadline
        preview_rules = policy_form.data.rules()
        try:
            nudges.check_rules(preview_rules)  # what saving would refuse, the preview refuses too
        except TrackerError as exc:
            policy_form = policy_form.fail(exc)
    example = example or views.default_example(today)
    policy_form = policy_form or FormResult(None, _policy_values(page.rules, example))
    preview_errors = dict(policy_form.errors)
    if example_error:
        preview_errors["example_deadline"] = example_error
    if preview_errors and status < 400:
        status = 422
    lead_tz = page.lead.timezone if page.lead is not None else page.team.timezone
    preview = None if preview_errors else schedule(
        preview_rules, deadline=example, today=today, owner_tz=page.team.timezone, lead_tz=lead_tz)
    context = {
        "page": page, "today": today, "example": example, "preview": preview,
        "preview_errors": preview_errors, "unsaved": preview_rules != page.rules,
        "team_form": team_form or FormResult(None, _team_values(page.team)),
        "policy_form": policy_form, "bounds": number_bounds(),
        "choices": views.choices(db, current_lead_id=page.team.lead_id) if page.can_edit else None,
        "notice": notice, "stale": stale or [], "saved": request.query_params.get("saved"),
        "created": "created" in request.query_params,
    }
    return render(request, PAGE, context, status=status, block=block)


@router.get("/app/teams/{team_id}")
def team(request: Request, team_id: IdPath, db: DbSession, me: PageUser, today: Today) -> Response:
    """The team; `?example_deadline=YYYY-MM-DD` previews the saved policy for another deadline."""
    example, error = example_deadline(request.query_params.get("example_deadline"))
    return _show(request, db, me, team_id, today, example=example, example_error=error,
                 block=partial(request, "preview"))


@router.post("/app/teams/{team_id}")
def edit_team(request: Request, team_id: IdPath, db: DbSession, me: PageLead, today: Today,
              form: TeamEditInput) -> Response:
    """Save the team through update_team with the version shown, or say why not next to the
    field; a stale version lists who changed what and keeps what was typed."""
    if form.data is None:
        return _show(request, db, me, team_id, today, team_form=form, status=422)
    data = form.data
    current = people.get_team(db, team_id)
    try:
        with db.begin_nested():
            views.check_lead(db, data.lead_id, current_lead_id=current.lead_id)
            people.update_team(db, actor=me, team_id=team_id, expected_version=data.version, data=data.data())
    except PreconditionFailed:
        db.expire_all()
        stale = views.changes_since(db, team_id=team_id, after_activity_id=data.seen_activity)
        return _show(request, db, me, team_id, today, team_form=FormResult(None, form.values), status=409,
                     notice=STALE_TEAM, stale=stale)
    except TrackerError as exc:
        if exc.status in (401, 403, 404) and exc.field is None:
            raise
        db.expire_all()
        return _show(request, db, me, team_id, today, team_form=form.fail(exc), status=exc.status)
    return RedirectResponse(f"{team_url(team_id)}?saved=team", status_code=303)


@router.post("/app/teams/{team_id}/nudge-policy")
def save_policy(request: Request, team_id: IdPath, db: DbSession, me: PageLead, today: Today,
                form: PolicyInput) -> Response:
    """Save the nudge policy through put_policy with the version shown (0: the defaults)."""
    if form.data is None:
        return _show(request, db, me, team_id, today, policy_form=form, status=422)
    data = form.data
    try:
        with db.begin_nested():
            nudges.put_policy(db, actor=me, team_id=team_id, expected_version=data.version, data=data.policy())
    except PreconditionFailed:
        db.expire_all()
        stale = views.changes_since(db, team_id=team_id, after_activity_id=data.seen_activity)
        return _show(request, db, me, team_id, today, policy_form=FormResult(None, form.values),
                     status=409, notice=STALE_POLICY, stale=stale)
    except TrackerError as exc:
        if exc.status in (401, 403, 404) and exc.field is None:
            raise
        db.expire_all()
        return _show(request, db, me, team_id, today, policy_form=form.fail(exc), status=exc.status)
    return RedirectResponse(f"{team_url(team_id)}?saved=policy#policy", status_code=303)


@router.post("/app/teams/{team_id}/nudge-policy/preview")
def preview_policy(request: Request, team_id: IdPath, db: DbSession, me: PageLead, today: Today,
                   form: PolicyInput) -> Response:
    """The schedule the typed (unsaved) values give: htmx gets just the preview, a plain form
    the whole page with what was typed kept. Nothing is saved."""
    return _show(request, db, me, team_id, today, policy_form=form, block=partial(request, "preview"))
