"""Where a change came from: the API, the web workspace, Slack, a Jira or GitHub ticket, or the
tracker itself (sweeps, reconciliation). Stored with each activity entry, so the log can be
filtered by it; a person acting through the API and through a page are otherwise alike.

The HTTP layer says which door a request came in by (`ActivitySourceMiddleware`), the worker
says so for the Slack clicks it applies, and a change applied from a ticket is known by its
actor label ("jira:..." / "github:...").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum


class Source(StrEnum):
    api = "api"
    web = "web"
    slack = "slack"
    jira = "jira"
    github = "github"
    system = "system"


_current: ContextVar[Source | None] = ContextVar("tracker_activity_source", default=None)


@contextmanager
def acting_from(source: Source) -> Iterator[None]:
    """Changes recorded in this context (and threads AnyIO starts from it) came from `source`."""
    token = _current.set(source)
    try:
        yield
    finally:
        _current.reset(token)


def source_of(actor_label: str, *, has_actor: bool) -> Source:
    """The entry's source: a vendor's label wins (a ticket's change, whoever queued the pull),
    then the door the current request or job came in by; without either, a person's change
    came through the API and anything else is the tracker's own."""
    if actor_label.startswith("jira:"):
        return Source.jira
    if actor_label.startswith("github:"):
        return Source.github
    current = _current.get()
    if current is not None:
        return current
    if actor_label == "slack" or actor_label.endswith(" via Slack"):
        return Source.slack
    return Source.api if has_actor else Source.system
