"""``optimise network build``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path  # noqa: TC003 (Typer reads the annotations at run time)
from typing import Annotated, Any

import typer
from rich.table import Table

from geodata.errors import InputError
from optimise.commands.common import (
    Debug,
    Json,
    Progress,
    Quiet,
    Seed,
    app,
    console,
    print_json,
)
from optimise.commands.options import command

network_app = typer.Typer(
    help="Road and path networks from OpenStreetMap extracts.\n\n"
    "Example: optimise network build extract.osm.pbf --out network/",
    no_args_is_help=True,
)
app.add_typer(network_app, name="network")


@dataclass(frozen=True)
class BuildArgs:
    """The options of ``optimise network build``."""

    extract: Annotated[Path, typer.Argument(help="OpenStreetMap extract (.osm.pbf).")]
    out: Annotated[Path, typer.Option("--out", help="Folder for drive/walk.npz, summary.json.")]
    speeds: Annotated[
        str | None,
        typer.Option(
            "--speeds",
            help="Driving km/h per highway class, over the defaults: residential=25,track=15 "
            "(a class given is driven; =0 drops it).",
        ),
    ] = None
    maxspeed_factor: Annotated[
        float | None, typer.Option("--maxspeed-factor", help="Share of a tagged maxspeed driven.")
    ] = None
    walk_kmh: Annotated[float | None, typer.Option("--walk-kmh", help="Walking speed.")] = None
    seed: Seed = None
    json_out: Json = False
    quiet: Quiet = False
    debug: Debug = False


@command(
    network_app,
    BuildArgs,
    "build",
    epilog="Example: optimise network build extract.osm.pbf --out network/ "
    "--speeds residential=25,track=15",
)
def network_build(args: BuildArgs) -> None:
    """Build driving and walking networks from an OSM extract, and fit the straight line.

    Solver commands read DIR with --network DIR.
    """
    from geodata.network import build_folder

    table = _drive_speeds(args.speeds)
    with Progress(args.quiet or args.json_out) as step:
        step(f"building networks from {args.extract}")
        summary = build_folder(
            args.extract,
            args.out,
            drive_speeds=table,
            maxspeed_factor=args.maxspeed_factor,
            walk_speed_kmh=args.walk_kmh,
            seed=0 if args.seed is None else args.seed,
        )
    if args.json_out:
        print_json(summary)
    elif not args.quiet:
        _print_networks(summary, args.extract, args.out)


def _drive_speeds(speeds: str | None) -> dict[str, float]:
    """The default driving km/h per highway class with ``--speeds``'s over them; a
    class at 0 is dropped (not driven)."""
    from geodata.network import DRIVE_SPEED_KMH

    table = dict(DRIVE_SPEED_KMH)
    for item in (speeds or "").split(","):
        if not item.strip():
            continue
        name, _, value = item.partition("=")
        try:
            kmh = float(value)
        except ValueError:
            raise InputError(f"--speeds: expected class=km/h, found '{item.strip()}'") from None
        if kmh < 0:
            raise InputError(f"--speeds: km/h must be 0 or more, found '{item.strip()}'")
        table[name.strip()] = kmh
    return {k: v for k, v in table.items() if v > 0}


def _print_networks(summary: dict[str, Any], extract: Path, out: Path) -> None:
    """A table of the networks built and their straight-line fit; where they are."""
    grid = Table(title=f"Networks from {extract.name}")
    for name in ("mode", "nodes", "edges", "km", "circuity", "km/h", "median |error| time"):
        grid.add_column(name)
    for mode, net in summary["networks"].items():
        fit = summary["fit"].get(mode, {})
        grid.add_row(
            mode,
            str(net["nodes"]),
            str(net["edges"]),
            f"{net['edge_km']:.1f}",
            f"{fit['circuity']:.3f}" if fit else "not fitted",
            f"{fit['speed_kmh']:.1f}" if fit else "-",
            f"{fit['median_abs_pct_error_seconds']:.1f} %" if fit else "-",
        )
    console.print(grid)
    console.print(f"wrote {out} ({summary['elapsed_s']:.1f} s)", markup=False)
