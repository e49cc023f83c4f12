"""``optimise estate`` and ``optimise hours``."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from geodata.errors import InputError
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
    from optimise.settings import EstateSettings


@dataclass(frozen=True)
class EstateArgs:
    """The options of ``optimise estate``."""

    network: Network = None
    sites: Annotated[
        Path | None, typer.Option("--sites", help="Asset register (default: embedded data).")
    ] = None
    zones: Annotated[
        Path | None,
        typer.Option("--zones", help="Demand zones with population."),
    ] = None
    columns: Annotated[
        str | None, typer.Option("--columns", help="Map the sites file: id=AssetCode,...")
    ] = None
    on_bad_row: Annotated[
        str | None, typer.Option("--on-bad-row", help="error: stop at bad rows; skip: skip.")
    ] = None
    max_travel: Annotated[
        float | None,
        typer.Option(
            "--max-travel", callback=non_negative, help="Minutes from every zone to a service."
        ),
    ] = None
    receipt_target: Annotated[
        float | None,
        typer.Option(
            "--receipt-target",
            callback=non_negative,
            help="Receipts: ≤ 1 a share of the value, else £.",
        ),
    ] = None
    office_reduction: Annotated[
        float | None,
        typer.Option(
            "--office-reduction", callback=non_negative, help="Cut in office desks (0.30)."
        ),
    ] = None
    receipt_share: Annotated[
        float | None,
        typer.Option(
            "--receipt-share",
            callback=non_negative,
            help="Share of book value a sale realises (0-1) [1].",
        ),
    ] = None
    disposal_cost: Annotated[
        float | None,
        typer.Option(
            "--disposal-cost",
            callback=non_negative,
            help="£ to relocate services per disposed site [0].",
        ),
    ] = None
    max_disposals: Annotated[
        int | None,
        typer.Option("--max-disposals", help="At most this many disposals (-1: no cap)."),
    ] = None
    pareto: Annotated[
        int, typer.Option("--pareto", help="Points of the saving-access Pareto front.")
    ] = 0
    pareto_measure: Annotated[
        str | None,
        typer.Option(
            "--pareto-measure",
            help="Access on the front: limit (travel limit kept) or population (beyond it).",
        ),
    ] = None
    out: Out = None
    seed: Seed = None
    config: Config = None
    time_limit: TimeLimit = None
    json_out: Json = False
    quiet: Quiet = False
    debug: Debug = False


@command(
    app,
    EstateArgs,
    epilog="Example: optimise estate --receipt-target 0.10 --max-travel 30 --pareto 5 "
    "--out runs/estate",
)
def estate(args: EstateArgs) -> None:
    """Estate rationalisation: which sites to keep, receipts, savings, who loses access.

    Writes DIR/summary.json, sites.csv, disposals.csv (ranked), estate.gpkg and, with
    --pareto N, pareto.csv (access measured by --pareto-measure limit|population).
    """
    started = time.monotonic()  # --time-limit counts from here: reading is part of it
    cfg, settings = _estate_settings(args)
    summary, run_notes = _plan_estate(args, cfg, settings, started)
    if args.json_out:
        print_json(summary)
    elif not args.quiet:
        _print_estate(summary, settings, run_notes)
    if summary["status"] in ("infeasible", "no solution"):
        raise typer.Exit(1)


def _estate_settings(args: EstateArgs) -> tuple[RunConfig, EstateSettings]:
    """The run's configuration and the estate settings (config file, then options)."""
    from optimise.config import RunConfig, parse_columns
    from optimise.estate.pareto import MAX_POINTS
    from optimise.settings import EstateSettings

    cfg = RunConfig.load(
        args.config, seed=args.seed, out=args.out, time_limit=args.time_limit,
        on_bad_row=args.on_bad_row, columns=parse_columns(args.columns), kind="sites",
    )  # fmt: skip
    if args.pareto < 0:
        raise InputError(f"--pareto: expected a number of points ≥ 0, found {args.pareto}")
    if args.pareto > MAX_POINTS:
        raise InputError(
            f"--pareto: expected at most {MAX_POINTS} points, found {args.pareto}; each point "
            "is a solve, and the front rarely has more than a few dozen distinct plans"
        )
    given = {"max_travel_minutes": args.max_travel, "receipt_target": args.receipt_target,
             "office_reduction": args.office_reduction, "pareto_measure": args.pareto_measure,
             "receipt_share": args.receipt_share, "disposal_cost_gbp": args.disposal_cost,
             "max_disposals": args.max_disposals}  # fmt: skip
    source = str(args.config) if args.config else "options"
    settings = EstateSettings.from_table(cfg.tables.get("estate"), source).with_options(**given)
    return cfg, settings


def _plan_estate(
    args: EstateArgs, cfg: RunConfig, settings: EstateSettings, started: float
) -> tuple[dict[str, Any], list[str]]:
    """Read, plan and write: the summary (the notes on skipped rows first in its
    ``notes``) and the run's own notes."""
    from optimise.estate.run import EstateInputs, load_layers, plan_estate, write_estate
    from optimise.jobs import JobContext

    with Progress(args.quiet or args.json_out) as step:
        step("reading sites and zones")
        site_frame, zone_frame, notes = load_layers(cfg, args.sites, args.zones)
        deadline = None if cfg.time_limit is None else started + cfg.time_limit
        job = JobContext(seed=cfg.seed, time_limit=cfg.time_limit, deadline=deadline,
                         provider=travel_provider(args.network), step=step)  # fmt: skip
        run = plan_estate(EstateInputs(site_frame, zone_frame), settings, job, args.pareto)
        out_dir = cfg.out or Path("optimise-estate")
        step("writing outputs")
        summary = {**write_estate(run, out_dir), "out": str(out_dir)}
        write_run_report(summary["out"], step)
    run_notes = summary.get("notes", [])  # the run's own, e.g. a front cut short
    summary["notes"] = [*notes, *run_notes]
    return summary, run_notes


def _print_estate(summary: dict[str, Any], settings: EstateSettings, run_notes: list[str]) -> None:
    """The plan's headline (or why there is none), the run's notes and where it wrote."""
    if summary["status"] in ("infeasible", "no solution"):
        for r in summary["reasons"]:
            console.print(f"infeasible: {r['message']}", markup=False, soft_wrap=True)
    else:
        changed = settings.params.receipt_share < 1 or summary["relocation_costs_gbp"] > 0
        console.print(
            f"{summary['sites_disposed']} of {summary['sites']} sites to dispose of: "
            f"receipts £{summary['capital_receipts_gbp']:,}"
            + (f" (net £{summary['net_receipts_gbp']:,})" if changed else "")
            + ", running saving "
            f"£{summary['annual_saving_gbp']:,} a year, backlog avoided "
            f"£{summary['backlog_avoided_gbp']:,}; "
            f"{'optimal' if summary['optimal'] else 'gap ' + format(summary['gap'], '.2%')}",
            markup=False,
        )
    for note in run_notes:
        console.print(f"note: {note}", markup=False, soft_wrap=True)
    console.print(f"outputs in {summary['out']} ({summary['elapsed_s']:.1f} s)", markup=False)


@dataclass(frozen=True)
class HoursArgs:
    """The options of ``optimise hours``."""

    network: Network = None
    centres: Annotated[
        Path | None, typer.Option("--centres", help="Centres file (default: embedded data).")
    ] = None
    zones: Annotated[
        Path | None, typer.Option("--zones", help="Zones file (default: embedded data).")
    ] = None
    budget_hours: Annotated[
        float | None,
        typer.Option(
            "--budget-hours", callback=non_negative, help="Weekly staff-hours budget [70]."
        ),
    ] = None
    over65_weight: Annotated[
        float | None,
        typer.Option(
            "--over65-weight", callback=non_negative, help="Weight of an over-65 visit [1.5]."
        ),
    ] = None
    min_block: Annotated[
        float | None,
        typer.Option("--min-block", callback=non_negative, help="Shortest opening, in hours [3]."),
    ] = None
    profile: Annotated[
        Path | None,
        typer.Option("--profile", help="CSV day,hours,weight of when residents want to visit."),
    ] = None
    no_curve: Annotated[
        bool, typer.Option("--no-curve", help="Skip the curve of staff hours vs demand.")
    ] = False
    out: Out = None
    config: Config = None
    seed: Seed = None
    time_limit: TimeLimit = None
    json_out: Json = False
    quiet: Quiet = False
    debug: Debug = False


@command(
    app,
    HoursArgs,
    epilog="Example: optimise hours --budget-hours 70 --over65-weight 2 --out runs/hours",
)
def hours(args: HoursArgs) -> None:
    """Face-to-face centre opening hours within a staff budget (issue #6).

    Calibrates a distance-decay demand model on today's visits, chooses the open
    slots that serve the most (over-65-weighted) demand within the budget, and writes
    the timetable (CSV and a weekly grid), per-centre figures beside today's, the
    curve of staff hours against demand served, and summary.json.
    """
    started = time.monotonic()  # --time-limit counts from here: reading is part of it
    from optimise.config import RunConfig
    from optimise.hours.run import HoursInputs, load_inputs, load_params, plan_hours, write_hours
    from optimise.jobs import JobContext
    from optimise.settings import HoursSettings

    cfg = RunConfig.load(args.config, seed=args.seed, out=args.out, time_limit=args.time_limit)
    params = load_params(cfg, budget_hours=args.budget_hours, over65_weight=args.over65_weight,
                         min_block_hours=args.min_block)  # fmt: skip
    out_dir = cfg.out or Path("optimise-hours")
    with Progress(args.quiet or args.json_out) as step:
        centre_frame, zone_frame = load_inputs(cfg, args.centres, args.zones)
        deadline = None if cfg.time_limit is None else started + cfg.time_limit
        job = JobContext(seed=cfg.seed, time_limit=cfg.time_limit, deadline=deadline,
                         provider=travel_provider(args.network), step=step)  # fmt: skip
        inputs = HoursInputs(centre_frame, zone_frame, args.profile)
        run = plan_hours(inputs, HoursSettings(params), job, curve=not args.no_curve)
        summary = write_hours(run, out_dir)
        write_run_report(out_dir, step)
    if args.json_out:
        print_json(summary)
    elif not args.quiet:
        _print_hours(summary, out_dir)


def _print_hours(summary: dict[str, Any], out_dir: Path) -> None:
    """The timetable's staff hours and the demand it serves, beside today's."""
    console.print(
        f"{summary['hours_used']:g} of {summary['budget_hours']:g} staff-hours: "
        f"{summary['demand_served']:,.0f} visits a year "
        f"({summary['over65_demand_served']:,.0f} by over-65s), today "
        f"{summary['current_demand_served']:,.0f} "
        f"({summary['current_over65_demand_served']:,.0f})"
        f"; {'optimal' if summary['optimal'] else 'not proven optimal'}; outputs in {out_dir}",
        markup=False,
    )
