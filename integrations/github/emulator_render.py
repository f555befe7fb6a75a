"""GitHub's JSON shapes for the emulated objects.

URLs are absolute and share the emulator's host, port and `/api/v3` prefix, because PyGithub
reuses them verbatim and refuses any that differ from its base_url.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from integrations.github.emulator_state import Comment, Event, Issue, Label, Milestone, Repo, User


def timestamp(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


class Renderer:
    def __init__(self, web: str) -> None:
        self.web = web  # e.g. http://127.0.0.1:PORT (GitHub Enterprise's web root)
        self.api = f"{web}/api/v3"

    def user(self, user: User) -> dict[str, Any]:
        return {
            "login": user.login, "id": user.id, "node_id": f"U_{user.id}", "type": user.type,
            "url": f"{self.api}/users/{user.login}", "html_url": f"{self.web}/{user.login}",
            "site_admin": False,
        }

    def repo(self, repo: Repo) -> dict[str, Any]:
        url = f"{self.api}/repos/{repo.full_name}"
        open_count = sum(1 for i in repo.issues.values() if _listed(i) and i.state == "open")
        return {
            "id": repo.id, "node_id": f"R_{repo.id}", "name": repo.name,
            "full_name": repo.full_name, "owner": self.user(repo.owner), "private": True,
            "html_url": f"{self.web}/{repo.full_name}", "url": url,
            "issues_url": f"{url}/issues{{/number}}",
            "milestones_url": f"{url}/milestones{{/number}}",
            "labels_url": f"{url}/labels{{/name}}", "has_issues": True,
            "open_issues_count": open_count, "open_issues": open_count, "default_branch": "main",
            "created_at": timestamp(repo.created_at), "updated_at": timestamp(repo.created_at),
            "pushed_at": timestamp(repo.created_at), "archived": False, "disabled": False,
            "visibility": "private",
            "permissions": {"admin": False, "maintain": False, "push": True, "triage": True,
                            "pull": True},
        }

    def label(self, repo: Repo, label: Label) -> dict[str, Any]:
        return {
            "id": label.id, "node_id": f"LA_{label.id}", "name": label.name, "color": label.color,
            "default": False, "description": label.description,
            "url": f"{self.api}/repos/{repo.full_name}/labels/{label.name}",
        }

    def milestone(self, repo: Repo, milestone: Milestone) -> dict[str, Any]:
        url = f"{self.api}/repos/{repo.full_name}/milestones/{milestone.number}"
        issues = [i for i in repo.issues.values() if _listed(i) and i.milestone is milestone]
        return {
            "url": url, "html_url": f"{self.web}/{repo.full_name}/milestone/{milestone.number}",
            "labels_url": f"{url}/labels", "id": milestone.id, "node_id": f"MI_{milestone.id}",
            "number": milestone.number, "title": milestone.title,
            "description": milestone.description, "creator": self.user(milestone.creator),
            "open_issues": sum(1 for i in issues if i.state == "open"),
            "closed_issues": sum(1 for i in issues if i.state == "closed"),
            "state": milestone.state, "created_at": timestamp(milestone.created_at),
            "updated_at": timestamp(milestone.updated_at),
            "closed_at": timestamp(milestone.closed_at), "due_on": timestamp(milestone.due_on),
        }

    def issue_url(self, issue: Issue) -> str:
        return f"{self.api}/repos/{issue.repo.full_name}/issues/{issue.number}"

    def issue(self, issue: Issue) -> dict[str, Any]:
        url = self.issue_url(issue)
        repo = issue.repo
        html_kind = "pull" if issue.is_pull_request else "issues"
        data: dict[str, Any] = {
            "id": issue.id, "node_id": f"I_{issue.id}", "url": url,
            "repository_url": f"{self.api}/repos/{repo.full_name}",
            "labels_url": f"{url}/labels{{/name}}", "comments_url": f"{url}/comments",
            "events_url": f"{url}/events",
            "html_url": f"{self.web}/{repo.full_name}/{html_kind}/{issue.number}",
            "number": issue.number, "state": issue.state, "state_reason": issue.state_reason,
            "title": issue.title, "body": issue.body, "user": self.user(issue.user),
            "labels": [self.label(repo, label) for label in issue.labels],
            "assignee": self.user(issue.assignees[0]) if issue.assignees else None,
            "assignees": [self.user(user) for user in issue.assignees],
            "milestone": self.milestone(repo, issue.milestone) if issue.milestone else None,
            "locked": False, "comments": len(issue.comments),
            "created_at": timestamp(issue.created_at), "updated_at": timestamp(issue.updated_at),
            "closed_at": timestamp(issue.closed_at),
            "closed_by": self.user(issue.closed_by) if issue.closed_by and issue.closed_at
            else None,
            "author_association": "MEMBER",
        }
        if issue.is_pull_request:
            pull = f"{self.api}/repos/{repo.full_name}/pulls/{issue.number}"
            html = data["html_url"]
            data["pull_request"] = {"url": pull, "html_url": html, "diff_url": f"{html}.diff",
                                    "patch_url": f"{html}.patch", "merged_at": None}
        return data

    def comment(self, issue: Issue, comment: Comment) -> dict[str, Any]:
        repo = issue.repo.full_name
        return {
            "id": comment.id, "node_id": f"IC_{comment.id}",
            "url": f"{self.api}/repos/{repo}/issues/comments/{comment.id}",
            "html_url": f"{self.web}/{repo}/issues/{issue.number}#issuecomment-{comment.id}",
            "issue_url": self.issue_url(issue), "body": comment.body,
            "user": self.user(comment.user), "created_at": timestamp(comment.created_at),
            "updated_at": timestamp(comment.updated_at), "author_association": "MEMBER",
        }

    def event(self, event: Event) -> dict[str, Any]:
        """An `issues` / `issue_comment` webhook body, issue as it is right now."""
        issue = event.issue
        payload: dict[str, Any] = {"action": event.action, "issue": self.issue(issue)}
        if event.changes is not None:
            payload["changes"] = {
                key: self._change(value) for key, value in event.changes.items()
            }
        for key, value in event.extra.items():
            if isinstance(value, Label):
                payload[key] = self.label(issue.repo, value)
            elif isinstance(value, User):
                payload[key] = self.user(value)
            elif isinstance(value, Milestone):
                payload[key] = self.milestone(issue.repo, value)
            elif isinstance(value, Comment):
                payload[key] = self.comment(issue, value)
        payload["repository"] = self.repo(issue.repo)
        payload["sender"] = self.user(event.sender)
        return payload

    def _change(self, value: Any) -> Any:
        if isinstance(value, Issue):
            return self.issue(value)
        if isinstance(value, Repo):
            return self.repo(value)
        return value


def _listed(issue: Issue) -> bool:
    return not issue.deleted and issue.moved_to is None
