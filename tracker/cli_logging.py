"""Logging for `tracker run-sandbox` (and `make run`): one process holds the API, the worker
thread and the emulators, so its log must read like a story, not a stack dump.

- Our own loggers (tracker.*, integrations.*) show from the configured level (INFO by
  default), so the worker's "will be retried" lines appear next to uvicorn's; other libraries
  (SDKs, the scheduler's job bookkeeping) from WARNING.
- A passing vendor fault is one line. Vendor SDKs log their own retries as warnings, some with
  a trailing second line or an attached traceback; below ERROR only the first line of the
  message is kept and no traceback is printed.
- ERROR and above (`log.exception` in the worker: a real bug) keep their traceback.
"""

from __future__ import annotations

import logging
from typing import IO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class OneLineBelowError(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if record.levelno >= logging.ERROR:
            return super().format(record)
        lines = record.getMessage().strip().splitlines()
        brief = logging.makeLogRecord(record.__dict__)
        brief.exc_info, brief.exc_text, brief.stack_info = None, None, None
        brief.msg, brief.args = (lines[0] if lines else ""), None
        return super().format(brief)


OURS = ("tracker", "integrations")


def configure(level: str = "info", stream: IO[str] | None = None) -> logging.Handler:
    """Our loggers from `level`, everyone else's (SDKs, the scheduler) from WARNING, all through
    one handler on the root."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(OneLineBelowError(FORMAT))
    root = logging.getLogger()
    for earlier in [h for h in root.handlers if isinstance(h.formatter, OneLineBelowError)]:
        root.removeHandler(earlier)  # configuring twice (tests, a re-run) must not print twice
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    for name in OURS:
        logging.getLogger(name).setLevel(level.upper())
    return handler
