"""summary.json keys pinned per command (issue #17): old run folders must still make
reports and batch tables, so a refactor of the layer above the solvers keeps every key.

Each command runs once on the embedded data with a short time limit and its summary's
key paths are compared with the lists below (``a.b`` for a nested table, ``a[].b`` for
the tables in a list). Tables keyed by data rather than by name (vehicle ids, centre
names, site types) are leaves: their keys are the data's, not the format's.

Estate, hours, eligibility, the demo and batch must match exactly. Transport routes and
plan (and the demo's transport folder) need every pinned key PRESENT but may have more:
the county planner work (#14 follow-up) is adding keys to the routing summary
(master_gap, routes_generated, generation_s, selection_s, workers, ...), and a superset
keeps both changes mergeable. Their lists are also leaves (a search cut short by the
time limit may leave a list empty).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from cli import main

#: Tables whose keys are data (ids, names, types), not the summary's format.
DATA_KEYED = frozenset({
    "vehicles_to_procure", "visits_per_open_hour", "current_visits_per_open_hour",
    "site_types", "centres", "propensity_factors",
})  # fmt: skip


def key_paths(obj: Any, prefix: str = "", *, lists: bool = True) -> set[str]:
    """Every key path of a JSON value: ``a``, ``a.b``, ``a[].c`` (into lists when ``lists``)."""
    out: set[str] = set()
    if isinstance(obj, dict):
        for key, value in obj.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            out.add(path)
            if key not in DATA_KEYED:
                out |= key_paths(value, path, lists=lists)
    elif isinstance(obj, list) and lists:
        for value in obj:
            out |= key_paths(value, f"{prefix}[]", lists=lists)
    return out


def _summary(folder) -> dict[str, Any]:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Each command once, on the embedded data (about a minute in all on 2 cores)."""
    root = tmp_path_factory.mktemp("pins")
    argv = {
        "estate": ["estate", "--seed", "3", "--pareto", "2", "--time-limit", "20"],
        "hours": ["hours", "--seed", "3", "--time-limit", "8"],
        "eligibility": ["transport", "eligibility"],
        "routes": ["transport", "routes", "--time-limit", "6"],
        "plan": ["transport", "plan", "--time-limit", "8"],
        "demo": ["demo", "--time-limit", "4"],
    }
    for name, args in argv.items():
        assert main([*args, "--out", str(root / name), "--quiet"]) == 0, name
    return root


ESTATE = (
    "annual_saving_gbp", "annualised_benefit_gbp", "backlog_avoided_gbp",
    "book_value_disposed_gbp", "capital_receipts_gbp", "command", "elapsed_s", "files", "gap",
    "max_disposals", "max_travel_minutes", "mean_travel_minutes", "net_receipts_gbp", "notes",
    "office_area_cut_share", "office_reduction", "optimal", "over65_beyond_limit",
    "pareto_points", "pareto_points_requested", "pareto_points_traced",
    "population_beyond_limit", "population_lacking_a_service_today", "reasons", "receipt_share",
    "receipt_target", "receipts_share_of_value", "relocation_costs_gbp", "seed", "sites",
    "sites_disposed", "sites_kept", "solve_seconds", "solver", "status", "time_limit_s",
    "travel_limit_minutes", "zones",
)  # fmt: skip
HOURS = (
    "budget_hours", "calibration", "calibration.calibrated",
    "calibration.calibrated.beta_per_minute", "calibration.calibrated.half_distance_minutes",
    "calibration.calibrated.max_abs_relative_error",
    "calibration.calibrated.max_published_share_error_points",
    "calibration.calibrated.max_share_error_points",
    "calibration.calibrated.over65_beta_per_minute",
    "calibration.calibrated.propensity_factors", "calibration.calibrated.r2",
    "calibration.calibrated.rate_visits_per_resident_year", "calibration.decay_only",
    "calibration.decay_only.beta_per_minute", "calibration.decay_only.half_distance_minutes",
    "calibration.decay_only.max_abs_relative_error",
    "calibration.decay_only.max_share_error_points",
    "calibration.decay_only.over65_beta_per_minute", "calibration.decay_only.r2",
    "calibration.decay_only.rate_visits_per_resident_year", "centres_open",
    "centres_open_today", "closures", "current_demand_lost", "current_demand_served",
    "current_hours", "current_over65_demand_lost", "current_over65_demand_served",
    "current_visits_per_open_hour", "curve", "curve[].budget_hours", "curve[].demand_served",
    "curve[].demand_served_no_floor", "curve[].demand_served_no_regular",
    "curve[].demand_served_no_rules", "curve[].extra_visits_per_extra_hour",
    "curve[].hours_used", "curve[].optimal", "curve[].optimal_no_floor",
    "curve[].optimal_no_regular", "curve[].optimal_no_rules", "curve[].over65_demand_served",
    "curve[].over65_demand_served_no_floor", "curve[].over65_demand_served_no_regular",
    "curve[].over65_demand_served_no_rules", "curve[].seconds", "curve[].status",
    "curve[].status_no_floor", "curve[].status_no_regular", "curve[].status_no_rules",
    "demand_lost", "demand_served", "files", "hours_used", "max_travel_min", "notes",
    "openings", "optimal", "over65_beyond_max_travel", "over65_beyond_max_travel_today",
    "over65_demand_lost", "over65_demand_served", "over65_farther", "over65_nearer", "params",
    "params.allow_close", "params.budget_hours", "params.candidates", "params.cover_days",
    "params.curve_from", "params.curve_step", "params.curve_time_limit", "params.curve_to",
    "params.half_distance_minutes", "params.keep_open", "params.max_centre_hours",
    "params.max_patterns", "params.max_travel_min", "params.min_block_hours",
    "params.min_centre_hours", "params.min_days", "params.min_hours_open", "params.mip_gap",
    "params.open_days", "params.over65_decay", "params.over65_weight", "params.profile",
    "params.propensity", "params.regular", "params.rule_prices", "params.staff_per_slot",
    "params.step_minutes", "residents_beyond_max_travel", "residents_beyond_max_travel_today",
    "rule_prices", "rule_prices.no_floor", "rule_prices.no_floor.centres_open",
    "rule_prices.no_floor.demand_served", "rule_prices.no_floor.objective",
    "rule_prices.no_floor.optimal", "rule_prices.no_floor.over65_demand_served",
    "rule_prices.no_floor.seconds", "rule_prices.no_floor.status", "rule_prices.no_regular",
    "rule_prices.no_regular.centres_open", "rule_prices.no_regular.demand_served",
    "rule_prices.no_regular.objective", "rule_prices.no_regular.optimal",
    "rule_prices.no_regular.over65_demand_served", "rule_prices.no_regular.seconds",
    "rule_prices.no_regular.status", "rule_prices.no_rules",
    "rule_prices.no_rules.centres_open", "rule_prices.no_rules.demand_served",
    "rule_prices.no_rules.objective", "rule_prices.no_rules.optimal",
    "rule_prices.no_rules.over65_demand_served", "rule_prices.no_rules.seconds",
    "rule_prices.no_rules.status", "rule_prices.price_of_both_demand_served",
    "rule_prices.price_of_both_over65_demand_served",
    "rule_prices.price_of_floor_demand_served",
    "rule_prices.price_of_floor_over65_demand_served",
    "rule_prices.price_of_regular_demand_served",
    "rule_prices.price_of_regular_over65_demand_served", "rule_prices.with_rules",
    "rule_prices.with_rules.centres_open", "rule_prices.with_rules.demand_served",
    "rule_prices.with_rules.objective", "rule_prices.with_rules.optimal",
    "rule_prices.with_rules.over65_demand_served", "rule_prices.with_rules.seconds",
    "rule_prices.with_rules.status", "seed", "solver", "solver.bound", "solver.gap",
    "solver.objective", "solver.status", "time_limit_s", "visits_per_open_hour",
    "zones_farther", "zones_nearer",
)  # fmt: skip
ELIGIBILITY = (
    "command", "elapsed_s", "eligible", "eligible_distance", "eligible_low_income",
    "eligible_no_walking_route", "eligible_send", "files", "inputs", "not_eligible",
    "not_eligible_not_nearest_school", "not_eligible_over_age",
    "not_eligible_within_walking_distance", "personal_data", "pupils", "walking_distances",
)  # fmt: skip
ROUTES = (
    "annual_cost_gbp", "carried_beyond_limit", "command", "costing", "daily_cost_gbp",
    "elapsed_s", "files", "inputs", "mean_ride_minutes", "method", "miles",
    "multi_school_routes", "p95_ride_minutes", "personal_data", "pm", "pm.annual_cost_gbp",
    "pm.daily_cost_gbp", "pm.mean_ride_minutes", "pm.miles", "pm.multi_school_routes",
    "pm.p95_ride_minutes", "pm.pupils_served", "pm.pupils_total", "pm.pupils_unserved",
    "pm.repeatable", "pm.ride_limit_exceeded_unavoidably", "pm.ride_limit_violations",
    "pm.routes", "pm.routes_with_assistant", "pm.spot_hire_cost_gbp", "pm.vehicles",
    "pm.vehicles_to_procure", "pm.violations", "pupils_served", "pupils_total",
    "pupils_unserved", "repeatable", "ride_limit_exceeded_unavoidably", "ride_limit_violations",
    "ride_limits_min", "ride_limits_min.primary", "ride_limits_min.secondary", "routes",
    "routes_with_assistant", "run", "school_days", "seed", "spot_hire_cost_gbp", "time_limit_s",
    "total_annual_cost_gbp", "total_daily_cost_gbp", "total_vehicles", "travel_times",
    "unserved", "vehicles", "vehicles_to_procure", "violations",
)  # fmt: skip
PLAN = (
    "annual_cost_gbp", "command", "costing", "daily_cost_gbp", "elapsed_s", "files", "inputs",
    "max_walk_m", "mean_ride_minutes", "mean_walk_m", "method", "miles", "multi_school_routes",
    "p95_ride_minutes", "personal_data", "pupils_at_home", "pupils_at_stops", "pupils_served",
    "pupils_total", "pupils_unserved", "repeatable", "ride_limit_exceeded_unavoidably",
    "ride_limit_violations", "ride_limits_min", "ride_limits_min.primary",
    "ride_limits_min.secondary", "routes", "routes_with_assistant", "run",
    "savings_by_line_gbp", "savings_by_line_gbp.independent_travel",
    "savings_by_line_gbp.personal_budgets", "savings_by_line_gbp.pick_up_points",
    "savings_by_line_gbp.route_mapping", "school_days", "seed", "spot_hire_cost_gbp",
    "stop_choice", "stop_choice.choose_s", "stop_choice.estimate_end",
    "stop_choice.estimate_start", "stop_choice.method", "stop_choice.restarts",
    "stop_choice.search_s", "stops_candidate", "stops_unsafe", "stops_used", "time_limit_s",
    "travel_times", "unserved", "vehicles", "vehicles_to_procure", "violations",
    "walk_limit_violations", "walk_times",
)  # fmt: skip
DEMO = (
    "checks", "checks[].expected", "checks[].found", "checks[].name", "checks[].ok", "command",
    "data", "data.assistant", "data.bell_times", "data.centres", "data.over65_share",
    "data.pupils", "data.residents", "data.schools", "data.sen_share", "data.site_types",
    "data.sites", "data.solo", "data.stops", "data.vehicle_types", "data.wheelchair",
    "data.zones", "elapsed_s", "files", "out", "problems_built", "problems_built.estate",
    "problems_built.estate.matrix", "problems_built.estate.sites",
    "problems_built.estate.zones", "problems_built.hours", "problems_built.hours.centres",
    "problems_built.hours.current_hours_per_week", "problems_built.hours.slots_per_week",
    "problems_built.transport", "problems_built.transport.locations",
    "problems_built.transport.median_direct_ride_min", "problems_built.transport.pupils",
    "problems_built.transport.pupils_whose_direct_ride_exceeds_limit",
    "problems_built.transport.schools", "problems_built.transport.stops",
    "problems_built.transport.vehicle_types", "seed", "solvers", "solvers.estate",
    "solvers.estate.annual_saving_gbp", "solvers.estate.backlog_avoided_gbp",
    "solvers.estate.capital_receipts_gbp", "solvers.estate.gap",
    "solvers.estate.max_travel_minutes", "solvers.estate.optimal",
    "solvers.estate.population_beyond_limit", "solvers.estate.sites_disposed",
    "solvers.estate.sites_kept", "solvers.estate.status", "solvers.hours",
    "solvers.hours.budget_hours", "solvers.hours.current_demand_served",
    "solvers.hours.current_over65_demand_served", "solvers.hours.demand_served",
    "solvers.hours.hours_used", "solvers.hours.optimal", "solvers.hours.over65_demand_served",
    "solvers.transport", "solvers.transport.annual_cost_gbp",
    "solvers.transport.daily_cost_gbp", "solvers.transport.mean_ride_minutes",
    "solvers.transport.p95_ride_minutes", "solvers.transport.pupils_served",
    "solvers.transport.pupils_total", "solvers.transport.pupils_unserved",
    "solvers.transport.ride_limit_violations", "solvers.transport.vehicles", "travel_times",
    "validation_problems", "validation_problems.centres", "validation_problems.fleet",
    "validation_problems.pupils", "validation_problems.schools", "validation_problems.sites",
    "validation_problems.stops", "validation_problems.zones",
)  # fmt: skip
DEMO_TRANSPORT = (
    "annual_cost_gbp", "command", "costing", "daily_cost_gbp", "mean_ride_minutes", "miles",
    "multi_school_routes", "p95_ride_minutes", "pupils_served", "pupils_total",
    "pupils_unserved", "repeatable", "ride_limit_exceeded_unavoidably", "ride_limit_violations",
    "ride_limits_min", "ride_limits_min.primary", "ride_limits_min.secondary", "routes",
    "routes_with_assistant", "school_days", "spot_hire_cost_gbp", "vehicles",
    "vehicles_to_procure", "violations",
)  # fmt: skip
DEMO_ESTATE = (
    "annual_saving_gbp", "annualised_benefit_gbp", "backlog_avoided_gbp",
    "book_value_disposed_gbp", "capital_receipts_gbp", "command", "elapsed_s", "files", "gap",
    "max_disposals", "max_travel_minutes", "mean_travel_minutes", "net_receipts_gbp", "notes",
    "office_area_cut_share", "office_reduction", "optimal", "over65_beyond_limit",
    "pareto_points", "pareto_points_requested", "pareto_points_traced",
    "population_beyond_limit", "population_lacking_a_service_today", "reasons", "receipt_share",
    "receipt_target", "receipts_share_of_value", "relocation_costs_gbp", "seed", "sites",
    "sites_disposed", "sites_kept", "solve_seconds", "solver", "status", "time_limit_s",
    "travel_limit_minutes", "zones",
)  # fmt: skip
DEMO_HOURS = (
    "budget_hours", "calibration", "calibration.calibrated",
    "calibration.calibrated.beta_per_minute", "calibration.calibrated.half_distance_minutes",
    "calibration.calibrated.max_abs_relative_error",
    "calibration.calibrated.max_published_share_error_points",
    "calibration.calibrated.max_share_error_points",
    "calibration.calibrated.over65_beta_per_minute",
    "calibration.calibrated.propensity_factors", "calibration.calibrated.r2",
    "calibration.calibrated.rate_visits_per_resident_year", "calibration.decay_only",
    "calibration.decay_only.beta_per_minute", "calibration.decay_only.half_distance_minutes",
    "calibration.decay_only.max_abs_relative_error",
    "calibration.decay_only.max_share_error_points",
    "calibration.decay_only.over65_beta_per_minute", "calibration.decay_only.r2",
    "calibration.decay_only.rate_visits_per_resident_year", "centres_open",
    "centres_open_today", "closures", "current_demand_lost", "current_demand_served",
    "current_hours", "current_over65_demand_lost", "current_over65_demand_served",
    "current_visits_per_open_hour", "demand_lost", "demand_served", "files", "hours_used",
    "max_travel_min", "notes", "openings", "optimal", "over65_beyond_max_travel",
    "over65_beyond_max_travel_today", "over65_demand_lost", "over65_demand_served",
    "over65_farther", "over65_nearer", "params", "params.allow_close", "params.budget_hours",
    "params.candidates", "params.cover_days", "params.curve_from", "params.curve_step",
    "params.curve_time_limit", "params.curve_to", "params.half_distance_minutes",
    "params.keep_open", "params.max_centre_hours", "params.max_patterns",
    "params.max_travel_min", "params.min_block_hours", "params.min_centre_hours",
    "params.min_days", "params.min_hours_open", "params.mip_gap", "params.open_days",
    "params.over65_decay", "params.over65_weight", "params.profile", "params.propensity",
    "params.regular", "params.rule_prices", "params.staff_per_slot", "params.step_minutes",
    "residents_beyond_max_travel", "residents_beyond_max_travel_today", "rule_prices",
    "rule_prices.no_floor", "rule_prices.no_floor.centres_open",
    "rule_prices.no_floor.demand_served", "rule_prices.no_floor.objective",
    "rule_prices.no_floor.optimal", "rule_prices.no_floor.over65_demand_served",
    "rule_prices.no_floor.seconds", "rule_prices.no_floor.status", "rule_prices.no_regular",
    "rule_prices.no_regular.centres_open", "rule_prices.no_regular.demand_served",
    "rule_prices.no_regular.objective", "rule_prices.no_regular.optimal",
    "rule_prices.no_regular.over65_demand_served", "rule_prices.no_regular.seconds",
    "rule_prices.no_regular.status", "rule_prices.no_rules",
    "rule_prices.no_rules.centres_open", "rule_prices.no_rules.demand_served",
    "rule_prices.no_rules.objective", "rule_prices.no_rules.optimal",
    "rule_prices.no_rules.over65_demand_served", "rule_prices.no_rules.seconds",
    "rule_prices.no_rules.status", "rule_prices.price_of_both_demand_served",
    "rule_prices.price_of_both_over65_demand_served",
    "rule_prices.price_of_floor_demand_served",
    "rule_prices.price_of_floor_over65_demand_served",
    "rule_prices.price_of_regular_demand_served",
    "rule_prices.price_of_regular_over65_demand_served", "rule_prices.with_rules",
    "rule_prices.with_rules.centres_open", "rule_prices.with_rules.demand_served",
    "rule_prices.with_rules.objective", "rule_prices.with_rules.optimal",
    "rule_prices.with_rules.over65_demand_served", "rule_prices.with_rules.seconds",
    "rule_prices.with_rules.status", "seed", "solver", "solver.bound", "solver.gap",
    "solver.objective", "solver.status", "time_limit_s", "visits_per_open_hour",
    "zones_farther", "zones_nearer",
)  # fmt: skip

BATCH = (
    "command", "elapsed_s", "failed", "file", "files", "infeasible", "interrupted", "missing",
    "name", "ok", "out", "problem", "ran", "scenarios", "scheduler", "skipped_already_done",
    "stopped_by_time_limit", "workers",
)  # fmt: skip


#: The demo's solver folders (transport: a superset allowed, as for routes).
SUBFOLDERS = {"transport": DEMO_TRANSPORT, "estate": DEMO_ESTATE, "hours": DEMO_HOURS}


@pytest.mark.parametrize(
    ("name", "pinned"),
    [("estate", ESTATE), ("hours", HOURS), ("eligibility", ELIGIBILITY), ("demo", DEMO)],
)
def test_summary_keys_are_exactly_the_pinned_ones(runs, name, pinned):
    found = key_paths(_summary(runs / name))
    assert sorted(found - set(pinned)) == [], "keys added: pin them here if meant"
    assert sorted(set(pinned) - found) == [], "keys lost: old run folders rely on them"


@pytest.mark.parametrize(("name", "pinned"), [("routes", ROUTES), ("plan", PLAN)])
def test_transport_summary_keeps_every_pinned_key(runs, name, pinned):
    # A superset is allowed for transport only (see the module docstring).
    found = key_paths(_summary(runs / name), lists=False)
    assert sorted(set(pinned) - found) == [], "keys lost: old run folders rely on them"


@pytest.mark.parametrize("folder", sorted(SUBFOLDERS))
def test_demo_solver_folders_keep_their_keys(runs, folder):
    found = key_paths(_summary(runs / "demo" / folder), lists=folder != "transport")
    pinned = set(SUBFOLDERS[folder])
    assert sorted(pinned - found) == []
    if folder != "transport":
        assert sorted(found - pinned) == []


def test_batch_table_figures_are_pinned_keys():
    # A batch's results table reads these keys from each scenario's summary.json.
    from optimise.batch.tasks import FIGURES

    tops = {"estate": ESTATE, "hours": HOURS, "transport": ROUTES + PLAN}
    for kind, keys in tops.items():
        assert set(FIGURES[kind]) - {"solver_status"} <= set(keys), kind


def test_batch_summary_keys(tmp_path):
    from optimise.batch import parse_spec, run_batch

    spec = parse_spec('problem = "none"\n[grid]\nsleep = [0.0]\n', source="none.toml")
    run_batch(spec, tmp_path, serial=True)
    assert key_paths(_summary(tmp_path)) == set(BATCH)
