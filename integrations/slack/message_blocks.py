"""Block Kit for the tracker's messages: nudges (with their buttons), digests, command replies.

(`blocks.py` next door is the emulator's Block Kit checker; this module writes what it checks.)
Slack's limits shape the output: 50 blocks per message, 3000 characters per section text, 150
per header, 75 per button label. Long lists are cut with "and N more" instead of being refused.

A nudge's buttons carry the item id as `value`; the actions block's `block_id` also records the
phase the message showed and the phase its button promised ("nudge:12:implementing:training"),
so a click on an out-of-date message (a second click, or the item moved elsewhere) is noticed
instead of moving the item one phase further than the person saw.
"""

from __future__ import annotations

from typing import Any

from tracker.messaging.ports import DigestReport, NudgeMessage

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_BUTTON = 75
UPDATE_BLOCK, UPDATE_INPUT = "update", "update_text"
ACTIONS_PREFIX = "nudge"
PHASE_LABELS = {"planned": "planned", "implementing": "implementing", "training": "training",
                "closing_loop": "closing the loop", "done": "done", "blocked": "blocked",
                "cancelled": "cancelled"}
Block = dict[str, Any]


def escape(text: str) -> str:
    """Slack's mrkdwn escaping: only &, < and > are special."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    """At most `limit` characters; never ends inside an escape (`&amp;`) or a `<url|link>`,
    which Slack would then show broken or refuse."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    amp, lt = head.rfind("&"), head.rfind("<")
    if amp > head.rfind(";"):
        head = head[:amp]
    if lt > head.rfind(">"):
        head = head[:lt]
    return head + "…"


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": _cut(text, limit) or " ", "emoji": True}


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": _cut(text, MAX_SECTION)}


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def phase_label(phase: str | None) -> str:
    return PHASE_LABELS.get(phase or "", (phase or "").replace("_", " "))


def _due(days: int) -> str:
    if days < 0:
        return f"overdue by {_days(-days)}"
    if days == 0:
        return "due today"
    return "due tomorrow" if days == 1 else f"due in {_days(days)}"


def nudge_headline(message: NudgeMessage) -> str:
    """What the message is about, as the item stands (a refreshed message changes its headline)."""
    days = message.days_to_deadline
    if message.kind == "reassigned":  # the owner's old reminder, after the item changed hands
        return f"Reassigned to {message.owner_name}"
    if not _is_open(message):
        return phase_label(message.phase).capitalize()
    if message.kind == "work_plan":
        return "Work plan needed"
    if message.kind == "undeliverable":  # to a lead: a nudge could not reach its owner
        return f"Couldn't reach {message.owner_name} on Slack"
    if message.kind == "escalation":
        if days < 0:
            return f"Escalation: {message.owner_name}'s item is overdue by {_days(-days)}"
        return f"Escalation: {message.owner_name}'s item, now {_due(days)}"  # the deadline moved
    return _due(days).capitalize()


def nudge_text(message: NudgeMessage) -> str:
    """The notification / fallback text (what a phone shows)."""
    text = f"{nudge_headline(message)}: {message.title}"
    return escape(f"{text} ({message.note})" if message.note else text)  # shown as mrkdwn too


def actions_block_id(message: NudgeMessage) -> str:
    return f"{ACTIONS_PREFIX}:{message.action_item_id}:{message.phase}:{message.next_phase or '-'}"


def parse_actions_block_id(block_id: str) -> tuple[int, str, str | None] | None:
    """(item id, phase shown, phase promised) from an actions block id; None if not ours."""
    parts = block_id.split(":")
    if len(parts) != 4 or parts[0] != ACTIONS_PREFIX or not parts[1].isdigit():
        return None
    return int(parts[1]), parts[2], None if parts[3] == "-" else parts[3]


def _is_open(message: NudgeMessage) -> bool:
    return message.phase not in ("done", "cancelled")


def _actionable(message: NudgeMessage) -> bool:
    """Whether the reader still has something to do here: not on a closed item, not on a
    reminder whose item has gone to someone else."""
    return _is_open(message) and message.kind != "reassigned"


def nudge_blocks(message: NudgeMessage) -> list[Block]:
    title = f"*<{message.item_url}|{escape(message.title)}>*"
    fields = [
        _mrkdwn(f"*Deadline*\n{message.deadline.isoformat()}"),
        _mrkdwn(f"*Phase*\n{escape(phase_label(message.phase))}"),
        _mrkdwn(f"*Owner*\n{escape(message.owner_name)}"),
    ]
    if message.moment_title:
        fields.append(_mrkdwn(f"*Moment of truth*\n{escape(message.moment_title)}"))
    blocks: list[Block] = [
        {"type": "header", "text": _plain(nudge_headline(message), MAX_HEADER)},
        {"type": "section", "text": _mrkdwn(title), "fields": fields},
    ]
    if message.note:
        blocks.append({"type": "context", "elements": [_mrkdwn(escape(message.note))]})
    if not _actionable(message):
        # Nothing left to do here: no input, no buttons, except the link to the ticket.
        if message.ticket_url:
            blocks.append({"type": "actions", "block_id": actions_block_id(message),
                           "elements": [_ticket_button(message)]})
        return blocks
    blocks.append({
        "type": "input", "block_id": UPDATE_BLOCK, "optional": True,
        "label": _plain("Progress update", 2000),
        "element": {"type": "plain_text_input", "action_id": UPDATE_INPUT, "multiline": True,
                    "placeholder": _plain("What changed? Then press Post an update", 150)},
    })
    blocks.append({"type": "actions", "block_id": actions_block_id(message),
                   "elements": _buttons(message)})
    return blocks


def _buttons(message: NudgeMessage) -> list[Block]:
    value = str(message.action_item_id)
    buttons: list[Block] = []
    if message.next_phase:
        buttons.append({"type": "button", "action_id": "advance", "value": value, "style": "primary",
                        "text": _plain(f"Mark {phase_label(message.next_phase)}", MAX_BUTTON)})
    buttons.append({"type": "button", "action_id": "update", "value": value,
                    "text": _plain("Post an update", MAX_BUTTON)})
    if message.can_snooze:
        buttons.append({"type": "button", "action_id": "snooze", "value": value,
                        "text": _plain(f"Snooze {_days(message.snooze_days)}", MAX_BUTTON)})
    if message.ticket_url:
        buttons.append(_ticket_button(message))
    return buttons


def _ticket_button(message: NudgeMessage) -> Block:
    return {"type": "button", "action_id": "open_ticket", "value": str(message.action_item_id),
            "url": message.ticket_url, "text": _plain("Open ticket", MAX_BUTTON)}


# -- lists: digests and slash-command replies -------------------------------------------------

def bulleted_sections(title: str | None, lines: list[str], *, max_blocks: int,
                      empty_text: str = "Nothing.") -> list[Block]:
    """`lines` as bullet sections of at most 3000 characters, at most `max_blocks` of them; what
    does not fit ends in "…and N more"."""
    head = f"*{escape(title)}*\n" if title else ""
    if not lines:
        return [{"type": "section", "text": _mrkdwn(f"{head}_{escape(empty_text)}_")}]
    blocks: list[Block] = []
    current = head
    for i, line in enumerate(lines):
        bullet = f"• {_cut(line, 500)}\n"
        rest = len(lines) - i
        tail = f"…and {rest} more"
        last_block = len(blocks) == max_blocks - 1
        room = MAX_SECTION - (len(tail) + 1 if last_block else 0)
        if len(current) + len(bullet) > room:
            if last_block:
                blocks.append({"type": "section", "text": _mrkdwn(current + tail)})
                return blocks
            blocks.append({"type": "section", "text": _mrkdwn(current.rstrip("\n"))})
            current = ""
        current += bullet
    blocks.append({"type": "section", "text": _mrkdwn(current.rstrip("\n"))})
    return blocks


def digest_text(digest: DigestReport) -> str:
    return escape(f"{digest.title}: {digest.headline}")


def digest_blocks(digest: DigestReport) -> list[Block]:
    blocks: list[Block] = [
        {"type": "header", "text": _plain(digest.title, MAX_HEADER)},
        {"type": "section", "text": _mrkdwn(escape(digest.headline))},
        {"type": "context", "elements": [_mrkdwn(f"{escape(digest.period)} · week {escape(digest.week)}")]},
    ]
    sections = list(digest.sections)
    for n, section in enumerate(sections):
        left = MAX_BLOCKS - len(blocks)
        remaining = len(sections) - n
        if left <= 2 and remaining > 1:  # keep one block to say what was left out
            names = ", ".join(s.title for s in sections[n:])
            blocks.append({"type": "context", "elements": [
                _mrkdwn(_cut(f"…and {remaining} more sections: {escape(names)}", MAX_SECTION))]})
            break
        blocks.append({"type": "divider"})
        budget = max(1, min(8, left - 1 - (remaining - 1) * 2))  # leave room for the others
        blocks.extend(bulleted_sections(section.title, [escape(x) for x in section.lines],
                                        max_blocks=budget, empty_text=section.empty_text))
    return blocks[:MAX_BLOCKS]


def item_line(message: NudgeMessage) -> str:
    days = message.days_to_deadline
    when = ("due today" if days == 0 else f"overdue by {_days(-days)}" if days < 0
            else f"due in {_days(days)}")
    # Cut the title before escaping it: a cut escaped title could end inside `&amp;`.
    return (f"<{message.item_url}|{escape(_cut(message.title, 200))}>: {when} ({message.deadline.isoformat()}), "
            f"{escape(phase_label(message.phase))}, {escape(message.owner_name)}")


def command_reply(text: str, items: list[NudgeMessage]) -> dict[str, Any]:
    """An ephemeral answer to a slash command: a line of text, then one bullet per item."""
    blocks: list[Block] = [{"type": "section", "text": _mrkdwn(text)}]
    if items:
        blocks.extend(bulleted_sections(None, [item_line(m) for m in items], max_blocks=MAX_BLOCKS - 1))
    return {"response_type": "ephemeral", "text": text, "blocks": blocks}
