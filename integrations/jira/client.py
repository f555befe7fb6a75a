"""The Jira adapter: one Jira project seen through one connection, as a `TicketSystem`.

Calls on the happy path (see the tests for the counts):
    create          1 POST /issue (+ GET/POST transitions only when the wanted status is not the
                    workflow's initial one: one pair per transition on the way)
    find_by_marker  1 GET /search/jql (+ the client's one-off GET /field) when the search index
                    shows the ticket; else 2-3 more searches, a one-off GET /myself, and a GET
                    /issue/{key} per recent issue the index does not show, +3 past the last
                    (marker_lookup.py)
    fetch           1 GET /issue/{key}
    update          1 GET /issue/{key} (fields limited), then 1 PUT /issue/{key} for whichever of
                    title/assignee/due/priority differ, and for a phase change GET + POST
                    transitions per step of the workflow's path to the wanted status
                    (nothing more when the ticket already has those values)
    changed_since   ceil(changed/100) GET /search/jql (+ one-off GET /field, and one-off
                    GET /myself for the bot's time zone once a watermark is used)
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jira import JIRA, JIRAError
from requests import RequestException

from integrations.jira.errors import translate
from integrations.jira.mapping import TRACKER_LABEL, JiraMapping, same_status
from integrations.jira.marker_lookup import MarkerLookup
from integrations.jira.tickets import (
    READ_FIELDS,
    create_body,
    edit_body,
    jql_since,
    jql_string,
    ticket_from_issue,
)
from integrations.jira.transitions import Position, Walker
from tracker.sync.ports import (
    ChangedTickets,
    Connection,
    RemoteTicket,
    TargetSpec,
    TicketError,
    TicketFields,
    TicketGone,
)

log = logging.getLogger(__name__)
PAGE = 100  # Cloud's largest /search/jql page when fields are requested
MARKED_FIELDS = [*READ_FIELDS, "labels"]  # what the duplicate guard reads: the marker is a label
_CALL_ERRORS = (JIRAError, RequestException, ValueError)


class JiraTickets:
    def __init__(
        self,
        target: TargetSpec,
        connection: Connection,
        *,
        timeout: float = 10.0,
        max_retries: int = 3,
        max_retry_delay: float = 30.0,
    ) -> None:
        self.target = target
        self.mapping = JiraMapping.from_overrides(target.mapping)
        self._connection = connection
        self._timeout = timeout
        self._max_retries = max_retries
        self._max_retry_delay = max_retry_delay
        self._browse = connection.url.rstrip("/") + "/browse"
        self._jira: JIRA | None = None
        self._zone: tzinfo | None | bool = False  # False: not asked yet; None: unknown zone
        self._lock = threading.RLock()
        # What this project's workflow offers where, learned as tickets move (see transitions.py).
        self._walker = Walker(target.project, self.mapping, self._single_attempt)

    def __repr__(self) -> str:  # the connection's repr hides its token
        return f"JiraTickets(project={self.target.project!r}, connection={self._connection!r})"

    # -- the client ------------------------------------------------------------------------------
    def _client(self) -> JIRA:
        """One JIRA per adapter, built on first use (its constructor calls serverInfo)."""
        with self._lock:
            if self._jira is None:
                try:
                    # max_retries=0 while constructing: the retry delay can only be capped after
                    # the constructor, and its serverInfo call must not sleep up to 60 s.
                    jira = JIRA(
                        server=self._connection.url,
                        basic_auth=(self._connection.user or "", self._connection.token),
                        timeout=self._timeout,
                        max_retries=0,
                    )
                except _CALL_ERRORS as error:
                    raise translate(error, doing="connect to Jira") from None
                jira._session.max_retries = self._max_retries
                # ResilientSession sleeps min(max_retry_delay, 2*Retry-After or 20-80 s after a
                # dropped connection); a worker should rather give the slot back and retry later.
                jira._session.max_retry_delay = self._max_retry_delay  # type: ignore[assignment]
                self._jira = jira
            return self._jira

    @contextmanager
    def _single_attempt(self, jira: JIRA) -> Iterator[None]:
        """No retries by the session for a non-idempotent POST (create, transition).

        ResilientSession.request re-sends any method on 429/503/ConnectionError while
        retry_number <= max_retries; with 0 it sends once and raises. The session is shared, so
        a read on another thread during this window just isn't retried (it raises Transient).
        """
        with self._lock:
            saved = jira._session.max_retries
            jira._session.max_retries = 0
            try:
                yield
            finally:
                jira._session.max_retries = saved

    # -- TicketSystem ----------------------------------------------------------------------------
    def create(self, fields: TicketFields, *, marker: str) -> RemoteTicket:
        jira = self._client()
        project = self.target.project
        body = create_body(project, self.target.issue_type, fields, marker, self.mapping)
        try:
            with self._single_attempt(jira):
                created = jira.create_issue(fields=body, prefetch=False)
            key = str(created.raw["key"])
        except _CALL_ERRORS as error:
            raise translate(error, doing=f"create a ticket in {project}", write=True) from None
        position = Position(self.mapping.initial_status)
        wanted = self.mapping.status_for(fields.phase)
        if not same_status(position.status, wanted):
            try:
                self._walker.walk(jira, key, position, wanted)
            except TicketError as error:
                # The ticket exists, so create must not fail now (the caller would lose the key).
                # The returned ticket carries its real status/phase; a caller seeing that phase
                # differ from what it asked for should send the phase again via update(), which
                # raises the WorkflowBlocked/Transient itself.
                log.warning("created %s but could not move it to %r: %s", key, wanted, error)
        status = position.status
        return RemoteTicket(
            key=key,
            url=f"{self._browse}/{key}",
            title=fields.title,
            status=status,
            phase=self.mapping.phase_for(status),
            assignee=fields.assignee,
            due=fields.due,
            priority=fields.priority,
            updated_at=datetime.now(UTC),  # the create reply carries no times; no re-read
        )

    def find_by_marker(self, marker: str, *, created_after: datetime) -> RemoteTicket | None:
        # JQL search lags writes, so the label search alone could miss the ticket a lost attempt
        # made seconds ago; MarkerLookup also reads recent issue keys directly (see there).
        doing = f"look for the ticket marked {marker}"
        lookup = MarkerLookup(
            self.target.project,
            search=lambda jql, token, size: self._search(jql, token, size, doing=doing, fields=MARKED_FIELDS),
            read=self._read_if_exists,
            zone=self._user_zone,
        )
        found = lookup.find(marker, created_after)
        return ticket_from_issue(found, self._browse, self.mapping) if found else None

    def fetch(self, key: str) -> RemoteTicket:
        return ticket_from_issue(self._read(self._client(), key), self._browse, self.mapping)

    def update(self, key: str, fields: TicketFields, changed: set[str]) -> RemoteTicket:
        # One read first (limited fields): the caller records the returned status to detect
        # phase changes on later pulls, so it must be the ticket's real status (a PUT answers 204
        # without a body); the read also tells which status we start from and lets us skip
        # writes the ticket already matches (fewer echo webhooks).
        jira = self._client()
        before = ticket_from_issue(self._read(jira, key), self._browse, self.mapping)
        wanted: dict[str, Any] = {
            "title": fields.title,
            "assignee": fields.assignee,
            "due": fields.due,
            "priority": fields.priority,
        }
        differing = {f for f in changed if f in wanted and getattr(before, f) != wanted[f]}
        edit = edit_body(fields, differing, self.mapping)
        if edit:
            self._put(jira, key, edit)
        position = Position(before.status)
        if "phase" in changed and not same_status(position.status, self.mapping.status_for(fields.phase)):
            self._walker.walk(jira, key, position, self.mapping.status_for(fields.phase))
        status = position.status
        touched = bool(edit) or status != before.status
        return replace(
            before,
            **{f: wanted[f] for f in differing},
            status=status,
            phase=self.mapping.phase_for(status),
            updated_at=datetime.now(UTC) if touched else before.updated_at,  # no re-read
        )

    def changed_since(self, watermark: str | None) -> ChangedTickets:
        since = datetime.fromisoformat(watermark) if watermark else None
        jql = f"project = {jql_string(self.target.project)} AND labels = {TRACKER_LABEL}"
        if since is not None:
            jql += f' AND updated >= "{jql_since(since, self._user_zone())}"'
        jql += " ORDER BY updated ASC"
        tickets: list[RemoteTicket] = []
        token: str | None = None
        while True:
            page = self._search(jql, token, PAGE, doing=f"list changed tickets of {self.target.project}")
            tickets += [ticket_from_issue(raw, self._browse, self.mapping) for raw in page.get("issues") or []]
            token = page.get("nextPageToken")
            if not token or page.get("isLast"):
                break
        newest = max((t.updated_at for t in tickets), default=since)
        return ChangedTickets(tickets, newest.isoformat() if newest else watermark)

    # -- calls -----------------------------------------------------------------------------------
    def _read(self, jira: JIRA, key: str, fields: list[str] = READ_FIELDS) -> dict[str, Any]:
        try:
            return jira.issue(key, fields=",".join(fields)).raw
        except _CALL_ERRORS as error:
            raise translate(error, doing=f"read {key}") from None

    def _read_if_exists(self, key: str) -> dict[str, Any] | None:
        try:
            return self._read(self._client(), key, MARKED_FIELDS)
        except TicketGone:  # Jira's 404: deleted, never made, or not visible to us
            return None

    def _search(
        self, jql: str, token: str | None, size: int, *, doing: str, fields: list[str] = READ_FIELDS
    ) -> dict[str, Any]:
        try:
            page = self._client().enhanced_search_issues(
                jql, nextPageToken=token, maxResults=size, fields=list(fields), json_result=True
            )
        except _CALL_ERRORS as error:
            raise translate(error, doing=doing) from None
        assert isinstance(page, dict)
        return page

    def _put(self, jira: JIRA, key: str, fields: dict[str, Any]) -> None:
        # Issue.update() PUTs and then always re-reads the issue (Resource.update ends with
        # self._load(self.self)), so we PUT the REST route through the client's own session:
        # same auth, timeout and retries (a PUT of absolute values is safe to repeat).
        url = jira._get_url(f"issue/{key}")
        if not self.mapping.notify_watchers:
            url += "?notifyUsers=false"  # Jira allows this to admins only
        try:
            jira._session.put(url, data=json.dumps({"fields": fields}))
        except _CALL_ERRORS as error:
            raise translate(error, doing=f"update {key}", write=True) from None

    def _user_zone(self) -> tzinfo | None:
        """The bot's profile time zone, in which Jira reads JQL dates (asked once)."""
        with self._lock:
            if self._zone is False:
                name = self.mapping.jql_time_zone
                if name is None:
                    try:
                        name = self._client().myself().get("timeZone")
                    except _CALL_ERRORS as error:
                        raise translate(error, doing="read our Jira profile") from None
                try:
                    self._zone = ZoneInfo(name) if name else None
                except (ZoneInfoNotFoundError, ValueError):
                    self._zone = None
            return self._zone if isinstance(self._zone, tzinfo) else None
