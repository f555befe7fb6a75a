"""Evaluate a parsed JQL `Query` against the emulator's issues, with Jira's validation rules.

Faithful on the points that bite integrations: a value Jira cannot resolve (a project you cannot
see, a key that does not exist) is a 400, not an empty result; `!=` and `NOT IN` never match an
empty field; dates are read in the user's zone (UTC here) at minute precision.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cmp_to_key
from typing import Any, Protocol

from integrations.jira.emulator_jql import (
    BoolOp,
    Clause,
    Empty,
    FuncCall,
    JqlError,
    Literal,
    Node,
    Not,
    OrderBy,
    Query,
    Value,
)
from integrations.jira.emulator_model import (
    ISSUE_TYPES,
    PRIORITIES,
    RESOLUTIONS,
    CustomField,
    IssueRecord,
    Named,
    Project,
)
from integrations.jira.emulator_workflows import Status

Predicate = Callable[[IssueRecord], bool]


class JqlContext(Protocol):
    """What evaluation needs from the store, seen by the searching account."""

    def now(self) -> datetime: ...
    def current_account(self) -> str | None: ...
    def visible_project(self, ref: str) -> Project | None: ...
    def visible_issue(self, ref: str) -> IssueRecord | None: ...
    def account_id(self, ref: str) -> str | None: ...
    def all_statuses(self) -> list[Status]: ...
    def custom_field(self, ref: str) -> CustomField | None: ...


SET_OPS = frozenset({"=", "!=", "IN", "NOT IN", "IS", "IS NOT"})
DATE_OPS = frozenset({"=", "!=", ">", ">=", "<", "<=", "IS", "IS NOT"})
TEXT_OPS = frozenset({"~", "!~", "IS", "IS NOT"})


@dataclass
class _Field:
    name: str
    kind: str  # "set" | "date" | "text"
    get: Callable[[IssueRecord], Any]  # set -> set[str]; date -> datetime | None; text -> str
    resolve: Callable[[str], str] | None = None  # literal -> the normalised member of get()'s set

    @property
    def ops(self) -> frozenset[str]:
        return {"set": SET_OPS, "date": DATE_OPS, "text": TEXT_OPS}[self.kind]


def compile_query(
    query: Query, ctx: JqlContext
) -> tuple[Predicate, Callable[[list[IssueRecord]], list[IssueRecord]]]:
    """Validate `query` and return (predicate, sorter). Raises `JqlError` for anything Jira rejects."""
    if query.where is None:
        # The Cloud /search/jql endpoint refuses to list a whole site.
        raise JqlError(
            "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
        )
    predicate = _compile_node(query.where, ctx)
    sorter = _compile_order(query.order or [OrderBy("created", descending=True)])
    return predicate, sorter


def _compile_node(node: Node, ctx: JqlContext) -> Predicate:
    if isinstance(node, BoolOp):
        parts = [_compile_node(part, ctx) for part in node.parts]
        if node.op == "AND":
            return lambda issue: all(p(issue) for p in parts)
        return lambda issue: any(p(issue) for p in parts)
    if isinstance(node, Not):
        inner = _compile_node(node.part, ctx)
        return lambda issue: not inner(issue)
    return _compile_clause(node, ctx)


def _compile_clause(clause: Clause, ctx: JqlContext) -> Predicate:
    spec = _field(clause.field, ctx)
    if clause.op not in spec.ops:
        raise JqlError(f"The operator '{clause.op.lower()}' is not supported by the '{clause.field}' field.")
    if spec.kind == "set":
        return _set_clause(spec, clause, ctx)
    if spec.kind == "date":
        return _date_clause(spec, clause, ctx)
    return _text_clause(spec, clause)


def _set_clause(spec: _Field, clause: Clause, ctx: JqlContext) -> Predicate:
    wanted: set[str] = set()
    empty_wanted = False
    for value in clause.values:
        if isinstance(value, Empty):
            empty_wanted = True
        elif isinstance(value, FuncCall):
            if value.name.lower() != "currentuser" or spec.resolve is not _user_marker:
                raise JqlError(f"Unable to find JQL function '{value.name}({', '.join(value.args)})'.")
            if (me := ctx.current_account()) is not None:
                wanted.add(me)
        else:
            assert spec.resolve is not None
            wanted.add(
                spec.resolve(value.text)
                if spec.resolve is not _user_marker
                else _resolve_user(spec, value, ctx)
            )
    if clause.op in ("=", "IN", "IS"):
        return lambda issue: (empty_wanted and not spec.get(issue)) or bool(spec.get(issue) & wanted)
    # Negative operators never match an issue whose field is empty, as in Jira.
    return lambda issue: bool(spec.get(issue)) and not (spec.get(issue) & wanted)


def _resolve_user(spec: _Field, value: Literal, ctx: JqlContext) -> str:
    account = ctx.account_id(value.text)
    if account is None:
        raise JqlError(f"The value '{value.text}' does not exist for the field '{spec.name}'.")
    return account


def _date_clause(spec: _Field, clause: Clause, ctx: JqlContext) -> Predicate:
    value = clause.values[0]
    if isinstance(value, Empty):
        want_empty = clause.op in ("=", "IS")
        return lambda issue: (spec.get(issue) is None) == want_empty
    target = parse_jql_date(value, spec.name, ctx.now())
    compare: dict[str, Callable[[datetime], bool]] = {
        "=": lambda v: v == target,
        "!=": lambda v: v != target,
        ">": lambda v: v > target,
        ">=": lambda v: v >= target,
        "<": lambda v: v < target,
        "<=": lambda v: v <= target,
    }
    check = compare[clause.op]
    return lambda issue: (moment := spec.get(issue)) is not None and check(moment)


def _text_clause(spec: _Field, clause: Clause) -> Predicate:
    value = clause.values[0]
    if isinstance(value, Empty) or clause.op in ("IS", "IS NOT"):
        want_empty = clause.op == "IS"
        return lambda issue: (not spec.get(issue)) == want_empty
    if isinstance(value, FuncCall):
        raise JqlError(f"Unable to find JQL function '{value.name}()'.")
    words = value.text.lower().split()
    contains: Predicate = lambda issue: all(word in spec.get(issue).lower() for word in words)  # noqa: E731
    return contains if clause.op == "~" else (lambda issue: not contains(issue))


# -- fields ----------------------------------------------------------------------------------------
def _user_marker(text: str) -> str:  # identity marker: user fields resolve through the context
    return text


def _named_resolver(field_name: str, items: list[Named]) -> Callable[[str], str]:
    def resolve(text: str) -> str:
        for item in items:
            if text.lower() in (item.name.lower(), item.id):
                return item.id
        raise JqlError(f"The value '{text}' does not exist for the field '{field_name}'.")

    return resolve


def _field(name: str, ctx: JqlContext) -> _Field:
    lowered = name.lower()

    def project(text: str) -> str:
        found = ctx.visible_project(text)
        if found is None:
            raise JqlError(f"The value '{text}' does not exist for the field 'project'.")
        return found.key

    def issue_key(text: str) -> str:
        found = ctx.visible_issue(text)
        if found is None:
            raise JqlError(f"An issue with key '{text}' does not exist for field '{name}'.")
        return found.key

    def status(text: str) -> str:
        for candidate in ctx.all_statuses():
            if text.lower() in (candidate.name.lower(), candidate.id):
                return candidate.id
        raise JqlError(f"The value '{text}' does not exist for the field 'status'.")

    def category(text: str) -> str:
        for candidate in ctx.all_statuses():
            cat = candidate.category
            if text.lower() in (cat.key, cat.name.lower(), str(cat.id)):
                return cat.key
        raise JqlError(f"The value '{text}' does not exist for the field 'statusCategory'.")

    def at_midnight(issue: IssueRecord) -> datetime | None:
        return datetime.combine(issue.duedate, time(), tzinfo=UTC) if issue.duedate else None

    fields: dict[str, _Field] = {
        "project": _Field("project", "set", lambda i: {i.project.key}, project),
        "key": _Field("key", "set", lambda i: {i.key}, issue_key),
        "labels": _Field("labels", "set", lambda i: set(i.labels), lambda text: text),
        "status": _Field("status", "set", lambda i: {i.status.id}, status),
        "statuscategory": _Field("statusCategory", "set", lambda i: {i.status.category.key}, category),
        "priority": _Field(
            "priority", "set", lambda i: {i.priority.id}, _named_resolver("priority", PRIORITIES)
        ),
        "issuetype": _Field(
            "issuetype", "set", lambda i: {i.issue_type.id}, _named_resolver("issuetype", ISSUE_TYPES)
        ),
        "resolution": _Field(
            "resolution",
            "set",
            lambda i: {i.resolution.id} if i.resolution else set(),
            _named_resolver("resolution", RESOLUTIONS),
        ),
        "assignee": _Field("assignee", "set", lambda i: {i.assignee} if i.assignee else set(), _user_marker),
        "reporter": _Field("reporter", "set", lambda i: {i.reporter}, _user_marker),
        "updated": _Field("updated", "date", lambda i: i.updated),
        "created": _Field("created", "date", lambda i: i.created),
        "resolutiondate": _Field("resolutiondate", "date", lambda i: i.resolution_date),
        "duedate": _Field("duedate", "date", at_midnight),
        "summary": _Field("summary", "text", lambda i: i.summary),
        "description": _Field("description", "text", lambda i: i.description or ""),
        "text": _Field(
            "text",
            "text",
            lambda i: " ".join([i.summary, i.description or "", *(c.body for c in i.comments)]),
        ),
    }
    aliases = {
        "issuekey": "key",
        "type": "issuetype",
        "id": "key",
        "updateddate": "updated",
        "createddate": "created",
        "due": "duedate",
        "resolved": "resolutiondate",
    }
    if (spec := fields.get(aliases.get(lowered, lowered))) is not None:
        return spec
    if (custom := ctx.custom_field(name)) is not None:
        field_id = custom.id
        return _Field(
            custom.name,
            "set",
            lambda i: {str(i.custom[field_id])} if i.custom.get(field_id) is not None else set(),
            lambda text: text,
        )
    raise JqlError(f"Field '{name}' does not exist or you do not have permission to view it.")


# -- dates -----------------------------------------------------------------------------------------
_DATE_FORMATS = ("%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d")
_PERIOD = re.compile(r"^([-+]?)\s*((?:\d+\s*[wdhm]\s*)+)$")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}


def parse_jql_date(value: Value, field_name: str, now: datetime) -> datetime:
    """A JQL date literal (absolute in UTC, or a period like `-5d` / `-4w 2d`) or function."""
    if isinstance(value, FuncCall):
        name = value.name.lower()
        start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        functions = {
            "now": now,
            "startofday": start_of_day,
            "endofday": start_of_day + timedelta(days=1, milliseconds=-1),
        }
        if name not in functions:
            raise JqlError(f"Unable to find JQL function '{value.name}()'.")
        return functions[name]
    assert isinstance(value, Literal)
    text = value.text.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    if period := _PERIOD.match(text):
        delta = timedelta()
        for amount, unit in re.findall(r"(\d+)\s*([wdhm])", period.group(2)):
            delta += timedelta(**{_UNITS[unit]: int(amount)})
        return now - delta if period.group(1) == "-" else now + delta
    raise JqlError(
        f"Date value '{text}' for field '{field_name}' is invalid. Valid formats include: "
        "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', "
        "or a period format e.g. '-5d', '4w 2d'."
    )


# -- ordering --------------------------------------------------------------------------------------
_PRIORITY_RANK = {p.id: len(PRIORITIES) - n for n, p in enumerate(PRIORITIES)}  # Highest sorts last ASC
_SORT_KEYS: dict[str, Callable[[IssueRecord], Any]] = {
    "updated": lambda i: i.updated,
    "created": lambda i: i.created,
    "key": lambda i: (i.project.key, i.number),
    "issuekey": lambda i: (i.project.key, i.number),
    "id": lambda i: int(i.id),
    "duedate": lambda i: i.duedate,
    "resolutiondate": lambda i: i.resolution_date,
    "priority": lambda i: _PRIORITY_RANK[i.priority.id],
    "status": lambda i: i.status.name,
    "summary": lambda i: i.summary.lower(),
    "project": lambda i: i.project.key,
}
_UNSORTABLE = {"labels", "text", "description", "statuscategory", "assignee", "reporter"}


def _compile_order(order: list[OrderBy]) -> Callable[[list[IssueRecord]], list[IssueRecord]]:
    keys: list[tuple[Callable[[IssueRecord], Any], bool]] = []
    for spec in order:
        lowered = spec.field.lower()
        if lowered in _UNSORTABLE:
            raise JqlError(f"Not able to sort using field '{spec.field}'.")
        if lowered not in _SORT_KEYS:
            raise JqlError(f"Field '{spec.field}' does not exist or you do not have permission to view it.")
        keys.append((_SORT_KEYS[lowered], spec.descending))
    # Ties broken by id in the first key's direction, so pages are deterministic.
    keys.append((_SORT_KEYS["id"], order[0].descending))

    def compare(a: IssueRecord, b: IssueRecord) -> int:
        for key, descending in keys:
            va, vb = key(a), key(b)
            if va == vb:
                continue
            if va is None or vb is None:  # empty values sort last either way
                return 1 if va is None else -1
            result = -1 if va < vb else 1
            return -result if descending else result
        return 0

    return lambda issues: sorted(issues, key=cmp_to_key(compare))
