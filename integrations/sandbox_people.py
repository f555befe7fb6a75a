"""The sandbox's people: every tracker person with a vendor identity can act in the emulators.

Sandbox credentials are deterministic so the README can print them: Jira takes the person's
email and `<email's local part>-token` (alice@example.com / alice-token, as the emulator's own
seeded accounts), GitHub the token `<login>-token`. Nothing here is a secret: the emulators
only listen on loopback and hold demo data.

People created or changed through the API are learned by polling the database (a short
read-only query every couple of seconds): it needs no hook in tracker/, which knows nothing
of the emulators.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from integrations.github.emulator import GitHubEmulator
from integrations.jira.emulator import JiraEmulator
from integrations.slack.emulator import SlackEmulator
from tracker.people.models import Person

log = logging.getLogger(__name__)


def jira_token(email: str) -> str:
    return f"{email.split('@')[0]}-token"


def github_token(login: str) -> str:
    return f"{login}-token"


@dataclass(frozen=True)
class Identity:
    """What the emulators know of one person; a change re-registers them."""

    email: str
    name: str
    timezone: str
    jira_account_id: str | None
    github_login: str | None
    slack_user_id: str | None


class SandboxPeople:
    def __init__(self, jira: JiraEmulator, github: GitHubEmulator, slack: SlackEmulator | None) -> None:
        self.jira, self.github, self.slack = jira, github, slack
        self._known: dict[int, Identity] = {}

    def sync(self, session: Session) -> int:
        """Register people who are new or changed since the last call; returns how many."""
        changed = 0
        for person in session.scalars(select(Person).order_by(Person.id)):
            now = Identity(person.email, person.name, person.timezone, person.jira_account_id,
                           person.github_login, person.slack_user_id)
            before = self._known.get(person.id)
            if before == now:
                continue
            self._forget(before)
            self._register(now)
            self._known[person.id] = now
            changed += 1
        return changed

    def _register(self, who: Identity) -> None:
        if who.jira_account_id:
            self.jira.add_account(who.email, who.name, jira_token(who.email), account_id=who.jira_account_id)
        if who.github_login:
            self.github.add_token(github_token(who.github_login), who.github_login)
        if self.slack is not None and who.slack_user_id and who.slack_user_id not in self.slack.workspace.users:
            self.slack.add_user(who.email.split("@")[0], email=who.email, real_name=who.name, tz=who.timezone,
                                user_id=who.slack_user_id)

    def _forget(self, old: Identity | None) -> None:
        """A person's old vendor identity stops answering to their sandbox credentials."""
        if old is None:
            return
        if old.jira_account_id:
            with self.jira.lock:
                account = self.jira.store.accounts.get(old.jira_account_id)
                if account is not None:
                    account.api_token = None
        if old.github_login:
            self.github.revoke_token(github_token(old.github_login))

    def follow(self, factory: sessionmaker[Session], stop: threading.Event, every: float = 2.0) -> None:
        """Re-read people until `stop` is set (run in a daemon thread)."""
        while not stop.wait(every):
            try:
                with factory() as session:
                    learned = self.sync(session)
            except Exception as exc:  # noqa: BLE001 - a busy or migrating database must not end the loop
                log.warning("sandbox: could not re-read people (%s); trying again", exc)
                continue
            if learned:
                log.info("sandbox: %d people new or changed, registered in the emulators", learned)
