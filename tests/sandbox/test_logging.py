"""`make run` logs a retried vendor fault as one INFO line, with no traceback."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from integrations.emulation import Fault
from tracker import cli_logging

from .conftest import Running, wait_for


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    loggers = [logging.getLogger(), *map(logging.getLogger, cli_logging.OURS)]
    levels = [logger.level for logger in loggers]
    handler = cli_logging.configure("info", stream)
    yield stream
    loggers[0].removeHandler(handler)
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def test_a_retried_vendor_fault_is_one_info_line_and_no_traceback(running: Running, log: io.StringIO) -> None:
    jira = running.sandbox.jira
    jira.faults.path_pattern = r"/rest/api/2/issue$"
    jira.faults.methods = ("POST",)
    jira.faults.queued = [Fault.SERVER_ERROR] * 2  # the worker retries a create itself (no SDK re-POST)
    lead = {"Authorization": f"Bearer {running.tokens['lead']}"}
    assert running.client.post("/action-items/1/ticket", headers=lead).status_code == 202
    wait_for(lambda: running.client.get("/action-items/1/ticket", headers=lead).json()["state"] == "linked")
    text = log.getvalue()
    assert "Traceback" not in text, text
    retried = [line for line in text.splitlines() if "will be retried" in line]
    assert len(retried) == 2, text  # one line per retried attempt
    assert all(" INFO tracker.worker" in line and "HTTP 503" in line for line in retried), text
    for line in text.splitlines():  # every record is one line starting with its timestamp
        assert line[:4].isdigit(), line


def test_errors_keep_their_traceback(log: io.StringIO) -> None:
    try:
        raise RuntimeError("a real bug")
    except RuntimeError:
        logging.getLogger("tracker.worker.runner").exception("outbox 1 (push) failed unexpectedly")
    assert "Traceback" in log.getvalue() and "RuntimeError: a real bug" in log.getvalue()
