"""One process as `make run` has it: the API under uvicorn and the outbox worker in a thread.

Configured only by the environment (TRACKER_*), like `tracker serve`; used by bench/burst.py
for SQLite, where a single process owns the database file.

    python bench/burst_serve.py PORT
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import uvicorn  # noqa: E402

from tracker.app import create_app  # noqa: E402
from tracker.config import get_settings  # noqa: E402
from tracker.worker.main import run_worker  # noqa: E402


def main() -> None:
    port = int(sys.argv[1])
    settings = get_settings()
    stop = threading.Event()
    # No scheduler: sweeps (nudges, reconciliation) would add work the benchmark did not cause.
    worker = threading.Thread(target=run_worker, args=(settings, stop),
                              kwargs={"with_scheduler": False, "worker_id": "burst-inproc"}, daemon=True)
    worker.start()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning"))
    try:
        server.run()  # installs its own SIGTERM/SIGINT handlers and returns on them
    finally:
        stop.set()
        worker.join(timeout=30)


if __name__ == "__main__":
    main()
