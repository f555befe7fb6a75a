"""Who may open each page route: the second rule table, checked by tests/test_web_authorization.py.

Page routes are not in the OpenAPI document, so that test reads them from the app's routes.
A page route without a rule here fails it, as an API operation without one fails the first.

- public: no sign-in needed (the session pages, the API reference, static files).
- signed_in: any role, viewers included.
- item_owner: the action item's owner, leads and admins (the service's `ensure_can_edit`).
- writer: anyone who may change things (owners of any item too: the closed-loop checklist).
- lead: leads and admins.
- investigation_owner: the investigation's owner, leads and admins (`PageWriter` + the service check).
- admin: admins only.
- slack_signed: not a page: Slack's own signature authenticates (tests/slack covers it); a
  browser session never does, so every principal gets 401 (404 while Slack is not configured).

`form` builds the POST body an allowed caller sends (the CSRF token is added by the test).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.authz_rules import ALLOWED as API_ALLOWED
from tests.authz_rules import PRINCIPALS

WEB_PASSWORD = "the world's owner password"

ALLOWED: dict[str, frozenset[str]] = {
    "public": frozenset(PRINCIPALS),
    "signed_in": API_ALLOWED["read"],
    "item_owner": API_ALLOWED["item_owner"],
    "writer": API_ALLOWED["writer"],
    "lead": API_ALLOWED["lead"],
    "investigation_owner": API_ALLOWED["investigation_owner"],
    "admin": API_ALLOWED["admin"],
    "slack_signed": frozenset(),
}


@dataclass(frozen=True)
class WebRule:
    policy: str
    form: Callable[[dict[str, Any], str], dict[str, str]] = field(default=lambda w, who: {})


def _r(policy: str, form: Callable[[dict[str, Any], str], dict[str, str]] | None = None) -> WebRule:
    return WebRule(policy, form) if form else WebRule(policy)


# The nudge policy form as a lead sends it (the defaults, on the defaults' version 0).
_NUDGE_POLICY = {"days_before_due": "2", "remind_on_due_day": "on", "overdue_every_days": "2",
                 "escalate_after_overdue_days": "5", "work_plan_after_days": "3", "max_snoozes": "2",
                 "snooze_days": "1", "workday_start_hour": "9", "workday_end_hour": "17", "skip_weekends": "on",
                 "version": "0"}

RULES: dict[tuple[str, str], WebRule] = {
    ("GET", "/"): _r("public"),  # the home when signed in, the sign-in page otherwise
    ("GET", "/sign-in"): _r("public"),
    ("POST", "/sign-in"): _r("public", lambda w, who: {"email": w["owner"].email, "password": WEB_PASSWORD}),
    ("POST", "/sign-out"): _r("public"),
    ("GET", "/set-password/{secret}"): _r("public"),
    ("POST", "/set-password/{secret}"): _r("public", lambda w, who: {"password": f"{who} new password",
                                                                      "confirm": f"{who} new password"}),
    ("GET", "/app/training"): _r("signed_in"),
    # The world's item needs no training: an allowed caller gets 409 saying so, others 403.
    ("POST", "/app/training/{item_id}/sessions"): _r("item_owner", lambda w, who: {
        "people": "3", "version": "1"}),
    ("GET", "/app/activity"): _r("signed_in"),
    ("GET", "/app/activity.csv"): _r("signed_in"),
    ("GET", "/app/digests"): _r("signed_in"),  # the programme's digest this week; ?scope=team-<id>&week=...
    ("GET", "/app/digests/links"): _r("lead"),
    ("POST", "/app/digests/links"): _r("lead", lambda w, who: {
        "scope": f"team-{w['team'].id}", "week": "current", "days": "7", "note": f"for {who}'s stakeholders"}),
    # The world has no such link: the page answers 404 naming it (allowed, refused clearly).
    ("POST", "/app/digests/links/revoke"): _r("lead", lambda w, who: {"link_id": "2147483000"}),
    # Signed out by design: the secret is the key. The world's secret opens no digest (404 page).
    ("GET", "/shared/digests/{secret}"): _r("public"),
    ("GET", "/app/account"): _r("signed_in"),
    ("POST", "/app/account/sessions/end-others"): _r("signed_in"),
    ("GET", "/app/account/password"): _r("signed_in"),
    ("POST", "/app/account/password"): _r("signed_in", lambda w, who: {
        "current": "not it", "password": "a new password", "confirm": "a new password"}),
    ("GET", "/app/action-items/{item_id}"): _r("signed_in"),
    ("POST", "/app/action-items/{item_id}/phase"): _r("item_owner", lambda w, who: {
        "to": "implementing" if w["item"].phase.value == "planned" else "training",
        "version": str(w["item"].version)}),
    ("GET", "/app/board"): _r("signed_in"),
    ("GET", "/app/board.csv"): _r("signed_in"),
    ("GET", "/app/board/items/{item_id}/moves"): _r("item_owner"),  # a card's Move… menu
    ("POST", "/app/board/items/{item_id}/phase"): _r("item_owner", lambda w, who: {
        "to": "implementing" if w["item"].phase.value == "planned" else "training",
        "version": str(w["item"].version)}),
    ("GET", "/app/moments"): _r("signed_in"),  # with weights in the query: a what-if that saves nothing
    # The first save needs no version; the next principal's then answers 428 on the page (allowed).
    ("POST", "/app/moments/weights"): _r("lead", lambda w, who: {
        "reach": "0.4", "severity": "0.3", "emotional_weight": "0.2", "business_impact": "0.1"}),
    ("GET", "/app/moments/{moment_id}"): _r("signed_in"),
    ("POST", "/app/moments/{moment_id}/rank"): _r("lead", lambda w, who: {
        "rank": "1", "reason": f"pinned by {who}", "version": str(w["moment"].version)}),
    ("POST", "/app/moments/{moment_id}/unpin"): _r("lead", lambda w, who: {"version": str(w["moment"].version)}),
    ("GET", "/app/moments/{moment_id}/promote"): _r("lead"),
    ("POST", "/app/moments/{moment_id}/promote"): _r("lead", lambda w, who: {
        "action_items.0.title": f"Promoted by {who}", "action_items.0.owner_id": str(w["owner"].id),
        "action_items.0.team_id": str(w["team"].id), "action_items.0.deadline": "2030-01-31"}),
    ("GET", "/app/investigations"): _r("signed_in"),
    ("GET", "/app/investigations/{investigation_id}"): _r("signed_in"),
    ("POST", "/app/investigations/{investigation_id}"): _r("investigation_owner", lambda w, who: {
        "findings": f"seen by {who}", "status": "in_progress", "version": str(w["investigation"].version)}),
    ("POST", "/app/action-items/{item_id}/work-plan"): _r("item_owner", lambda w, who: {
        "text": f"plan by {who}", "version": str(w["item"].version)}),
    ("POST", "/app/action-items/{item_id}/updates"): _r("item_owner", lambda w, who: {"note": f"update by {who}"}),
    ("POST", "/app/action-items/{item_id}/training"): _r("item_owner", lambda w, who: {
        "sessions_held": "1", "people_trained": "2", "target_count": "3", "version": str(w["training"].version)}),
    ("POST", "/app/action-items/{item_id}/checklist"): _r("writer", lambda w, who: {
        "entry_id": str(w["entry"].id), "status": "notified", "version": str(w["entry"].version)}),
    ("POST", "/app/action-items/{item_id}/waivers"): _r("lead", lambda w, who: {
        "what": "checklist", "reason": f"waived by {who}", "version": str(w["item"].version)}),
    ("POST", "/app/action-items/{item_id}/ticket"): _r("lead"),  # already linked: the page says so (409)
    ("POST", "/app/action-items/{item_id}/ticket/resume"): _r("lead"),
    ("POST", "/app/action-items/{item_id}/nudges"): _r("lead"),
    ("GET", "/app/my-work"): _r("signed_in"),  # everyone's own items; controls only where they may act
    ("GET", "/app/my-work/items/{item_id}/forms/{which}"): _r("item_owner"),  # a row's form, fetched on opening
    ("POST", "/app/my-work/items/{item_id}/next-phase"): _r("item_owner", lambda w, who: {
        "to": "implementing" if w["item"].phase.value == "planned" else "training",
        "version": str(w["item"].version)}),
    ("POST", "/app/my-work/items/{item_id}/updates"): _r("item_owner", lambda w, who: {"note": f"update by {who}"}),
    # Past the team's limit the snooze answers 409 on the page (allowed, refused clearly).
    ("POST", "/app/my-work/items/{item_id}/snooze"): _r("item_owner"),
    ("POST", "/app/my-work/items/{item_id}/work-plan"): _r("item_owner", lambda w, who: {
        "text": f"plan by {who}", "version": str(w["item"].version)}),
    ("GET", "/app/closed-loop"): _r("signed_in"),  # viewers read the queue; marking is for writers
    ("GET", "/app/closed-loop.csv"): _r("signed_in"),
    ("POST", "/app/closed-loop/marks"): _r("writer", lambda w, who: {
        "mark": "notified", "entry": f"{w['entry'].id}:{w['entry'].version}"}),
    ("GET", "/app/action-items/{item_id}/customer-message"): _r("lead"),
    ("POST", "/app/action-items/{item_id}/customer-message"): _r("lead", lambda w, who: {
        "text": "Hello {customer_name}, " + f"{who} says: " + "{fix} is live.", "version": str(w["item"].version)}),
    ("GET", "/app/health"): _r("lead"),
    # The world has no given-up message: the page answers 404 naming it (allowed, refused clearly).
    ("POST", "/app/health/retry"): _r("lead", lambda w, who: {"message_id": "2147483000"}),
    ("POST", "/app/health/retry-all"): _r("lead"),
    # The world's link is broken: the first allowed caller resumes it, the next gets 409 (allowed).
    ("POST", "/app/health/links/{item_id}/resume"): _r("lead", lambda w, who: {"recreate": "false"}),
    ("GET", "/app/people/{person_id}"): _r("admin"),
    ("POST", "/app/people/{person_id}"): _r("admin", lambda w, who: {
        "name": w["owner"].name, "role": "owner", "timezone": "Europe/Berlin", "active": "true",
        "version": str(w["owner"].version)}),
    # Slack is not configured in this world: the page says so (allowed, nothing looked up).
    ("POST", "/app/people/{person_id}/slack-lookup"): _r("admin"),
    ("GET", "/app/people"): _r("admin"),
    ("POST", "/app/people"): _r("admin", lambda w, who: {"name": "New Person", "email": f"new-{who}@example.com",
                                                         "role": "owner"}),
    ("POST", "/app/people/{person_id}/password-link"): _r("admin"),
    # Teams: every role reads them (as GET /teams); leads and admins change them.
    ("GET", "/app/teams"): _r("signed_in"),
    ("POST", "/app/teams"): _r("lead", lambda w, who: {"name": f"Team of {who}", "department": "support",
                                                       "timezone": "Europe/Berlin"}),
    ("GET", "/app/teams/{team_id}"): _r("signed_in"),  # ?example_deadline= previews the saved policy
    ("POST", "/app/teams/{team_id}"): _r("lead", lambda w, who: {
        "name": w["team"].name, "department": w["team"].department, "lead_id": str(w["lead"].id),
        "slack_channel": f"#{who}", "timezone": "Europe/Berlin", "version": str(w["team"].version)}),
    # The first save makes version 1; the next principal's version 0 then answers 409 on the page.
    ("POST", "/app/teams/{team_id}/nudge-policy"): _r("lead", lambda w, who: _NUDGE_POLICY),
    ("POST", "/app/teams/{team_id}/nudge-policy/preview"): _r("lead", lambda w, who: _NUDGE_POLICY),
    ("GET", "/app/journey-maps"): _r("signed_in"),
    ("GET", "/app/journey-maps/{map_id}"): _r("signed_in"),
    ("GET", "/app/journey-maps/{map_id}/import"): _r("lead"),
    ("GET", "/app/journey-maps/{map_id}/import/template.csv"): _r("lead"),
    # The upload is multipart; without a file the page answers 422 "choose a CSV file" (allowed).
    ("POST", "/app/journey-maps/{map_id}/import/preview"): _r("lead"),
    ("POST", "/app/journey-maps/{map_id}/import"): _r("lead", lambda w, who: {
        "csv": f"stage,step,title\nNotice,Open invoice,Imported by {who}\n"}),
    # Success metrics: every role reads them (as GET /metrics/{id}); leads and admins change them.
    ("GET", "/app/journey-maps/{map_id}/metrics"): _r("signed_in"),
    ("POST", "/app/journey-maps/{map_id}/metrics"): _r("lead", lambda w, who: {
        "name": f"Metric of {who}", "unit": "tickets", "direction": "lower_is_better", "period": "weekly",
        "source_kind": "manual"}),
    ("GET", "/app/metrics/{metric_id}"): _r("signed_in"),
    ("POST", "/app/metrics/{metric_id}"): _r("lead", lambda w, who: {
        "name": w["metric"].name, "unit": w["metric"].unit, "direction": w["metric"].direction.value,
        "period": w["metric"].period.value, "source_kind": w["metric"].source_kind.value,
        "version": str(w["metric"].version)}),
    # The upload is multipart; without a file the page answers 422 "choose a CSV file" (allowed).
    # The first lead records the value; the next principal's save then asks for its version (409, allowed).
    ("POST", "/app/metrics/{metric_id}/observations"): _r("lead", lambda w, who: {"period": "2026-W05", "value": "7"}),
    ("POST", "/app/metrics/{metric_id}/observations/import"): _r("lead"),
    ("POST", "/app/metrics/{metric_id}/moments"): _r("lead", lambda w, who: {"moment_id": str(w["moment"].id)}),
    # The first allowed caller unlinks the world's moment; the next gets 404 on the page (allowed).
    ("POST", "/app/metrics/{metric_id}/moments/{moment_id}/unlink"): _r("lead"),
    # The world's metric is entered, not counted: nothing to retry, 409 on the page (allowed).
    ("POST", "/app/metrics/{metric_id}/count/retry"): _r("lead"),
    ("GET", "/docs"): _r("public"),
    ("GET", "/redoc"): _r("public"),
    ("GET", "/openapi.json"): _r("public"),
    ("GET", "/static"): _r("public"),
    ("POST", "/slack/interactivity"): _r("slack_signed"),
    ("POST", "/slack/commands"): _r("slack_signed"),
}
