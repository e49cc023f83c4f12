"""The solver libraries load together in one process and solve (pins in pyproject.toml)."""

from __future__ import annotations

import pulp


def test_ortools_and_highspy_share_a_process_and_pulp_solves_with_highs():
    # ortools 9.15 with highspy 1.15 fails here with an undefined symbol
    # (google/or-tools#5246): this is why highspy is pinned below 1.15.
    import highspy
    from ortools.constraint_solver import pywrapcp
    from ortools.sat.python import cp_model

    assert pywrapcp.RoutingIndexManager(3, 1, 0).GetNumberOfNodes() == 3
    assert highspy.Highs() is not None
    model = cp_model.CpModel()
    x = model.new_int_var(0, 5, "x")
    model.maximize(x)
    assert cp_model.CpSolver().solve(model) == cp_model.OPTIMAL

    problem = pulp.LpProblem("tiny", pulp.LpMinimize)
    a = problem.add_variable("a", lowBound=0)
    b = problem.add_variable("b", lowBound=0)
    problem += 3 * a + 2 * b
    problem += a + b >= 4
    problem += a >= 1
    status = problem.solve(pulp.HiGHS(msg=False))
    assert pulp.LpStatus[status] == "Optimal"
    assert pulp.value(a) == 1.0 and pulp.value(b) == 3.0
    assert pulp.value(problem.objective) == 9.0


def test_pyvrp_takes_location_handles():
    # pyvrp 0.14: add_depot/add_client take the results of add_location().
    import pyvrp
    from pyvrp.stop import MaxIterations

    m = pyvrp.Model()
    where = [m.add_location(x=x, y=y) for x, y in ((0, 0), (3, 0), (0, 4))]
    depot = m.add_depot(where[0])
    m.add_vehicle_type(num_available=1, capacity=[5], start_depot=depot, end_depot=depot)
    for loc in where[1:]:
        m.add_client(loc, delivery=[1])
    for a in where:
        for b in where:
            m.add_edge(a, b, distance=round(((a.x - b.x) ** 2 + (a.y - b.y) ** 2) ** 0.5))
    result = m.solve(stop=MaxIterations(50), seed=1, display=False)
    assert result.is_feasible()
    assert result.cost() == 3 + 5 + 4
