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
import uuid
from typing import TYPE_CHECKING, Any

from geodata.errors import InputError
from optimise.batch.chart import warm
from optimise.batch.tasks import run_scenario

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from optimise.batch.spec import Scenario

__all__ = ["QUIET_CLUSTER", "RETRIES", "WORKER_IMPORTS", "close_all", "connect", "run_on_dask"]

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
                  "optimise.transport.solve"),
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
) -> tuple[int, threading.Thread]:
    """Submit every scenario's task, ``finish`` each as it completes; returns the worker
    count and the thread closing the client and cluster (join it).

    ``load`` reads the input data, in a thread while the cluster starts (the workers'
    start is spent in their own processes)."""
    from concurrent.futures import ThreadPoolExecutor

    # The scheduler and nannies log every connection at INFO: keep the user's stderr for
    # warnings and the progress bar.
    quiet_logs = logging.getLogger("distributed")
    level = quiet_logs.level
    quiet_logs.setLevel(max(level, logging.WARNING))
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
            n_workers = _submit_all(client, tasks, data, finish)
        except BaseException:
            close_all(client, cluster)
            raise
    except BaseException:
        quiet_logs.setLevel(level)
        raise

    def close() -> None:
        try:
            close_all(client, cluster)
        except Exception as exc:  # every scenario is recorded by now
            log.warning("closing the Dask cluster: %s", exc)
        finally:
            quiet_logs.setLevel(level)

    closing = threading.Thread(target=close, name="close-dask")
    closing.start()
    return n_workers, closing


def connect(scheduler: str | None, workers: int | None, kind: str) -> tuple[Any, Any]:
    """A client of a new LocalCluster (None) or of the scheduler at that address."""
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
                dashboard_address=":0",
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
) -> int:
    from distributed import as_completed

    futures: dict[Any, Scenario] = {}
    try:
        n_workers = len(client.scheduler_info(n_workers=-1)["workers"]) or 1
        shared = client.scatter(data, broadcast=True) if data else {}
        token = uuid.uuid4().hex[:8]
        for s, task in tasks:
            future = client.submit(
                run_scenario,
                task,
                shared,
                retries=RETRIES,
                key=f"scenario-{s.hash}-{token}",
                pure=False,
            )
            futures[future] = s
        warmed = False
        for future in as_completed(list(futures)):
            scenario = futures.pop(future)
            try:
                row = future.result()
            except Exception as exc:  # KilledWorker after the retries, lost scheduler...
                row = {"status": "failed", "error": f"{type(exc).__name__}: {exc}", "seconds": None}
            finish(scenario, row)
            if not warmed and len(futures) < n_workers:  # a core is idle from now on
                warm()
                warmed = True
        return n_workers
    finally:
        if futures:
            client.cancel(list(futures))
