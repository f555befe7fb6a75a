"""Vendor-state faults (revoked, deleted, transferred, forbidden) and injected network faults."""

from __future__ import annotations

import pytest
import requests
from github import BadCredentialsException, GithubException, UnknownObjectException

from integrations.emulation import Fault, FaultPlan
from integrations.github.emulator import BOT_TOKEN, GitHubEmulator
from tests.integrations.github.conftest import REPO


def test_revoked_token_gets_401_bad_credentials(emu: GitHubEmulator) -> None:
    gh = emu.client()
    assert gh.get_user().login == "tracker-bot"
    emu.revoke_token(BOT_TOKEN)
    with pytest.raises(BadCredentialsException) as raised:
        gh.get_repo(REPO)
    assert raised.value.status == 401
    assert raised.value.data["message"] == "Bad credentials"
    with pytest.raises(BadCredentialsException):
        emu.client("made-up").get_user().login  # noqa: B018 - the request is the point


def test_other_tokens_act_as_their_user(emu: GitHubEmulator) -> None:
    emu.add_token("ghp_alice", "alice")
    issue = emu.client("ghp_alice").get_repo(REPO).create_issue("by alice")
    assert issue.user.login == "alice"


def test_deleted_issue_answers_410(emu: GitHubEmulator, gh) -> None:
    number = gh.get_repo(REPO).create_issue("doomed").number
    emu.delete_issue(REPO, number)
    with pytest.raises(GithubException) as raised:
        gh.get_repo(REPO).get_issue(number)
    assert raised.value.status == 410
    assert raised.value.data["message"] == "This issue was deleted"
    assert list(gh.get_repo(REPO).get_issues(state="all")) == []


def test_transferred_issue_redirects_and_client_follows(emu: GitHubEmulator, gh) -> None:
    issue = gh.get_repo(REPO).create_issue("moving", labels=["cx"])
    new_number = emu.transfer_issue(REPO, issue.number, "acme/other")
    followed = gh.get_repo(REPO).get_issue(issue.number)  # 301 -> PyGithub re-requests
    assert followed.number == new_number
    assert followed.url == f"{emu.api_url}/repos/acme/other/issues/{new_number}"
    assert followed.repository.full_name == "acme/other"
    issue.edit(state="closed")  # a PATCH to the old URL follows the redirect too
    assert emu.issue("acme/other", new_number).state == "closed"


def test_forbidden_repository_is_404(emu: GitHubEmulator, gh) -> None:
    gh.get_repo(REPO).create_issue("secret")
    emu.forbid_repo(REPO)
    with pytest.raises(UnknownObjectException):
        gh.get_repo(REPO)
    emu.allow_repo(REPO)
    assert gh.get_repo(REPO).get_issue(1).title == "secret"


def test_dropped_connection_is_retried_by_default(emu: GitHubEmulator) -> None:
    repo = emu.client().get_repo(REPO)
    emu.faults.queued.append(Fault.DROP)
    assert repo.create_issue("after a drop").number == 1
    assert [f for f, _, _ in emu.faults.injected] == [Fault.DROP]
    emu.faults.queued.append(Fault.DROP)
    with pytest.raises(requests.exceptions.ConnectionError):
        emu.client(retry=None).get_repo(REPO)


def test_timeout_after_write_creates_the_issue_but_client_times_out(emu: GitHubEmulator) -> None:
    repo_strict = emu.client(retry=None, timeout=1).get_repo(REPO)
    emu.faults = FaultPlan(queued=[Fault.TIMEOUT_AFTER_WRITE], timeout_seconds=1.5)
    with pytest.raises(requests.exceptions.Timeout):
        repo_strict.create_issue("did it happen?")
    assert [i.title for i in emu.issues(REPO)] == ["did it happen?"]  # it did


def test_default_retry_after_a_lost_reply_duplicates_the_create(emu: GitHubEmulator) -> None:
    """Why the tracker needs its body marker: GithubRetry re-sends POSTs."""
    repo = emu.client(timeout=1).get_repo(REPO)
    emu.faults = FaultPlan(queued=[Fault.DROP_AFTER_WRITE])
    repo.create_issue("once?")
    assert [i.title for i in emu.issues(REPO)] == ["once?", "once?"]


def test_server_error_is_retried_even_for_post(emu: GitHubEmulator) -> None:
    repo = emu.client().get_repo(REPO)
    emu.faults.queued.append(Fault.SERVER_ERROR)
    repo.create_issue("after a 502")
    assert len(emu.issues(REPO)) == 1
    emu.faults.queued.append(Fault.SERVER_ERROR)
    with pytest.raises(GithubException) as raised:
        emu.client(retry=None).get_repo(REPO)
    assert raised.value.status == 502
