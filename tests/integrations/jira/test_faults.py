"""Injected faults and rate limits, as the jira client's ResilientSession experiences them."""

from __future__ import annotations

import pytest
import requests
from jira import JIRA, JIRAError

from integrations.emulation import Fault, FaultPlan
from integrations.jira.emulator import JiraEmulator
from tests.integrations.jira.conftest import task

CREATE = r"/rest/api/2/issue$"


def _plan(
    *faults: Fault, methods: tuple[str, ...] = ("GET", "POST", "PUT"), path: str = "", wait: float = 2.0
) -> FaultPlan:
    return FaultPlan(queued=list(faults), methods=methods, path_pattern=path, timeout_seconds=wait)


def test_dropped_connection_and_503_are_retried_by_the_client(emu: JiraEmulator, jira: JIRA) -> None:
    key = jira.create_issue(fields=task()).key
    emu.faults = _plan(Fault.DROP, Fault.SERVER_ERROR, methods=("GET",))
    assert jira.issue(key).key == key  # two failures, then success (max_retries=2: three tries)
    assert [f for f, _, _ in emu.faults.injected] == [Fault.DROP, Fault.SERVER_ERROR]
    emu.faults = _plan(Fault.RATE_LIMITED, methods=("GET",))
    assert jira.issue(key).key == key  # a 429 with Retry-After is retried too
    assert emu.calls["GET /issue/{key}"] == 3  # create's re-read + two successes: faults answer first
    emu.faults = _plan(Fault.SERVER_ERROR, Fault.SERVER_ERROR, Fault.SERVER_ERROR, methods=("GET",))
    with pytest.raises(JIRAError) as caught:
        jira.issue(key)  # retries exhausted: the caller sees the 503
    assert caught.value.status_code == 503


def test_503_before_the_write_is_harmless(emu: JiraEmulator, jira: JIRA) -> None:
    emu.faults = _plan(Fault.SERVER_ERROR, methods=("POST",), path=CREATE)
    jira.create_issue(fields=task())
    assert len(emu.issues("CX")) == 1


def test_drop_after_write_on_create_duplicates_through_the_clients_own_retry(
    emu: JiraEmulator, jira: JIRA
) -> None:
    emu.faults = _plan(Fault.DROP_AFTER_WRITE, methods=("POST",), path=CREATE)
    jira.create_issue(fields=task(labels=["tracker-action-7"]))
    assert [i.key for i in emu.issues("CX")] == ["CX-1", "CX-2"]  # ResilientSession re-sent the POST


def _create_naively(jira: JIRA, fields: dict) -> None:
    try:
        jira.create_issue(fields=fields)
    except requests.exceptions.ReadTimeout:
        jira.create_issue(fields=fields)  # "it failed, try again"


def _create_guarded(jira: JIRA, fields: dict, marker: str) -> str:
    try:
        return jira.create_issue(fields=fields).key
    except requests.exceptions.ReadTimeout:
        found = jira.search_issues(f'labels = "{marker}"')  # outcome unknown: look before creating again
        return found[0].key if found else jira.create_issue(fields=fields).key


def test_timeout_after_write_duplicates_unless_the_caller_guards(emu: JiraEmulator) -> None:
    jira = emu.client(timeout=0.3, max_retries=2)  # a read timeout is not retried by the client itself
    emu.faults = _plan(Fault.TIMEOUT_AFTER_WRITE, methods=("POST",), path=CREATE, wait=0.6)
    _create_naively(jira, task(labels=["tracker-action-1"]))
    assert len(emu.issues("CX")) == 2

    emu.faults = _plan(Fault.TIMEOUT_AFTER_WRITE, methods=("POST",), path=CREATE, wait=0.6)
    key = _create_guarded(jira, task(project="OPS", labels=["tracker-action-2"]), "tracker-action-2")
    assert [i.key for i in emu.issues("OPS")] == [key]


def test_rate_limit_answers_429_with_headers_and_counts_violations(emu: JiraEmulator) -> None:
    strict = emu.client(max_retries=0)
    emu.set_rate_limit(2, window_seconds=60, retry_after=3)
    strict.myself()
    strict.myself()
    with pytest.raises(JIRAError) as caught:
        strict.myself()
    response = caught.value.response
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"
    assert response.headers["X-RateLimit-Remaining"] == "0" and "X-RateLimit-Reset" in response.headers
    assert emu.rate_limit_violations == 1
    other = emu.client("alice@example.com", "alice-token", max_retries=0)  # limits are per account
    assert other.myself()["emailAddress"] == "alice@example.com"


def test_client_waits_out_a_short_window(emu: JiraEmulator) -> None:
    emu.set_rate_limit(1, window_seconds=0.1, retry_after=1)
    patient = emu.client(max_retries=3, max_retry_delay=0.3)  # sleeps 0.15-0.3 s per retry
    assert patient.myself() and patient.myself()
    assert emu.rate_limit_violations >= 1
