"""Read models of the digest pages: a scope's week as the digest builder reports it (the same
DigestReport the API, the CLI and Slack get), its charts, the scope and week pickers, what was
sent to Slack, and the shared links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.digests.builder import Scope, build_digest
from tracker.digests.endpoints import scope_key
from tracker.digests.models import DigestDelivery, DigestState
from tracker.digests.service import SEND_HOUR
from tracker.digests.share import CURRENT, Listed, list_links
from tracker.digests.trend import WeekTotals, trend
from tracker.digests.weeks import Week, parse_week, week_of
from tracker.messaging.ports import DigestReport
from tracker.people.models import Person, Team
from tracker.web.charts.digest_trend import digest_trend_chart
from tracker.web.charts.progress import progress_bar

PAGE = "/app/digests"
PICKER_WEEKS = 26  # half a year in the week select; older weeks are a link or a typed URL away
RECENT_DELIVERIES = 8
# The builder's section titles that get a picture drawn from the digest's totals.
LOOP_SECTION, TRAINING_SECTION = "Closing the loop", "Training"


def day_choices(lifetimes: tuple[int, ...]) -> list[tuple[str, str]]:
    return [(str(d), f"{d} days") for d in lifetimes]


def scope_value(key: str) -> str:
    """`team:3` (the builder's key) -> `team-3` (the URL form, as in `GET /digests/team-3`)."""
    return key.replace(":", "-")


def digest_url(scope: str, week: str) -> str:
    return f"{PAGE}?{urlencode({'scope': scope, 'week': week})}"


def resolve(session: Session, *, scope: str, week: str | None, today: date) -> tuple[Scope, Week]:
    """The page's query (`team-3` or `programme`, an ISO week or nothing for this week), checked:
    a malformed value is a 422 naming `scope` or `week`, an unknown team a 404."""
    return Scope(session, scope_key(scope)), parse_week(week) if week else week_of(today)


@dataclass(frozen=True)
class Stat:
    value: int
    caption: str
    alert: bool = False


@dataclass(frozen=True)
class DigestView:
    """What the signed-in page and the shared page both show."""

    report: DigestReport
    stats: list[Stat]
    trend: list[WeekTotals]
    trend_chart: Markup
    section_charts: dict[str, Markup]  # section title -> its picture


def _section_charts(totals: dict[str, int]) -> dict[str, Markup]:
    charts: dict[str, Markup] = {}
    told = totals.get("checklist_notified", 0) + totals.get("checklist_acknowledged", 0)
    customers = told + totals.get("checklist_unreachable", 0) + totals.get("checklist_pending", 0)
    if customers:
        charts[LOOP_SECTION] = progress_bar(told, customers, label="Customers told", unit="customers")
    if totals.get("training_target", 0):
        charts[TRAINING_SECTION] = progress_bar(totals.get("trained", 0), totals["training_target"],
                                                label="Training", unit="people trained")
    return charts


def digest_view(session: Session, *, scope: Scope, week: Week, today: date) -> DigestView:
    report = build_digest(session, scope=scope.key, week=week.label, today=today)
    t = report.totals
    stats = [Stat(t["moved"], "phase changes"), Stat(t["completed"], "completed"),
             Stat(t["newly_overdue"], "newly overdue", alert=t["newly_overdue"] > 0),
             Stat(t["overdue"], "overdue in all", alert=t["overdue"] > 0),
             Stat(t["moments_closed"], "moments of truth closed"),
             Stat(t["broken_links"], "broken ticket links", alert=t["broken_links"] > 0)]
    weeks = trend(session, scope, week, today=today)
    chart = digest_trend_chart(weeks, title=f"{scope.title}: the {len(weeks)} weeks to {week.label}")
    return DigestView(report=report, stats=stats, trend=weeks, trend_chart=chart,
                      section_charts=_section_charts(t))


@dataclass(frozen=True)
class Delivery:
    """One DigestDelivery row in words."""

    week: str
    state: DigestState
    where: str  # a channel, or the leads it was sent to
    queued_at: datetime
    sent_at: datetime | None
    error: str | None


@dataclass(frozen=True)
class SlackView:
    shown: Delivery | None  # the shown week's, if it was queued
    recent: list[Delivery]  # the scope's latest, newest first
    plan: str  # when and where this scope's digests go, in words


def _where(row: DigestDelivery, names: dict[int, str]) -> str:
    if row.scope != "programme":
        return row.channel or "the team's channel"
    # The programme digest is a DM to each CX lead; `channel` lists the ids of those reached.
    reached = [names.get(int(i), f"person {i}") for i in (row.channel or "").split(",") if i.isdigit()]
    return "direct messages to " + ", ".join(reached) if reached else "direct messages to the CX leads"


def _plan(scope: Scope, week: Week, today: date) -> str:
    """When and where the week's digest goes (tracker.digests.service's schedule), in words."""
    if scope.team is not None and not scope.team.slack_channel:
        return f"{scope.team.name} has no Slack channel, so its digest is not posted to Slack."
    due = week.monday + timedelta(days=7)
    when = f"Monday {due:%d %b %Y} from {SEND_HOUR:02d}:00 ({scope.tz_name})"
    where = "each CX lead as a Slack message" if scope.team is None else scope.team.slack_channel
    if today > due:
        # The worker sends a week's digest only on the Monday after it; a missed one is skipped.
        return (f"It was due to go to {where} on {when}; a digest not queued on its Monday is skipped "
                "rather than sent late.")
    return f"It goes to {where} on {when}."


def slack_view(session: Session, *, scope: Scope, week: Week, today: date) -> SlackView:
    rows = list(session.scalars(select(DigestDelivery).where(DigestDelivery.scope == scope.key)
                                .order_by(DigestDelivery.week.desc()).limit(RECENT_DELIVERIES)))
    shown_row = next((r for r in rows if r.week == week.label), None) or session.scalar(
        select(DigestDelivery).where(DigestDelivery.scope == scope.key, DigestDelivery.week == week.label))
    ids = {int(i) for r in [*rows, *([shown_row] if shown_row else [])] if r.scope == "programme"
           for i in (r.channel or "").split(",") if i.isdigit()}
    names = {i: n for i, n in session.execute(select(Person.id, Person.name).where(Person.id.in_(ids)))}

    def delivery(r: DigestDelivery) -> Delivery:
        return Delivery(week=r.week, state=r.state, where=_where(r, names), queued_at=r.created_at,
                        sent_at=r.sent_at, error=r.error)

    return SlackView(shown=delivery(shown_row) if shown_row else None, recent=[delivery(r) for r in rows],
                     plan=_plan(scope, week, today))


def scope_choices(session: Session) -> list[tuple[str, str]]:
    teams = session.execute(select(Team.id, Team.name).order_by(Team.name, Team.id))
    return [("programme", "The whole programme"), *((f"team-{i}", name) for i, name in teams)]


def week_choices(current: Week, shown: Week, count: int = PICKER_WEEKS) -> list[tuple[str, str]]:
    """The latest `count` weeks, newest first, and the shown week wherever it lies."""
    weeks = [current]
    while len(weeks) < count:
        weeks.append(weeks[-1].previous())
    if shown not in weeks:
        weeks.append(shown)
        weeks.sort(key=lambda w: w.monday, reverse=True)
    return [(w.label, f"{w.label} ({w.period()})") for w in weeks]


@dataclass(frozen=True)
class DigestPage:
    scope: str  # the URL form: `programme`, `team-3`
    week: Week
    current: Week
    previous: Week
    next: Week | None  # None from the running week on: later weeks have not happened
    digest: DigestView
    slack: SlackView
    scopes: list[tuple[str, str]]
    weeks: list[tuple[str, str]]

    def url(self, week: Week | str) -> str:
        return digest_url(self.scope, week if isinstance(week, str) else week.label)


def digest_page(session: Session, *, scope: Scope, week: Week, today: date) -> DigestPage:
    current = week_of(today)
    later = Week(week.monday + timedelta(days=7))
    return DigestPage(scope=scope_value(scope.key), week=week, current=current, previous=week.previous(),
                      next=later if later.monday <= current.monday else None,
                      digest=digest_view(session, scope=scope, week=week, today=today),
                      slack=slack_view(session, scope=scope, week=week, today=today), scopes=scope_choices(session),
                      weeks=week_choices(current, week))


@dataclass(frozen=True)
class LinkRow:
    listed: Listed
    scope_title: str
    week_text: str


def link_rows(session: Session) -> list[LinkRow]:
    listed = list_links(session)
    team_ids = {x.link.team_id for x in listed if x.link.team_id is not None}
    teams = {i: n for i, n in session.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids)))}
    return [LinkRow(x, teams.get(x.link.team_id, "a deleted team") if x.link.team_id else "The whole programme",
                    week_text(x.link.week)) for x in listed]


def week_text(week: str | None) -> str:
    if week is None or week == CURRENT:
        return "The current week, whenever opened"
    return f"{week} ({parse_week(week).period()})"
