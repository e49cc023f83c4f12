"""Estate rationalisation: keep or dispose of each site (issue #5).

>>> result = solve(problem, params=EstateParams(receipt_target=0.10), seed=1)  # doctest: +SKIP
"""

from optimise.estate.params import EstateParams
from optimise.estate.pareto import pareto_front
from optimise.estate.prepare import Prepared, prepare
from optimise.estate.ranking import rank_disposals
from optimise.estate.solve import solve

__all__ = ["EstateParams", "Prepared", "pareto_front", "prepare", "rank_disposals", "solve"]
