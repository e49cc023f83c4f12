"""Run a batch on Dask (a LocalCluster, or an existing scheduler) or serially.

>>> summary = run_batch(load_spec("examples/hours-budgets.toml"), "runs/hours")  # doctest: +SKIP

The input frames are read once here, checked at the boundary, and scattered to the
workers once; each task builds and solves its own problem (solver objects cannot be
pickled). Finished scenarios are recorded as they arrive, so an interrupted batch
keeps them and a re-run does only the rest.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geodata.errors import InputError
from geodata.write import write_json
from optimise.batch.chart import plot_comparison, warm
from optimise.batch.results import done_records, make_record, write_tables
from optimise.batch.spec import DATA_KINDS
from optimise.batch.tasks import run_scenario

if TYPE_CHECKING:
    from optimise.batch.spec import BatchSpec, Scenario

__all__ = ["load_data", "run_batch"]

log = logging.getLogger(__name__)

#: Retries of a task whose worker died or that raised (the scheduler also moves the
#: tasks of a dead worker; after its ``allowed-failures`` the scenario is failed).
RETRIES = 2

Progress = Callable[[int, int, int], None]  # done, failed, total (of this run)

#: Seconds between rewrites of the results tables while a batch runs (each scenario's
#: record is written as it finishes; the tables are rebuilt from the records, whole,
#: so rewriting them after every scenario would cost O(n²) and take a core's time from
#: the solvers). They are always rewritten at the end, and on Ctrl-C.
TABLES_EVERY = 5.0

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


def load_data(spec: BatchSpec) -> dict[str, Any]:
    """The input frames of ``spec``'s kind: its files (validated) or the default data."""
    from geodata.default import load_default
    from geodata.read import read

    data = {}
    for layer in DATA_KINDS[spec.kind]:
        if layer in spec.files:
            data[layer] = read(spec.files[layer], layer, columns=spec.columns_for(layer)).frame
        else:
            data[layer] = getattr(load_default(spec.data_seed), layer)
    return data


def run_batch(
    spec: BatchSpec,
    out: str | Path,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    serial: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run the scenarios of ``spec`` not yet done in ``out``; return the summary.

    Parameters
    ----------
    spec
        From :func:`optimise.batch.load_spec`.
    out
        Output folder: ``results.parquet``, ``results.csv``, ``comparison.md``,
        ``summary.json`` and ``scenarios/FOLDER/`` per scenario.
    scheduler
        Address of an existing Dask scheduler (``tcp://HOST:8786``); its workers must
        see ``out`` at the same path. None starts a LocalCluster.
    workers
        LocalCluster workers (one thread each); default one per core.
    serial
        Run in this process, one scenario after another (no Dask).
    progress
        Called after each scenario with done, failed and total of this run.
    """
    out = Path(out)
    start = time.perf_counter()
    records = done_records(out)
    todo = [s for s in spec.scenarios if s.hash not in records]
    skipped = len(spec.scenarios) - len(todo)
    if workers is not None and workers < 1:
        raise InputError(f"--workers: expected a number ≥ 1, found {workers}")
    where = "serial" if serial else scheduler or "LocalCluster"
    counts = {"done": 0, "failed": 0}
    written = [time.perf_counter()]

    def finish(scenario: Scenario, row: dict[str, Any]) -> None:
        records[scenario.hash] = make_record(scenario, row, out)  # the record of truth
        counts["failed" if row["status"] == "failed" else "done"] += 1
        if time.perf_counter() - written[0] >= TABLES_EVERY:  # the tables: a view of them
            write_tables(spec, records, out)
            written[0] = time.perf_counter()
        if progress is not None:
            progress(counts["done"], counts["failed"], len(todo))

    out.mkdir(parents=True, exist_ok=True)
    write_tables(spec, records, out)
    interrupted = False
    n_workers, closing = 1, None
    try:
        if todo and serial:
            data = load_data(spec)
            for s in todo:
                finish(s, run_scenario(_task(s, out, spec.network), data))
        elif todo:
            n_workers, closing = _run_dask(spec, todo, out, finish, scheduler, workers)
    except KeyboardInterrupt:
        interrupted = True
    try:
        table = write_tables(spec, records, out)
        chart = plot_comparison(table, spec.kind, out / "comparison.png")
    finally:
        if closing is not None:  # the cluster closes while the tables and chart are written
            closing.join()
    summary = _summary(
        spec,
        records,
        out,
        skipped=skipped,
        ran=counts,
        where=where,
        workers=n_workers,
        seconds=time.perf_counter() - start,
    )
    if chart is not None:
        summary["files"].append("comparison.png")
    summary["interrupted"] = interrupted
    write_json(out / "summary.json", summary)
    if interrupted:
        raise KeyboardInterrupt
    return summary


def _task(s: Scenario, out: Path, network: str | None) -> dict[str, Any]:
    return {
        "network": network,
        "kind": s.kind,
        "resolved": s.resolved,
        "seed": s.seed,
        "time_limit": s.time_limit,
        "out": str((out / "scenarios" / s.folder).resolve()),
        "hash": s.hash,
    }


def _run_dask(
    spec: BatchSpec,
    todo: list[Scenario],
    out: Path,
    finish: Callable[[Scenario, dict[str, Any]], None],
    scheduler: str | None,
    workers: int | None,
) -> tuple[int, threading.Thread]:
    """Submit every scenario, record each as it completes; returns the worker count and
    the thread closing the client and cluster (join it).

    The input data is read in a thread while the cluster starts (the workers' start is
    spent in their own processes)."""
    from concurrent.futures import ThreadPoolExecutor

    # The scheduler and nannies log every connection at INFO: keep the user's stderr for
    # warnings and the progress bar.
    quiet_logs = logging.getLogger("distributed")
    level = quiet_logs.level
    quiet_logs.setLevel(max(level, logging.WARNING))
    try:
        with ThreadPoolExecutor(1) as pool:
            loading = pool.submit(load_data, spec)
            client, cluster = _connect(scheduler, workers, spec.kind)
            try:
                data = loading.result()
            except BaseException:
                _close(client, cluster)
                raise
        try:
            n_workers = _submit_all(client, todo, data, out, finish, spec.network)
        except BaseException:
            _close(client, cluster)
            raise
    except BaseException:
        quiet_logs.setLevel(level)
        raise

    def close() -> None:
        try:
            _close(client, cluster)
        except Exception as exc:  # every scenario is recorded by now
            log.warning("closing the Dask cluster: %s", exc)
        finally:
            quiet_logs.setLevel(level)

    closing = threading.Thread(target=close, name="close-dask")
    closing.start()
    return n_workers, closing


def _connect(scheduler: str | None, workers: int | None, kind: str) -> tuple[Any, Any]:
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


def _close(client: Any, cluster: Any) -> None:
    client.close()
    if cluster is not None:
        cluster.close()


def _submit_all(
    client: Any,
    todo: list[Scenario],
    data: dict[str, Any],
    out: Path,
    finish: Callable[[Scenario, dict[str, Any]], None],
    network: str | None,
) -> int:
    from distributed import as_completed

    futures: dict[Any, Scenario] = {}
    try:
        n_workers = len(client.scheduler_info(n_workers=-1)["workers"]) or 1
        shared = client.scatter(data, broadcast=True) if data else {}
        token = uuid.uuid4().hex[:8]
        for s in todo:
            future = client.submit(
                run_scenario,
                _task(s, out, network),
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


def _summary(
    spec: BatchSpec,
    records: dict[str, dict[str, Any]],
    out: Path,
    *,
    skipped: int,
    ran: dict[str, int],
    where: str,
    workers: int,
    seconds: float,
) -> dict[str, Any]:
    mine = [records[s.hash] for s in spec.scenarios if s.hash in records]
    status = [r["status"] for r in mine]
    return {
        "command": "batch",
        "file": spec.source,
        "name": spec.name,
        "problem": spec.kind,
        "scenarios": len(spec.scenarios),
        "ok": status.count("ok"),
        "infeasible": status.count("infeasible"),
        "failed": status.count("failed"),
        "missing": len(spec.scenarios) - len(mine),
        "skipped_already_done": skipped,
        "ran": ran["done"] + ran["failed"],
        "scheduler": where,
        "workers": workers,
        "elapsed_s": round(seconds, 2),
        "out": str(out),
        "files": ["summary.json", "results.parquet", "results.csv", "comparison.md", "scenarios/"],
    }
