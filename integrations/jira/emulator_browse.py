"""The page behind a ticket's "Open ticket" link (`/browse/KEY`) in the sandbox.

Real Jira shows the issue to a signed-in browser; the emulator has no browser sessions, so it
shows a plain read-only page to anyone on loopback rather than a 401 JSON body. Every value is
escaped: summaries and descriptions are whatever people typed.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from integrations.emulation import Request, Response

if TYPE_CHECKING:
    from integrations.jira.emulator import JiraEmulator

BROWSE = r"/browse/(?P<key>[A-Za-z][A-Za-z0-9_]*-\d+)"


def install(emu: JiraEmulator) -> None:
    emu.router.add("GET", BROWSE, lambda request: issue_page(emu, request))


def issue_page(emu: JiraEmulator, request: Request) -> Response:
    key = request.params.get("key", "").upper()
    with emu.lock:
        issue = next((i for i in emu.store.issues.values() if i.key == key), None)
        if issue is None:
            return _page(404, f"{key} not found", f"<p>There is no issue {escape(key)}.</p>")
        accounts = emu.store.accounts
        assignee = accounts.get(issue.assignee or "")
        reporter = accounts.get(issue.reporter)
        rows = [
            ("Status", issue.status.name),
            ("Assignee", assignee.display_name if assignee else "Unassigned"),
            ("Reporter", reporter.display_name if reporter else issue.reporter),
            ("Priority", issue.priority.name),
            ("Due date", issue.duedate.isoformat() if issue.duedate else "None"),
            ("Labels", ", ".join(issue.labels) or "None"),
            ("Updated", issue.updated.isoformat(timespec="seconds")),
        ]
        comments = [(accounts[c.author].display_name if c.author in accounts else c.author, c.body)
                    for c in issue.comments]
        title = f"[{issue.key}] {issue.summary}"
        description = issue.description or ""
    table = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    notes = "".join(f"<li><b>{escape(who)}</b>: <pre>{escape(body)}</pre></li>" for who, body in comments)
    body = (f"<h1>{escape(title)}</h1><table>{table}</table><h2>Description</h2>"
            f"<pre>{escape(description)}</pre><h2>Comments</h2><ul>{notes or '<li>None</li>'}</ul>"
            "<p><small>Sandbox Jira: edit this issue through the REST API as a person "
            "(see the README, Trying it out).</small></p>")
    return _page(200, title, body)


def _page(status: int, title: str, body: str) -> Response:
    html = (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)}</title>"
            f"</head><body>{body}</body></html>")
    return Response(status, html.encode(), {"Content-Type": "text/html; charset=utf-8"})
