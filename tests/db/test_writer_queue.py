"""SQLite writers of one process take turns in arrival order, prompt writes first."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import text

from tracker.db import make_engine, make_session_factory, transaction
from tracker.sqlite_writers import WriterQueue, prompt_writes, queue_for


def _start_waiting(queue: WriterQueue, order: list[str], name: str, *, prompt: bool = False) -> threading.Thread:
    def wait_turn() -> None:
        assert queue.acquire(5, prompt=prompt)
        order.append(name)
        queue.release()

    before = queue.waiting()
    thread = threading.Thread(target=wait_turn)
    thread.start()
    while queue.waiting() == before:  # queued before the next one starts: arrival order is known
        time.sleep(0.001)
    return thread


def test_turns_go_in_arrival_order_with_prompt_writers_first() -> None:
    queue = WriterQueue()
    assert queue.acquire(1)
    order: list[str] = []
    threads = [_start_waiting(queue, order, name) for name in ("first", "second")]
    threads.append(_start_waiting(queue, order, "click", prompt=True))
    threads.append(_start_waiting(queue, order, "third"))
    queue.release()
    for thread in threads:
        thread.join(5)
    assert order == ["click", "first", "second", "third"]
    assert queue.acquire(0)  # free again once everyone had their turn


def test_a_writer_that_gives_up_waiting_leaves_the_line() -> None:
    queue = WriterQueue()
    assert queue.acquire(1)
    assert not queue.acquire(0.05)
    assert queue.waiting() == 0
    order: list[str] = []
    later = _start_waiting(queue, order, "later")
    queue.release()
    later.join(5)
    assert order == ["later"]


def test_engines_on_one_file_share_the_line_and_a_commit_passes_the_turn(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'queue.db'}"
    one, two = make_engine(url), make_engine(url)
    factory_one, factory_two = make_session_factory(one), make_session_factory(two)
    with transaction(factory_one) as session:
        session.execute(text("CREATE TABLE seen (who TEXT)"))
    queue = queue_for(str((tmp_path / "queue.db").resolve()))
    order: list[str] = []

    def write(factory, who: str, prompt: bool) -> None:  # type: ignore[no-untyped-def]
        if prompt:
            with prompt_writes(), transaction(factory) as session:
                session.execute(text("INSERT INTO seen VALUES (:who)"), {"who": who})
        else:
            with transaction(factory) as session:
                session.execute(text("INSERT INTO seen VALUES (:who)"), {"who": who})
        order.append(who)

    holder = make_session_factory(one)()
    holder.execute(text("INSERT INTO seen VALUES ('holder')"))  # holds the turn, uncommitted
    threads = []
    for factory, who, prompt in ((factory_two, "api", False), (factory_one, "click", True)):
        before = queue.waiting()
        threads.append(threading.Thread(target=write, args=(factory, who, prompt)))
        threads[-1].start()
        while queue.waiting() == before:
            time.sleep(0.001)
    holder.commit()  # its connection goes back to the pool: the next in line writes
    holder.close()
    for thread in threads:
        thread.join(10)
    assert order == ["click", "api"]
    with transaction(factory_two) as session:
        assert session.execute(text("SELECT count(*) FROM seen")).scalar() == 3
    assert queue.waiting() == 0 and queue.acquire(0)
    queue.release()
    one.dispose()
    two.dispose()
