"""Secrets that travel in a URL path never reach the access log.

A shared digest link (`/shared/digests/<secret>`) is a bearer credential for weeks, and a
set-password link (`/set-password/<secret>`) for days; uvicorn's access log would otherwise
keep each in plain text wherever logs are shipped. The filter rewrites the path argument of
uvicorn's access records, so the line still says which kind of page was opened and its status.
"""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
_SECRET_IN_PATH = re.compile(r"^(/shared/digests/|/set-password/)[^/?#\s]+")
REDACTED = "[secret]"


def redact(path: str) -> str:
    return _SECRET_IN_PATH.sub(lambda m: m.group(1) + REDACTED, path)


class RedactSecretPaths(logging.Filter):
    """uvicorn logs `'%s - "%s %s HTTP/%s" %d'` with (client, method, path, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact(args[2]), *args[3:])
        return True


def install_redaction() -> None:
    """Idempotent: every app the process creates (tests make many) adds it at most once."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactSecretPaths) for f in logger.filters):
        logger.addFilter(RedactSecretPaths())
