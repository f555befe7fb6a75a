"""Page tests through the ASGI app: a signed-in browser is a session row plus its cookie."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from tracker.auth.sessions import start_session
from tracker.people.models import Person
from tracker.web.session import COOKIE

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(page: Response) -> str:
    found = _CSRF.search(page.text)
    assert found, f"no CSRF field on the page: {page.text[:300]}"
    return found.group(1)


@dataclass
class Browser:
    """A TestClient used like a browser: cookies kept, HTML asked for, redirects not followed."""

    client: TestClient
    session: Session

    def sign_in_as(self, person: Person) -> str:
        web, secret = start_session(self.session, person=person)
        self.session.commit()  # a savepoint release: the app's session sees it
        self.client.cookies.set(COOKIE, secret)
        return web.csrf_token

    def get(self, url: str, **kw: object) -> Response:
        return self.client.get(url, headers=HTML, follow_redirects=False, **kw)  # type: ignore[arg-type]

    def post(self, url: str, data: dict[str, str], **kw: object) -> Response:
        return self.client.post(url, data=data, headers=HTML, follow_redirects=False, **kw)  # type: ignore[arg-type]


@pytest.fixture
def browser(client: TestClient, session: Session) -> Browser:
    return Browser(client, session)
