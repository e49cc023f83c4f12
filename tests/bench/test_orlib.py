"""OR-Library parsers on inline text, and small instances solved to the published optimum."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cli import main
from geodata.errors import InputError
from optimise.bench.orlib import parse_cflp, parse_pmedian, read_cflp, read_pmedian
from optimise.location import solve_cflp, solve_pmedian, solve_pmedian_textbook

PMEDIAN = """4 4 2
1 2 5
2 3 1
3 4 5
1 2 3
"""  # the repeated edge 1-2 counts its last cost, 3


def test_parse_pmedian_takes_the_last_repeated_edge_and_shortest_paths():
    inst = parse_pmedian(PMEDIAN)
    assert inst.p == 2
    assert inst.distance[0, 1] == 3 and inst.distance[0, 3] == 9
    result = solve_pmedian(inst.distance, inst.p)
    assert result.optimal and result.cost == 4  # open 2 and 4: 1→2 is 3, 3→2 is 1
    assert solve_pmedian_textbook(inst.distance, inst.p).cost == 4


CFLP = """2 3
 10 100.
 capacity 50.
5 1 9
5 9 1
5 2 3
"""


def test_parse_cflp_wrapped_numbers_and_the_capacity_word():
    with pytest.raises(InputError, match="--capacity"):
        parse_cflp(CFLP)
    inst = parse_cflp(CFLP, capacity=10)
    assert inst.capacity.tolist() == [10, 10] and inst.fixed.tolist() == [100, 50]
    assert inst.demand.tolist() == [5, 5, 5] and inst.cost[2].tolist() == [2, 3]
    result = solve_cflp(inst)
    # Both must open (15 > 10); 1 and 2 to their cheap sides, 3 fits beside 1 (cost 2).
    assert result.optimal and result.cost == pytest.approx(150 + 1 + 1 + 2)
    # 2 × 7 = 14 < 15 of demand: no plan serves everyone, said in one line.
    with pytest.raises(InputError, match=r"total demand 15, found 14 in all"):
        parse_cflp(CFLP, capacity=7)


@pytest.mark.parametrize("text", ["", "3 1 5\n1 2 3\n", "2 1 1\n1 x 3\n"])
def test_parse_pmedian_rejects(text):
    with pytest.raises(InputError):
        parse_pmedian(text)


def test_pmed1_and_cap41_reach_the_published_optima(benchmarks):
    pmed = read_pmedian(benchmarks / "pmedian/pmed1.txt")
    result = solve_pmedian(pmed.distance, pmed.p, seed=1)
    assert result.optimal and result.cost == 5819 and np.count_nonzero(result.open) == 5
    cap = read_cflp(benchmarks / "cflp/cap41.txt")
    assert solve_cflp(cap).cost == pytest.approx(1040444.375)


def test_bench_commands_print_json(benchmarks, capsys, tmp_path):
    assert main(["bench", "pmedian", str(benchmarks / "pmedian/pmed5.txt"), "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert set(row) == {"cost", "optimal", "gap", "seconds"}
    assert row["cost"] == 1355 and row["optimal"] is True
    assert main(["bench", "cflp", str(benchmarks / "cflp/cap71.txt"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["cost"] == pytest.approx(932615.75)
    # capa/b/c (1.2 MB each, not copied) write the word "capacity": CFLP has it too.
    capa_like = tmp_path / "capa_like.txt"
    capa_like.write_text(CFLP)
    assert main(["bench", "cflp", str(capa_like), "--json"]) == 2
    assert "give --capacity" in capsys.readouterr().err
    assert main(["bench", "cflp", str(capa_like), "--capacity", "10", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["cost"] == pytest.approx(154)
