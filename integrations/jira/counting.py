"""Counting issues with a JQL query per period, one call each (tracker.metrics.counting_ports).

The call is Jira Cloud's `POST /rest/api/{2,3}/search/approximate-count` with `{"jql": ...}`,
answered `{"count": N}`; the `jira` client sends it as `approximate_issue_count` (3.10+, Cloud
only). Cloud's `/search/jql` no longer returns `total`, and the old `/search` (which did, with
maxResults=0) answers 410, so this is the one-call count that remains. It is "approximate" in
that it reads the search index, which trails writes by seconds: we only count periods that
closed a while ago, so a period's issues are indexed by then.

The user's JQL is parenthesised and bounded by the period: `(<jql>) AND created >= "first" AND
created < "day after last"`. Jira reads those dates in the time zone of the account that asks
(the bot's profile), so give that account the zone the periods are meant in (UTC by default).
"""

from __future__ import annotations

import threading
from datetime import date, timedelta

from jira import JIRA, JIRAError
from requests import RequestException

from integrations.jira.errors import jira_errors, translate
from tracker.sync.ports import Connection, Rejected

_CALL_ERRORS = (JIRAError, RequestException, ValueError)


def split_order_by(jql: str) -> str:
    """The JQL without a trailing ORDER BY (which Jira refuses inside parentheses).

    Only words outside quoted strings count, so `summary ~ "order by"` stays whole.
    """
    quote: str | None = None
    depth = 0
    cut = len(jql)
    i = 0
    lowered = jql.lower()
    while i < len(jql):
        ch = jql[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise Rejected("the JQL closes a parenthesis it never opened", field="query")
        elif depth == 0 and lowered.startswith("order", i) and (i == 0 or not jql[i - 1].isalnum()):
            rest = lowered[i + 5:].lstrip()
            if rest.startswith("by") and (len(rest) == 2 or not rest[2].isalnum()):
                cut = i
                break
        i += 1
    if quote:
        raise Rejected("the JQL has a quoted string that is never closed", field="query")
    if depth != 0 and cut == len(jql):
        raise Rejected("the JQL opens a parenthesis it never closes", field="query")
    return jql[:cut].strip()


def period_jql(jql: str, first_day: date, last_day: date) -> str:
    """The user's query limited to issues created in the period (days in the asker's zone).

    Parentheses are checked to balance first: a query like `a) OR (b` must not escape the bound.
    """
    core = split_order_by(jql)
    if not core:
        raise Rejected("the JQL has no search condition", field="query")
    end = last_day + timedelta(days=1)
    return f'({core}) AND created >= "{first_day.isoformat()}" AND created < "{end.isoformat()}"'


class JiraCounter:
    def __init__(self, connection: Connection, *, timeout: float = 10.0, max_retries: int = 3,
                 max_retry_delay: float = 30.0) -> None:
        self._connection = connection
        self._timeout = timeout
        self._max_retries = max_retries
        self._max_retry_delay = max_retry_delay
        self._jira: JIRA | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # the connection's repr hides its token
        return f"JiraCounter(connection={self._connection!r})"

    def _client(self) -> JIRA:
        """Built as the ticket adapter builds its client (integrations/jira/client.py)."""
        with self._lock:
            if self._jira is None:
                try:
                    jira = JIRA(server=self._connection.url,
                                basic_auth=(self._connection.user or "", self._connection.token),
                                timeout=self._timeout, max_retries=0)
                except _CALL_ERRORS as error:
                    raise translate(error, doing="connect to Jira") from None
                # Counting is a read: the session may retry it on 429/503/dropped connections.
                jira._session.max_retries = self._max_retries
                jira._session.max_retry_delay = self._max_retry_delay  # type: ignore[assignment]
                self._jira = jira
            return self._jira

    def count(self, query: str, *, first_day: date, last_day: date) -> int:
        jql = period_jql(query, first_day, last_day)
        jira = self._client()
        try:
            result = jira.approximate_issue_count(jql)
        except _CALL_ERRORS as error:
            if isinstance(error, JIRAError) and error.status_code == 400:
                messages, errors = jira_errors(error)
                text = "; ".join(messages + list(errors.values())) or "HTTP 400"
                raise Rejected(f"Jira refused the JQL: {text}", field="query") from None
            raise translate(error, doing="count issues") from None
        if not isinstance(result, int) or isinstance(result, bool) or result < 0:
            raise translate(ValueError("no count"), doing="count issues")
        return result
