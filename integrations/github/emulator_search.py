"""GitHub's issue search, `GET /search/issues?q=...`, and its own rate limit.

Qualifiers understood: `repo:owner/name`, `label:name` (or `label:"two words"`, all must match),
`is:issue|pr|open|closed`, `type:issue|pr`, `state:open|closed`, `created:` with a date
(YYYY-MM-DD), a range `A..B` (both ends included, `*` for open), or `>`, `>=`, `<`, `<=`; other
words match the title or body. Dates are UTC days. As GitHub does:
- a `repo:` that does not exist or the token cannot see answers 422 "Validation Failed" with
  the "cannot be searched" error; a missing `q` 422 too; a malformed `created:` date as well;
- only the first 1,000 results can be paged: `Link`'s last page stops there, a page past it
  answers 422, while `total_count` holds the true number;
- search has its own quota, 30 requests a minute per token (`time_scale` shrinks the minute
  like the other limits), reported with `X-RateLimit-Resource: search`; over it GitHub answers
  403 "API rate limit exceeded" with remaining 0 and the reset time, and no Retry-After.
"""

from __future__ import annotations

import math
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from integrations.emulation import Handler, Request, Response
from integrations.github.emulator_state import ApiError, Issue, Repo

if TYPE_CHECKING:
    from integrations.github.emulator import GitHubEmulator

SEARCH_TEMPLATE = "/search/issues"
SEARCH_DOCS = "https://docs.github.com/v3/search/"
RESULT_CAP = 1000
CANNOT_SEARCH = ("The listed users and repositories cannot be searched either because the "
                 "resources do not exist or you do not have permission to view them.")
Predicate = Callable[[Issue], bool]


@dataclass
class _Window:
    start: float
    used: int = 0


class SearchLimiter:
    """A fixed one-minute window per token (call under the emulator lock)."""

    def __init__(self, per_minute: int, minute: Callable[[], float], clock: Callable[[], float]) -> None:
        self.per_minute = per_minute
        self._minute = minute
        self._clock = clock
        self._windows: dict[str, _Window] = {}
        self.violations = 0

    def _window(self, token: str) -> _Window:
        now = self._clock()
        window = self._windows.get(token)
        if window is None or now >= window.start + self._minute():
            window = self._windows[token] = _Window(now)
        return window

    def consume(self, token: str) -> bool:
        window = self._window(token)
        if window.used >= self.per_minute:
            self.violations += 1
            return False
        window.used += 1
        return True

    def headers(self, token: str) -> dict[str, str]:
        window = self._window(token)
        return {"X-RateLimit-Limit": str(self.per_minute),
                "X-RateLimit-Remaining": str(max(0, self.per_minute - window.used)),
                "X-RateLimit-Reset": str(math.ceil(window.start + self._minute())),
                "X-RateLimit-Used": str(window.used), "X-RateLimit-Resource": "search"}


class SearchRoutes:
    def __init__(self, emulator: GitHubEmulator, per_minute: int = 30) -> None:
        self.emu = emulator
        self.limiter = SearchLimiter(per_minute, lambda: emulator.limits.minute, emulator.limiter.clock)
        emulator.add_route("GET", r"/search/issues", SEARCH_TEMPLATE, self.search_issues)

    def answer(self, handler: Handler, request: Request, token: str, login: str) -> Response:
        """Called by the emulator for this route instead of charging the core quota."""
        if self.limiter.consume(token):
            response = self.emu._run(handler, request)
        else:
            user = self.emu.state.user(login)
            message = (f"API rate limit exceeded for user ID {user.id if user else 0}. If you reach "
                       "out to GitHub Support for help, please include the request ID EMULATOR.")
            response = Response(403, {"message": message, "documentation_url":
                                      "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
                                      "status": "403"})
        response = self.emu._finish(response, token)
        response.headers |= self.limiter.headers(token)
        return response

    def search_issues(self, request: Request) -> Response:
        q = request.arg("q")
        if not q or not q.strip():
            raise ApiError(422, "Validation Failed",
                           [{"resource": "Search", "field": "q", "code": "missing"}])
        try:
            per_page = min(100, max(1, int(request.arg("per_page", "30") or 30)))
            page = max(1, int(request.arg("page", "1") or 1))
        except ValueError:
            raise ApiError(400, "Invalid pagination parameters") from None
        if (page - 1) * per_page >= RESULT_CAP:
            raise ApiError(422, "Only the first 1000 search results are available",
                           extra={"documentation_url": SEARCH_DOCS})
        matches = self._matches(q, request.params["_actor"])
        matches.sort(key=lambda i: (i.created_at, i.id), reverse=True)
        chunk = matches[(page - 1) * per_page: page * per_page]
        last = max(1, min(-(-len(matches) // per_page), -(-RESULT_CAP // per_page)))
        query = [(k, v) for k, values in request.query.items() for v in values if k != "page"]
        base = f"{self.emu.web_url}{request.path}"

        def link(number: int, rel: str) -> str:
            return f'<{base}?{urlencode([*query, ("page", str(number))])}>; rel="{rel}"'

        links = ([link(page - 1, "prev"), link(1, "first")] if page > 1 else []) + \
            ([link(page + 1, "next"), link(last, "last")] if page < last else [])
        body = {"total_count": len(matches), "incomplete_results": False,
                "items": [self.emu.render.issue(i) | {"score": 1.0} for i in chunk]}
        return Response(200, body, {"Link": ", ".join(links)} if links else {})

    def _matches(self, q: str, login: str) -> list[Issue]:
        try:
            terms = shlex.split(q)
        except ValueError:  # an unclosed quote: GitHub reads the rest as words
            terms = q.split()
        repos: list[Repo] = []
        tests: list[Predicate] = []
        for term in terms:
            name, sep, value = term.partition(":")
            name = name.lower()
            if not sep or name not in _QUALIFIERS:
                tests.append(_word(term.lower()))
            elif name == "repo":
                repo = self.emu.state.repos.get(value.lower())
                if repo is None or repo.hidden_from(login):
                    raise ApiError(422, "Validation Failed", [{
                        "message": CANNOT_SEARCH, "resource": "Search", "field": "q", "code": "invalid"}])
                repos.append(repo)
            else:
                tests.append(_QUALIFIERS[name](value))
        pool = repos or [r for r in self.emu.state.repos.values() if not r.hidden_from(login)]
        return [i for repo in pool for i in repo.issues.values()
                if not i.deleted and i.moved_to is None and all(t(i) for t in tests)]


def _word(word: str) -> Predicate:
    return lambda i: word in (i.title or "").lower() or word in (i.body or "").lower()


def _label(value: str) -> Predicate:
    wanted = value.lower()
    return lambda i: any(label.name.lower() == wanted for label in i.labels)


def _is(value: str) -> Predicate:
    value = value.lower()
    if value in ("issue", "pr", "pull-request"):
        return lambda i: i.is_pull_request == (value != "issue")
    if value in ("open", "closed"):
        return lambda i: i.state == value
    raise _invalid(f"is:{value}")


def _state(value: str) -> Predicate:
    if value.lower() not in ("open", "closed"):
        raise _invalid(f"state:{value}")
    return lambda i: i.state == value.lower()


def _day(text: str, qualifier: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _invalid(f"created:{qualifier}") from None


def _created(value: str) -> Predicate:
    low, high = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
    if ".." in value:
        first, _, last = value.partition("..")
        if first != "*":
            low = _midnight(_day(first, value))
        if last != "*":
            high = _midnight(_day(last, value) + timedelta(days=1))
    elif match := re.fullmatch(r"(>=|<=|>|<)(.+)", value):
        op, day = match.group(1), _day(match.group(2), value)
        if op == ">=":
            low = _midnight(day)
        elif op == ">":
            low = _midnight(day + timedelta(days=1))
        elif op == "<":
            high = _midnight(day)
        else:
            high = _midnight(day + timedelta(days=1))
    else:
        day = _day(value, value)
        low, high = _midnight(day), _midnight(day + timedelta(days=1))
    return lambda i: low <= i.created_at < high


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _invalid(term: str) -> ApiError:
    return ApiError(422, "Validation Failed", [{
        "message": f"The search qualifier {term!r} is not valid.", "resource": "Search",
        "field": "q", "code": "invalid"}])


_QUALIFIERS: dict[str, Callable[[str], Predicate]] = {
    "repo": lambda v: lambda i: True,  # resolved to the repositories searched, above
    "label": _label,
    "is": _is,
    "type": lambda v: _is("pr" if v.lower() == "pr" else "issue" if v.lower() == "issue" else v),
    "state": _state,
    "created": _created,
}
