"""The weekly figures reach done items and open spans through their partial indexes, on both databases."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import Database
from tracker.actions.models import DONE_PHASE_SQL, Phase
from tracker.overview.weeks import buckets, overdue_statements


def test_the_predicate_names_the_done_phase() -> None:
    assert f"phase = '{Phase.done.value}'" == DONE_PHASE_SQL


def test_done_per_week_is_served_by_the_done_items_index(session: Session, database: Database) -> None:
    """Done items pile up over the years; the weekly figures must read only their window's."""
    weeks = buckets(date(2026, 11, 25), 12)
    start, end = weeks[0].start.strftime("%Y-%m-%d %H:%M:%S"), weeks[-1].end.strftime("%Y-%m-%d %H:%M:%S")
    sql = (f"SELECT count(*) FROM action_items WHERE {DONE_PHASE_SQL} "
           f"AND completed_at >= '{start}' AND completed_at < '{end}'")
    if database.backend == "sqlite":
        # INDEXED BY fails outright when the partial index cannot answer the query.
        sql = sql.replace("FROM action_items", "FROM action_items INDEXED BY ix_action_items_done_completed")
        plan = " ".join(str(row[-1]) for row in session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
    else:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        session.execute(text("SET LOCAL enable_bitmapscan = off"))
        plan = " ".join(str(row[0]) for row in session.execute(text(f"EXPLAIN {sql}")))
    assert "ix_action_items_done_completed" in plan, plan


def test_overdue_at_week_ends_reads_two_covering_span_indexes(session: Session, database: Database) -> None:
    """Current spans past their deadline, and spans ended in the window: each from its own index,
    the statements exactly as the overview sends them."""
    current, ended = overdue_statements(buckets(date(2026, 11, 25), 12))
    for stmt, index in ((current, "ix_action_item_open_spans_current_deadline"),
                        (ended, "ix_action_item_open_spans_ended")):
        sql = str(stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
        if database.backend == "sqlite":
            sql = sql.replace("FROM action_item_open_spans", f"FROM action_item_open_spans INDEXED BY {index}")
            plan = " ".join(str(row[-1]) for row in session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
            assert f"COVERING INDEX {index}" in plan, plan  # never a visit to the rows
        else:
            session.execute(text("SET LOCAL enable_seqscan = off"))
            session.execute(text("SET LOCAL enable_bitmapscan = off"))
            plan = " ".join(str(row[0]) for row in session.execute(text(f"EXPLAIN {sql}")))
            assert index in plan, plan
