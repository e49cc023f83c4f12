"""Foundation benchmarks: default data, demo, readers on real files, travel matrices.

Run on purpose (not by the test command), from the repository root with ../shared
beside it:

    python benchmarks/bench_foundation.py [--repeat 5]

Prints a markdown table (median and spread of ``--repeat`` runs, all in one process,
side by side) plus the machine and date, ready for BENCHMARKS.md. Every row also checks
its result (row counts, matrix shape, cache equality), so a broken step fails loudly
instead of timing nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geodata.default import export_default, load_default  # noqa: E402
from geodata.providers import MatrixCache, StraightLine  # noqa: E402
from geodata.read import read  # noqa: E402
from models import EstateProblem, HoursProblem, TransportProblem  # noqa: E402
from optimise.demo import run_demo  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Callable

SHARED = Path(os.environ.get("OPTIMISE_SHARED", ROOT.parent / "shared")) / "data"

TRAFFORD = {"id": "AssetCode", "name": "PropertyName", "lon": "GeoX", "lat": "GeoY",
            "type": "HoldingType"}  # fmt: skip


def timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def random_points(n: int, seed: int, prefix: str) -> gpd.GeoSeries:
    rng = np.random.default_rng(seed)
    xy = rng.uniform((360_000, 545_000), (430_000, 655_000), size=(n, 2))
    return gpd.GeoSeries(
        gpd.points_from_xy(xy[:, 0], xy[:, 1]), index=[f"{prefix}{i}" for i in range(n)], crs=27700
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    r = args.repeat
    rows: list[tuple[str, str, list[float]]] = []

    def add(name: str, check: str, times: list[float]) -> None:
        rows.append((name, check, times))
        print(f"  {name}: median {statistics.median(times):.3f} s", file=sys.stderr)

    generate = getattr(load_default, "__wrapped__", load_default)
    t, data = timed(lambda: generate(2026), r)
    assert len(data.sites) == 343 and int(data.zones["population"].sum()) == 320_000
    add(
        "generate default data (seed 2026)",
        f"{len(data.zones)} zones, {len(data.pupils)} pupils, 343 sites",
        t,
    )

    with tempfile.TemporaryDirectory() as tmp:
        t, files = timed(lambda: export_default(data, Path(tmp) / "export"), r)
        add("export GeoPackage + 7 CSV", f"{len(files)} files", t)
        t, summary = timed(lambda: run_demo(Path(tmp) / "demo", seed=2026), max(1, r // 2))
        assert all(c["ok"] for c in summary["checks"])
        add(
            "optimise demo, end to end, three solvers (routing 20 s)",
            f"{len(summary['checks'])} checks pass",
            t,
        )

    reads = [
        ("trafford/trafford_land_and_building_assets.csv", "sites", TRAFFORD, "skip"),
        ("trafford/trafford_bus_stops.geojson", "stops", {"id": "atco_code", "name": "common_name"}, "error"),
        ("naptan/NaPTAN601_western_isles.xml", "stops", None, "error"),
        ("northumberland/north_east_schools_2017.csv", "sites", {"id": "URN", "name": "Establishment name",
                                                                 "type": "Phase of education"}, "error"),
    ]  # fmt: skip
    for rel, kind, columns, on_bad in reads:
        path = SHARED / rel
        t, layer = timed(
            lambda p=path, k=kind, c=columns, o=on_bad: read(p, k, columns=c, on_bad_row=o), r
        )
        add(f"read {rel} as {kind}", f"{len(layer)} rows kept, {len(layer.skipped)} skipped", t)

    road = StraightLine()
    origins, destinations = random_points(10_000, 1, "o"), random_points(1_000, 2, "d")
    t, m = timed(lambda: road.matrix(origins, destinations, mode="drive"), r)
    assert m.shape == (10_000, 1_000)
    add("straight-line matrix 10,000 x 1,000", f"shape {m.shape}", t)

    t, transport = timed(
        lambda: TransportProblem.from_geodata(
            data.pupils, data.schools, data.stops, data.fleet, road, walk_provider=road
        ),
        r,
    )
    n = len(transport.locations)
    add(
        "build TransportProblem (drive + walk matrices)",
        f"{n} x {n} drive, {transport.walk.shape} walk",
        t,
    )
    t, estate = timed(lambda: EstateProblem.from_geodata(data.sites, data.zones, road), r)
    add("build EstateProblem", f"{estate.travel.shape} matrix", t)
    t, hours = timed(lambda: HoursProblem.from_geodata(data.centres, data.zones, road), r)
    add("build HoursProblem", f"{hours.available.shape} slots", t)

    pts = transport_points(data)
    with tempfile.TemporaryDirectory() as tmp:
        times_miss, times_hit = [], []
        for i in range(r):
            cache = MatrixCache(Path(tmp) / f"c{i}")
            t0 = time.perf_counter()
            built = cache.get_or_build(road, pts, pts)
            t1 = time.perf_counter()
            again = cache.get_or_build(road, pts, pts)
            times_miss.append(t1 - t0)
            times_hit.append(time.perf_counter() - t1)
            assert again == built
        add(f"matrix cache miss (build + store) {len(pts)}^2", "stored", times_miss)
        add(f"matrix cache hit {len(pts)}^2", "equal to the built matrix", times_hit)

    print(f"\nMachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}; date {date.today().isoformat()}; "
          f"median of {r} runs (demo: {max(1, r // 2)})\n")  # fmt: skip
    print("| step | result checked | median s | min s | max s |")
    print("|---|---|---:|---:|---:|")
    for name, check, times in rows:
        print(
            f"| {name} | {check} | {statistics.median(times):.3f} | {min(times):.3f} | {max(times):.3f} |"
        )


def transport_points(data: Any) -> gpd.GeoSeries:
    frames = [data.schools, data.stops, data.pupils]
    geoms = np.concatenate([f.geometry.to_numpy() for f in frames])
    ids = [
        f"{k}:{i}"
        for k, f in zip(("school", "stop", "pupil"), frames, strict=True)
        for i in f["id"]
    ]
    return gpd.GeoSeries(geoms, index=ids, crs=27700)


if __name__ == "__main__":
    main()
