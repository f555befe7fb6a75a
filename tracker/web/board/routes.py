"""`/app/board`: the action board (columns by phase), its table view and CSV, and card moves.

A move goes through tracker.actions.service.change_phase, as POST /action-items/{id}/phase
does: the page never decides whether a move is allowed, it shows what the service said.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tracker.actions import service
from tracker.actions.access import ensure_can_edit
from tracker.api.deps import DbSession
from tracker.api.params import IdPath
from tracker.clock import Today
from tracker.errors import NotFound, PreconditionFailed, TrackerError
from tracker.people.models import Person
from tracker.web.actions.views import changes_since
from tracker.web.board import export, views
from tracker.web.board.forms import BoardMoveForm, BoardQuery, View
from tracker.web.forms import FormResult, form_of
from tracker.web.routing import page_router
from tracker.web.session import PageUser, PageWriter
from tracker.web.templating import environment, layout_context, render
from tracker.web.templating import render_block as _render_block

router = page_router()
TEMPLATE = "board/board.html"
MOVES = "board/moves.html"
MoveInput = Annotated[FormResult[BoardMoveForm], Depends(form_of(BoardMoveForm))]
# Sent by static/js/board.js: answer with the card (or the refusal), or a card's moves, not a page.
SCRIPT_HEADER = "X-Board-Move"


def _query(request: Request) -> tuple[BoardQuery, str | None]:
    return BoardQuery.parse(dict(request.query_params))


def _board_context(db: DbSession, me: Person, query: BoardQuery, today: Today) -> dict[str, object]:
    ctx: dict[str, object] = {"q": query, "back_query": query.url(""), "options": views.options(db, query),
                              "columns": [], "rows": [], "total": 0,
                              "phase_options": views.PHASE_OPTIONS}
    if query.view is View.table:
        items = views.table_items(db, query, today=today, limit=views.TABLE_ROWS)
        ctx["rows"] = views.cards_for(db, me, items, today=today)
        ctx["total"] = views.table_total(db, query, today=today)
    else:
        columns = views.board_columns(db, me, query, today=today)
        ctx["columns"] = columns
        ctx["total"] = sum(c.total for c in columns)
    return ctx


@router.get("/app/board")
def board(request: Request, db: DbSession, me: PageUser, today: Today) -> Response:
    query, problem = _query(request)
    ctx = _board_context(db, me, query, today)
    return render(request, TEMPLATE, {**ctx, "notice": problem})


@router.get("/app/board.csv")
def board_csv(request: Request, db: DbSession, me: PageUser, today: Today) -> Response:
    """The table's rows (same filters and order), up to EXPORT_ROWS."""
    query, _ = _query(request)
    items = views.table_items(db, query, today=today, limit=views.EXPORT_ROWS)
    cards = views.cards_for(db, me, items, today=today)
    base = str(request.app.state.settings.base_url).rstrip("/")
    return Response(export.to_csv(cards, base), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="action-items-{today.isoformat()}.csv"'})


@router.get("/app/board/items/{item_id}/moves")
def card_moves(request: Request, item_id: IdPath, db: DbSession, me: PageUser, today: Today,
               back: Annotated[str, Query(max_length=2000)] = "") -> Response:
    """A card's move forms: the menu's contents when the board's script asks (loaded when the
    menu opens, so the board carries no form per move per card), else a page of their own."""
    card = views.card_for(db, me, item_id, today=today)
    if card is None:
        raise NotFound("action item", item_id)
    ensure_can_edit(me, card.item)  # the menu is only on cards the caller may move
    # Rebuilt from the parsed filters: only a board query string goes back into the forms.
    back_query = BoardQuery.parse(dict(parse_qsl(back.lstrip("?"))))[0].url("")
    scripted = request.headers.get(SCRIPT_HEADER) == "1"
    return render(request, MOVES, {"card": card, "back_query": back_query},
                  block="moves" if scripted else None)


def _back(form: FormResult[BoardMoveForm]) -> BoardQuery:
    raw = form.data.back if form.data else form.values.get("back", "")
    return BoardQuery.parse(dict(parse_qsl(raw.lstrip("?"))))[0]


def _card_html(request: Request, db: DbSession, me: Person, item_id: int, today: Today) -> str:
    card = views.card_for(db, me, item_id, today=today)
    if card is None:
        return ""
    return environment().get_template("board/card.html").render(
        {**layout_context(request), "card": card, "back_query": ""})


def _refusal(db: DbSession, form: BoardMoveForm, item_id: int, exc: TrackerError) -> str:
    if not isinstance(exc, PreconditionFailed):
        return exc.message
    changed = changes_since(db, item_id=item_id, after_activity_id=form.seen_activity)
    said = "; ".join(f"{e.actor_label} {e.action.replace('_', ' ')}"
                     + (f" ({environment().filters['change_text'](e.changes)})" if e.changes else "")
                     for e in changed[-3:])
    return ("Someone changed this item while the board was open" + (f": {said}" if said else "")
            + ". Your move was not applied; the card now shows the item as it is.")


@router.post("/app/board/items/{item_id}/phase")
def move_card(request: Request, item_id: IdPath, db: DbSession, me: PageWriter, today: Today,
              form: MoveInput) -> Response:
    scripted = request.headers.get(SCRIPT_HEADER) == "1"
    status, message = 200, ""
    if form.data is None:
        status, message = 422, "; ".join(f"{k}: {v}" for k, v in form.errors.items())
    else:
        try:
            with db.begin_nested():  # a refused move leaves nothing half-done
                service.change_phase(db, actor=me, item_id=item_id, to=form.data.to, reason=form.data.reason,
                                     expected_version=form.data.version)
        except TrackerError as exc:
            if not scripted and exc.status in (401, 403, 404):
                raise  # the error page says it
            # A stale version answers 409 as the item page does: the page's conflict, not a header's.
            status = 409 if isinstance(exc, PreconditionFailed) else exc.status
            message = _refusal(db, form.data, item_id, exc)
    if scripted:
        # The card as it is now (moved or not), after the refusal when there is one; the
        # script reads the refusal as text, never as markup.
        card = _card_html(request, db, me, item_id, today)
        refusal = _render_block(TEMPLATE, "refusal", {"message": message}) if message else ""
        return HTMLResponse(refusal + card, status_code=status)
    back = _back(form)
    if status == 200:
        return RedirectResponse(back.url(), status_code=303)
    ctx = _board_context(db, me, back, today)
    return render(request, TEMPLATE, {**ctx, "notice": message}, status=status)
