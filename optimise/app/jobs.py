"""Runs outside the web process, one at a time, each in its own spawned process.

:class:`Runner` keeps a queue of submitted runs and a thread that starts each in a new
process (``spawn`` context, :func:`optimise.app.worker.execute`) and waits for it. A
cancelled run's process is terminated and its folder removed: no partial output is
shown. A process that dies without ending its run marks it ``failed``.
"""

from __future__ import annotations

import multiprocessing
import queue
import shutil
import threading
from typing import TYPE_CHECKING, Any

from optimise.app.worker import execute

if TYPE_CHECKING:
    from optimise.app.store import Workspace

__all__ = ["Runner"]

_STOP = object()


class Runner:
    """The workspace's run queue (one run at a time)."""

    def __init__(self, ws: Workspace):
        self.ws = ws
        self._queue: queue.Queue[Any] = queue.Queue()
        self._lock = threading.Lock()
        self._current: tuple[int, Any] | None = None
        self._thread: threading.Thread | None = None

    def submit(self, run_id: int, job: dict[str, Any]) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="runs", daemon=True)
                self._thread.start()
        self._queue.put((run_id, job))

    def _loop(self) -> None:
        context = multiprocessing.get_context("spawn")
        while (item := self._queue.get()) is not _STOP:
            run_id, job = item
            run = self.ws.run(run_id)
            if run is None or run["status"] != "queued":
                continue  # cancelled while queued
            proc = context.Process(
                target=execute, args=(str(self.ws.root), run_id, job), daemon=True
            )
            with self._lock:
                self._current = (run_id, proc)
                proc.start()
            proc.join()
            with self._lock:
                self._current = None
            self.ws.end(run_id, "failed", f"the run's process stopped (exit code {proc.exitcode})")

    def _stop_process(self, run_id: int | None = None) -> None:
        with self._lock:
            current = self._current
        if current is None or (run_id is not None and current[0] != run_id):
            return
        proc = current[1]
        proc.terminate()
        proc.join(10)
        if proc.is_alive():
            proc.kill()
            proc.join()

    def cancel(self, run_id: int) -> bool:
        """Cancel a queued or running run: its process ends, its folder is removed.
        False when the run had already ended (it is left as it was)."""
        if not self.ws.end(run_id, "cancelled", "cancelled by the user"):
            return False
        self._stop_process(run_id)
        shutil.rmtree(self.ws.run_dir(run_id), ignore_errors=True)
        return True

    def shutdown(self) -> None:
        """Stop the running run (marked interrupted) and the queue thread."""
        self.ws.interrupt_active("the app stopped before the run ended")
        self._stop_process()
        self._queue.put(_STOP)
