"""The Web API methods (POST /api/<method>) with Slack's argument handling and error codes.

slack-sdk sends chat.* as JSON and conversations.open / users.* / auth.test as form bodies;
Slack accepts both, so arguments are read from either (and from the query string).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from integrations.emulation import Request, Response
from integrations.slack.blocks import BlocksError, parse_blocks
from integrations.slack.workspace import Conversation, Edit, Message

if TYPE_CHECKING:
    from integrations.slack.emulator import SlackEmulator

MAX_MESSAGE_TEXT = 40_000
Args = dict[str, Any]


class SlackError(Exception):
    """An `{"ok": false, "error": code}` answer; HTTP 200 like Slack, except 429 for limits."""

    def __init__(
        self, code: str, status: int = 200, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(code)
        self.code, self.status, self.headers, self.extra = code, status, headers or {}, extra

    def response(self) -> Response:
        return Response(self.status, {"ok": False, "error": self.code, **self.extra}, self.headers)


def ratelimited(retry_after: int) -> SlackError:
    return SlackError("ratelimited", status=429, headers={"Retry-After": str(retry_after)})


def read_args(request: Request) -> Args:
    """Query string, then the form or JSON body, as Slack merges them."""
    args: Args = {k: v[-1] for k, v in request.query.items()}
    content_type = request.headers.get("content-type", "")
    if request.body and "json" in content_type:
        try:
            body = request.json()
        except ValueError:
            raise SlackError("invalid_json") from None
        if not isinstance(body, dict):
            raise SlackError("invalid_json")
        args.update(body)
    elif request.body:
        args.update(request.form())
    return args


class WebApi:
    def __init__(self, emulator: SlackEmulator) -> None:
        self.emu = emulator
        self.ws = emulator.workspace
        self.methods: dict[str, Callable[[Args], dict[str, Any]]] = {
            "auth.test": self.auth_test,
            "chat.postMessage": self.chat_post_message,
            "chat.update": self.chat_update,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "conversations.open": self.conversations_open,
            "conversations.info": self.conversations_info,
            "users.info": self.users_info,
            "users.lookupByEmail": self.users_lookup_by_email,
        }

    # -- helpers ----------------------------------------------------------------------------
    def conversation(self, ref: Any, *, allow_user: bool = False) -> Conversation:
        """Resolve a channel argument: C.../D... id, `#name`, or (postMessage only) a user id."""
        if not ref or not isinstance(ref, str):
            raise SlackError("channel_not_found")
        if ref.startswith("#"):
            found = self.ws.channel_by_name(ref)
        elif ref in self.ws.conversations:
            found = self.ws.conversations[ref]
        elif allow_user and ref in self.ws.users:
            found = self.ws.dm_for(ref)  # posting to a user id lands in the app's DM with them
        else:
            found = self.ws.channel_by_name(ref)  # Slack also takes a bare channel name
        if found is None:
            raise SlackError("channel_not_found")
        return found

    def writable(self, conversation: Conversation) -> None:
        if conversation.archived:
            raise SlackError("is_archived")
        if not conversation.is_im and not conversation.bot_member and not self.emu.chat_write_public:
            raise SlackError("not_in_channel")
        if conversation.is_im and conversation.user:
            user = self.ws.users.get(conversation.user)
            # Slack itself accepts posts to a deactivated person's DM (they just go unread);
            # deleted_user_post_error lets a test make that failure loud instead.
            if user and user.deleted and self.emu.deleted_user_post_error:
                raise SlackError(self.emu.deleted_user_post_error)

    def content(self, args: Args, required: bool = True) -> tuple[str, list[dict[str, Any]] | None]:
        try:
            blocks = parse_blocks(args.get("blocks"))
        except BlocksError as err:
            raise SlackError(
                err.code, errors=err.errors, response_metadata={"messages": err.errors}
            ) from None
        text = args.get("text") or ""
        if not isinstance(text, str):
            text = str(text)
        if required and not text and not blocks and not args.get("attachments"):
            raise SlackError("no_text")
        if len(text) > MAX_MESSAGE_TEXT:
            raise SlackError("msg_too_long")
        return text, blocks

    def user(self, user_id: Any) -> Any:
        user = self.ws.users.get(str(user_id or ""))
        if user is None:
            raise SlackError("user_not_found")
        return user

    # -- methods ----------------------------------------------------------------------------
    def auth_test(self, args: Args) -> dict[str, Any]:
        return {
            "url": f"https://{self.emu.team_domain}.slack.com/",
            "team": self.emu.team_domain,
            "user": self.emu.bot_name,
            "team_id": self.ws.team_id,
            "user_id": self.ws.bot_user_id,
            "bot_id": self.ws.bot_id,
            "is_enterprise_install": False,
        }

    def chat_post_message(self, args: Args) -> dict[str, Any]:
        conversation = self.conversation(args.get("channel"), allow_user=True)
        self.writable(conversation)
        text, blocks = self.content(args)
        retry_after = self.emu.limiter.check_channel(conversation.id)
        if retry_after is not None:
            raise ratelimited(retry_after)
        message = self.emu.store_message(conversation, text, blocks, thread_ts=args.get("thread_ts") or None)
        return {
            "channel": conversation.id,
            "ts": message.ts,
            "message": self.emu.message_json(message),
        }

    def chat_update(self, args: Args) -> dict[str, Any]:
        conversation = self.conversation(args.get("channel"))
        message = self.ws.find_message(conversation.id, str(args.get("ts") or ""))
        if message is None:
            raise SlackError("message_not_found")
        if message.user != self.ws.bot_user_id:
            raise SlackError("cant_update_message")
        if conversation.archived:
            raise SlackError("is_archived")
        text, blocks = self.content(args, required=False)
        # Slack keeps what an update leaves out: no `blocks` keeps the blocks, no `text` the text.
        self.emu.edit_message(
            message,
            text if "text" in args else message.text,
            blocks if "blocks" in args else message.blocks,
            by="chat.update",
        )
        return {
            "channel": conversation.id,
            "ts": message.ts,
            "text": message.text,
            "message": self.emu.message_json(message),
        }

    def chat_post_ephemeral(self, args: Args) -> dict[str, Any]:
        conversation = self.conversation(args.get("channel"), allow_user=True)
        self.writable(conversation)
        user = self.user(args.get("user"))
        if user.id not in conversation.members:
            raise SlackError("user_not_in_channel")
        text, blocks = self.content(args)
        message = self.emu.store_ephemeral(conversation, user.id, text, blocks, via="chat.postEphemeral")
        return {"message_ts": message.ts}

    def conversations_open(self, args: Args) -> dict[str, Any]:
        if args.get("channel"):
            return {"channel": {"id": self.conversation(args["channel"]).id}}
        ids = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
        if not ids:
            raise SlackError("users_list_not_supplied")
        if len(ids) > 1:
            raise SlackError("not_supported_by_emulator", detail="multi-person DMs are not emulated")
        user = self.user(ids[0])
        if user.deleted:
            raise SlackError("user_disabled")
        existing = self.ws.dm_for(user.id, create=False)
        dm = existing or self.ws.dm_for(user.id)
        assert dm is not None
        channel = dm.to_api() if _truthy(args.get("return_im")) else {"id": dm.id}
        return {
            "no_op": existing is not None,
            "already_open": existing is not None,
            "channel": channel,
        }

    def conversations_info(self, args: Args) -> dict[str, Any]:
        return {"channel": self.conversation(args.get("channel")).to_api()}

    def users_info(self, args: Args) -> dict[str, Any]:
        return {"user": self.user(args.get("user")).to_api(self.ws.team_id)}

    def users_lookup_by_email(self, args: Args) -> dict[str, Any]:
        user = self.ws.user_by_email(str(args.get("email") or ""))
        if user is None:
            raise SlackError("users_not_found")
        return {"user": user.to_api(self.ws.team_id)}


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def edit(message: Message, text: str, blocks: list[dict[str, Any]] | None, at: float, by: str) -> None:
    """Keep the old version in `edits`, then apply the new one (tests read the history)."""
    message.edits.append(Edit(message.text, message.blocks, at, by))
    message.text, message.blocks = text, blocks


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))
