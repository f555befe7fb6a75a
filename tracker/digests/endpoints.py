from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from tracker.api.deps import CurrentUser, DbSession
from tracker.clock import Today
from tracker.digests.builder import build_digest
from tracker.digests.render import to_html, to_markdown
from tracker.digests.schemas import DigestOut
from tracker.digests.weeks import week_of
from tracker.errors import InvalidInput

router = APIRouter(tags=["digests"])

ScopePath = Annotated[str, Path(description="`team-<id>` or `programme`.", max_length=40,
                                examples=["team-3", "programme"])]
TEXT = {"schema": {"type": "string"}}


def scope_key(raw: str) -> str:
    """`team-3` (the URL form) -> `team:3`; `programme` stays."""
    if raw == "programme":
        return raw
    prefix, _, ident = raw.partition("-")
    if prefix != "team" or not ident.isdigit():
        raise InvalidInput(f"scope must be 'team-<id>' or 'programme', not {raw!r}", field="scope")
    return f"team:{int(ident)}"


@router.get("/digests/{scope}", response_model=DigestOut,
            responses={200: {"content": {"text/markdown": TEXT, "text/html": TEXT}}})
def get_digest(
    scope: ScopePath, session: DbSession, _: CurrentUser, today: Today,
    week: Annotated[str | None, Query(description="ISO week, e.g. 2026-W47 (default: this week).",
                                      max_length=10)] = None,
    format: Annotated[Literal["json", "markdown", "md", "html"],  # noqa: A002
                      Query(description="`md` is `markdown` (the CLI's name).")] = "json",
) -> DigestOut | Response:
    """The weekly status digest of a team or of the whole programme, as JSON, Markdown or HTML."""
    report = build_digest(session, scope=scope_key(scope), week=week or week_of(today).label, today=today)
    if format in ("markdown", "md"):
        return Response(to_markdown(report), media_type="text/markdown; charset=utf-8")
    if format == "html":
        return Response(to_html(report), media_type="text/html; charset=utf-8")
    return DigestOut.model_validate(asdict(report))
