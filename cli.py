"""The ``optimise`` command line: parse options, call the library, print, map errors.

Bad input or bad options print one line and exit with code 2 (``--debug`` shows the
traceback instead). Outputs are staged and published together, so a failed run leaves
no partial file.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from geodata.errors import InputError

__all__ = ["app", "main"]

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

app = typer.Typer(
    name="optimise",
    help=(
        "Operations-research engine for UK councils: home-to-school transport, estate "
        "rationalisation and face-to-face centre opening hours.\n\n"
        "Example: optimise demo --out runs/demo"
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="rich",
)
data_app = typer.Typer(
    help="Export the embedded default data, or check a council's own file.\n\n"
    "Example: optimise data check sites.csv --kind sites --columns id=AssetCode",
    no_args_is_help=True,
)
app.add_typer(data_app, name="data")

# Options shared by the commands.
Config = Annotated[
    Path | None, typer.Option("--config", help="TOML file with settings and a [columns] table.")
]
Out = Annotated[
    Path | None, typer.Option("--out", help="Folder for the run's outputs and summary.json.")
]
Seed = Annotated[
    int | None, typer.Option("--seed", help="Random seed: same inputs and seed, same result.")
]
TimeLimit = Annotated[
    float | None, typer.Option("--time-limit", help="Seconds the solver may use.")
]
Json = Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
Debug = Annotated[bool, typer.Option("--debug", help="Show tracebacks.")]


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        console.print(f"optimise {version('optimise')}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Operations-research engine for UK councils."""


@app.command(epilog="Example: optimise demo --out runs/demo --seed 2026")
def demo(
    out: Out = None,
    seed: Seed = None,
    config: Config = None,
    time_limit: TimeLimit = None,
    json_out: Json = False,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Run the engine on the embedded Northumberland default data.

    Generates the default data, exports it (GeoPackage + CSV), reads it back through
    the validation layer, builds the three problems, checks the council's figures and
    writes DIR/summary.json.
    """
    from optimise.config import RunConfig
    from optimise.demo import run_demo

    cfg = RunConfig.load(config, seed=seed, out=out, time_limit=time_limit)
    out_dir = cfg.out or Path("optimise-demo")
    with _progress(quiet or json_out) as step:
        summary = run_demo(out_dir, seed=cfg.seed, step=step)
    _report(summary, json_out=json_out, quiet=quiet)
    if not all(c["ok"] for c in summary["checks"]):
        raise typer.Exit(1)


@data_app.command("export", epilog="Example: optimise data export --out my-data")
def data_export(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the data into.")],
    seed: Seed = None,
    config: Config = None,
    json_out: Json = False,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Write the embedded default data as a GeoPackage and one CSV per kind."""
    from geodata.default import export_default, load_default
    from geodata.write import Staging, write_json
    from optimise.config import RunConfig

    cfg = RunConfig.load(config, seed=seed, out=out)
    with _progress(quiet or json_out) as step:
        step("generating the default data")
        data = load_default(cfg.seed)
        step("writing GeoPackage and CSV")
        with Staging(out) as stage:
            files = export_default(data, stage.path)
            summary = {
                "command": "data export",
                "seed": cfg.seed,
                "files": [
                    *sorted(str(Path(f).relative_to(stage.path)) for f in files),
                    "summary.json",
                ],
            }
            write_json(stage.path / "summary.json", summary)
    if json_out:
        console.print_json(json.dumps(summary))
    elif not quiet:
        console.print(f"wrote {len(summary['files'])} files to {out}")


@data_app.command(
    "check",
    epilog="Example: optimise data check assets.csv --kind sites "
    "--columns id=AssetCode,lon=GeoX,lat=GeoY",
)
def data_check(
    file: Annotated[
        Path,
        typer.Argument(
            help="The file to check (CSV, GeoJSON, GeoPackage, Shapefile, GeoParquet, NaPTAN XML)."
        ),
    ],
    kind: Annotated[
        str, typer.Option("--kind", help="sites|zones|pupils|schools|stops|fleet|centres")
    ],
    columns: Annotated[
        str | None, typer.Option("--columns", help="Map names: id=URN,name=SCHOOL.")
    ] = None,
    crs: Annotated[
        str | None, typer.Option("--crs", help="CRS of a file that declares none, e.g. EPSG:4326.")
    ] = None,
    layer: Annotated[str | None, typer.Option("--layer", help="Layer of a GeoPackage.")] = None,
    config: Config = None,
    out: Out = None,
    json_out: Json = False,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Validate a file and list every problem; exit 2 if there is any."""
    from geodata.schema import KINDS

    if kind not in KINDS:
        raise InputError(f"--kind: expected one of {'|'.join(KINDS)}, found '{kind}'")
    from geodata.validate import check
    from geodata.write import Staging, write_json
    from optimise.config import RunConfig, parse_columns

    cfg = RunConfig.load(config, out=out, columns=parse_columns(columns), kind=kind)
    problems = check(file, kind, columns=cfg.columns_for(kind) or None, crs=crs, layer=layer)
    summary = {
        "command": "data check",
        "file": str(file),
        "kind": kind,
        "ok": not problems,
        "problems": [p.as_dict() for p in problems],
    }
    if cfg.out is not None:
        with Staging(cfg.out) as stage:
            write_json(stage.path / "summary.json", summary)
    if json_out:
        console.print_json(json.dumps(summary))
    elif not quiet:
        for p in problems:
            console.print(str(p), markup=False, soft_wrap=True)
        if problems:
            rows = len({p.row for p in problems if p.row is not None})
            console.print(
                f"{len(problems)} problem(s) in {rows} row(s) of {file} ({kind})", markup=False
            )
        else:
            console.print(f"{file}: no problems found ({kind})")
    if problems:
        raise typer.Exit(2)


@data_app.command(
    "import",
    epilog="Example: optimise data import assets.csv --kind sites --on-bad-row skip "
    "--columns id=AssetCode,lon=GeoX,lat=GeoY,type=HoldingType --out my-sites",
)
def data_import(
    file: Annotated[Path, typer.Argument(help="The council's file (any format data check reads).")],
    kind: Annotated[
        str, typer.Option("--kind", help="sites|zones|pupils|schools|stops|fleet|centres")
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder for the converted layer.")],
    columns: Annotated[
        str | None, typer.Option("--columns", help="Map names: id=URN,name=SCHOOL.")
    ] = None,
    on_bad_row: Annotated[
        str | None,
        typer.Option(
            "--on-bad-row", help="error: stop at bad rows; skip: list and leave them out."
        ),
    ] = None,
    crs: Annotated[
        str | None, typer.Option("--crs", help="CRS of a file that declares none.")
    ] = None,
    layer: Annotated[str | None, typer.Option("--layer", help="Layer of a GeoPackage.")] = None,
    config: Config = None,
    json_out: Json = False,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Convert a council's file to the engine's columns (GeoPackage + CSV).

    Skipped rows, with the reason for each, go to DIR/skipped.csv and DIR/summary.json.
    """
    from geodata.schema import KINDS

    if kind not in KINDS:
        raise InputError(f"--kind: expected one of {'|'.join(KINDS)}, found '{kind}'")
    from geodata.convert import convert
    from optimise.config import RunConfig, parse_columns

    cfg = RunConfig.load(
        config, out=out, on_bad_row=on_bad_row, columns=parse_columns(columns), kind=kind
    )
    summary = convert(
        file,
        kind,
        cfg.out or out,
        columns=cfg.columns_for(kind) or None,
        on_bad_row=cfg.on_bad_row,
        crs=crs,
        layer=layer,
    )
    if json_out:
        console.print_json(json.dumps(summary))
    elif not quiet:
        console.print(
            f"{summary['rows_kept']} {kind} written to {cfg.out or out}; "
            f"{summary['rows_skipped']} row(s) skipped (see skipped.csv)"
            if summary["rows_skipped"]
            else f"{summary['rows_kept']} {kind} written to {cfg.out or out}",
            markup=False,
        )


def _not_yet(command: str, what: str, issue: int) -> None:
    raise InputError(f"'optimise {command}' is not available yet: {what} lands with issue #{issue}")


# --- Commands that later issues fill in. Each stub below is replaced by its issue;
# --- keep one function per command so that parallel work touches separate blocks.

transport_app = typer.Typer(
    help="Home-to-school transport: route mapping, pick-up points, eligibility.\n\n"
    "Example: optimise transport routes --out runs/term1",
    no_args_is_help=True,
)
app.add_typer(transport_app, name="transport")
bench_app = typer.Typer(
    help="Solve public benchmark instances with the engine.\n\n"
    "Example: optimise bench cvrp X-n101-k25.vrp --time-limit 30 --json",
    no_args_is_help=True,
)
app.add_typer(bench_app, name="bench")
network_app = typer.Typer(
    help="Road and path networks from OpenStreetMap extracts.\n\n"
    "Example: optimise network build extract.osm.pbf --out network/",
    no_args_is_help=True,
)
app.add_typer(network_app, name="network")


@transport_app.command(
    "routes", epilog="Example (once available): optimise transport routes --out runs/term1"
)
def transport_routes(out: Out = None, config: Config = None) -> None:
    """Route mapping: vehicle routes to schools (issue #3)."""
    _not_yet("transport routes", "route mapping", 3)


@transport_app.command(
    "plan", epilog="Example (once available): optimise transport plan --out runs/term1"
)
def transport_plan(out: Out = None, config: Config = None) -> None:
    """Pick-up point consolidation, routing and mode choice (issue #4)."""
    _not_yet("transport plan", "pick-up point consolidation", 4)


@transport_app.command(
    "eligibility", epilog="Example (once available): optimise transport eligibility --out runs/elig"
)
def transport_eligibility(out: Out = None, config: Config = None) -> None:
    """Each pupil's statutory eligibility, distance and reason (issue #4)."""
    _not_yet("transport eligibility", "eligibility", 4)


@app.command(epilog="Example (once available): optimise estate --out runs/estate")
def estate(out: Out = None, config: Config = None) -> None:
    """Estate rationalisation over the council's operational sites (issue #5)."""
    _not_yet("estate", "estate rationalisation", 5)


@app.command(epilog="Example (once available): optimise hours --budget-hours 70 --out runs/hours")
def hours(out: Out = None, config: Config = None) -> None:
    """Face-to-face centre opening hours within a staff budget (issue #6)."""
    _not_yet("hours", "centre opening hours", 6)


@app.command(
    epilog="Example (once available): optimise batch examples/walking-limits.toml --out runs/batch"
)
def batch(out: Out = None, config: Config = None) -> None:
    """Run many scenarios and compare them, on Dask (issue #8)."""
    _not_yet("batch", "batch optimisation", 8)


@network_app.command(
    "build",
    epilog="Example (once available): optimise network build extract.osm.pbf --out network/",
)
def network_build(out: Out = None) -> None:
    """Build driving and walking networks from an OSM extract (issue #7)."""
    _not_yet("network build", "road-network travel times", 7)


@bench_app.command(
    "cvrp",
    epilog="Example (once available): optimise bench cvrp X-n101-k25.vrp --time-limit 30 --json",
)
def bench_cvrp(out: Out = None) -> None:
    """CVRPLIB instance (issue #3)."""
    _not_yet("bench cvrp", "the routing benchmarks", 3)


@bench_app.command(
    "vrptw", epilog="Example (once available): optimise bench vrptw R101.txt --time-limit 30 --json"
)
def bench_vrptw(out: Out = None) -> None:
    """Solomon VRPTW instance (issue #3)."""
    _not_yet("bench vrptw", "the routing benchmarks", 3)


@bench_app.command(
    "sbrp", epilog="Example (once available): optimise bench sbrp RSRB01 --max-ride 2700 --json"
)
def bench_sbrp(out: Out = None) -> None:
    """Multi-school bus routing and scheduling instance (issue #3)."""
    _not_yet("bench sbrp", "the school-bus benchmarks", 3)


@bench_app.command(
    "pmedian", epilog="Example (once available): optimise bench pmedian pmed1.txt --json"
)
def bench_pmedian(out: Out = None) -> None:
    """OR-Library p-median instance (issue #5)."""
    _not_yet("bench pmedian", "the facility-location benchmarks", 5)


@bench_app.command("cflp", epilog="Example (once available): optimise bench cflp cap41.txt --json")
def bench_cflp(out: Out = None) -> None:
    """OR-Library capacitated facility-location instance (issue #5)."""
    _not_yet("bench cflp", "the facility-location benchmarks", 5)


class _progress:
    """A rich status line per step; silent when quiet."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self._status: Any = None

    def __enter__(self) -> Any:
        if not self.quiet:
            self._status = err_console.status("starting")
            self._status.__enter__()
        return self.step

    def step(self, text: str) -> None:
        if self._status is not None:
            self._status.update(text + " ...")

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.__exit__(*exc)


def _report(summary: dict[str, Any], *, json_out: bool, quiet: bool) -> None:
    if json_out:
        console.print_json(json.dumps(summary, default=str))
        return
    if quiet:
        return
    table = Table(title="Checks against DOMAIN.md")
    for name in ("check", "expected", "found", "ok"):
        table.add_column(name)
    for c in summary["checks"]:
        table.add_row(c["name"], str(c["expected"]), str(c["found"]), "yes" if c["ok"] else "NO")
    console.print(table)
    console.print(f"outputs in {summary['out']} ({summary['elapsed_s']:.1f} s)")


def _logging(*, quiet: bool, debug: bool) -> None:
    """Library warnings go to stderr as 'warning: ...' lines (none with --quiet or --json)."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if debug else logging.ERROR if quiet else logging.WARNING)
    logging.addLevelName(logging.WARNING, "warning")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``optimise`` console script; returns the exit code."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args or bool(os.environ.get("OPTIMISE_DEBUG"))
    _logging(quiet="--quiet" in args or "-q" in args or "--json" in args, debug=debug)
    try:
        result = app(args=args, prog_name="optimise", standalone_mode=False)
    except InputError as exc:
        if debug:
            raise
        err_console.print(f"error: {exc}", markup=False, soft_wrap=True)
        return 2
    except typer.TyperException as exc:  # usage errors: bad option, missing argument
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            err_console.print(f"error: {exc.format_message()}", markup=False)
        return 2
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("interrupted: outputs not written")
        return 130
    except Exception as exc:
        if debug:
            raise
        err_console.print(
            f"internal error: {type(exc).__name__}: {exc} "
            "(run again with --debug for the traceback)",
            markup=False,
            soft_wrap=True,
        )
        return 1
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
