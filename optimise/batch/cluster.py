"""The Dask side of a batch: a quiet LocalCluster (or an existing scheduler), the data
scattered once, one task per scenario, results recorded as they arrive.

Measured choices (BENCHMARKS.md, issue #8): the cluster's housekeeping is made rare,
its workers start without Dask's aggressive heap trimming and import the solver as they
start while the main process reads the data, and the cluster closes in a thread while
the batch writes its tables.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from geodata.errors import InputError
from optimise.batch.chart import warm
from optimise.batch.tasks import run_scenario

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from optimise.batch.spec import Scenario

__all__ = [
    "QUIET_CLUSTER", "RETRIES", "WORKER_IMPORTS", "close_all", "connect", "run_on_dask",
    "starts_too_late",
]  # fmt: skip

log = logging.getLogger(__name__)

#: Retries of a task whose worker died or that raised (the scheduler also moves the
#: tasks of a dead worker; after its ``allowed-failures`` the scenario is failed).
RETRIES = 2

#: Modules a LocalCluster's workers import as they start, by kind (what a scenario
#: needs; geopandas to receive the scattered layers).
WORKER_IMPORTS = {
    "estate": ("geopandas", "optimise.batch.tasks", "optimise.estate.run"),
    "hours": ("geopandas", "optimise.batch.tasks", "optimise.hours.run"),
    "transport": ("geopandas", "optimise.batch.tasks", "optimise.transport.run",
                  "optimise.transport.routing.solve"),
    "none": ("optimise.batch.tasks",),
}  # fmt: skip

#: Dask settings for the LocalCluster a batch starts. A batch runs one long solve per
#: worker core, and the cluster's own processes share those cores: by default the
#: workers' statistical profiler samples the running task every 10 ms and every server
#: ticks every 20 ms and polls the system twice a second (together ~10% of one core
#: when idle, more while solving; measured in BENCHMARKS.md). Nobody looks at the
#: dashboard of a batch's private cluster, so these are made rare; the memory monitor
#: (it stops a runaway worker) stays, at 0.5 s. An existing scheduler's workers keep
#: their own settings.
QUIET_CLUSTER = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "500ms",
}


def run_on_dask(
    kind: str,
    load: Callable[[], dict[str, Any]],
    tasks: list[tuple[Scenario, dict[str, Any]]],
    finish: Callable[[Scenario, dict[str, Any]], None],
    scheduler: str | None,
    workers: int | None,
    deadline: float | None = None,
) -> tuple[int, threading.Thread]:
    """Submit every scenario's task, ``finish`` each as it completes; returns the worker
    count and the thread closing the client and cluster (join it).

    ``load`` reads the input data, in a thread while the cluster starts (the workers'
    start is spent in their own processes). With a ``deadline`` (a :func:`time.monotonic`
    value) no scenario starts that its time limit would take past it, and any still
    running then is cancelled, unrecorded: a re-run does them."""
    levels = _quiet_logs(logging.WARNING)
    try:
        with ThreadPoolExecutor(1) as pool:
            loading = pool.submit(load)
            client, cluster = connect(scheduler, workers, kind)
            try:
                data = loading.result()
            except BaseException:
                close_all(client, cluster)
                raise
        try:
            n_workers = _submit_all(client, tasks, data, finish, deadline)
        except BaseException:
            close_all(client, cluster)
            raise
    except BaseException:
        _restore_logs(levels)
        raise

    def close() -> None:
        # Shutting down races (a worker or comm closing under another): Dask logs those
        # as ERROR tracebacks (CommClosedError) though every scenario is recorded.
        _quiet_logs(logging.CRITICAL)
        try:
            close_all(client, cluster)
        except Exception as exc:  # every scenario is recorded by now
            log.warning("closing the Dask cluster: %s", exc)
        finally:
            _restore_logs(levels)

    closing = threading.Thread(target=close, name="close-dask")
    closing.start()
    return n_workers, closing


#: Loggers of Dask and its event loop, quietened while a batch's cluster runs.
_DASK_LOGGERS = ("distributed", "tornado", "asyncio", "bokeh")


def _quiet_logs(level: int) -> dict[str, int]:
    """Raise Dask's loggers to at least ``level``; returns their levels before.

    The scheduler and nannies log every connection at INFO: the user's stderr is kept
    for warnings and the progress bar. ``distributed`` is imported first: importing it
    sets its loggers' levels (to INFO), which would undo a level set before."""
    import distributed  # noqa: F401  (lazy: ~0.7 s, only when a batch runs on Dask)

    before = {}
    for name in _DASK_LOGGERS:
        logger = logging.getLogger(name)
        before[name] = logger.level
        logger.setLevel(max(logger.level, level))
    return before


def _restore_logs(levels: dict[str, int]) -> None:
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def connect(scheduler: str | None, workers: int | None, kind: str) -> tuple[Any, Any]:
    """A client of a new LocalCluster (None) or of the scheduler at that address."""
    # lazy: dask and distributed take ~0.7 s to import, only when a batch runs on Dask
    import dask
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler is None:
        # Dask starts workers with MALLOC_TRIM_THRESHOLD_=65536 (memory back to the system
        # at once, for long-lived data workers); a solver then faults its pages in again
        # and again: twice the page faults of a plain process for a PyVRP scenario
        # (BENCHMARKS.md). Scenarios are short and the memory monitor stays on.
        # A nanny also leaves the variable in its parent's environment (an earlier
        # cluster in this process): workers inherit it unless it is gone as they spawn.
        environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
        environ.pop("MALLOC_TRIM_THRESHOLD_", None)
        settings = {**QUIET_CLUSTER, "distributed.nanny.pre-spawn-environ": environ}
        with dask.config.set(settings), _unset_env("MALLOC_TRIM_THRESHOLD_"):
            cluster = LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,  # nobody looks at it: no web server, no line
                # a worker that loses the scheduler while the cluster closes logs an
                # ERROR traceback (a Dask race); failures reach the results table
                silence_logs=logging.CRITICAL,
                # imported as each worker starts, beside the main process reading the
                # data, rather than in each worker's first scenario
                preload=list(WORKER_IMPORTS[kind]),
            )
    try:
        return Client(cluster if cluster is not None else scheduler, timeout="20s"), cluster
    except OSError as exc:
        if cluster is not None:
            cluster.close()
        raise InputError(f"--scheduler {scheduler}: cannot connect ({exc})") from None


@contextlib.contextmanager
def _unset_env(name: str) -> Iterator[None]:
    old = os.environ.pop(name, None)
    try:
        yield
    finally:
        if old is not None:
            os.environ[name] = old


def close_all(client: Any, cluster: Any) -> None:
    client.close()
    if cluster is not None:
        cluster.close()


def _submit_all(
    client: Any,
    tasks: list[tuple[Scenario, dict[str, Any]]],
    data: dict[str, Any],
    finish: Callable[[Scenario, dict[str, Any]], None],
    deadline: float | None = None,
) -> int:
    """Run ``tasks``: all submitted at once, or, with a ``deadline``, one per worker at a
    time and only those whose own time limit ends before it (the rest stay unrecorded)."""
    # lazy: distributed takes ~0.7 s to import, only when a batch runs on Dask
    from distributed import as_completed

    futures: dict[Any, Scenario] = {}
    try:
        n_workers = len(client.scheduler_info(n_workers=-1)["workers"]) or 1
        shared = client.scatter(data, broadcast=True) if data else {}
        token = uuid.uuid4().hex[:8]
        queue = list(reversed(tasks))
        done = as_completed()

        def submit(room: int) -> None:
            while queue and room > 0 and not starts_too_late(queue[-1][0], deadline):
                s, task = queue.pop()
                future = client.submit(run_scenario, task, shared, retries=RETRIES,
                                       key=f"scenario-{s.hash}-{token}", pure=False)  # fmt: skip
                futures[future] = s
                done.add(future)
                room -= 1

        submit(len(queue) if deadline is None else n_workers)
        warmed = False
        for future in _completed(done, deadline):
            scenario = futures.pop(future)
            try:
                row = future.result()
            except Exception as exc:  # KilledWorker after the retries, lost scheduler...
                row = {"status": "failed", "error": f"{type(exc).__name__}: {exc}", "seconds": None}
            finish(scenario, row)
            submit(1)
            if not warmed and len(futures) < n_workers:  # a core is idle from now on
                warm()
                warmed = True
        return n_workers
    finally:
        if futures:
            client.cancel(list(futures))


def starts_too_late(s: Scenario, deadline: float | None) -> bool:
    """Whether ``s`` started now might still run at ``deadline`` (by its time limit)."""
    return deadline is not None and time.monotonic() + (s.time_limit or 0.0) > deadline


def _completed(done: Any, deadline: float | None) -> Iterator[Any]:
    """The futures of ``done`` (an ``as_completed``) as they finish, until ``deadline``
    (then the rest are left pending).

    Polled every 0.1 s (``as_completed`` alone blocks until the next one finishes), so
    that the deadline and Ctrl-C are seen promptly."""
    while not done.is_empty():
        if deadline is not None and time.monotonic() >= deadline:
            return
        batch = done.next_batch(block=False)
        if not batch:
            time.sleep(0.1)
        yield from batch
