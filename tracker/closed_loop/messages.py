"""The message drafted for a customer once their fix shipped, from the item's template.

A lead writes one template per action item (PUT /action-items/{id}/customer-message); items
without one use DEFAULT_TEMPLATE. Placeholders are `{name}` from PLACEHOLDERS only, replaced by
plain text substitution: never `str.format`, whose `{x.attr}` and `{x[0]}` would let a template
read attributes of whatever object is passed in. `{{` and `}}` stand for literal braces.
The draft is plain text: pages put it inside a <textarea> (escaped), CSV files as a cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tracker.actions.access import ensure_lead, get_item
from tracker.actions.hooks import after_change
from tracker.actions.models import ActionItem
from tracker.activity.service import apply_changes
from tracker.api.versioning import check_version
from tracker.errors import InvalidInput
from tracker.people.models import Person

MAX_TEMPLATE = 5_000  # a checklist entry's message holds 5,000 characters too
PLACEHOLDERS: dict[str, str] = {
    "customer_name": "the customer's name as recorded",
    "contact": "the e-mail address or number they are reached at",
    "fix": "what changed: the action item's title (several fixes are listed together)",
}
DEFAULT_TEMPLATE = (
    "Hello {customer_name},\n\n"
    "You told us about a problem, and we want you to know it is fixed: {fix}.\n\n"
    "Thank you for taking the time to tell us. If anything still looks wrong, reply to this "
    "message and we will look at it straight away."
)
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def template_problems(template: str) -> list[str]:
    """What is wrong with a template, in words; empty when it is usable."""
    problems: list[str] = []
    for match in _TOKEN.finditer(template):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        name = match.group(1)
        if name is None:
            problems.append(f"a lone '{token}' (write '{token * 2}' for a brace)")
        elif name not in PLACEHOLDERS:
            known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            problems.append(f"unknown placeholder {{{name}}} (known: {known})")
    return problems


def check_template(value: object) -> str | None:
    """The template to store, or None for the default; InvalidInput naming what is wrong."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput("text must be text or null", field="text")
    text = value.strip()
    if not text:
        return None  # an emptied template means "back to the default"
    if "\x00" in text:
        raise InvalidInput("text must not contain NUL characters", field="text")
    if len(text) > MAX_TEMPLATE:
        raise InvalidInput(f"text must be at most {MAX_TEMPLATE} characters", field="text")
    problems = template_problems(text)
    if problems:
        raise InvalidInput("text has " + "; ".join(problems), field="text")
    return text


def render(template: str | None, *, customer_name: str, contact: str, fix: str) -> str:
    values = {"customer_name": customer_name, "contact": contact, "fix": fix}

    def substitute(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = match.group(1)
        # Stored templates were checked; anything unknown is left as written.
        return values.get(name or "", token)

    return _TOKEN.sub(substitute, template or DEFAULT_TEMPLATE)


def list_fixes(titles: Sequence[str]) -> str:
    """`A`, `A and B`, `A, B and C`: several fixes named in one sentence."""
    if len(titles) <= 1:
        return "".join(titles)
    return ", ".join(titles[:-1]) + " and " + titles[-1]


@dataclass(frozen=True)
class DraftSource:
    """What one entry's draft is made of."""

    customer_name: str
    contact: str
    fix: str  # the item's title
    template: str | None  # the item's template; None for the default
    message: str  # the entry's own message, when someone already wrote one


def draft(source: DraftSource) -> str:
    """One entry's draft: its own message when someone wrote one, else the item's template."""
    if source.message.strip():
        return source.message
    return render(source.template, customer_name=source.customer_name, contact=source.contact,
                  fix=source.fix)


def combined_draft(sources: Sequence[DraftSource]) -> str:
    """One message for one person owed news about several fixes, so they are told once.

    When their items share a template (the default, say) and nobody wrote an entry's message by
    hand, the template is filled once with every fix listed; otherwise each fix's own draft
    follows the other, each said once.
    """
    if not sources:
        return ""
    first = sources[0]
    if len(sources) == 1:
        return draft(first)
    templates = {s.template or DEFAULT_TEMPLATE for s in sources}
    if len(templates) == 1 and not any(s.message.strip() for s in sources):
        return render(first.template, customer_name=first.customer_name, contact=first.contact,
                      fix=list_fixes([s.fix for s in sources]))
    drafts = list(dict.fromkeys(draft(s) for s in sources))
    return "\n\n".join(drafts)


def set_template(
    session: Session, *, actor: Person | None, item_id: int, text: object,
    expected_version: int | None,
) -> ActionItem:
    """Set (or, with None or empty text, reset to the default) the item's customer message."""
    item = get_item(session, item_id)
    ensure_lead(actor, "write the message customers get about a fix")
    if expected_version is not None:
        check_version(item, expected_version, "action item")
    changes = apply_changes(item, {"customer_message_template": check_template(text)})
    if changes:
        session.flush()
        after_change(session, item, actor=actor, action="customer_message_set", changes=changes)
    return item
