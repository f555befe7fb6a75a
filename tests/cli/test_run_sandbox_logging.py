"""`tracker run-sandbox` (what `make run` calls) shows the worker's INFO lines, one line each."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from tests.cli.conftest import Run
from tracker import cli, cli_logging, wiring


@pytest.fixture
def restored_logging() -> Iterator[None]:
    loggers = [logging.getLogger(), *map(logging.getLogger, cli_logging.OURS)]
    handlers, levels = list(loggers[0].handlers), [logger.level for logger in loggers]
    yield
    loggers[0].handlers[:] = handlers
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def test_run_sandbox_configures_one_line_info_logging(
    run: Run, monkeypatch: pytest.MonkeyPatch, restored_logging: None
) -> None:
    served: list[Any] = []
    monkeypatch.setattr(cli, "serve", lambda **kw: served.append(kw))  # our own server, not a vendor SDK
    monkeypatch.setattr(wiring, "start_sandbox", lambda settings, base: (None, []))
    result = run("run-sandbox", "--port", "8299")
    assert result.exit_code == 0, result.output
    assert served
    assert logging.getLogger("tracker.worker.runner").isEnabledFor(logging.INFO)
    ours = [h for h in logging.getLogger().handlers if isinstance(h.formatter, cli_logging.OneLineBelowError)]
    assert len(ours) == 1
    record = logging.LogRecord("jira.resilientsession", logging.WARNING, __file__, 1,
                               "Got ConnectionError [refused] on POST http://x/\n", None, None)
    assert "\n" not in ours[0].format(record)
