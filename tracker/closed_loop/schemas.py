"""Request and response bodies of the closed-loop queue API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tracker.actions.models import ContactChannel, Phase
from tracker.api.input import Input
from tracker.api.params import DbId
from tracker.closed_loop.marks import MAX_ENTRIES, MAX_MESSAGE
from tracker.closed_loop.messages import MAX_TEMPLATE, PLACEHOLDERS
from tracker.closed_loop.queue import CustomerGroup, ItemGroup, QueueEntry, Totals

Text = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]


class QueueEntryOut(BaseModel):
    id: int
    version: int = Field(description="Send it back when marking the entry.")
    customer_name: str
    contact: str
    channel: ContactChannel
    action_item_id: int
    item_title: str
    item_phase: Phase
    item_deadline: date
    draft: str = Field(description="The entry's own message, or the item's template filled in.")

    @classmethod
    def of(cls, e: QueueEntry) -> QueueEntryOut:
        return cls(id=e.id, version=e.version, customer_name=e.customer_name, contact=e.contact,
                   channel=e.channel, action_item_id=e.item_id, item_title=e.item_title,
                   item_phase=e.item_phase, item_deadline=e.item_deadline, draft=e.draft)


class QueueTotals(BaseModel):
    pending: int = Field(description="Notifications still to make under these filters.")
    customers: int = Field(description="Distinct people (contacts compared without case or spaces).")
    fixes: int = Field(description="Action items they are owed news about.")

    @classmethod
    def of(cls, t: Totals) -> QueueTotals:
        return cls(pending=t.pending, customers=t.customers, fixes=t.fixes)


class QueueCustomerOut(BaseModel):
    key: str = Field(description="The contact as compared: lower case, no spaces.")
    customer_name: str
    contact: str
    channel: ContactChannel
    draft: str = Field(description="One message about all their fixes, so they are told once.")
    entries: list[QueueEntryOut]

    @classmethod
    def of(cls, g: CustomerGroup) -> QueueCustomerOut:
        return cls(key=g.key, customer_name=g.customer_name, contact=g.contact, channel=g.channel,
                   draft=g.draft, entries=[QueueEntryOut.of(e) for e in g.entries])


class QueueItemOut(BaseModel):
    id: int
    title: str
    phase: Phase
    deadline: date
    pending: int = Field(description="All its customers still to tell; `entries` holds the first 50.")
    entries: list[QueueEntryOut]
    owed_elsewhere: dict[str, int] = Field(
        description="Per contact key: how many other fixes in the queue that person is owed news about.")

    @classmethod
    def of(cls, g: ItemGroup) -> QueueItemOut:
        return cls(id=g.item_id, title=g.title, phase=g.phase, deadline=g.deadline, pending=g.pending,
                   entries=[QueueEntryOut.of(e) for e in g.entries], owed_elsewhere=g.owed_elsewhere)


class CustomerQueuePage(BaseModel):
    items: list[QueueCustomerOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null on the last.")
    totals: QueueTotals


class ItemQueuePage(BaseModel):
    items: list[QueueItemOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null on the last.")
    totals: QueueTotals


class EntryVersion(Input):
    id: DbId
    version: int = Field(ge=1, description="The entry's version you saw (from the queue).")


class MarksIn(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "status": "notified", "entries": [{"id": 1, "version": 1}],
        "message": "Hello Dana, the amount due is now at the top of every invoice. Thank you for telling us.",
    }]})

    status: Literal["notified", "acknowledged", "unreachable"]
    entries: list[EntryVersion] = Field(min_length=1, max_length=MAX_ENTRIES)
    message: Text | None = Field(None, max_length=MAX_MESSAGE,
                                 description="What was sent; saved on every marked entry.")
    record_drafts: bool = Field(False, description="Without a message: save each entry's draft on "
                                                   "entries that have none (a mail merge sent it).")
    note: Text | None = Field(None, max_length=5_000)


class MarkedOut(BaseModel):
    id: int
    version: int
    action_item_id: int
    status: str


class StaleOut(BaseModel):
    id: int
    action_item_id: int
    version: int = Field(description="The entry's version now.")
    status: str = Field(description="Its status now, as the colleague left it.")
    changed_by: str
    changed_at: datetime | None
    what: str


class MarksOut(BaseModel):
    marked: list[MarkedOut]
    stale: list[StaleOut] = Field(description="Changed by someone else since you saw them: not marked.")
    cleared_items: list[int] = Field(description="Items in closing_loop with nobody left to tell: "
                                                 "their owner can mark them done.")


class CustomerMessageIn(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "text": "Hello {customer_name}, thank you for telling us about the invoice. {fix} is live now.",
        "version": 1,
    }]})

    text: Text | None = Field(None, max_length=MAX_TEMPLATE,
                              description="With placeholders; null or empty goes back to the default.")
    version: int | None = Field(None, description="The item's version you edited (or send If-Match).")


class CustomerMessageOut(BaseModel):
    action_item_id: int
    text: str = Field(description="The template in use (the default when none was written).")
    is_default: bool
    placeholders: dict[str, str]
    version: int = Field(description="The item's version (the template is a field of the item).")

    @classmethod
    def of(cls, item_id: int, template: str | None, version: int, default: str) -> CustomerMessageOut:
        return cls(action_item_id=item_id, text=template or default, is_default=template is None,
                   placeholders=PLACEHOLDERS, version=version)
