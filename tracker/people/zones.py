"""The IANA timezone names people and teams choose from (the form's suggestions)."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    # Region/City names only: the legacy aliases (EST5EDT, Etc/GMT+3, US/Pacific) confuse more than help.
    return tuple(sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "US/", "SystemV/"))))
