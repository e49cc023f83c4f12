"""Batch optimisation: scenario files, parameter grids, runs on Dask, comparison.

>>> spec = load_spec("examples/hours-budgets.toml")      # doctest: +SKIP
>>> run_batch(spec, "runs/hours-budgets", workers=2)    # doctest: +SKIP
"""

from optimise.batch.chart import plot_comparison
from optimise.batch.names import folder_names, safe_name
from optimise.batch.runner import load_data, run_batch
from optimise.batch.spec import BatchSpec, Scenario, load_spec, parse_spec
from optimise.batch.tasks import run_scenario

__all__ = [
    "BatchSpec",
    "Scenario",
    "folder_names",
    "load_data",
    "load_spec",
    "parse_spec",
    "plot_comparison",
    "run_batch",
    "run_scenario",
    "safe_name",
]
