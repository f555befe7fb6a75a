"""The REST endpoints the tracker uses, as PyGithub calls them (paths relative to /api/v3).

Handlers run under the emulator lock; `request.params["_actor"]` holds the authenticated login
(set by the emulator after checking the token, so a client cannot forge it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from integrations.emulation import Request, Response
from integrations.github import emulator_issues as ops
from integrations.github.emulator_state import ApiError, Issue, Milestone, Repo, User, invalid

if TYPE_CHECKING:
    from integrations.github.emulator import GitHubEmulator

REPO = r"/(?:repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)|repositories/(?P<repo_id>\d+))"
ISSUE = REPO + r"/issues/(?P<number>\d+)"
REPO_T = "/repos/{owner}/{repo}"
ISSUE_T = REPO_T + "/issues/{number}"


def parse_time(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise invalid("Issue", "since", value) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class Routes:
    def __init__(self, emulator: GitHubEmulator) -> None:
        self.emu = emulator
        self.state = emulator.state
        add = emulator.add_route
        add("GET", r"/user", "/user", self.get_user)
        add("GET", r"/rate_limit", "/rate_limit", self.rate_limit)
        add("GET", r"/users/(?P<login>[^/]+)", "/users/{login}", self.get_named_user)
        add("GET", REPO, REPO_T, self.get_repo)
        add("GET", REPO + r"/issues", REPO_T + "/issues", self.list_issues)
        add("POST", REPO + r"/issues", REPO_T + "/issues", self.create_issue)
        add("GET", ISSUE, ISSUE_T, self.get_issue)
        add("PATCH", ISSUE, ISSUE_T, self.edit_issue)
        add("GET", ISSUE + r"/comments", ISSUE_T + "/comments", self.list_comments)
        add("POST", ISSUE + r"/comments", ISSUE_T + "/comments", self.create_comment)
        add("POST", ISSUE + r"/labels", ISSUE_T + "/labels", self.add_labels)
        add("PUT", ISSUE + r"/labels", ISSUE_T + "/labels", self.set_labels)
        add("DELETE", ISSUE + r"/labels", ISSUE_T + "/labels", self.clear_labels)
        add("DELETE", ISSUE + r"/labels/(?P<name>[^/]+)", ISSUE_T + "/labels/{name}",
            self.remove_label)
        add("POST", ISSUE + r"/assignees", ISSUE_T + "/assignees", self.add_assignees)
        add("DELETE", ISSUE + r"/assignees", ISSUE_T + "/assignees", self.remove_assignees)
        add("GET", REPO + r"/milestones", REPO_T + "/milestones", self.list_milestones)
        add("POST", REPO + r"/milestones", REPO_T + "/milestones", self.create_milestone)
        add("GET", REPO + r"/milestones/(?P<ms>\d+)", REPO_T + "/milestones/{number}",
            self.get_milestone)
        add("PATCH", REPO + r"/milestones/(?P<ms>\d+)", REPO_T + "/milestones/{number}",
            self.edit_milestone)

    # -- lookups -----------------------------------------------------------------------------
    def actor(self, request: Request) -> User:
        user = self.state.user(request.params["_actor"])
        assert user is not None
        return user

    def repo(self, request: Request) -> Repo:
        params = request.params
        if params.get("repo_id"):
            repo = self.state.repo_by_id(int(params["repo_id"]))
        else:
            repo = self.state.repos.get(f"{params['owner']}/{params['repo']}".lower())
        if repo is None or repo.hidden_from(params["_actor"]):
            raise ApiError(404, "Not Found")  # GitHub hides what you cannot see
        return repo

    def issue(self, request: Request) -> Issue:
        issue = ops.live_issue(self.repo(request), int(request.params["number"]))
        if issue.moved_to is not None:
            target = issue.moved_to
            while target.moved_to is not None:
                target = target.moved_to
            suffix = request.path.split(f"/issues/{issue.number}", 1)[1]
            location = f"{self.emu.api_url}/repositories/{target.repo.id}/issues/{target.number}"
            location += suffix
            raise ApiError(301, "Moved Permanently", headers={"Location": location},
                           extra={"url": location})
        return issue

    def body(self, request: Request) -> dict[str, Any]:
        try:
            data = request.json()
        except ValueError:
            raise ApiError(400, "Problems parsing JSON") from None
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise ApiError(400, "Problems parsing JSON")
        return data

    # -- users and repositories --------------------------------------------------------------
    def get_user(self, request: Request) -> Response:
        return Response(200, self.emu.render.user(self.actor(request)))

    def rate_limit(self, request: Request) -> Response:
        raise AssertionError("answered by the emulator itself: it owns the rate-limit state")

    def get_named_user(self, request: Request) -> Response:
        user = self.state.user(request.params["login"])
        if user is None:
            raise ApiError(404, "Not Found")
        return Response(200, self.emu.render.user(user))

    def get_repo(self, request: Request) -> Response:
        return Response(200, self.emu.render.repo(self.repo(request)))

    # -- issues ------------------------------------------------------------------------------
    def list_issues(self, request: Request) -> Response:
        repo = self.repo(request)
        issues = [i for i in repo.issues.values() if not i.deleted and i.moved_to is None]
        wanted_state = request.arg("state", "open")
        if wanted_state not in ("open", "closed", "all"):
            raise invalid("Issue", "state", wanted_state)
        if wanted_state != "all":
            issues = [i for i in issues if i.state == wanted_state]
        if since := request.arg("since"):
            moment = parse_time(since)
            issues = [i for i in issues if i.updated_at >= moment]
        if labels := request.arg("labels"):
            names = {n.strip().lower() for n in labels.split(",") if n.strip()}
            issues = [i for i in issues if names <= {lb.name.lower() for lb in i.labels}]
        issues = self._filter_people(request, issues)
        sort = request.arg("sort", "created")
        key: Callable[[Issue], Any] = {
            "created": lambda i: (i.created_at, i.number),
            "updated": lambda i: (i.updated_at, i.number),
            "comments": lambda i: (len(i.comments), i.number),
        }.get(sort or "created", lambda i: (i.created_at, i.number))
        issues.sort(key=key, reverse=request.arg("direction", "desc") != "asc")
        return self.paginate(request, issues, self.emu.render.issue)

    def _filter_people(self, request: Request, issues: list[Issue]) -> list[Issue]:
        if (assignee := request.arg("assignee")) is not None:
            if assignee == "none":
                issues = [i for i in issues if not i.assignees]
            elif assignee != "*":
                issues = [i for i in issues
                          if assignee.lower() in {u.login.lower() for u in i.assignees}]
            else:
                issues = [i for i in issues if i.assignees]
        if (creator := request.arg("creator")) is not None:
            issues = [i for i in issues if i.user.login.lower() == creator.lower()]
        if (milestone := request.arg("milestone")) is not None:
            if milestone == "none":
                issues = [i for i in issues if i.milestone is None]
            elif milestone == "*":
                issues = [i for i in issues if i.milestone is not None]
            else:
                issues = [i for i in issues if i.milestone and str(i.milestone.number) == milestone]
        return issues

    def create_issue(self, request: Request) -> Response:
        repo, actor, data = self.repo(request), self.actor(request), self.body(request)
        assignees = list(data.get("assignees") or [])
        if data.get("assignee"):
            assignees.insert(0, data["assignee"])
        issue, events = ops.create_issue(
            self.state, repo, actor, data.get("title"), data.get("body"),
            labels=data.get("labels"), assignees=assignees, milestone=data.get("milestone"),
        )
        self.emu.emit(events)
        return Response(201, self.emu.render.issue(issue),
                        {"Location": self.emu.render.issue_url(issue)})

    def get_issue(self, request: Request) -> Response:
        return Response(200, self.emu.render.issue(self.issue(request)))

    def edit_issue(self, request: Request) -> Response:
        issue, actor, data = self.issue(request), self.actor(request), self.body(request)
        fields: dict[str, Any] = {
            name: data[name] for name in ("title", "body", "state_reason", "labels", "milestone")
            if name in data
        }
        if "state" in data:
            fields["state_value"] = data["state"]
        if "assignees" in data:
            fields["assignees"] = data["assignees"]
        elif "assignee" in data:
            fields["assignees"] = [data["assignee"]] if data["assignee"] else []
        self.emu.emit(ops.edit_issue(self.state, issue, actor, **fields))
        return Response(200, self.emu.render.issue(issue))

    def add_labels(self, request: Request) -> Response:
        issue, data = self.issue(request), request.json()
        names = data.get("labels", []) if isinstance(data, dict) else data
        return self._labels(request, issue, [lb.name for lb in issue.labels] + list(names or []))

    def set_labels(self, request: Request) -> Response:
        data = request.json()
        names = data.get("labels", []) if isinstance(data, dict) else data
        return self._labels(request, self.issue(request), list(names or []))

    def clear_labels(self, request: Request) -> Response:
        self._labels(request, self.issue(request), [])
        return Response(204)

    def remove_label(self, request: Request) -> Response:
        issue, name = self.issue(request), request.params["name"].lower()
        if name not in {lb.name.lower() for lb in issue.labels}:
            raise ApiError(404, "Label does not exist")
        return self._labels(request, issue, [lb.name for lb in issue.labels
                                             if lb.name.lower() != name])

    def _labels(self, request: Request, issue: Issue, names: list[Any]) -> Response:
        self.emu.emit(ops.edit_issue(self.state, issue, self.actor(request), labels=names))
        render = self.emu.render
        return Response(200, [render.label(issue.repo, label) for label in issue.labels])

    def add_assignees(self, request: Request) -> Response:
        issue = self.issue(request)
        logins = [u.login for u in issue.assignees] + list(self.body(request).get("assignees", []))
        self.emu.emit(ops.edit_issue(self.state, issue, self.actor(request), assignees=logins))
        return Response(201, self.emu.render.issue(issue))

    def remove_assignees(self, request: Request) -> Response:
        issue = self.issue(request)
        gone = {str(login).lower() for login in self.body(request).get("assignees", [])}
        logins = [u.login for u in issue.assignees if u.login.lower() not in gone]
        self.emu.emit(ops.edit_issue(self.state, issue, self.actor(request), assignees=logins))
        return Response(200, self.emu.render.issue(issue))

    # -- comments ----------------------------------------------------------------------------
    def list_comments(self, request: Request) -> Response:
        issue = self.issue(request)
        comments = issue.comments
        if since := request.arg("since"):
            moment = parse_time(since)
            comments = [c for c in comments if c.updated_at >= moment]
        return self.paginate(request, comments, lambda c: self.emu.render.comment(issue, c))

    def create_comment(self, request: Request) -> Response:
        issue = self.issue(request)
        body = self.body(request).get("body")
        comment, event = ops.add_comment(self.state, issue, self.actor(request), body)
        self.emu.emit([event])
        return Response(201, self.emu.render.comment(issue, comment))

    # -- milestones --------------------------------------------------------------------------
    def list_milestones(self, request: Request) -> Response:
        repo = self.repo(request)
        milestones = list(repo.milestones.values())
        wanted = request.arg("state", "open")
        if wanted != "all":
            milestones = [m for m in milestones if m.state == wanted]
        far = datetime.max.replace(tzinfo=UTC)
        if request.arg("sort", "due_on") == "completeness":
            milestones.sort(key=lambda m: m.number)
        else:
            milestones.sort(key=lambda m: (m.due_on or far, m.number))
        if request.arg("direction", "asc") == "desc":
            milestones.reverse()
        return self.paginate(request, milestones, lambda m: self.emu.render.milestone(repo, m))

    def create_milestone(self, request: Request) -> Response:
        repo, data = self.repo(request), self.body(request)
        title = data.get("title")
        if not isinstance(title, str) or not title:
            raise invalid("Milestone", "title", title, "missing_field")
        due = parse_time(data["due_on"]) if data.get("due_on") else None
        milestone = self.state.add_milestone(
            repo, title, self.actor(request), due, data.get("description"),
            data.get("state") or "open",
        )
        return Response(201, self.emu.render.milestone(repo, milestone))

    def get_milestone(self, request: Request) -> Response:
        repo = self.repo(request)
        return Response(200, self.emu.render.milestone(repo, self._milestone(repo, request)))

    def edit_milestone(self, request: Request) -> Response:
        repo, data = self.repo(request), self.body(request)
        milestone = self._milestone(repo, request)
        changes: dict[str, Any] = {k: data[k] for k in ("title", "description", "state") if k in data}
        if "due_on" in data:
            changes["due_on"] = parse_time(data["due_on"]) if data["due_on"] else None
        self.state.edit_milestone(repo, milestone, **changes)
        return Response(200, self.emu.render.milestone(repo, milestone))

    @staticmethod
    def _milestone(repo: Repo, request: Request) -> Milestone:
        milestone = repo.milestones.get(int(request.params["ms"]))
        if milestone is None:
            raise ApiError(404, "Not Found")
        return milestone

    # -- pagination --------------------------------------------------------------------------
    def paginate(
        self, request: Request, items: Sequence[Any], render: Callable[[Any], dict[str, Any]]
    ) -> Response:
        """One page plus GitHub's `Link` header (first/prev/next/last), URLs kept verbatim."""
        try:
            per_page = min(100, max(1, int(request.arg("per_page", "30") or 30)))
            page = max(1, int(request.arg("page", "1") or 1))
        except ValueError:
            raise ApiError(400, "Invalid pagination parameters") from None
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page: page * per_page]
        query = [(k, v) for k, values in request.query.items() for v in values if k != "page"]
        base = f"{self.emu.web_url}{request.path}"

        def link(number: int, rel: str) -> str:
            return f'<{base}?{urlencode([*query, ("page", str(number))])}>; rel="{rel}"'

        links = []
        if page > 1:
            links += [link(page - 1, "prev"), link(1, "first")]
        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        headers = {"Link": ", ".join(links)} if links else {}
        return Response(200, [render(item) for item in chunk], headers)

