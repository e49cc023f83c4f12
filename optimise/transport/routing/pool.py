"""Run independent route searches on every core, with the same result on any number.

Generation tasks (one school, one setting) share one large read-only input (the
problem and its travel matrices), so workers are forked after it is set here and read
it from their copy of the parent's memory instead of having it pickled per task.
Results come back in task order, and each task's seed is part of the task, so the
pool is the same whatever the number of workers (as long as each search stops on its
iteration count, not on the clock).

:func:`run_bounded` runs one call in a forked child that is killed at its deadline:
for a solver (HiGHS) that does not always stop on its own time limit, so that the
command's time limit still holds.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import select
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["default_workers", "run_bounded", "run_tasks"]

_SHARED: Any = None


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _may_fork() -> bool:
    """Only the main thread of a non-daemon process forks workers: a batch worker (a
    daemon process, or a thread beside others) runs its searches itself."""
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon
        and threading.current_thread() is threading.main_thread()
    )


def _call(job: tuple[Callable, Any]) -> Any:
    fn, task = job
    return fn(_SHARED, task)


def run_tasks(fn: Callable[[Any, Any], Any], shared: Any, tasks: Sequence[Any],
              workers: int) -> list[Any]:  # fmt: skip
    """``[fn(shared, t) for t in tasks]``, on ``workers`` processes when above 1.

    ``fn`` must be a module-level function; ``shared`` reaches the workers by fork.
    """
    global _SHARED
    if workers <= 1 or len(tasks) <= 1 or not _may_fork():
        return [fn(shared, t) for t in tasks]
    _SHARED = shared
    try:
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=ctx) as pool:
            return list(pool.map(_call, [(fn, t) for t in tasks], chunksize=1))
    finally:
        _SHARED = None


def run_bounded(fn: Callable[..., Any], args: tuple, seconds: float) -> tuple[bool, Any]:
    """``(True, fn(*args))``, run in a forked child; ``(False, None)`` when the child
    is still running after ``seconds`` (it is then killed). Off the main thread, or
    where there is no fork, the call runs here, unbounded. An exception in the child is
    raised here as a ``RuntimeError`` naming it."""
    if not hasattr(os, "fork") or threading.current_thread() is not threading.main_thread():
        return True, fn(*args)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read)
        try:
            payload = pickle.dumps(("ok", fn(*args)))
        except BaseException as exc:  # reported to the parent
            payload = pickle.dumps(("error", f"{type(exc).__name__}: {exc}"))
        with os.fdopen(write, "wb") as out:
            out.write(payload)
        os._exit(0)
    os.close(write)
    data = _read_until(read, time.monotonic() + seconds)
    if data is None:
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    if data is None:
        return False, None
    if not data:
        raise RuntimeError("the bounded call's process ended without a result")
    kind, value = pickle.loads(data)
    if kind == "error":
        raise RuntimeError(value)
    return True, value


def _read_until(fd: int, deadline: float) -> bytes | None:
    """Everything written to ``fd`` until it closes, or None at the deadline."""
    chunks: list[bytes] = []
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        os.close(fd)
