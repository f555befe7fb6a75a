"""The web page behind an issue's `html_url` (`/<owner>/<repo>/issues/<n>`) in the sandbox.

GitHub shows an issue to a browser; the emulator has no sessions, so it serves a plain read-only
page to anyone on loopback instead of the API's 401. Every value is escaped.
"""

from __future__ import annotations

import re
from html import escape

from integrations.emulation import Request, Response
from integrations.github.emulator_state import GitHubState

ISSUE_PAGE = re.compile(r"^/(?P<owner>[\w.-]+)/(?P<name>[\w.-]+)/issues/(?P<number>\d+)$")


def issue_page(state: GitHubState, request: Request) -> Response | None:
    """The page, or None when the request is not for one (the API handles it)."""
    found = ISSUE_PAGE.match(request.path) if request.method == "GET" else None
    if found is None or found["owner"] == "api":
        return None
    full_name = f"{found['owner']}/{found['name']}"
    try:
        issue = state.repo(full_name).issues.get(int(found["number"]))
    except KeyError:
        issue = None
    if issue is None or issue.deleted:
        return _page(404, "Not found", f"<p>No issue #{escape(found['number'])} in {escape(full_name)}.</p>")
    if issue.moved_to is not None:
        moved = issue.moved_to
        where = f"/{moved.repo.full_name}/issues/{moved.number}"
        return Response(301, b"", {"Location": where})
    rows = [
        ("State", issue.state + (f" ({issue.state_reason})" if issue.state_reason else "")),
        ("Assignees", ", ".join(u.login for u in issue.assignees) or "No one"),
        ("Labels", ", ".join(lb.name for lb in issue.labels) or "None"),
        ("Milestone", issue.milestone.title if issue.milestone else "None"),
        ("Opened by", issue.user.login),
        ("Updated", issue.updated_at.isoformat(timespec="seconds")),
    ]
    table = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    notes = "".join(f"<li><b>{escape(c.user.login)}</b>: <pre>{escape(c.body)}</pre></li>"
                    for c in issue.comments)
    title = f"{issue.title} · Issue #{issue.number} · {full_name}"
    body = (f"<h1>{escape(issue.title)} <small>#{issue.number}</small></h1><table>{table}</table>"
            f"<h2>Description</h2><pre>{escape(issue.body or '')}</pre>"
            f"<h2>Comments</h2><ul>{notes or '<li>None</li>'}</ul>"
            "<p><small>Sandbox GitHub: edit this issue through the REST API as a person "
            "(see the README, Trying it out).</small></p>")
    return _page(200, title, body)


def _page(status: int, title: str, body: str) -> Response:
    html = (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)}</title>"
            f"</head><body>{body}</body></html>")
    return Response(status, html.encode(), {"Content-Type": "text/html; charset=utf-8"})
