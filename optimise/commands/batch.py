"""``optimise batch`` (scenarios on Dask) and ``optimise report`` (re-render a run)."""

from __future__ import annotations

from pathlib import Path  # noqa: TC003 (Typer reads the annotations at run time)
from typing import Annotated

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


@app.command(
    epilog="Example: optimise batch examples/estate-travel-limits.toml --out runs/estate-limits"
)
def batch(
    file: Annotated[Path, typer.Argument(help="Scenario file (TOML): \\[base], \\[grid]")],
    out: Annotated[
        Path,
        typer.Option(
            "--out", callback=check_out_option, help="Folder for results and scenario folders."
        ),
    ],
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Existing Dask scheduler, e.g. tcp://HOST:8786."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Local workers (default: one per core).")
    ] = None,
    serial: Annotated[
        bool, typer.Option("--serial", help="Run in this process, one after another (no Dask).")
    ] = False,
    network: Network = None,
    json_out: Json = False,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Run many scenarios and compare them, on Dask (issue #8).

    Expands the file's named scenarios and \\[grid] into scenarios, runs those not already
    in DIR (a scenario is known by a hash of its inputs) and writes DIR/results.parquet,
    results.csv, comparison.md, summary.json and scenarios/NAME/ per scenario. A failed
    scenario is recorded with its error; Ctrl-C keeps the finished ones.
    """
    from optimise.batch import load_spec, run_batch
    from optimise.batch.progress import BatchProgress

    if scheduler is not None and workers is not None:
        raise InputError("--workers: only for the local cluster; not with --scheduler")
    spec = load_spec(file, network=network)
    try:
        with BatchProgress(err_console, quiet=quiet or json_out) as progress:
            summary = run_batch(
                spec, out, scheduler=scheduler, workers=workers, serial=serial, progress=progress
            )
        write_run_report(out, lambda _t: None)
    except KeyboardInterrupt:
        err_console.print(
            f"interrupted: finished scenarios kept in {out}; run the same command to finish"
        )
        raise typer.Exit(130) from None
    if json_out:
        print_json(summary)
    elif not quiet:
        console.print(
            f"{summary['scenarios']} scenarios: {summary['ok']} ok, {summary['infeasible']} "
            f"infeasible, {summary['failed']} failed ({summary['skipped_already_done']} already "
            f"done); {summary['workers']} worker(s), {summary['elapsed_s']:.1f} s",
            markup=False,
        )
        console.print(f"comparison: {out / 'comparison.md'}; table: {out / 'results.parquet'}")
    if summary["failed"]:
        raise typer.Exit(1)


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
