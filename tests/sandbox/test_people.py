"""Every person with a vendor identity can act in the sandbox's Jira and GitHub with the
documented credentials, people added later are learned without a restart, and a ticket's
"Open ticket" link opens a readable, escaped page."""

from __future__ import annotations

import httpx
from github import Auth, Github
from jira import JIRA
from sqlalchemy import select

from integrations.sandbox_people import github_token, jira_token
from tracker.db import transaction
from tracker.people.models import Person, Role

from .conftest import Running, wait_for

HOSTILE = '<script>alert("x")</script> & <b>'


def _jira(running: Running, email: str) -> JIRA:
    return JIRA(server=running.sandbox.jira.url, basic_auth=(email, jira_token(email)), max_retries=0)


def _github(running: Running, login: str) -> Github:
    return Github(auth=Auth.Token(github_token(login)), base_url=running.sandbox.github.api_url, retry=None)


def test_demo_people_act_in_jira_and_github_with_their_sandbox_tokens(running: Running) -> None:
    assert jira_token("luis.fernandez@example.com") == "luis.fernandez-token"
    assert github_token("jweber-demo") == "jweber-demo-token"
    luis = _jira(running, "luis.fernandez@example.com")
    assert luis.myself()["accountId"] == "demo-557058:luis"
    key = luis.create_issue(fields={"project": {"key": "CX"}, "summary": "Luis files one",
                                    "issuetype": {"name": "Task"}}).key
    luis.issue(key).update(summary="Luis edits it")
    assert running.sandbox.jira.issue(key).summary == "Luis edits it"

    jonas = _github(running, "jweber-demo")
    repo = jonas.get_repo("brightdesk/product")
    issue = repo.create_issue(title="Jonas files one")
    issue.edit(state="closed")
    assert running.sandbox.github.issue("brightdesk/product", issue.number).state == "closed"
    assert running.sandbox.github.issue("brightdesk/product", issue.number).closed_by.login == "jweber-demo"  # type: ignore[union-attr]


def test_people_added_or_changed_later_are_learned_without_a_restart(running: Running) -> None:
    with transaction(running.factory) as session:
        session.add(Person(name="Rita Novak", email="rita.novak@example.com", role=Role.owner,
                           timezone="Europe/Prague", jira_account_id="demo-557058:rita",
                           github_login="rita-demo", slack_user_id="U0DEMORITA"))
    wait_for(lambda: "demo-557058:rita" in running.sandbox.jira.store.accounts)
    assert _jira(running, "rita.novak@example.com").myself()["displayName"] == "Rita Novak"
    assert _github(running, "rita-demo").get_user().login == "rita-demo"
    assert running.sandbox.slack is not None
    wait_for(lambda: "U0DEMORITA" in running.sandbox.slack.workspace.users)

    with transaction(running.factory) as session:  # her GitHub login changes: the old token stops working
        rita = session.scalars(select(Person).where(Person.email == "rita.novak@example.com")).one()
        rita.github_login = "rita-renamed"
    wait_for(lambda: github_token("rita-renamed") in running.sandbox.github.tokens)
    assert github_token("rita-demo") not in running.sandbox.github.tokens
    assert _github(running, "rita-renamed").get_user().login == "rita-renamed"


def test_open_ticket_links_show_a_readable_escaped_page(running: Running) -> None:
    jira, github = running.sandbox.jira, running.sandbox.github
    key = jira.human("alice@example.com").create("CX", HOSTILE, description=HOSTILE)
    number = github.open_issue("brightdesk/product", HOSTILE, by="jweber-demo", body=HOSTILE)
    browse = jira.issue_json(key)["self"].split("/rest/")[0] + f"/browse/{key}"
    html_url = github.render.issue(github.issue("brightdesk/product", number))["html_url"]
    with httpx.Client(trust_env=False, timeout=5) as web:
        for url in (browse, html_url):
            page = web.get(url)
            assert page.status_code == 200, (url, page.text[:200])
            assert page.headers["content-type"].startswith("text/html")
            assert "<script>" not in page.text and "&lt;script&gt;" in page.text
        assert "To Do" in web.get(browse).text
        assert web.get(f"{jira.url}/browse/CX-999").status_code == 404
        assert web.get(f"{github.url}/brightdesk/product/issues/999").status_code == 404
        assert web.get(f"{github.api_url}/repos/brightdesk/product/issues/{number}").status_code == 401
