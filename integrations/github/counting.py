"""Counting issues with a GitHub issue search per period, one call each.

The call is `GET /search/issues?q=<search> created:<first>..<last>&per_page=1`, read for
`total_count`. It goes through PyGithub's requester (auth, retry policy, pacing) rather than
`search_issues(...).totalCount`: with per_page=1 PyGithub takes the count from the `Link`
header's last page, and GitHub serves only the first 1,000 results of a search, so that count
stops at 1,000 (PyGithub issue #1309); `total_count` in the body is the real number.

Search has its own rate limit, 30 requests a minute per user (not the 5,000 an hour of the
rest of the API); when it is spent GitHub answers 403 "API rate limit exceeded" with
`X-RateLimit-Resource: search` and the reset time, which the retry policy sleeps for when short
and otherwise hands back as Transient(retry_after) for the worker to reschedule.

`created:A..B` is inclusive on both ends and in UTC. `incomplete_results: true` (the search
timed out on GitHub's side) is a count we cannot trust: it becomes Transient, to ask again.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from github import Auth, Consts, Github, GithubException, GithubRetry

from integrations.github.errors import default_retry, translate
from tracker.sync.ports import Connection, Rejected, Transient

DEFAULT_RETRY = default_retry()
_CREATED = re.compile(r"(^|\s)-?created:", re.IGNORECASE)


def period_search(search: str, first_day: date, last_day: date) -> str:
    """The user's search limited to issues created in the period (UTC days, both included)."""
    core = search.strip()
    if not core:
        raise Rejected("the search is empty", field="query")
    if _CREATED.search(core):
        # A second created: qualifier would fight the period's; the period is ours to set.
        raise Rejected("leave created: out of the search: each period adds its own", field="query")
    return f"{core} created:{first_day.isoformat()}..{last_day.isoformat()}"


class GitHubCounter:
    def __init__(self, connection: Connection, *, timeout: int = 15,
                 seconds_between_requests: float | None = None,
                 retry: GithubRetry | None = DEFAULT_RETRY) -> None:
        self._github = Github(
            auth=Auth.Token(connection.token), base_url=connection.url.rstrip("/"),
            timeout=int(timeout), retry=retry, lazy=True,
            seconds_between_requests=(Consts.DEFAULT_SECONDS_BETWEEN_REQUESTS
                                      if seconds_between_requests is None else seconds_between_requests),
            seconds_between_writes=0,  # counting never writes
        )
        self._url = connection.url

    def __repr__(self) -> str:
        return f"GitHubCounter({self._url!r})"

    def count(self, query: str, *, first_day: date, last_day: date) -> int:
        q = period_search(query, first_day, last_day)
        try:
            _, data = self._github.requester.requestJsonAndCheck(
                "GET", "/search/issues", parameters={"q": q, "per_page": 1})
        except GithubException as error:
            if error.status == 422:
                raise Rejected(f"GitHub refused the search: {_validation(error.data)}",
                               field="query") from None
            raise translate(error) from None
        except Exception as error:  # noqa: BLE001 - requests' failures, translated below
            translated = translate(error)
            if translated is error:
                raise
            raise translated from None
        if not isinstance(data, dict) or not isinstance(data.get("total_count"), int):
            raise Transient("GitHub's search answered without a total_count")
        if data.get("incomplete_results"):
            raise Transient("GitHub's search timed out (incomplete_results): count again later")
        return int(data["total_count"])


def _validation(data: Any) -> str:
    """GitHub's 422 in words: the message plus each error's own message."""
    if not isinstance(data, dict):
        return "Validation Failed"
    parts = [str(data.get("message") or "Validation Failed")]
    for error in data.get("errors") or []:
        if isinstance(error, dict) and error.get("message"):
            parts.append(str(error["message"]))
    return ": ".join(parts)[:500]
