"""``optimise batch`` (scenarios on Dask) and ``optimise report`` (re-render a run)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path  # noqa: TC003 (Typer reads the annotations at run time)
from typing import TYPE_CHECKING, Annotated, Any

import typer

from geodata.errors import InputError
from optimise.commands.common import (
    Debug,
    Json,
    Network,
    Quiet,
    app,
    check_out_option,
    console,
    err_console,
    print_json,
    write_run_report,
)
from optimise.commands.options import command

if TYPE_CHECKING:
    from optimise.batch.spec import BatchSpec


def _seconds(value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise typer.BadParameter(f"expected a number of seconds above 0, found {value}")
    return value


@dataclass(frozen=True)
class BatchArgs:
    """The options of ``optimise batch``."""

    file: Annotated[Path, typer.Argument(help="Scenario file (TOML): \\[base], \\[grid]")]
    out: Annotated[
        Path,
        typer.Option(
            "--out", callback=check_out_option, help="Folder for results and scenario folders."
        ),
    ]
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Existing Dask scheduler, e.g. tcp://HOST:8786."),
    ] = None
    workers: Annotated[
        int | None, typer.Option("--workers", help="Local workers (default: one per core).")
    ] = None
    serial: Annotated[
        bool, typer.Option("--serial", help="Run in this process, one after another (no Dask).")
    ] = False
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            callback=_seconds,
            help="Seconds for the whole batch; scenarios not done by then are left for a re-run.",
        ),
    ] = None
    yes: Annotated[
        bool,
        typer.Option("--yes", help="Run a batch of more than 200 scenarios."),
    ] = False
    network: Network = None
    json_out: Json = False
    quiet: Quiet = False
    debug: Debug = False


@command(
    app,
    BatchArgs,
    epilog="Example: optimise batch examples/estate-travel-limits.toml --out runs/estate-limits",
)
def batch(args: BatchArgs) -> None:
    """Run many scenarios and compare them, on Dask (issue #8).

    Expands the file's named scenarios and \\[grid] into scenarios, runs those not already
    in DIR (a scenario is known by a hash of its inputs) and writes DIR/results.parquet,
    results.csv, comparison.md, summary.json and scenarios/NAME/ per scenario. A failed
    scenario is recorded with its error; Ctrl-C keeps the finished ones.

    The file's time_limit is per scenario. --time-limit bounds the whole batch (counted
    from the command's start): scenarios not finished by then are cancelled, the others
    recorded, and the same command does the rest. A batch of more than 200 scenarios to
    run says how many and how long they may take (scenarios x time_limit / workers, an
    upper bound) and runs only with --yes.
    """
    started = time.monotonic()
    from optimise.batch import load_spec

    if args.scheduler is not None and args.workers is not None:
        raise InputError("--workers: only for the local cluster; not with --scheduler")
    spec = load_spec(args.file, network=args.network)
    if not args.yes:
        _confirm_size(spec, args.out, 1 if args.serial or args.scheduler else args.workers)
    deadline = None if args.time_limit is None else started + args.time_limit
    summary = _run(spec, args, deadline)
    if args.json_out:
        print_json(summary)
    elif not args.quiet:
        _print_batch(summary, args.out)
    if summary["failed"]:
        raise typer.Exit(1)


def _run(spec: BatchSpec, args: BatchArgs, deadline: float | None) -> dict[str, Any]:
    """Run the batch with its progress line, then its report; Ctrl-C: one line, 130."""
    from optimise.batch import run_batch
    from optimise.batch.progress import BatchProgress

    try:
        with BatchProgress(err_console, quiet=args.quiet or args.json_out) as progress:
            summary = run_batch(
                spec, args.out, scheduler=args.scheduler, workers=args.workers,
                serial=args.serial, progress=progress, deadline=deadline,
            )  # fmt: skip
        write_run_report(args.out, lambda _t: None)
    except KeyboardInterrupt:
        err_console.print(
            f"interrupted: finished scenarios kept in {args.out}; run the same command to finish"
        )
        raise typer.Exit(130) from None
    return summary


def _print_batch(summary: dict[str, Any], out: Path) -> None:
    """How many scenarios ran and how, where the comparison is, what is left to run."""
    console.print(
        f"{summary['scenarios']} scenarios: {summary['ok']} ok, {summary['infeasible']} "
        f"infeasible, {summary['failed']} failed ({summary['skipped_already_done']} already "
        f"done); {summary['workers']} worker(s), {summary['elapsed_s']:.1f} s",
        markup=False,
    )
    console.print(f"comparison: {out / 'comparison.md'}; table: {out / 'results.parquet'}")
    if summary["stopped_by_time_limit"]:
        console.print(
            f"time limit: {summary['missing']} scenario(s) not run; run the same command "
            "to finish them",
            markup=False,
        )


def _confirm_size(spec: BatchSpec, out: Path, workers: int | None) -> None:
    """Refuse a batch of more than BIG_BATCH scenarios to run: say how many, and how long."""
    import os

    from optimise.batch.results import done_records
    from optimise.batch.spec import BIG_BATCH, expected_seconds

    done = done_records(out) if out.is_dir() else {}
    todo = tuple(s for s in spec.scenarios if s.hash not in done)
    if len(todo) <= BIG_BATCH:
        return
    n = workers or os.cpu_count() or 1
    bound = expected_seconds(todo, n)
    how_long = (
        "with no time_limit, how long they take is not bounded"
        if bound is None
        else f"expected to take up to {_duration(bound)} ({len(todo)} x time_limit / {n} worker(s))"
    )
    raise InputError(
        f"{spec.source}: {len(todo)} scenarios to run, {how_long}; add --yes to run them"
    )


def _duration(seconds: float) -> str:
    minutes = math.ceil(seconds / 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


@app.command(
    epilog="Example: optimise report runs/term1 --basemap "
    "'https://tile.openstreetmap.org/{z}/{x}/{y}.png'"
)
def report(
    folder: Annotated[Path, typer.Argument(help="Folder of a finished run (its --out).")],
    basemap: Annotated[
        str | None,
        typer.Option("--basemap", help="Tile URL template {z}/{x}/{y}; none: vector layers only."),
    ] = None,
    include_personal_data: Annotated[
        bool,
        typer.Option("--include-personal-data", help="Draw pupils' homes and ids (transport)."),
    ] = False,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Write DIR/report.html again from a finished run: maps, charts and tables, offline."""
    from optimise.report import write_report

    path = write_report(folder, basemap=basemap, include_personal_data=include_personal_data)
    if not quiet:
        console.print(f"report: {path}", markup=False)
