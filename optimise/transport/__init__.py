"""Home-to-school route mapping: ``solve`` plans routes, ``evaluate`` measures any plan.

>>> result = solve(problem, params=RoutingParams(), time_limit=60, seed=1)  # doctest: +SKIP
>>> current = evaluate(problem, read_plan("current-plan.csv"))              # doctest: +SKIP
>>> current.annual_cost - result.annual_cost                                # doctest: +SKIP
"""

from models.transport_result import RouteResult, TransportResult, UnservedPupil, Visit
from optimise.transport.routing.evaluate import PlanRoute, evaluate, parse_plan, read_plan
from optimise.transport.routing.params import RoutingParams
from optimise.transport.routing.solve import solve

__all__ = [
    "PlanRoute",
    "RouteResult",
    "RoutingParams",
    "TransportResult",
    "UnservedPupil",
    "Visit",
    "evaluate",
    "parse_plan",
    "read_plan",
    "solve",
]
