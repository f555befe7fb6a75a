"""Finding the ticket a create with an unknown outcome may have made, although search lags.

Jira Cloud's JQL search is eventually consistent ("recent updates might not be immediately
visible"): a search for our marker label can miss the ticket the lost attempt created seconds
ago, and a guard relying on it alone creates a duplicate. GET /issue/{key} is read-after-write
consistent, and Jira numbers a project's issues in creation order, so the guard:

1. searches for the marker label: enough once the index has caught up (the usual case, 1 call);
2. finds the newest issue created before the intent window (JQL `created <`): our ticket, if it
   exists, has a higher number;
3. lists what the index holds from the window on, labels included (a ticket indexed meanwhile
   is found right there; normally one page);
4. reads by key every number above that base the listing does not account for, and on past the
   highest until TAIL_MISSES numbers in a row do not exist (a deleted or hidden issue leaves a
   gap, so one missing number does not prove the end).

Bounded: at most LIST_PAGES listing pages and MAX_READS reads. Beyond them it gives up for now
(Transient) rather than guess; by the next attempt the index has caught up, and step 1 or 3
decides. Not chosen: `reconcileIssues` makes a search consistent only for issue ids the caller
names, and the id of the ticket a lost create made is exactly what we do not know; entity
properties are found through the same lagging search; waiting out the lag has no published
bound to wait for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from integrations.jira.tickets import jql_since, jql_string
from tracker.sync.ports import Transient

TAIL_MISSES = 3
MAX_READS = 25  # issues the index may not show yet; a project rarely creates more in seconds
LIST_PAGES = 5
PAGE = 100

Search = Callable[[str, str | None, int], dict[str, Any]]  # (jql, page token, size) -> page
Read = Callable[[str], dict[str, Any] | None]  # key -> issue, None when it does not exist


class MarkerLookup:
    def __init__(self, project: str, search: Search, read: Read, zone: Callable[[], tzinfo | None]) -> None:
        self.project = project
        self._search, self._read, self._zone = search, read, zone

    def find(self, marker: str, created_after: datetime) -> dict[str, Any] | None:
        """The issue carrying label `marker` created after `created_after`, or None."""
        project = jql_string(self.project)
        page = self._search(f"project = {project} AND labels = {jql_string(marker)} ORDER BY created ASC", None, 1)
        if page.get("issues"):
            return dict(page["issues"][0])
        since = jql_since(created_after, self._zone())
        before = self._search(f'project = {project} AND created < "{since}" ORDER BY created DESC', None, 1)
        base = max((self._number(raw) for raw in before.get("issues") or []), default=0)
        listed: set[int] = set()
        token: str | None = None
        for _ in range(LIST_PAGES):
            page = self._search(f'project = {project} AND created >= "{since}" ORDER BY key ASC', token, PAGE)
            for raw in page.get("issues") or []:
                if _has_label(raw, marker):
                    return dict(raw)
                listed.add(self._number(raw))
            token = page.get("nextPageToken")
            if not token or page.get("isLast"):
                return self._read_unlisted(marker, base, listed)
        raise self._undecided(marker, f"more than {LIST_PAGES * PAGE} issues created since {since}")

    def _read_unlisted(self, marker: str, base: int, listed: set[int]) -> dict[str, Any] | None:
        top = max(listed | {base})
        number, misses, reads = base, 0, 0
        while number < top or misses < TAIL_MISSES:
            number += 1
            if number in listed:
                continue
            if reads == MAX_READS:
                raise self._undecided(marker, f"more than {MAX_READS} recent issues not in the index")
            reads += 1
            raw = self._read(f"{self.project}-{number}")
            if raw is None:
                if number > top:
                    misses += 1
                continue
            misses = 0
            if _has_label(raw, marker):
                return raw
        return None

    def _number(self, raw: dict[str, Any]) -> int:
        prefix, _, number = str(raw.get("key") or "").rpartition("-")
        return int(number) if prefix == self.project and number.isdigit() else 0

    def _undecided(self, marker: str, why: str) -> Transient:
        return Transient(
            f"a ticket marked {marker} may exist in {self.project} but Jira's search index has not "
            f"caught up ({why}); looking again later"
        )


def _has_label(raw: dict[str, Any], label: str) -> bool:
    return label in ((raw.get("fields") or {}).get("labels") or [])
