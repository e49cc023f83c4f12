"""``optimise transport routes | plan | eligibility``."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from optimise.commands.common import (
    Config,
    Debug,
    Json,
    Network,
    Out,
    Progress,
    Quiet,
    Seed,
    TimeLimit,
    app,
    console,
    non_negative,
    print_json,
    travel_provider,
    write_run_report,
)
from optimise.commands.options import command

if TYPE_CHECKING:
    from optimise.config import RunConfig
    from optimise.jobs import JobContext

# Input files of the transport commands (the embedded default data when omitted).
Pupils = Annotated[
    Path | None, typer.Option("--pupils", help="Pupils file (default: embedded data).")
]
Schools = Annotated[Path | None, typer.Option("--schools", help="Schools file.")]
Fleet = Annotated[Path | None, typer.Option("--fleet", help="Fleet file.")]
# Which runs of the day to plan (routes: default both; plan: default am, as before).
PersonalData = Annotated[
    bool,
    typer.Option(
        "--include-personal-data",
        help="Write pupils' ids and home points to the outputs (personal data).",
    ),
]
ModeChoice = Annotated[
    bool,
    typer.Option(
        "--mode-choice",
        help="Choose SEND pupils' travel modes (route, personal budget, travel training) "
        "with the routes; writes modes-personal.csv and savings_by_line_gbp.",
    ),
]
Run = Annotated[
    str,
    typer.Option(
        "--run",
        help="am (to school), pm (home; board at end time + pm_delay_min) or both "
        "(time limit shared; the summary's headline stays the morning's).",
    ),
]

transport_app = typer.Typer(
    help="Home-to-school transport: route mapping, pick-up points, eligibility.\n\n"
    "Example: optimise transport routes --out runs/term1",
    no_args_is_help=True,
)
app.add_typer(transport_app, name="transport")


@dataclass(frozen=True)
class RoutesArgs:
    """The options of ``optimise transport routes``."""

    out: Out = None
    config: Config = None
    network: Network = None
    pupils: Pupils = None
    schools: Schools = None
    stops: Annotated[Path | None, typer.Option("--stops", help="Stops file.")] = None
    fleet: Fleet = None
    current_plan: Annotated[
        Path | None,
        typer.Option(
            "--current-plan", help="CSV of the current routes (route,vehicle_type,sequence,id)."
        ),
    ] = None
    include_personal_data: PersonalData = False
    mode_choice: ModeChoice = False
    run: Run = "both"
    time_limit: TimeLimit = None
    seed: Seed = None
    json_out: Json = False
    quiet: Quiet = False
    debug: Debug = False


@command(
    transport_app,
    RoutesArgs,
    "routes",
    epilog="Example: optimise transport routes --time-limit 120 --current-plan plan.csv "
    "--out runs/term1",
)
def transport_routes(args: RoutesArgs) -> None:
    """Route mapping: the morning and afternoon routes, with hard ride-time limits.

    Mixed fleet (seats, wheelchair spaces, day rate, cost per mile), SEND needs (wheelchair,
    solo, passenger assistant, excluded vehicle types), dwell times, second trips for later
    bells, routes shared by two schools where allowed. Writes
    DIR/summary.json, routes.csv, unserved.csv and routes.gpkg; with --current-plan the
    summary gives the saving against it in £ a year.
    """
    from optimise.config import RunConfig
    from optimise.settings import TransportSettings
    from optimise.transport.run import RoutesOptions, load_inputs, plan_routes, write_routes

    cfg = RunConfig.load(args.config, seed=args.seed, out=args.out, time_limit=args.time_limit)
    started = time.monotonic()  # --time-limit bounds the command from here
    settings = TransportSettings.from_table(cfg.tables.get("transport"), str(args.config or ""))
    options = RoutesOptions(args.run, args.mode_choice, args.include_personal_data)
    out_dir = cfg.out or Path("optimise-routes")
    with Progress(args.quiet or args.json_out) as step:
        job = _job(args, cfg, started, step)
        step("reading pupils, schools, stops and fleet")
        inputs = load_inputs(_files(args), cfg.columns_for, cfg.reading, args.current_plan,
                             on_bad_row=cfg.on_bad_row)  # fmt: skip
        routes = plan_routes(inputs, settings, job, options)
        step(f"writing {', '.join(routes.files())}")
        summary = write_routes(routes, out_dir)
        write_run_report(out_dir, step, include_personal_data=args.include_personal_data)
    if args.json_out:
        print_json(summary)
    elif not args.quiet:
        _print_routes(summary, out_dir)


def _files(args: RoutesArgs | PlanArgs) -> dict[str, Path | None]:
    """The input files named on the command line (None: the embedded default data)."""
    return {"pupils": args.pupils, "schools": args.schools, "stops": args.stops,
            "fleet": args.fleet}  # fmt: skip


def _job(args: RoutesArgs | PlanArgs, cfg: RunConfig, started: float, step: Any) -> JobContext:
    """How a routes or plan run runs: the seed, the time limit (the transport default
    unless given) from ``started``, the travel times and the progress line."""
    from optimise.jobs import JobContext
    from optimise.transport.routing.params import TIME_LIMIT as TRANSPORT_TIME_LIMIT

    limit = cfg.time_limit or TRANSPORT_TIME_LIMIT
    return JobContext(seed=cfg.seed, time_limit=limit, deadline=started + limit,
                      provider=travel_provider(args.network), step=step)  # fmt: skip


def _print_routes(summary: dict[str, Any], out_dir: Path) -> None:
    """The routes' headline, the afternoon, what it took, the saving and the modes."""
    console.print(
        f"{summary['pupils_served']} of {summary['pupils_total']} pupils on "
        f"{summary['routes']} routes, {summary['vehicles']} vehicles: "
        f"£{summary['daily_cost_gbp']:,.2f} a day, £{summary['annual_cost_gbp']:,.0f} a year; "
        f"rides mean {summary['mean_ride_minutes']} min, 95th percentile "
        f"{summary['p95_ride_minutes']} min, {summary['ride_limit_violations']} over the limit",
        markup=False,
    )
    _print_afternoon(summary)
    _print_duty(summary)
    if summary["pupils_unserved"]:
        console.print(
            f"{summary['pupils_unserved']} pupil(s) not carried: see unserved.csv", markup=False
        )
    _print_saving(summary)
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


@dataclass(frozen=True)
class PlanArgs:
    """The options of ``optimise transport plan``."""

    out: Out = None
    config: Config = None
    network: Network = None
    pupils: Pupils = None
    schools: Schools = None
    stops: Annotated[
        Path | None, typer.Option("--stops", help="Candidate pick-up points (stops file).")
    ] = None
    fleet: Fleet = None
    current_plan: Annotated[
        Path | None,
        typer.Option(
            "--current-plan", help="CSV of the current routes: the savings by line against it."
        ),
    ] = None
    previous_plan: Annotated[
        Path | None,
        typer.Option(
            "--previous-plan",
            help="Last term's plan folder (or its assignments-personal.csv): re-plan the term.",
        ),
    ] = None
    max_changes: Annotated[
        int | None,
        typer.Option(
            "--max-changes",
            callback=non_negative,
            help="At most this many continuing pupils change.",
        ),
    ] = None
    change_penalty: Annotated[
        float | None,
        typer.Option(
            "--change-penalty",
            callback=non_negative,
            help="£ per continuing pupil whose stop or vehicle changes.",
        ),
    ] = None
    from_scratch: Annotated[
        bool, typer.Option("--from-scratch", help="Ignore last term's plan when planning.")
    ] = False
    include_personal_data: PersonalData = False
    mode_choice: ModeChoice = False
    run: Run = "am"
    time_limit: TimeLimit = None
    seed: Seed = None
    json_out: Json = False
    quiet: Quiet = False
    debug: Debug = False


@command(
    transport_app,
    PlanArgs,
    "plan",
    epilog="Example: optimise transport plan --time-limit 120 --current-plan plan.csv "
    "--out runs/term2 (next term: --previous-plan runs/term2 --change-penalty 200)",
)
def transport_plan(args: PlanArgs) -> None:
    """Pick-up point consolidation with routing, and term re-planning (issue #4).

    Chooses which candidate stops to use and who walks to which (walking limits by age,
    no unsafe stops, caps per stop, SEND pupils from home), jointly with the routes.
    Writes DIR/summary.json, stops.csv (counts only), assignments-personal.csv (per
    pupil: personal), routes.csv, unserved.csv, routes.gpkg and report.html. With --run
    pm or both the afternoon sets each pupil down at their morning pick-up point.
    """
    from optimise.config import RunConfig
    from optimise.transport.run import load_inputs
    from optimise.transport.stops.day import check_run
    from optimise.transport.stops.run import (
        PlanOptions,
        plan_stops,
        with_change_penalty,
        write_plan,
    )

    cfg = RunConfig.load(args.config, seed=args.seed, out=args.out, time_limit=args.time_limit)
    started = time.monotonic()  # --time-limit bounds the command from here
    check_run(args.run, {"--current-plan": args.current_plan,
                         "--previous-plan": args.previous_plan,
                         "--mode-choice": args.mode_choice})  # fmt: skip
    options = PlanOptions(args.run, args.mode_choice, args.include_personal_data,
                          args.max_changes, args.from_scratch)  # fmt: skip
    settings = with_change_penalty(cfg.tables.get("transport"), args.change_penalty)
    out_dir = cfg.out or Path("optimise-plan")
    with Progress(args.quiet or args.json_out) as step:
        job = _job(args, cfg, started, step)
        step("reading pupils, schools, stops and fleet")
        inputs = load_inputs(_files(args), cfg.columns_for, cfg.reading, args.current_plan,
                             args.previous_plan, on_bad_row=cfg.on_bad_row)  # fmt: skip
        planned = plan_stops(inputs, settings, job, options)
        step("writing stops.csv, assignments-personal.csv, routes.csv and routes.gpkg")
        summary = write_plan(planned, out_dir)
        write_run_report(out_dir, step, include_personal_data=args.include_personal_data)
    if args.json_out:
        print_json(summary)
    elif not args.quiet:
        _print_plan(summary, out_dir)


def _print_plan(summary: dict[str, Any], out_dir: Path) -> None:
    """The pick-up points and routes' headline, the afternoon, the re-planning, the saving."""
    console.print(
        f"{summary['stops_used']} of {summary['stops_candidate']} pick-up points used; "
        f"{summary['pupils_at_stops']} pupils walk (mean {summary['mean_walk_m']:.0f} m, "
        f"max {summary['max_walk_m']:.0f} m, {summary['walk_limit_violations']} over the "
        f"limit); {summary['pupils_served']} of {summary['pupils_total']} pupils on "
        f"{summary['routes']} routes: £{summary['annual_cost_gbp']:,.0f} a year",
        markup=False,
    )
    _print_afternoon(summary)
    _print_duty(summary)
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
    _print_saving(summary)
    console.print(f"outputs in {out_dir} ({summary['elapsed_s']:.1f} s)", markup=False)


@dataclass(frozen=True)
class EligibilityArgs:
    """The options of ``optimise transport eligibility``."""

    out: Out = None
    config: Config = None
    network: Network = None
    pupils: Pupils = None
    schools: Schools = None
    json_out: Json = False
    quiet: Quiet = False
    debug: Debug = False


@command(
    transport_app,
    EligibilityArgs,
    "eligibility",
    epilog="Example: optimise transport eligibility --pupils pupils.csv --schools schools.csv "
    "--out runs/elig",
)
def transport_eligibility(args: EligibilityArgs) -> None:
    """Each pupil's statutory eligibility, walking distance and the reason, for parents.

    Walking distance from home to the nearest suitable school (along the path network
    with --network, else straight line x 1.2): 2 miles under 8, 3 miles from 8; low-income
    extended rights and SEND as pupil flags. Writes DIR/eligibility-personal.csv (pupil
    ids: personal data, never coordinates) and DIR/summary.json (counts).
    """
    from optimise.config import RunConfig
    from optimise.jobs import JobContext
    from optimise.settings import TransportSettings
    from optimise.transport.eligibility.run import assess_eligibility, write_eligibility
    from optimise.transport.run import TransportInputs, read_frames

    cfg = RunConfig.load(args.config, out=args.out)
    started = time.monotonic()
    settings = TransportSettings.from_table(cfg.tables.get("transport"), str(args.config or ""))
    out_dir = cfg.out or Path("optimise-eligibility")
    files = {"pupils": args.pupils, "schools": args.schools}
    with Progress(args.quiet or args.json_out) as step:
        job = JobContext(provider=travel_provider(args.network), step=step, started=started)
        step("reading pupils and schools")
        frames = read_frames(files, cfg.columns_for, cfg.reading, cfg.on_bad_row)
        run = assess_eligibility(TransportInputs(frames, files), settings, job)
        step("writing eligibility-personal.csv")
        summary = write_eligibility(run, out_dir)
    if args.json_out:
        print_json(summary)
    elif not args.quiet:
        console.print(
            f"{summary['eligible']} of {summary['pupils']} pupils eligible "
            f"({summary['eligible_distance']} on distance, {summary['eligible_low_income']} "
            f"low income, {summary['eligible_send']} SEND); {summary['not_eligible']} not "
            f"eligible; outputs in {out_dir} ({summary['elapsed_s']:.1f} s)",
            markup=False,
        )


def _print_afternoon(summary: dict[str, Any]) -> None:
    """The afternoon and the whole day, when the run planned both."""
    if "pm" in summary:
        pm = summary["pm"]
        console.print(
            f"afternoon: {pm['pupils_served']} pupils on {pm['routes']} routes, "
            f"£{pm['daily_cost_gbp']:,.2f} a day; the day with vehicles shared: "
            f"{summary['total_vehicles']} vehicles, £{summary['total_annual_cost_gbp']:,.0f}"
            " a year",
            markup=False,
        )


def _print_duty(summary: dict[str, Any]) -> None:
    """What carrying everyone took: vehicles to hire, pupils beyond the ride limit."""
    for label, run in (("", summary), ("afternoon: ", summary.get("pm") or {})):
        if run.get("vehicles_to_procure"):
            what = ", ".join(f"{n} x {k}" for k, n in run["vehicles_to_procure"].items())
            console.print(f"{label}vehicles to procure (spot hire): {what}, "
                          f"£{run['spot_hire_cost_gbp']:,.0f} a year", markup=False)  # fmt: skip
    if summary.get("ride_limit_exceeded_unavoidably"):
        n = summary["ride_limit_exceeded_unavoidably"]
        console.print(f"{n} pupil(s) carried beyond the ride limit: their direct ride is "
                      "longer (see the report)", markup=False)  # fmt: skip


def _print_saving(summary: dict[str, Any]) -> None:
    """The saving against ``--current-plan``, when the run had one."""
    if "saving_gbp" in summary:
        console.print(
            f"current plan £{summary['current_annual_cost_gbp']:,.0f} a year: saving "
            f"£{summary['saving_gbp']:,.0f} a year",
            markup=False,
        )
