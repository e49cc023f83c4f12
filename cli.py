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

console = Console(highlight=False, soft_wrap=True)  # paths and messages never wrap
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
Network = Annotated[
    Path | None,
    typer.Option(
        "--network",
        help="Folder from 'optimise network build': road travel times instead of straight line.",
    ),
]


def _provider(network: Path | None) -> Any:
    """Travel times: the road network in ``network`` (cached), else straight line."""
    if network is None:
        return None
    from geodata.network import provider_from_options

    return provider_from_options(network)


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
    from optimise.demo import DEMO_TIME_LIMIT, run_demo

    cfg = RunConfig.load(config, seed=seed, out=out, time_limit=time_limit)
    out_dir = cfg.out or Path("optimise-demo")
    with _progress(quiet or json_out) as step:
        summary = run_demo(
            out_dir, seed=cfg.seed, step=step, time_limit=cfg.time_limit or DEMO_TIME_LIMIT
        )
        _run_report(out_dir, step)
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
    "routes",
    epilog="Example: optimise transport routes --time-limit 120 --current-plan plan.csv "
    "--out runs/term1",
)
def transport_routes(
    out: Out = None,
    config: Config = None,
    network: Network = None,
    pupils: Annotated[
        Path | None, typer.Option("--pupils", help="Pupils file (default: embedded data).")
    ] = None,
    schools: Annotated[Path | None, typer.Option("--schools", help="Schools file.")] = None,
    stops: Annotated[Path | None, typer.Option("--stops", help="Stops file.")] = None,
    fleet: Annotated[Path | None, typer.Option("--fleet", help="Fleet file.")] = None,
    current_plan: Annotated[
        Path | None,
        typer.Option(
            "--current-plan", help="CSV of the current routes (route,vehicle_type,sequence,id)."
        ),
    ] = None,
    include_personal_data: Annotated[
        bool,
        typer.Option(
            "--include-personal-data", help="Write pupils' ids and home points to the outputs."
        ),
    ] = False,
    mode_choice: Annotated[
        bool,
        typer.Option(
            "--mode-choice",
            help="Choose SEND pupils' travel modes (route, personal budget, travel training) "
            "with the routes; writes modes-personal.csv and savings_by_line_gbp.",
        ),
    ] = False,
    run: Annotated[
        str,
        typer.Option(
            "--run",
            help="am (to school), pm (home; board at end time + pm_delay_min) or both "
            "(time limit shared; the summary's headline stays the morning's).",
        ),
    ] = "both",
    time_limit: TimeLimit = None,
    seed: Seed = None,
    json_out: Json = False,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Route mapping: the morning and afternoon routes, with hard ride-time limits.

    Mixed fleet (seats, wheelchair spaces, day rate, cost per mile), SEND needs (wheelchair,
    solo, passenger assistant, excluded vehicle types), dwell times, second trips for later
    bells, routes shared by two schools where allowed. Writes
    DIR/summary.json, routes.csv, unserved.csv and routes.gpkg; with --current-plan the
    summary gives the saving against it in £ a year.
    """
    from optimise.config import RunConfig
    from optimise.transport.run import run_routes

    cfg = RunConfig.load(config, seed=seed, out=out, time_limit=time_limit)
    out_dir = cfg.out or Path("optimise-routes")
    limit = cfg.time_limit or 60.0
    files = {"pupils": pupils, "schools": schools, "stops": stops, "fleet": fleet}
    with _progress(quiet or json_out) as step:
        summary = run_routes(
            out_dir,
            files=files,
            columns=cfg.columns_for,
            table=cfg.tables.get("transport"),
            current_plan=current_plan,
            time_limit=limit,
            seed=cfg.seed,
            include_personal_data=include_personal_data,
            step=step,
            provider=_provider(network),
            mode_choice=mode_choice,
            run=run,
        )
        _run_report(out_dir, step, include_personal_data=include_personal_data)
    if json_out:
        console.print_json(json.dumps(summary, default=str))
    elif not quiet:
        console.print(
            f"{summary['pupils_served']} of {summary['pupils_total']} pupils on "
            f"{summary['routes']} routes, {summary['vehicles']} vehicles: "
            f"£{summary['daily_cost_gbp']:,.2f} a day, £{summary['annual_cost_gbp']:,.0f} a year; "
            f"rides mean {summary['mean_ride_minutes']} min, 95th percentile "
            f"{summary['p95_ride_minutes']} min, {summary['ride_limit_violations']} over the limit",
            markup=False,
        )
        if "pm" in summary:
            pm = summary["pm"]
            console.print(
                f"afternoon: {pm['pupils_served']} pupils on {pm['routes']} routes, "
                f"£{pm['daily_cost_gbp']:,.2f} a day; the day with vehicles shared: "
                f"{summary['total_vehicles']} vehicles, £{summary['total_annual_cost_gbp']:,.0f}"
                " a year",
                markup=False,
            )
        if summary["pupils_unserved"]:
            console.print(
                f"{summary['pupils_unserved']} pupil(s) not carried: see unserved.csv", markup=False
            )
        if "saving_gbp" in summary:
            console.print(
                f"current plan £{summary['current_annual_cost_gbp']:,.0f} a year: saving "
                f"£{summary['saving_gbp']:,.0f} a year",
                markup=False,
            )
        if "mode_choice" in summary:
            mc, line = summary["mode_choice"], summary["savings_by_line_gbp"]
            console.print(
                f"mode choice: {mc['chosen_budget']} personal budgets (saving "
                f"£{line['personal_budgets']:,.0f} a year), {mc['chosen_training']} travel "
                f"training (saving £{line['independent_travel']:,.0f} a year); see "
                "modes-personal.csv",
                markup=False,
            )
        console.print(f"outputs in {out_dir} ({summary['elapsed_s']:.1f} s)", markup=False)


@transport_app.command(
    "plan",
    epilog="Example: optimise transport plan --time-limit 120 --current-plan plan.csv "
    "--out runs/term2 (next term: --previous-plan runs/term2 --change-penalty 200)",
)
def transport_plan(
    out: Out = None,
    config: Config = None,
    network: Network = None,
    pupils: Annotated[
        Path | None, typer.Option("--pupils", help="Pupils file (default: embedded data).")
    ] = None,
    schools: Annotated[Path | None, typer.Option("--schools", help="Schools file.")] = None,
    stops: Annotated[
        Path | None, typer.Option("--stops", help="Candidate pick-up points (stops file).")
    ] = None,
    fleet: Annotated[Path | None, typer.Option("--fleet", help="Fleet file.")] = None,
    current_plan: Annotated[
        Path | None,
        typer.Option(
            "--current-plan", help="CSV of the current routes: the savings by line against it."
        ),
    ] = None,
    previous_plan: Annotated[
        Path | None,
        typer.Option(
            "--previous-plan",
            help="Last term's plan folder (or its assignments-personal.csv): re-plan the term.",
        ),
    ] = None,
    max_changes: Annotated[
        int | None,
        typer.Option("--max-changes", help="At most this many continuing pupils change."),
    ] = None,
    change_penalty: Annotated[
        float | None,
        typer.Option(
            "--change-penalty", help="£ per continuing pupil whose stop or vehicle changes."
        ),
    ] = None,
    from_scratch: Annotated[
        bool, typer.Option("--from-scratch", help="Ignore last term's plan when planning.")
    ] = False,
    include_personal_data: Annotated[
        bool,
        typer.Option(
            "--include-personal-data", help="Write home points to the outputs (personal data)."
        ),
    ] = False,
    mode_choice: Annotated[
        bool,
        typer.Option(
            "--mode-choice",
            help="Choose SEND pupils' travel modes (route, personal budget, travel training) "
            "with the routes; writes modes-personal.csv.",
        ),
    ] = False,
    time_limit: TimeLimit = None,
    seed: Seed = None,
    json_out: Json = False,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Pick-up point consolidation with routing, and term re-planning (issue #4).

    Chooses which candidate stops to use and who walks to which (walking limits by age,
    no unsafe stops, caps per stop, SEND pupils from home), jointly with the routes.
    Writes DIR/summary.json, stops.csv (counts only), assignments-personal.csv (per
    pupil: personal), routes.csv, unserved.csv and routes.gpkg.
    """
    from optimise.config import RunConfig
    from optimise.transport.stops.run import run_plan

    cfg = RunConfig.load(config, seed=seed, out=out, time_limit=time_limit)
    out_dir = cfg.out or Path("optimise-plan")
    files = {"pupils": pupils, "schools": schools, "stops": stops, "fleet": fleet}
    with _progress(quiet or json_out) as step:
        summary = run_plan(
            out_dir,
            files=files,
            columns=cfg.columns_for,
            table=cfg.tables.get("transport"),
            provider=_provider(network),
            current_plan=current_plan,
            previous_plan=previous_plan,
            max_changes=max_changes,
            change_penalty=change_penalty,
            from_scratch=from_scratch,
            time_limit=cfg.time_limit or 120.0,
            seed=cfg.seed,
            include_personal_data=include_personal_data,
            mode_choice=mode_choice,
            step=step,
        )
    if json_out:
        console.print_json(json.dumps(summary, default=str))
    elif not quiet:
        console.print(
            f"{summary['stops_used']} of {summary['stops_candidate']} pick-up points used; "
            f"{summary['pupils_at_stops']} pupils walk (mean {summary['mean_walk_m']:.0f} m, "
            f"max {summary['max_walk_m']:.0f} m, {summary['walk_limit_violations']} over the "
            f"limit); {summary['pupils_served']} of {summary['pupils_total']} pupils on "
            f"{summary['routes']} routes: £{summary['annual_cost_gbp']:,.0f} a year",
            markup=False,
        )
        if "pupils_changed" in summary:
            console.print(
                f"re-planned ({summary['replanning']['chosen']}): {summary['pupils_changed']} "
                f"continuing pupils changed stop or vehicle, {summary['stops_opened']} stops "
                f"opened, {summary['stops_closed']} closed",
                markup=False,
            )
            if not summary["max_changes_met"]:
                console.print(
                    f"above --max-changes {summary['max_changes']}: routes that no longer "
                    "fit moved pupils to other vehicles",
                    markup=False,
                )
        if "saving_gbp" in summary:
            console.print(
                f"current plan £{summary['current_annual_cost_gbp']:,.0f} a year: saving "
                f"£{summary['saving_gbp']:,.0f} a year",
                markup=False,
            )
        console.print(f"outputs in {out_dir} ({summary['elapsed_s']:.1f} s)", markup=False)


@transport_app.command(
    "eligibility",
    epilog="Example: optimise transport eligibility --pupils pupils.csv --schools schools.csv "
    "--out runs/elig",
)
def transport_eligibility(
    out: Out = None,
    config: Config = None,
    network: Network = None,
    pupils: Annotated[
        Path | None, typer.Option("--pupils", help="Pupils file (default: embedded data).")
    ] = None,
    schools: Annotated[Path | None, typer.Option("--schools", help="Schools file.")] = None,
    json_out: Json = False,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Each pupil's statutory eligibility, walking distance and the reason, for parents.

    Walking distance from home to the nearest suitable school (along the path network
    with --network, else straight line x 1.2): 2 miles under 8, 3 miles from 8; low-income
    extended rights and SEND as pupil flags. Writes DIR/eligibility-personal.csv (pupil
    ids: personal data, never coordinates) and DIR/summary.json (counts).
    """
    from optimise.config import RunConfig
    from optimise.transport.eligibility_run import run_eligibility

    cfg = RunConfig.load(config, out=out)
    out_dir = cfg.out or Path("optimise-eligibility")
    with _progress(quiet or json_out) as step:
        summary = run_eligibility(
            out_dir,
            files={"pupils": pupils, "schools": schools},
            columns=cfg.columns_for,
            table=cfg.tables.get("transport"),
            provider=_provider(network),
            step=step,
        )
    if json_out:
        console.print_json(json.dumps(summary, default=str))
    elif not quiet:
        console.print(
            f"{summary['eligible']} of {summary['pupils']} pupils eligible "
            f"({summary['eligible_distance']} on distance, {summary['eligible_low_income']} "
            f"low income, {summary['eligible_send']} SEND); {summary['not_eligible']} not "
            f"eligible; outputs in {out_dir} ({summary['elapsed_s']:.1f} s)",
            markup=False,
        )


@app.command(
    epilog="Example: optimise estate --receipt-target 0.10 --max-travel 30 --pareto 5 "
    "--out runs/estate"
)
def estate(
    network: Network = None,
    sites: Annotated[
        Path | None, typer.Option("--sites", help="Asset register (default: embedded data).")
    ] = None,
    zones: Annotated[
        Path | None, typer.Option("--zones", help="Demand zones with population.")
    ] = None,
    columns: Annotated[
        str | None, typer.Option("--columns", help="Map the sites file: id=AssetCode,...")
    ] = None,
    on_bad_row: Annotated[
        str | None, typer.Option("--on-bad-row", help="error: stop at bad rows; skip: skip.")
    ] = None,
    max_travel: Annotated[
        float | None, typer.Option("--max-travel", help="Minutes from every zone to a service.")
    ] = None,
    receipt_target: Annotated[
        float | None,
        typer.Option("--receipt-target", help="Receipts: ≤ 1 a share of the value, else £."),
    ] = None,
    office_reduction: Annotated[
        float | None, typer.Option("--office-reduction", help="Cut in office desks (0.30).")
    ] = None,
    pareto: Annotated[
        int, typer.Option("--pareto", help="Points of the saving-access Pareto front.")
    ] = 0,
    pareto_measure: Annotated[
        str | None,
        typer.Option(
            "--pareto-measure",
            help="Access on the front: limit (travel limit kept) or population (beyond it).",
        ),
    ] = None,
    out: Out = None,
    seed: Seed = None,
    config: Config = None,
    time_limit: TimeLimit = None,
    json_out: Json = False,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Estate rationalisation: which sites to keep, receipts, savings, who loses access.

    Writes DIR/summary.json, sites.csv, disposals.csv (ranked), estate.gpkg and, with
    --pareto N, pareto.csv (access measured by --pareto-measure limit|population).
    """
    from optimise.config import RunConfig, parse_columns
    from optimise.estate.params import EstateParams
    from optimise.estate.run import load_layers, run_estate

    cfg = RunConfig.load(
        config, seed=seed, out=out, time_limit=time_limit, on_bad_row=on_bad_row,
        columns=parse_columns(columns), kind="sites",
    )  # fmt: skip
    if pareto < 0:
        raise InputError(f"--pareto: expected a number of points ≥ 0, found {pareto}")
    table = cfg.tables.get("estate", {})
    if not isinstance(table, dict):
        raise InputError(f"{config}: [estate] must be a table")
    given = {"max_travel_minutes": max_travel, "receipt_target": receipt_target,
             "office_reduction": office_reduction, "pareto_measure": pareto_measure}  # fmt: skip
    params = EstateParams.from_dict(
        {**table, **{k: v for k, v in given.items() if v is not None}},
        source=str(config) if config else "options",
    )
    with _progress(quiet or json_out) as step:
        step("reading sites and zones")
        site_frame, zone_frame, notes = load_layers(cfg, sites, zones)
        summary = run_estate(
            site_frame, zone_frame, cfg.out or Path("optimise-estate"), params=params,
            seed=cfg.seed, time_limit=cfg.time_limit, pareto=pareto, step=step,
            provider=_provider(network),
        )  # fmt: skip
        _run_report(summary["out"], step)
    summary["notes"] = notes
    if json_out:
        console.print_json(json.dumps(summary, default=str))
    elif not quiet:
        if summary["status"] in ("infeasible", "no solution"):
            for r in summary["reasons"]:
                console.print(f"infeasible: {r['message']}", markup=False, soft_wrap=True)
        else:
            console.print(
                f"{summary['sites_disposed']} of {summary['sites']} sites to dispose of: "
                f"receipts £{summary['capital_receipts_gbp']:,}, running saving "
                f"£{summary['annual_saving_gbp']:,} a year, backlog avoided "
                f"£{summary['backlog_avoided_gbp']:,}; "
                f"{'optimal' if summary['optimal'] else 'gap ' + format(summary['gap'], '.2%')}",
                markup=False,
            )
        console.print(f"outputs in {summary['out']} ({summary['elapsed_s']:.1f} s)", markup=False)
    if summary["status"] in ("infeasible", "no solution"):
        raise typer.Exit(1)


@app.command(epilog="Example: optimise hours --budget-hours 70 --over65-weight 2 --out runs/hours")
def hours(
    network: Network = None,
    centres: Annotated[
        Path | None, typer.Option("--centres", help="Centres file (default: embedded data).")
    ] = None,
    zones: Annotated[
        Path | None, typer.Option("--zones", help="Zones file (default: embedded data).")
    ] = None,
    budget_hours: Annotated[
        float | None, typer.Option("--budget-hours", help="Weekly staff-hours budget [70].")
    ] = None,
    over65_weight: Annotated[
        float | None, typer.Option("--over65-weight", help="Weight of an over-65 visit [1.5].")
    ] = None,
    min_block: Annotated[
        float | None, typer.Option("--min-block", help="Shortest opening, in hours [3].")
    ] = None,
    profile: Annotated[
        Path | None,
        typer.Option("--profile", help="CSV day,hours,weight of when residents want to visit."),
    ] = None,
    no_curve: Annotated[
        bool, typer.Option("--no-curve", help="Skip the curve of staff hours vs demand.")
    ] = False,
    out: Out = None,
    config: Config = None,
    seed: Seed = None,
    time_limit: TimeLimit = None,
    json_out: Json = False,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Face-to-face centre opening hours within a staff budget (issue #6).

    Calibrates a distance-decay demand model on today's visits, chooses the open
    slots that serve the most (over-65-weighted) demand within the budget, and writes
    the timetable (CSV and a weekly grid), per-centre figures beside today's, the
    curve of staff hours against demand served, and summary.json.
    """
    from optimise.config import RunConfig
    from optimise.hours.run import load_params, run_hours

    cfg = RunConfig.load(config, seed=seed, out=out, time_limit=time_limit)
    params = load_params(
        cfg, budget_hours=budget_hours, over65_weight=over65_weight, min_block_hours=min_block
    )
    out_dir = cfg.out or Path("optimise-hours")
    with _progress(quiet or json_out) as step:
        step("calibrating demand and choosing opening hours")
        summary = run_hours(
            out_dir, cfg, params, centres=centres, zones=zones, profile=profile,
            curve=not no_curve, provider=_provider(network),
        )  # fmt: skip
        _run_report(out_dir, step)
    if json_out:
        console.print_json(json.dumps(summary, default=str))
    elif not quiet:
        console.print(
            f"{summary['hours_used']:g} of {summary['budget_hours']:g} staff-hours: "
            f"{summary['demand_served']:,.0f} visits a year "
            f"({summary['over65_demand_served']:,.0f} by over-65s), today "
            f"{summary['current_demand_served']:,.0f} "
            f"({summary['current_over65_demand_served']:,.0f})"
            f"; {'optimal' if summary['optimal'] else 'not proven optimal'}; outputs in {out_dir}",
            markup=False,
        )


@app.command(
    epilog="Example: optimise batch examples/estate-travel-limits.toml --out runs/estate-limits"
)
def batch(
    file: Annotated[Path, typer.Argument(help="Scenario file (TOML): \\[base], \\[grid]")],
    out: Annotated[Path, typer.Option("--out", help="Folder for results and scenario folders.")],
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
        _run_report(out, lambda _t: None)
    except KeyboardInterrupt:
        err_console.print(
            f"interrupted: finished scenarios kept in {out}; run the same command to finish"
        )
        raise typer.Exit(130) from None
    if json_out:
        console.print_json(json.dumps(summary, default=str))
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


@network_app.command(
    "build",
    epilog="Example: optimise network build extract.osm.pbf --out network/ "
    "--speeds residential=25,track=15",
)
def network_build(
    extract: Annotated[Path, typer.Argument(help="OpenStreetMap extract (.osm.pbf).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for drive/walk.npz, summary.json.")],
    speeds: Annotated[
        str | None,
        typer.Option(
            "--speeds",
            help="Driving km/h per highway class, over the defaults: residential=25,track=15 "
            "(a class given is driven; =0 drops it).",
        ),
    ] = None,
    maxspeed_factor: Annotated[
        float | None, typer.Option("--maxspeed-factor", help="Share of a tagged maxspeed driven.")
    ] = None,
    walk_kmh: Annotated[float | None, typer.Option("--walk-kmh", help="Walking speed.")] = None,
    seed: Seed = None,
    json_out: Json = False,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Build driving and walking networks from an OSM extract, and fit the straight line.

    Solver commands read DIR with --network DIR.
    """
    from geodata.network import DRIVE_SPEED_KMH, build_folder

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
    table = {k: v for k, v in table.items() if v > 0}
    with _progress(quiet or json_out) as step:
        step(f"building networks from {extract}")
        summary = build_folder(
            extract,
            out,
            drive_speeds=table,
            maxspeed_factor=maxspeed_factor,
            walk_speed_kmh=walk_kmh,
            seed=0 if seed is None else seed,
        )
    if json_out:
        console.print_json(json.dumps(summary, default=str))
        return
    if quiet:
        return
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
    from optimise.transport.bench import run_bench

    limit = time_limit if time_limit is not None else 30.0
    if limit <= 0:
        raise InputError(f"--time-limit: expected a positive number, found {limit}")
    summary = run_bench(file, kind="cvrp", time_limit=limit, seed=seed or 0, out=out)
    if json_out:
        console.print_json(json.dumps(summary))
    elif not quiet:
        console.print(
            f"{summary['instance']}: cost {summary['cost']}, {summary['vehicles']} routes, "
            f"{'feasible' if summary['feasible'] else 'INFEASIBLE'} ({limit:g} s)",
            markup=False,
        )


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
    from optimise.transport.bench import run_bench

    limit = time_limit if time_limit is not None else 30.0
    if limit <= 0:
        raise InputError(f"--time-limit: expected a positive number, found {limit}")
    summary = run_bench(file, kind="vrptw", time_limit=limit, seed=seed or 0, out=out)
    if json_out:
        console.print_json(json.dumps(summary))
    elif not quiet:
        console.print(
            f"{summary['instance']}: distance {summary['cost']}, {summary['vehicles']} routes, "
            f"{'feasible' if summary['feasible'] else 'INFEASIBLE'} ({limit:g} s)",
            markup=False,
        )


@bench_app.command("sbrp", epilog="Example: optimise bench sbrp RSRB01 --max-ride 2700 --json")
def bench_sbrp(
    folder: Annotated[Path, typer.Argument(help="Instance folder with Schools.txt and Stops.txt.")],
    max_ride: Annotated[
        float, typer.Option("--max-ride", help="Maximum ride time, seconds (2700 or 5400).")
    ] = 2700.0,
    time_limit: TimeLimit = None,
    seed: Seed = None,
    out: Out = None,
    json_out: Json = False,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Multi-school bus routing and scheduling (Park, Tae & Kim 2012), BiRD's definition.

    Routes per school, then buses by chaining routes across bell times; every time and
    load is recomputed by an independent checker ("violations" must be 0).
    """
    from optimise.transport.sbrp import run_sbrp

    limit = time_limit if time_limit is not None else 30.0
    if limit <= 0:
        raise InputError(f"--time-limit: expected a positive number, found {limit}")
    summary = run_sbrp(folder, max_ride=max_ride, time_limit=limit, seed=seed or 0)
    if out is not None:
        from geodata.write import Staging, write_json

        with Staging(out) as stage:
            write_json(stage.path / "summary.json", summary)
    if json_out:
        console.print_json(json.dumps(summary))
    elif not quiet:
        console.print(
            f"{summary['instance']} (T = {max_ride:g} s): {summary['buses']} buses, "
            f"{summary['routes']} routes, {summary['violations']} violations ({limit:g} s)",
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
    from optimise.transport.stops.sbr import solve_sbr

    limit = time_limit if time_limit is not None else 30.0
    if limit <= 0:
        raise InputError(f"--time-limit: expected a positive number, found {limit}")
    summary = solve_sbr(file, method=method, time_limit=limit, seed=seed or 0)
    if json_out:
        console.print_json(json.dumps(summary))
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
    from optimise.facility import read_pmedian, solve_pmedian

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
    from optimise.facility import read_cflp, solve_cflp

    inst = read_cflp(file, capacity=capacity)
    result = solve_cflp(inst, time_limit=time_limit, seed=seed or 0)
    _bench_print(result.as_dict(), json_out=json_out, quiet=quiet)


def _bench_print(row: dict[str, Any], *, json_out: bool, quiet: bool) -> None:
    if json_out:
        console.print_json(json.dumps({k: row[k] for k in ("cost", "optimal", "gap", "seconds")}))
    elif not quiet:
        console.print(
            f"cost {row['cost']}  optimal {row['optimal']}  gap {row['gap']}  {row['seconds']} s",
            markup=False,
        )


def _run_report(out_dir: Any, step: Any, *, include_personal_data: bool = False) -> None:
    """Write DIR/report.html after a run; a failure is a warning, the run's files stand."""
    import logging

    from optimise.report import write_report

    step("writing report.html")
    try:
        write_report(out_dir, include_personal_data=include_personal_data)
    except Exception as exc:
        if os.environ.get("OPTIMISE_DEBUG"):
            raise
        logging.getLogger("optimise.report").warning(
            "report.html not written: %s (optimise report %s --debug shows why)", exc, out_dir
        )


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
