"""GitHub issues as a `TicketSystem`: one repository, one token, through PyGithub.

Calls per operation on the happy path (what the emulator's counters assert):
- create: 1 POST; +1 PATCH only when the wanted phase is done/cancelled (GitHub creates
  issues open); +1 milestone list the first time this adapter needs a due date and +1 POST
  per due date not seen before (+1 PATCH, once, for a milestone of ours dated another day).
- fetch: 1 GET (2 when GitHub answers 301 for a transferred issue: PyGithub follows it).
- update: 1 PATCH; +1 GET first when phase or priority change (labels are recomputed from
  the issue's current labels, so people's labels survive); + the milestone costs above.
- find_by_marker: 1 GET per 100 issues created since `created_after` (normally 1).
- changed_since: 1 GET per 100 changed issues; nothing changed -> one conditional GET
  answered 304, which GitHub does not charge against the rate limit. The watermark keeps
  one `since` (and its ETag) until the result outgrows WINDOW issues, so the 304 also holds
  right after a change; only after a multi-page batch is the next call one small 200.
  (GitHub's `since` is inclusive and whole-second: the watermark remembers which issues it
  already returned at which `updated_at`, so none is returned twice.)

Issue reads and PATCHes go through PyGithub's requester (the documented `Github.requester`
escape hatch) because PyGithub's list objects cannot send If-None-Match and `Issue.edit`
leaves `raw_data` stale; everything still runs through PyGithub's auth, throttle, retry and
error classes.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from github import Auth, Consts, Github, GithubException, GithubRetry
from github.GithubObject import NotSet
from github.Milestone import Milestone
from github.Requester import Requester

from integrations.github.errors import check_retry, default_retry, translate
from integrations.github.mapping import (
    GitHubMapping,
    body_with_marker,
    due_date,
    due_on,
    has_marker,
    label_names,
)
from integrations.github.pacing import WritePacer
from integrations.github.watermark import Watermark, fingerprint, parse_time, stamp, stamp_of, utc
from tracker.sync.ports import (
    SYNCED_FIELDS,
    ChangedTickets,
    Connection,
    Rejected,
    RemoteTicket,
    TargetSpec,
    TicketFields,
    TicketGone,
)

log = logging.getLogger(__name__)
PAGE = 100  # GitHub's maximum page size: fewest calls per listing
WINDOW = 50  # changed_since keeps one `since` until its result outgrows this (see there)
DEFAULT_RETRY = default_retry()  # urllib3 Retry objects are immutable: sharing one is safe


class GitHubTickets:
    """One repository (`target.project` = "owner/name") seen through one token."""

    def __init__(
        self, target: TargetSpec, connection: Connection, *, timeout: int = 15,
        seconds_between_requests: float | None = None, seconds_between_writes: float | None = None,
        retry: GithubRetry | None = DEFAULT_RETRY,
    ) -> None:
        """seconds_between_*: None keeps PyGithub's pacing (0.25 s / 1 s, GitHub's advice for
        writes); 0 disables it (tests). retry=None disables retries altogether."""
        if "/" not in target.project:
            raise ValueError("a GitHub target's project is 'owner/name'")
        check_retry(retry)
        self.project = target.project
        self.mapping = GitHubMapping.from_overrides(target.mapping)
        self._creator = connection.bot_identity  # narrows find_by_marker to our own issues
        # Passing None to PyGithub would switch its pacing off; here None means "its default".
        # A configured write pace is ours (start-to-start, see pacing.py), not PyGithub's.
        self._pacer = WritePacer(seconds_between_writes or 0.0)
        self._github = Github(
            auth=Auth.Token(connection.token), base_url=connection.url.rstrip("/"),
            timeout=int(timeout), retry=retry, per_page=PAGE, lazy=True,
            seconds_between_requests=_or(seconds_between_requests,
                                         Consts.DEFAULT_SECONDS_BETWEEN_REQUESTS),
            seconds_between_writes=(Consts.DEFAULT_SECONDS_BETWEEN_WRITES
                                    if seconds_between_writes is None else 0),
        )
        self._repo = self._github.get_repo(self.project)  # lazy: no request
        self._requester: Requester = self._github.requester
        self._issues = f"/repos/{self.project}/issues"
        self._milestones: dict[str, Milestone] | None = None  # title -> milestone
        self._milestone_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"GitHubTickets({self.project!r})"

    # -- the port --------------------------------------------------------------------------------
    def create(self, fields: TicketFields, *, marker: str) -> RemoteTicket:
        wanted = self.mapping.issue_state(fields.phase)
        labels = self.mapping.labels([], phase=fields.phase, priority=fields.priority)
        milestone = self._milestone(fields.due) if fields.due else NotSet
        body = body_with_marker(fields.body, marker)
        try:
            self._pacer.wait()
            issue = self._repo.create_issue(
                title=fields.title, body=body, labels=labels, milestone=milestone,
                assignees=[fields.assignee] if fields.assignee else NotSet,
            )
        except Exception as error:
            raise translate(error, write=True, gone_is="repo", repo=self.project) from error
        data = issue.raw_data  # built from the 201 reply: no further request
        if wanted.state == "closed":
            try:
                data = self._patch(data["number"], {"state": "closed",
                                                    "state_reason": wanted.state_reason})
            except Exception as error:  # the issue exists: never let the caller create again
                log.warning("GitHub issue %s#%s created but not closed: %s",
                            self.project, data["number"], type(error).__name__)
        return self._ticket(data)

    def find_by_marker(self, marker: str, *, created_after: datetime) -> RemoteTicket | None:
        after = utc(created_after).replace(microsecond=0)  # GitHub stamps whole seconds
        params = {"state": "all", "labels": self.mapping.tracker_label, "since": stamp(after),
                  "sort": "created", "direction": "desc", "per_page": str(PAGE)}
        if self._creator:
            params["creator"] = self._creator
        for _, items in self._pages(self._issues, params):
            for item in items:
                if parse_time(item["created_at"]) < after:
                    return None  # newest first: everything further is older
                if "pull_request" not in item and has_marker(item.get("body"), marker):
                    return self._ticket(item)
        return None

    def fetch(self, key: str) -> RemoteTicket:
        return self._ticket(self._get(key))

    def update(self, key: str, fields: TicketFields, changed: set[str]) -> RemoteTicket:
        unknown = set(changed) - set(SYNCED_FIELDS)
        if unknown:
            raise ValueError(f"not synced fields: {sorted(unknown)}")
        if not changed:
            return self.fetch(key)
        patch: dict[str, Any] = {}
        if "title" in changed:
            patch["title"] = fields.title
        if "assignee" in changed:
            patch["assignees"] = [fields.assignee] if fields.assignee else []
        if "due" in changed:
            patch["milestone"] = self._milestone(fields.due).number if fields.due else None
        if "phase" in changed:
            wanted = self.mapping.issue_state(fields.phase)
            patch["state"] = wanted.state
            if wanted.state_reason:
                patch["state_reason"] = wanted.state_reason
        if changed & {"phase", "priority"}:
            current = self._get(key)  # people's labels must survive; also catches transfers
            patch["labels"] = self.mapping.labels(
                label_names(current), phase=fields.phase, priority=fields.priority,
                keep_phase="phase" not in changed, keep_priority="priority" not in changed)
        return self._ticket(self._patch(_number(key), patch))

    def changed_since(self, watermark: str | None) -> ChangedTickets:
        mark = Watermark.decode(watermark)
        params = {"state": "all", "labels": self.mapping.tracker_label, "sort": "updated",
                  "direction": "asc", "per_page": str(PAGE)}
        if mark.since:
            params["since"] = mark.since
        tickets: list[RemoteTicket] = []
        listed: dict[str, str] = {}  # key -> updated_at of everything this query returned
        etag, pages = None, 0
        for headers, items in self._pages(self._issues, params, etag=mark.etag):
            if headers is None:  # 304: exactly what we saw last time
                return ChangedTickets([], watermark)
            pages += 1
            etag = headers.get("etag") if pages == 1 else None
            for item in items:
                # updated_at has whole seconds only: two edits in one second share it, so what
                # we remember is the stamp plus a digest of the synced content.
                key, seen_as = str(item["number"]), fingerprint(item)
                listed[key] = seen_as
                if "pull_request" not in item and mark.seen.get(key) != seen_as:
                    tickets.append(self._ticket(item))
        if pages == 1 and len(listed) <= WINDOW:
            # Same query next time: its ETag stays valid, so "no change" is one free 304;
            # what this page showed is remembered so it is not returned twice.
            return ChangedTickets(tickets, Watermark(mark.since, etag, listed).encode())
        # Move the window to the newest stamp (inclusive: remember who is stamped exactly then).
        # Known gap: an issue edited while we page moves to the end and shifts the rest left,
        # so one issue can slip past a multi-page read; a periodic full pass (None) covers it.
        newest = max((stamp_of(seen_as) for seen_as in listed.values()), key=parse_time)
        edge = {key: seen_as for key, seen_as in listed.items() if stamp_of(seen_as) == newest}
        return ChangedTickets(tickets, Watermark(newest, None, edge).encode())

    # -- requests --------------------------------------------------------------------------------
    def _get(self, key: str) -> dict[str, Any]:
        try:
            _, data = self._requester.requestJsonAndCheck("GET", f"{self._issues}/{_number(key)}")
        except Exception as error:
            raise translate(error) from error
        return self._ours(data)

    def _patch(self, number: int, patch: dict[str, Any]) -> dict[str, Any]:
        try:
            self._pacer.wait()
            _, data = self._requester.requestJsonAndCheck(
                "PATCH", f"{self._issues}/{number}", input=patch)
        except Exception as error:
            raise translate(error) from error
        return self._ours(data)

    def _pages(
        self, url: str, params: dict[str, str], etag: str | None = None
    ) -> Iterator[tuple[dict[str, Any] | None, list[dict[str, Any]]]]:
        """Pages of a listing, following GitHub's `Link: rel="next"` verbatim. With `etag`,
        the first request is conditional; a 304 yields (None, [])."""
        headers = {"If-None-Match": etag} if etag else None
        next_url: str | None = url
        query: dict[str, str] | None = params
        while next_url:
            try:
                status, response_headers, output = self._requester.requestJson(
                    "GET", next_url, query, headers)
                data = json.loads(output) if output else None
                if status >= 400:
                    raise Requester.createException(status, response_headers, data or {})
            except Exception as error:
                raise translate(error, gone_is="repo", repo=self.project) from error
            if status == 304:
                yield None, []
                return
            yield response_headers, list(data or [])
            next_url, query, headers = _next_link(response_headers.get("link", "")), None, None

    def _milestone(self, due: date) -> Milestone:
        title = self.mapping.milestone_title(due)
        with self._milestone_lock:
            if self._milestones is None or title not in self._milestones:
                if self._milestones is None:
                    self._milestones = self._list_milestones()
                if title not in self._milestones:
                    self._milestones[title] = self._create_milestone(title, due)
            milestone = self._milestones[title]
            if milestone.due_on is None or due_date(milestone.due_on) != due:  # no request: listed
                # Ours, dated another day: made by a client that sent midnight UTC (GitHub shows
                # it a day early) or moved by someone. Its title is the date we mean.
                milestone = self._milestones[title] = self._redate_milestone(milestone, due)
            return milestone

    def _list_milestones(self) -> dict[str, Milestone]:
        try:
            return {m.title: m for m in self._repo.get_milestones(state="all")}
        except Exception as error:
            raise translate(error, gone_is="repo", repo=self.project) from error

    def _redate_milestone(self, milestone: Milestone, due: date) -> Milestone:
        # Milestone.edit sends a bare `YYYY-MM-DD`, which GitHub reads as midnight UTC: the
        # day before in Los Angeles. So the PATCH goes through the requester with noon UTC.
        try:
            self._pacer.wait()
            headers, data = self._requester.requestJsonAndCheck(
                "PATCH", milestone.url, input={"due_on": stamp(due_on(due))})
        except Exception as error:
            raise translate(error, gone_is="repo", repo=self.project) from error
        return Milestone(self._requester, headers, data, completed=True)

    def _create_milestone(self, title: str, due: date) -> Milestone:
        try:
            self._pacer.wait()
            return self._repo.create_milestone(
                title, due_on=due_on(due), description="Created by the tracker for items due that day.")
        except GithubException as error:
            if error.status == 422:  # someone (another worker) made it meanwhile
                found = self._list_milestones().get(title)
                if found is not None:
                    return found
            raise translate(error, gone_is="repo", repo=self.project) from error
        except Exception as error:
            raise translate(error, gone_is="repo", repo=self.project) from error

    # -- mapping ---------------------------------------------------------------------------------
    def _ours(self, data: dict[str, Any]) -> dict[str, Any]:
        """The issue, unless it is not one of this repository's issues any more."""
        repo = str(data.get("repository_url", "")).rpartition("/repos/")[2]
        if repo and repo.lower() != self.project.lower():
            # PyGithub follows GitHub's 301 for a transferred issue to its new home.
            raise TicketGone(f"transferred to {repo}#{data.get('number')}")
        if "pull_request" in data:
            raise TicketGone("is a pull request, not an issue")
        return data

    def _ticket(self, data: dict[str, Any]) -> RemoteTicket:
        assignees = data.get("assignees") or ([data["assignee"]] if data.get("assignee") else [])
        return RemoteTicket(
            key=str(data["number"]), url=str(data.get("html_url") or data.get("url")),
            title=str(data.get("title") or ""), status=self.mapping.status(data),
            phase=self.mapping.phase(data), assignee=assignees[0]["login"] if assignees else None,
            due=self.mapping.due(data), priority=self.mapping.priority(data),
            updated_at=parse_time(data["updated_at"]),
        )


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _number(key: str) -> int:
    if not key.isdigit():
        raise Rejected(f"not a GitHub issue number: {key!r}", field="key")
    return int(key)


def _next_link(link: str) -> str | None:
    for part in link.split(","):
        target, _, rel = part.partition(";")
        if rel.strip() == 'rel="next"':
            return target.strip().removeprefix("<").removesuffix(">")
    return None
