"""Who may call each operation: the rule table the authorization test checks the app against.

Derived by reading each endpoint (its Annotated role alias) and its service (per-item checks):
- public: no token (healthz).
- signed: no token; the vendor's signature over the raw body is what authenticates (webhooks).
- read: any authenticated role, viewers included.
- lead: leads and admins (`LeadOnly`, or `ensure_lead` in the service).
- admin: admins only (`AdminOnly`).
- item_owner: the action item's owner, leads, admins (`Writer` + `ensure_can_edit`).
- investigation_owner: the investigation's owner, leads, admins (`Writer` + the service check).
- self_or_admin: the person themself or an admin (people/{id}, their tokens); leads are refused.

`version` names the row whose version a versioned route is checked against (sent as If-Match):
stages and steps are versioned by their journey map, training by its own record.
"""

from __future__ import annotations

from dataclasses import dataclass

PRINCIPALS = ("anonymous", "viewer", "owner", "other_owner", "lead", "admin")

ALLOWED: dict[str, frozenset[str]] = {
    "public": frozenset(PRINCIPALS),
    "signed": frozenset(PRINCIPALS),
    "read": frozenset({"viewer", "owner", "other_owner", "lead", "admin"}),
    "lead": frozenset({"lead", "admin"}),
    "admin": frozenset({"admin"}),
    "item_owner": frozenset({"owner", "lead", "admin"}),
    "investigation_owner": frozenset({"owner", "lead", "admin"}),
    "self_or_admin": frozenset({"owner", "admin"}),
    # Closing the loop is worked by support staff too, not only by the item's owner.
    "writer": frozenset({"owner", "other_owner", "lead", "admin"}),
}


@dataclass(frozen=True)
class Rule:
    policy: str
    version: str | None = None  # key of the authz world whose row versions this route


def _r(policy: str, version: str | None = None) -> Rule:
    assert policy in ALLOWED, policy
    return Rule(policy, version)


RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/healthz"): _r("public"),
    ("POST", "/webhooks/{kind}/{connection}"): _r("signed"),
    # people, tokens, teams
    ("GET", "/people"): _r("read"),
    ("POST", "/people"): _r("admin"),
    ("GET", "/people/me"): _r("read"),
    ("GET", "/people/{person_id}"): _r("read"),
    ("PATCH", "/people/{person_id}"): _r("self_or_admin", "owner"),
    ("GET", "/people/{person_id}/tokens"): _r("self_or_admin"),
    ("POST", "/people/{person_id}/tokens"): _r("self_or_admin"),
    ("DELETE", "/tokens/{token_id}"): _r("self_or_admin"),
    ("GET", "/teams"): _r("read"),
    ("POST", "/teams"): _r("lead"),
    ("GET", "/teams/{team_id}"): _r("read"),
    ("PATCH", "/teams/{team_id}"): _r("lead", "team"),
    # journey maps and their structure
    ("GET", "/journey-maps"): _r("read"),
    ("POST", "/journey-maps"): _r("lead"),
    ("GET", "/journey-maps/{map_id}"): _r("read"),
    ("PATCH", "/journey-maps/{map_id}"): _r("lead", "journey"),
    ("POST", "/journey-maps/{map_id}/stages"): _r("lead"),
    ("PATCH", "/stages/{stage_id}"): _r("lead", "journey"),
    ("DELETE", "/stages/{stage_id}"): _r("lead"),
    ("POST", "/stages/{stage_id}/steps"): _r("lead"),
    ("PATCH", "/steps/{step_id}"): _r("lead", "journey"),
    ("DELETE", "/steps/{step_id}"): _r("lead"),
    # friction
    ("GET", "/journey-maps/{map_id}/pins"): _r("read"),
    ("GET", "/friction-points"): _r("read"),
    ("POST", "/friction-points"): _r("lead"),
    ("GET", "/friction-points/{friction_id}"): _r("read"),
    ("PATCH", "/friction-points/{friction_id}"): _r("lead", "friction"),
    ("POST", "/friction-points/{friction_id}/evidence"): _r("lead"),
    ("DELETE", "/friction-points/{friction_id}/evidence/{evidence_id}"): _r("lead"),
    ("POST", "/friction-points/{friction_id}/affected-customers"): _r("lead"),
    ("DELETE", "/friction-points/{friction_id}/affected-customers/{customer_id}"): _r("lead"),
    ("POST", "/journey-maps/{map_id}/friction-points/import"): _r("lead"),
    # moments of truth and priority
    ("GET", "/priority-weights"): _r("read"),
    ("PUT", "/priority-weights"): _r("lead", "weights"),
    ("GET", "/moments"): _r("read"),
    ("POST", "/moments"): _r("lead"),
    ("GET", "/moments/{moment_id}"): _r("read"),
    ("PATCH", "/moments/{moment_id}"): _r("lead", "moment"),
    ("PUT", "/moments/{moment_id}/rank"): _r("lead", "moment"),
    ("POST", "/moments/{moment_id}/friction-points"): _r("lead"),
    ("DELETE", "/moments/{moment_id}/friction-points/{friction_point_id}"): _r("lead"),
    # success metrics, their observations and verdicts
    ("GET", "/journey-maps/{map_id}/metrics"): _r("read"),
    ("POST", "/journey-maps/{map_id}/metrics"): _r("lead"),
    ("GET", "/metrics/{metric_id}"): _r("read"),
    ("PATCH", "/metrics/{metric_id}"): _r("lead", "metric"),
    ("DELETE", "/metrics/{metric_id}"): _r("lead"),
    ("GET", "/metrics/{metric_id}/observations"): _r("read"),
    ("PUT", "/metrics/{metric_id}/observations/{period}"): _r("lead", "observation"),
    ("POST", "/metrics/{metric_id}/observations/import"): _r("lead"),
    ("POST", "/metrics/{metric_id}/emotion-baseline"): _r("lead"),  # a manual metric: 422 (allowed)
    ("GET", "/moments/{moment_id}/metrics"): _r("read"),
    ("PUT", "/moments/{moment_id}/metrics/{metric_id}"): _r("lead"),
    ("DELETE", "/moments/{moment_id}/metrics/{metric_id}"): _r("lead"),
    ("GET", "/moments/{moment_id}/verdicts"): _r("read"),
    ("GET", "/metric-verdicts"): _r("read"),
    # investigations, promote, chain
    ("GET", "/investigations"): _r("read"),
    ("POST", "/investigations"): _r("lead"),
    ("GET", "/investigations/{investigation_id}"): _r("read"),
    ("PATCH", "/investigations/{investigation_id}"): _r("investigation_owner", "investigation"),
    ("POST", "/promote"): _r("lead"),
    ("GET", "/chain"): _r("read"),
    # action items and their parts
    ("POST", "/action-items"): _r("lead"),
    ("GET", "/action-items"): _r("read"),
    ("GET", "/my-work"): _r("read"),
    ("GET", "/board"): _r("read"),  # everyone's own work list (a viewer's is empty)
    ("GET", "/action-items/{item_id}"): _r("read"),
    ("PATCH", "/action-items/{item_id}"): _r("item_owner", "item"),
    ("POST", "/action-items/{item_id}/phase"): _r("item_owner", "item"),
    ("POST", "/action-items/{item_id}/waivers"): _r("lead", "item"),
    ("PUT", "/action-items/{item_id}/work-plan"): _r("item_owner", "item"),
    ("GET", "/action-items/{item_id}/activity"): _r("read"),
    ("GET", "/action-items/{item_id}/updates"): _r("read"),
    ("POST", "/action-items/{item_id}/updates"): _r("item_owner"),
    ("GET", "/action-items/{item_id}/training"): _r("read"),
    ("PATCH", "/action-items/{item_id}/training"): _r("item_owner", "training"),
    ("GET", "/action-items/{item_id}/checklist"): _r("read"),
    ("POST", "/action-items/{item_id}/checklist"): _r("writer"),
    ("PATCH", "/action-items/{item_id}/checklist/{entry_id}"): _r("writer", "entry"),
    ("GET", "/action-items/{item_id}/customer-message"): _r("read"),
    ("PUT", "/action-items/{item_id}/customer-message"): _r("lead", "item"),
    # the closed-loop queue across items (support staff are owner-role people)
    ("GET", "/closed-loop/queue"): _r("read"),
    ("GET", "/closed-loop/queue/by-item"): _r("read"),
    ("POST", "/closed-loop/marks"): _r("writer"),  # the example's entry may not exist: 422 (allowed)
    ("GET", "/activity"): _r("read"),
    # tickets
    ("GET", "/ticket-targets"): _r("read"),
    ("POST", "/ticket-targets"): _r("lead"),
    ("GET", "/ticket-targets/{target_id}"): _r("read"),
    ("PATCH", "/ticket-targets/{target_id}"): _r("lead", "target"),
    ("PUT", "/moments/{moment_id}/ticket-target"): _r("lead"),
    ("POST", "/action-items/{item_id}/ticket"): _r("lead"),
    ("GET", "/action-items/{item_id}/ticket"): _r("read"),
    ("POST", "/moments/{moment_id}/tickets"): _r("lead"),
    ("POST", "/action-items/{item_id}/ticket/resume"): _r("lead"),
    ("GET", "/ticket-links"): _r("read"),
    # integration health (the example names a message that may not exist: 404, allowed)
    ("GET", "/integration-health"): _r("lead"),
    ("POST", "/integration-health/retry"): _r("lead"),
    # nudges and digests
    ("GET", "/teams/{team_id}/nudge-policy"): _r("read"),
    ("PUT", "/teams/{team_id}/nudge-policy"): _r("lead", "nudge_policy"),
    ("GET", "/action-items/{item_id}/nudges"): _r("read"),
    ("POST", "/action-items/{item_id}/nudges"): _r("lead"),
    ("POST", "/action-items/{item_id}/snooze"): _r("item_owner"),
    ("GET", "/digests/{scope}"): _r("read"),
    # the programme as a whole
    ("GET", "/programme/overview"): _r("read"),
    ("GET", "/programme/root-causes"): _r("read"),
    ("GET", "/programme/priority-matrix"): _r("read"),
}
