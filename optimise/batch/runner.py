"""Run a batch on Dask (a LocalCluster, or an existing scheduler) or serially.

>>> summary = run_batch(load_spec("examples/hours-budgets.toml"), "runs/hours")  # doctest: +SKIP

The input frames are read once here, checked at the boundary, and scattered to the
workers once; each task builds and solves its own problem (solver objects cannot be
pickled). Finished scenarios are recorded as they arrive, so an interrupted batch
keeps them and a re-run does only the rest.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geodata.default import load_default
from geodata.errors import InputError
from geodata.read import read
from geodata.references import check_references
from geodata.write import check_out, remove_stale_staging, write_json
from optimise.batch.chart import plot_comparison
from optimise.batch.cluster import run_on_dask, starts_too_late
from optimise.batch.results import done_records, make_record, write_tables
from optimise.batch.spec import DATA_KINDS
from optimise.batch.tasks import run_scenario

if TYPE_CHECKING:
    from optimise.batch.spec import BatchSpec, Scenario

__all__ = ["load_data", "run_batch"]

log = logging.getLogger(__name__)

Progress = Callable[[int, int, int], None]  # done, failed, total (of this run)

#: Seconds between rewrites of the results tables while a batch runs (each scenario's
#: record is written as it finishes; the tables are rebuilt from the records, whole,
#: so rewriting them after every scenario would cost O(n²) and take a core's time from
#: the solvers). They are always rewritten at the end, and on Ctrl-C.
TABLES_EVERY = 5.0


def load_data(spec: BatchSpec) -> dict[str, Any]:
    """The input frames of ``spec``'s kind: its files (validated) or the default data."""
    data = {}
    for layer in DATA_KINDS[spec.kind]:
        if layer in spec.files:
            data[layer] = read(spec.files[layer], layer, columns=spec.columns_for(layer)).frame
        else:
            data[layer] = getattr(load_default(spec.data_seed), layer)
    if "pupils" in data and "schools" in data:  # across files, before any scenario runs
        check_references(data["pupils"], "school_id", (str(i) for i in data["schools"]["id"]),
                         source=str(spec.files.get("pupils", "pupils (default data)")),
                         expected="the id of a school in the schools file",
                         hint="check the schools file or the pupil's school_id")  # fmt: skip
    return data


def run_batch(
    spec: BatchSpec,
    out: str | Path,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    serial: bool = False,
    progress: Progress | None = None,
    deadline: float | None = None,
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
    deadline
        A :func:`time.monotonic` value that bounds the whole batch (its ``--time-limit``;
        each scenario keeps its own ``time_limit``). No scenario starts that its own
        time limit would take past it (one without a time limit starts while time is
        left); on Dask, one still running then is cancelled. Those scenarios are not
        recorded: the same command runs them later. The summary's
        ``stopped_by_time_limit`` says whether any was left.
    """
    out = Path(out)
    check_out(out)
    start = time.perf_counter()
    if remove_stale_staging(out):  # a killed run's half-written files
        log.info("removed the staging folders of an interrupted run in %s", out)
    batch = _Batch(spec, out, done_records(out), progress)
    if workers is not None and workers < 1:
        raise InputError(f"--workers: expected a number ≥ 1, found {workers}")
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    try:
        n_workers, closing, interrupted = _execute(batch, scheduler, workers, serial, deadline)
    except Exception:  # bad input files: no empty tables, no empty folder of ours
        if not batch.records and not any(r.is_file() for r in out.rglob("*")):
            _remove_empty(out, created)
        raise
    where = "serial" if serial else scheduler or "LocalCluster"
    summary = _conclude(batch, closing, where=where, workers=n_workers, start=start)
    summary["interrupted"] = interrupted
    summary["stopped_by_time_limit"] = not interrupted and batch.ran < len(batch.todo)
    write_json(out / "summary.json", summary)
    if interrupted:
        raise KeyboardInterrupt
    return summary


class _Batch:
    """One run of a batch: the scenarios it runs (those not done in ``out``) and the
    records of truth, one per scenario as it finishes; the tables, a view of the
    records, are rewritten every :data:`TABLES_EVERY` seconds."""

    def __init__(
        self, spec: BatchSpec, out: Path, records: dict[str, dict[str, Any]],
        progress: Progress | None,
    ) -> None:  # fmt: skip
        self.spec, self.out, self.records, self.progress = spec, out, records, progress
        self.todo = [s for s in spec.scenarios if s.hash not in records]
        self.skipped = len(spec.scenarios) - len(self.todo)
        self.counts = {"done": 0, "failed": 0}
        self.written = time.perf_counter()

    @property
    def ran(self) -> int:
        """Scenarios finished in this run, failed or not."""
        return self.counts["done"] + self.counts["failed"]

    def finish(self, scenario: Scenario, row: dict[str, Any]) -> None:
        """Record a finished scenario's ``row``; now and then rewrite the tables."""
        self.records[scenario.hash] = make_record(scenario, row, self.out)
        self.counts["failed" if row["status"] == "failed" else "done"] += 1
        if time.perf_counter() - self.written >= TABLES_EVERY:
            write_tables(self.spec, self.records, self.out)
            self.written = time.perf_counter()
        if self.progress is not None:
            self.progress(self.counts["done"], self.counts["failed"], len(self.todo))


def _execute(
    batch: _Batch, scheduler: str | None, workers: int | None, serial: bool,
    deadline: float | None,
) -> tuple[int, Any, bool]:  # fmt: skip
    """Run the batch's scenarios (serially, or on Dask): the workers used, the cluster
    still closing (None if none) and whether Ctrl-C stopped it."""
    spec, out = batch.spec, batch.out
    try:
        if batch.todo and serial:
            data = load_data(spec)
            for s in batch.todo:
                if starts_too_late(s, deadline):
                    break
                batch.finish(s, run_scenario(_task(s, out, spec.network), data))
        elif batch.todo:
            tasks = [(s, _task(s, out, spec.network)) for s in batch.todo]
            n_workers, closing = run_on_dask(
                spec.kind, lambda: load_data(spec), tasks, batch.finish, scheduler, workers,
                deadline,
            )  # fmt: skip
            return n_workers, closing, False
    except KeyboardInterrupt:
        return 1, None, True
    return 1, None, False


def _conclude(
    batch: _Batch, closing: Any, *, where: str, workers: int, start: float
) -> dict[str, Any]:
    """Write the tables and the chart (while the cluster closes); the summary."""
    spec, out = batch.spec, batch.out
    try:
        table = write_tables(spec, batch.records, out)
        chart = plot_comparison(table, spec.kind, out / "comparison.png")
    finally:
        if closing is not None:  # the cluster closes while the tables and chart are written
            closing.join()
    summary = _summary(
        spec,
        batch.records,
        out,
        skipped=batch.skipped,
        ran=batch.counts,
        where=where,
        workers=workers,
        seconds=time.perf_counter() - start,
    )
    if chart is not None:
        summary["files"].append("comparison.png")
    return summary


def _remove_empty(out: Path, created: bool) -> None:
    for folder in sorted((p for p in out.rglob("*") if p.is_dir()), reverse=True):
        folder.rmdir()
    if created:
        out.rmdir()


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
