"""Block Kit checks and normalisation as chat.postMessage / chat.update apply them.

Slack rejects malformed blocks with `invalid_blocks` (plus a human-readable `errors` list) and
fills in a random `block_id` / `action_id` where the app left them out; interactivity payloads
then carry those generated ids, so the emulator must assign them too.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

MAX_BLOCKS = 50  # per message; modals allow 100 but messages 50
MAX_TEXT = 3000  # section text limit
MAX_FIELD = 2000  # each of a section's fields
MAX_ID = 255  # block_id, action_id
MAX_VALUE = 2000  # a button's value
MAX_URL = 3000  # a button's url
MAX_ACTIONS = 25  # elements in an actions block
MAX_CONTEXT = 10  # elements in a context block
KNOWN_TYPES = {
    "section",
    "context",
    "actions",
    "divider",
    "header",
    "image",
    "input",
    "rich_text",
    "video",
    "file",
    "markdown",
}
ELEMENT_HOLDERS = {"actions"}  # blocks whose `elements` are interactive elements


class BlocksError(ValueError):
    """Raised with Slack's error code (`invalid_blocks` / `invalid_blocks_format`) and details."""

    def __init__(self, code: str, errors: list[str]) -> None:
        super().__init__(code)
        self.code = code
        self.errors = errors


def parse_blocks(raw: Any) -> list[dict[str, Any]] | None:
    """Blocks arrive as a list in JSON bodies and as a JSON string in form bodies."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise BlocksError("invalid_blocks_format", ["blocks is not valid JSON"]) from None
    validate(raw)
    return normalise(raw)


def validate(blocks: Any) -> None:
    if not isinstance(blocks, list):
        raise BlocksError("invalid_blocks_format", ["blocks must be an array"])
    errors: list[str] = []
    if len(blocks) > MAX_BLOCKS:
        errors.append(f"no more than {MAX_BLOCKS} items allowed [json-pointer:/blocks]")
    seen_ids: set[str] = set()
    for i, block in enumerate(blocks):
        errors.extend(_block_errors(i, block, seen_ids))
    if errors:
        raise BlocksError("invalid_blocks", errors)


def _block_errors(i: int, block: Any, seen_ids: set[str]) -> list[str]:
    where = f"[json-pointer:/blocks/{i}]"
    if not isinstance(block, dict):
        return [f"must be an object {where}"]
    kind = block.get("type")
    if not isinstance(kind, str):
        return [f"missing required field: type {where}"]
    if kind not in KNOWN_TYPES:
        return [f"unsupported type: {kind} {where}"]
    errors: list[str] = []
    block_id = block.get("block_id")
    if block_id is not None:
        if not isinstance(block_id, str) or len(block_id) > MAX_ID:
            errors.append(f"block_id must be a string of at most {MAX_ID} characters {where}/block_id")
        elif block_id in seen_ids:
            errors.append(f"duplicate block_id {where}/block_id")
        seen_ids.add(block_id)
    if kind == "section":
        text = block.get("text")
        if text is None and not block.get("fields"):
            errors.append(f"must provide either text or fields {where}")
        if text is not None and not _is_text(text, limit=MAX_TEXT):
            errors.append(f"invalid text object {where}/text")
        fields = block.get("fields") or []
        if len(fields) > 10:
            errors.append(f"no more than 10 fields {where}/fields")
        errors.extend(f"must be at most {MAX_FIELD} characters {where}/fields/{j}/text"
                      for j, f in enumerate(fields) if not _is_text(f, limit=MAX_FIELD))
    elif kind == "header" and not _is_text(block.get("text"), limit=150, plain_only=True):
        errors.append(f"header needs plain_text text of at most 150 characters {where}/text")
    elif kind in ("context", "actions"):
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            errors.append(f"must provide a non-empty elements array {where}/elements")
        elif kind == "context" and len(elements) > MAX_CONTEXT:
            errors.append(f"no more than {MAX_CONTEXT} items allowed {where}/elements")
        elif kind == "actions":
            if len(elements) > MAX_ACTIONS:
                errors.append(f"no more than {MAX_ACTIONS} items allowed {where}/elements")
            errors.extend(_element_errors(e, f"{where}/elements/{j}") for j, e in enumerate(elements))
            errors = [e for e in errors if e]
    return errors


def _element_errors(element: Any, where: str) -> str:
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        return f"element must be an object with a type {where}"
    if element["type"] == "button" and not _is_text(element.get("text"), limit=75, plain_only=True):
        return f"button needs plain_text text of at most 75 characters {where}/text"
    for key, limit in (("action_id", MAX_ID), ("value", MAX_VALUE), ("url", MAX_URL)):
        if key in element and (not isinstance(element[key], str) or len(element[key]) > limit):
            return f"must be at most {limit} characters {where}/{key}"
    return ""


def _is_text(obj: Any, limit: int, plain_only: bool = False) -> bool:
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return False
    kinds = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    return obj.get("type") in kinds and 0 < len(obj["text"]) <= limit


def normalise(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copy the blocks, giving every block and interactive element an id the way Slack does."""
    out: list[dict[str, Any]] = json.loads(json.dumps(blocks))
    for block in out:
        block.setdefault("block_id", _random_id())
        for element in interactive_elements(block):
            element.setdefault("action_id", _random_id())
    return out


def interactive_elements(block: dict[str, Any]) -> list[dict[str, Any]]:
    """Elements a person can act on: actions elements, a section accessory, an input's element."""
    found: list[dict[str, Any]] = []
    if block.get("type") in ELEMENT_HOLDERS:
        found.extend(e for e in block.get("elements") or [] if isinstance(e, dict))
    accessory = block.get("accessory")
    if isinstance(accessory, dict) and accessory.get("type") != "image":
        found.append(accessory)
    if block.get("type") == "input" and isinstance(block.get("element"), dict):
        found.append(block["element"])
    return found


def _random_id() -> str:
    return secrets.token_urlsafe(3)[:4]
