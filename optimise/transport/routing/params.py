"""Settings of the route-mapping solver (TOML table ``[transport.routing]``)."""

from __future__ import annotations

from dataclasses import dataclass

from models.params import Params

__all__ = ["TIME_LIMIT", "RoutingParams"]

#: Seconds a transport command may take when no time limit is given: a safety net.
#: With the default ``max_iterations`` the default data's morning and afternoon runs
#: stop on the iteration count well within it (about a minute each on 2 cores).
TIME_LIMIT = 300.0


@dataclass(frozen=True)
class RoutingParams(Params):
    """Solver settings; the policy (ride limits, dwell, rates) lives in TransportPolicy.

    Attributes
    ----------
    max_iterations
        Iterations of PyVRP's search per school; the time limit still applies. When
        every school's search stops on this count, the plan repeats exactly for the same
        inputs and seed on any machine (``summary.json`` says ``"repeatable": true``);
        0 stops on the time limit only, so the plan depends on the machine's speed and
        load. Measured on the default morning run (``benchmarks/bench_repeat.py``, one
        process, load ~1.3): 500 → £13.68m/yr in 31 s, 1,000 → £13.29m in 57 s, both
        twice the same; time limit only, 60 s → £13.42m in 56 s, not repeatable (two
        60 s runs under load have differed by £1.0m).
    stop_group_size
        Pupils boarding at one shared stop are cut into groups of at most this many,
        so that a stop larger than a small vehicle can still be split across vehicles.
    multi_trip
        Let a vehicle that has delivered to an early-bell school run a second route to
        a later-bell school (its day rate is paid once).
    chain_gap_min
        With ``multi_trip``, routes to a school arrive at the start of its window (so
        their vehicles are free early) when another school's bell is at least this many
        minutes later; otherwise at the end of the window (so vehicles from earlier
        schools have the most time to get there). Rides are as long either way.
        Measured on the default data at 30 s: 20 → 2,410 pupils carried, 30 → 2,460,
        35 → 2,521, 40 → 2,292, never early → 2,198 (the fleet runs out).
    vehicle_premium_gbp
        Added to a fresh vehicle's day rate in the search only (never in the reported
        cost): the fleet is shared by every school, so a school planned early should
        not spend vehicles that later schools need. Measured on the default data at
        30 s: 0 → 2,490 pupils carried, 150 → 2,453, 400 → 2,459 (no gain: off).
    multi_school
        After the per-school solve, join pairs of routes of two schools into one run
        where both schools allow it, no ``never_share`` pair forbids it, every limit
        holds and it saves money (:mod:`.merge`).
    merge_gap_min, merge_drive_min
        Schools whose arrival windows end at most ``merge_gap_min`` apart and lie at
        most ``merge_drive_min`` apart by road are tried for joined routes.
    planner
        ``"county"``: a pool of routes per school, then one MILP chooses routes and
        chains them into vehicles for the whole county (:mod:`.county`; measured in
        BENCHMARKS.md against the other). ``"greedy"``: one school at a time in bell
        order, the fleet handed out as it goes (:func:`.solve.plan_routes`).
    workers
        Processes the county planner's route generation runs on; 0: one per core. The
        plan is the same on any number (each search has its own seed).
    master_gap
        The county MILP stops once its plan is proven within this fraction of the best
        plan its pool allows (0.01: 1%). A stop on this proof is the same on any
        machine, while a stop on the clock is not. On the default data's pool HiGHS
        closes the gap in one jump (a sub-MIP's plan, after a restart), from about 6%
        to 0.4-0.9%, and then barely moves: 1% stops right there, 0.5% sometimes runs
        on to the clock (BENCHMARKS.md). 0 asks for a proof of the optimum (1e-6).
    master_gap_gbp
        The county MILP also stops once its plan is proven within this many pounds a
        day of the pool's best (0: off). The school-bus benchmark, where a bus costs
        £1,000, stops on a proof within one bus.
    ride_caps
        The county planner's searches per school: one per multiplier of the ride limit,
        each arriving at the end of the school's window (shorter routes chain more
        easily, at the price of more of them), and one more at the first multiplier
        arriving at the start of the window (a vehicle free early can run a later
        school's route) when the window has a width.
    generation_share
        The share of the time limit the county planner's school-by-school plan and
        route searches may take, side by side (a search not started by then is left
        out); the MILP has the rest.
    free_bucket_s
        In the county MILP, vehicles free at a school are grouped by this many seconds
        after their drop-off, the time rounded up (a link is never more generous than
        the real schedule): fewer groups make a smaller MILP; 1 is exact.
    unserved_prize_gbp
        What leaving a pupil out costs the search; far above any route's cost, so the
        search leaves a pupil out only when no vehicle can carry them.
    """

    max_iterations: int = 1000  # 0: stop on the time limit only
    stop_group_size: int = 12
    multi_trip: bool = True
    chain_gap_min: float = 35.0
    vehicle_premium_gbp: float = 0.0
    unserved_prize_gbp: float = 10_000.0
    multi_school: bool = True
    merge_gap_min: float = 30.0
    merge_drive_min: float = 20.0
    planner: str = "county"
    workers: int = 0
    master_gap: float = 0.01
    master_gap_gbp: float = 0.0
    ride_caps: tuple[float, ...] = (1.0, 0.7)
    free_bucket_s: int = 300
    generation_share: float = 0.8

    def __post_init__(self) -> None:
        self._non_negative(
            "max_iterations",
            "chain_gap_min",
            "vehicle_premium_gbp",
            "merge_gap_min",
            "merge_drive_min",
            "workers",
            "master_gap",
            "master_gap_gbp",
        )
        self._positive("free_bucket_s")
        share = self.generation_share
        if not 0 < share < 1:
            raise ValueError(
                f"generation_share: expected a fraction between 0 and 1, found {share}"
            )
        caps = self.ride_caps
        if (
            not isinstance(caps, list | tuple)
            or not caps
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in caps)
            or not all(0 < c <= 1 for c in caps)
        ):
            raise ValueError(
                f"ride_caps: expected a list of fractions above 0 and at most 1, found {caps!r}"
            )
        object.__setattr__(self, "ride_caps", tuple(float(c) for c in caps))
        if self.master_gap >= 1:
            raise ValueError(f"master_gap: expected a fraction below 1, found {self.master_gap}")
        self._positive("stop_group_size", "unserved_prize_gbp")
        if self.planner not in ("county", "greedy"):
            raise ValueError(f"planner: expected county or greedy, found {self.planner!r}")
