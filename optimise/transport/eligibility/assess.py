"""Statutory eligibility for free home-to-school transport (England, DfE guidance 2024).

Rules, applied in this order to each pupil (the first that settles it wins):

1. over compulsory school age (``max_age``, 16): not statutory; post-16 policy applies;
2. SEND, flagged ``unable_to_walk`` (default: the ``sen`` flag): eligible whatever the
   distance (the EHCP names the school);
3. no walking route to any suitable school (only on a network with gaps): eligible,
   with a note to check the route;
4. attends the nearest suitable school and lives beyond the statutory walking distance
   from it: 2 miles under age 8, 3 miles from 8 (``TransportPolicy``): eligible;
5. low income (extended rights): age 8-10, attends the nearest suitable school and
   lives over 2 miles from it; or age 11-16, attends one of the three nearest suitable
   schools and lives over 2 and at most 6 miles from it: eligible;
6. otherwise not eligible, saying why: within the walking distance, or attending a
   school that is not the nearest suitable one (not eligible on distance grounds).

"Suitable": a special school for a pupil flagged ``special_school`` (default: attends
one); otherwise a school of the pupil's phase by age (primary under
``secondary_from_age``, else secondary; all-through schools suit both). A pupil with no
suitable school in the file is measured to the school they attend. Distances are
walking metres from home to school (:class:`~geodata.matrix.TravelMatrix`, mode
``walk``): along the path network when one is loaded, else straight line × 1.2; a
pupil beyond a limit by any margin counts as beyond it ("over 3 miles" is > 3 miles).

Why plain array rules and no solver: each pupil's status depends only on their own
walking distances, so one pupils × schools walk matrix answers everyone (3,000 pupils ×
60 schools in well under a second on the straight line).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from geodata.matrix import UNREACHABLE
from models.params import Params
from models.transport import METRES_PER_MILE, TransportPolicy

if TYPE_CHECKING:
    from geodata.matrix import TravelMatrix

__all__ = ["EligibilityParams", "EligibilityProblem", "EligibilityResult", "assess"]


@dataclass(frozen=True)
class EligibilityParams(Params):
    """Extended rights and age limits (TOML table ``[transport.eligibility]``).

    The statutory walking distances are the policy's (``[transport]``
    ``statutory_walk_under8_m`` and ``statutory_walk_from8_m``).
    """

    walk_limit_age: int = 8  # the shorter walking distance applies under this age
    max_age: int = 16  # compulsory school age ends; post-16 transport is discretionary
    low_income_from_age: int = 8
    low_income_primary_over_miles: float = 2.0
    low_income_secondary_over_miles: float = 2.0
    low_income_secondary_max_miles: float = 6.0
    low_income_schools: int = 3  # ages 11-16: one of this many nearest suitable schools

    def __post_init__(self) -> None:
        self._positive("walk_limit_age", "max_age", "low_income_schools")
        self._positive("low_income_primary_over_miles", "low_income_secondary_over_miles")
        if self.low_income_secondary_max_miles <= self.low_income_secondary_over_miles:
            raise ValueError("low_income_secondary_max_miles must exceed the 'over' distance")


@dataclass(frozen=True, eq=False)
class EligibilityProblem:
    """Pupils, schools and the pupils × schools walking matrix (arrays by position)."""

    pupil_ids: tuple[str, ...]
    pupil_age: np.ndarray
    pupil_school: np.ndarray
    pupil_low_income: np.ndarray
    pupil_unable_to_walk: np.ndarray
    pupil_special: np.ndarray  # a special school is the suitable one
    school_ids: tuple[str, ...]
    school_names: tuple[str, ...]
    school_phase: np.ndarray
    walk: TravelMatrix

    def __post_init__(self) -> None:
        if self.walk.shape != (len(self.pupil_ids), len(self.school_ids)):
            raise ValueError("walk matrix must be pupils × schools")

    def suitable(self, policy: TransportPolicy) -> np.ndarray:
        """Pupils × schools: True where the school suits the pupil."""
        phase = self.school_phase[None, :]
        older = (self.pupil_age >= policy.secondary_from_age)[:, None]
        mainstream = np.where(
            older, np.isin(phase, ("secondary", "all-through")),
            np.isin(phase, ("primary", "all-through")),
        )  # fmt: skip
        out = np.where(self.pupil_special[:, None], phase == "special", mainstream)
        none = ~out.any(axis=1)
        out[none, self.pupil_school[none]] = True
        return out


@dataclass(frozen=True, eq=False)
class EligibilityResult:
    """Each pupil's status, the rule that settled it, distances and a reason to read out."""

    eligible: np.ndarray
    #: What settled it: distance, low income, send, no walking route (eligible); within
    #: walking distance, not nearest school, over age (not eligible).
    rule: tuple[str, ...]
    nearest: np.ndarray  # position of the nearest suitable school
    nearest_m: np.ndarray  # walking metres to it (-1: no route)
    school_m: np.ndarray  # walking metres to the school attended (-1: no route)
    limit_m: np.ndarray  # the statutory walking distance for the pupil's age
    reason: tuple[str, ...]

    def summary(self) -> dict[str, int]:
        """Counts for ``summary.json``."""
        rules = np.array(self.rule)
        out = {"pupils": len(rules), "eligible": int(self.eligible.sum()),
               "not_eligible": int((~self.eligible).sum())}  # fmt: skip
        for name in ("distance", "low income", "send", "no walking route"):
            out[f"eligible_{name.replace(' ', '_')}"] = int((self.eligible & (rules == name)).sum())
        for name in ("within walking distance", "not nearest school", "over age"):
            out[f"not_eligible_{name.replace(' ', '_')}"] = int((rules == name).sum())
        return out


def _whole(metres: np.ndarray) -> np.ndarray:
    """Whole metres, -1 where there is no route (infinite)."""
    return np.where(np.isfinite(metres), np.rint(np.nan_to_num(metres, posinf=-1)), -1).astype(
        np.int64
    )


def _miles(metres: float, limit_miles: float | None = None) -> str:
    miles = metres / METRES_PER_MILE
    close = limit_miles is not None and abs(miles - limit_miles) < 0.05
    return f"{miles:.2f}" if close else f"{miles:.1f}"


def assess(
    problem: EligibilityProblem,
    *,
    params: EligibilityParams | None = None,
    policy: TransportPolicy | None = None,
) -> EligibilityResult:
    """Apply the rules of the module docstring to every pupil."""
    params, policy = params or EligibilityParams(), policy or TransportPolicy()
    n = len(problem.pupil_ids)
    rows = np.arange(n)
    metres = np.where(problem.walk.metres == UNREACHABLE, np.inf, problem.walk.metres)
    dist = np.where(problem.suitable(policy), metres, np.inf)
    nearest = dist.argmin(axis=1) if n else np.zeros(0, np.intp)
    attended = problem.pupil_school
    school_m = metres[rows, attended]
    # A tie with the nearest counts as attending the nearest.
    nearest = np.where(dist[rows, attended] <= dist[rows, nearest], attended, nearest)
    nearest_m = dist[rows, nearest]
    rank = (dist < dist[rows, attended][:, None]).sum(axis=1)
    under = problem.pupil_age < params.walk_limit_age
    limit = np.where(under, policy.statutory_walk_under8_m, policy.statutory_walk_from8_m)
    rules = [
        _judge(problem, params, policy, p, int(nearest[p]), float(nearest_m[p]),
               float(school_m[p]), float(limit[p]), int(rank[p]))
        for p in range(n)
    ]  # fmt: skip
    eligible = np.array([why.startswith("eligible") for _, why in rules], dtype=bool)

    return EligibilityResult(
        eligible=eligible,
        rule=tuple(r for r, _ in rules),
        nearest=nearest.astype(np.int64),
        nearest_m=_whole(nearest_m),
        school_m=_whole(school_m),
        limit_m=np.rint(limit).astype(np.int64),
        reason=tuple(why for _, why in rules),
    )


def _judge(
    problem: EligibilityProblem,
    params: EligibilityParams,
    policy: TransportPolicy,
    p: int,
    nearest: int,
    nearest_m: float,
    school_m: float,
    limit: float,
    rank: int,
) -> tuple[str, str]:
    """One pupil's rule and reason (the module docstring's order)."""
    age, mile = int(problem.pupil_age[p]), METRES_PER_MILE
    attends_nearest = nearest == int(problem.pupil_school[p])
    name, at = problem.school_names[nearest], problem.school_names[problem.pupil_school[p]]
    side = f"{'under' if age < params.walk_limit_age else 'from'} age {params.walk_limit_age}"
    lim_mi = limit / mile
    d_text = f"{_miles(nearest_m, lim_mi)} miles to nearest suitable school ({name})"
    low_income = bool(problem.pupil_low_income[p])
    li = (
        params.low_income_secondary_over_miles * mile,
        params.low_income_secondary_max_miles * mile,
    )
    if age > params.max_age:
        return "over age", (
            f"not eligible: aged {age}, over compulsory school age "
            f"({params.max_age}); the post-16 transport policy applies"
        )
    if problem.pupil_unable_to_walk[p]:
        return "send", "eligible (SEND): cannot be expected to walk, whatever the distance"
    if not np.isfinite(nearest_m):
        return "no walking route", (
            "eligible: no walking route to any suitable school on "
            "the path network (check the route before confirming)"
        )
    if attends_nearest and nearest_m > limit:
        return "distance", f"eligible: {d_text}, limit {lim_mi:g} miles {side}"
    if (
        low_income
        and params.low_income_from_age <= age < policy.secondary_from_age
        and attends_nearest
        and nearest_m > params.low_income_primary_over_miles * mile
    ):
        return "low income", (
            f"eligible (low income, extended rights): {d_text}, over "
            f"{params.low_income_primary_over_miles:g} miles for ages "
            f"{params.low_income_from_age}-{policy.secondary_from_age - 1}"
        )
    if (
        low_income
        and age >= policy.secondary_from_age
        and rank < params.low_income_schools
        and li[0] < school_m <= li[1]
    ):
        return "low income", (
            f"eligible (low income, extended rights): {_miles(school_m)} miles to {at}, one "
            f"of the {params.low_income_schools} nearest suitable schools, over "
            f"{params.low_income_secondary_over_miles:g} and at most "
            f"{params.low_income_secondary_max_miles:g} miles for ages "
            f"{policy.secondary_from_age}-{params.max_age}"
        )
    if not attends_nearest:
        return "not nearest school", (
            f"not eligible on distance grounds: attends {at}, not the nearest suitable "
            f"school ({name}, {_miles(nearest_m, lim_mi)} miles; limit {lim_mi:g} miles {side})"
        )
    return "within walking distance", (
        f"not eligible: {d_text}, within the {lim_mi:g}-mile walking distance {side}"
    )
