"""Solvers and runs. Each solver is a plain ``solve(problem, *, params, time_limit, seed)``."""
