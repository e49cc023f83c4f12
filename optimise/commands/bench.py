"""``optimise bench``: public benchmark instances through the engine."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path  # noqa: TC003 (Typer reads the annotations at run time)
from typing import Annotated, Any

import typer

from optimise.commands.common import (
    Debug,
    Json,
    Out,
    Quiet,
    Seed,
    TimeLimit,
    Workers,
    app,
    console,
    print_json,
)
from optimise.commands.options import command

bench_app = typer.Typer(
    help="Solve public benchmark instances with the engine.\n\n"
    "Example: optimise bench cvrp X-n101-k25.vrp --time-limit 30 --json",
    no_args_is_help=True,
)
app.add_typer(bench_app, name="bench")


@bench_app.command(
    "cvrp",
    epilog="Example: optimise bench cvrp X-n101-k25.vrp --time-limit 30 --json",
)
def bench_cvrp(
    file: Annotated[Path, typer.Argument(help="A CVRPLIB instance (.vrp, VRPLIB format).")],
    time_limit: TimeLimit = None,
    seed: Seed = None,
    out: Out = None,
    json_out: Json = False,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """CVRPLIB instance with the routing engine (distances rounded, as CVRPLIB does).

    Prints {"cost", "routes", "feasible"} with --json; routes list the customers (1..n).
    """
    _routing_bench(file, "cvrp", time_limit, seed, out, json_out=json_out, quiet=quiet)


@bench_app.command("vrptw", epilog="Example: optimise bench vrptw R101.txt --time-limit 30 --json")
def bench_vrptw(
    file: Annotated[
        Path, typer.Argument(help="A Solomon instance (.txt: 'n capacity', then node rows).")
    ],
    time_limit: TimeLimit = None,
    seed: Seed = None,
    out: Out = None,
    json_out: Json = False,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Solomon VRPTW instance with the routing engine (arcs truncated to one decimal).

    Prints {"cost", "routes", "feasible"} with --json; the cost is the total distance.
    """
    _routing_bench(file, "vrptw", time_limit, seed, out, json_out=json_out, quiet=quiet)


@dataclass(frozen=True)
class SbrpArgs:
    """The options of ``optimise bench sbrp``."""

    folder: Annotated[Path, typer.Argument(help="Instance folder with Schools.txt and Stops.txt.")]
    max_ride: Annotated[
        float, typer.Option("--max-ride", help="Maximum ride time, seconds (2700 or 5400).")
    ] = 2700.0
    time_limit: TimeLimit = None
    seed: Seed = None
    workers: Workers = None
    out: Out = None
    json_out: Json = False
    quiet: Quiet = False
    debug: Debug = False


@command(
    bench_app, SbrpArgs, "sbrp", epilog="Example: optimise bench sbrp RSRB01 --max-ride 2700 --json"
)
def bench_sbrp(args: SbrpArgs) -> None:
    """Multi-school bus routing and scheduling (Park, Tae & Kim 2012), BiRD's definition.

    The council's own planner, as `transport routes` runs it: the instance becomes a
    transport problem (each student a pupil at their stop, one bus type without a
    base), planned by the county planner (a pool of routes per school, one search per
    ride cap, on every core; then one MILP chooses routes and chains them into the
    fewest buses across bell times, with its proven bound); every time and load is
    recomputed by the benchmark's own checker ("violations" must be 0).
    """
    from optimise.bench.sbrp import run_sbrp
    from optimise.transport.routing.pool import default_workers

    limit = args.time_limit if args.time_limit is not None else 30.0
    summary = run_sbrp(args.folder, max_ride=args.max_ride, time_limit=limit,
                       seed=args.seed or 0, workers=args.workers or default_workers())  # fmt: skip
    if args.out is not None:
        from geodata.write import Staging, write_json

        with Staging(args.out) as stage:
            write_json(stage.path / "summary.json", summary)
    if args.json_out:
        print_json(summary)
    elif not args.quiet:
        console.print(
            f"{summary['instance']} (T = {args.max_ride:g} s): {summary['buses']} buses, "
            f"{summary['routes']} routes, {summary['violations']} violations; the fewest "
            f"the {summary['routes_generated']} routes generated allow: "
            + (
                f"at least {summary['buses_lower_bound']}"
                if summary["buses_lower_bound"] is not None
                else f"not proven ({summary['master_status']})"
            )
            + f" ({limit:g} s)",
            markup=False,
        )


@bench_app.command(
    "sbr", epilog="Example: optimise bench sbr sbr1.txt --method joint --time-limit 30 --json"
)
def bench_sbr(
    file: Annotated[Path, typer.Argument(help="A bus-stop-selection instance (sbr1.txt).")],
    method: Annotated[
        str, typer.Option("--method", help="joint (default) or sequential stop choice.")
    ] = "joint",
    time_limit: TimeLimit = None,
    seed: Seed = None,
    json_out: Json = False,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """School bus routing with bus stop selection (Schittekat et al. 2013 instances).

    Chooses the stops each student walks to (within the maximum walk) and routes buses
    from the school; the cost is the total tour length.
    """
    from optimise.bench.sbr import solve_sbr

    limit = time_limit if time_limit is not None else 30.0
    summary = solve_sbr(file, method=method, time_limit=limit, seed=seed or 0)
    if json_out:
        print_json(summary)
    elif not quiet:
        console.print(
            f"{file.name} ({method}): cost {summary['cost']}, {summary['routes']} routes, "
            f"{summary['stops']} stops, mean walk {summary['mean_walk']}",
            markup=False,
        )


@bench_app.command("pmedian", epilog="Example: optimise bench pmedian pmed1.txt --json")
def bench_pmedian(
    file: Annotated[Path, typer.Argument(help="OR-Library p-median file (pmed1.txt ...).")],
    seed: Seed = None,
    time_limit: TimeLimit = None,
    json_out: Json = False,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """OR-Library p-median instance: {"cost","optimal","gap","seconds"} (issue #5)."""
    from optimise.bench.orlib import read_pmedian
    from optimise.location import solve_pmedian

    inst = read_pmedian(file)
    result = solve_pmedian(inst.distance, inst.p, time_limit=time_limit, seed=seed or 0)
    _bench_print(result.as_dict(), json_out=json_out, quiet=quiet)


@bench_app.command("cflp", epilog="Example: optimise bench cflp capa.txt --capacity 8000 --json")
def bench_cflp(
    file: Annotated[Path, typer.Argument(help="OR-Library capacitated warehouse file.")],
    capacity: Annotated[
        float | None, typer.Option("--capacity", help="Capacity of every warehouse (capa/b/c).")
    ] = None,
    seed: Seed = None,
    time_limit: TimeLimit = None,
    json_out: Json = False,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """OR-Library capacitated facility-location instance (issue #5)."""
    from optimise.bench.orlib import read_cflp
    from optimise.location import solve_cflp

    inst = read_cflp(file, capacity=capacity)
    result = solve_cflp(inst, time_limit=time_limit, seed=seed or 0)
    _bench_print(result.as_dict(), json_out=json_out, quiet=quiet)


def _bench_print(row: dict[str, Any], *, json_out: bool, quiet: bool) -> None:
    if json_out:
        print_json({k: row[k] for k in ("cost", "optimal", "gap", "seconds")})
    elif not quiet:
        console.print(
            f"cost {row['cost']}  optimal {row['optimal']}  gap {row['gap']}  {row['seconds']} s",
            markup=False,
        )


def _routing_bench(
    file: Path, kind: str, time_limit: float | None, seed: int | None, out: Path | None,
    *, json_out: bool, quiet: bool,
) -> None:  # fmt: skip
    """A CVRP or VRPTW instance through the routing engine; prints the figures."""
    from optimise.bench.vrp import run_bench

    limit = time_limit if time_limit is not None else 30.0
    summary = run_bench(file, kind=kind, time_limit=limit, seed=seed or 0, out=out)
    if json_out:
        print_json(summary)
    elif not quiet:
        what = "cost" if kind == "cvrp" else "distance"
        console.print(
            f"{summary['instance']}: {what} {summary['cost']}, {summary['vehicles']} routes, "
            f"{'feasible' if summary['feasible'] else 'INFEASIBLE'} ({limit:g} s)",
            markup=False,
        )
