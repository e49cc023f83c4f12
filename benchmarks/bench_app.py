"""Web app benchmark (issue #16): how long the transport page takes to serve, idle and
while a transport plan runs in the background (in its own process).

Run on purpose (not by the test command), from the repository root:

    python benchmarks/bench_app.py [--gets 50] [--time-limit 120]

Starts the app (``optimise.app.create_app``) on uvicorn in a thread on a free local
port with a fresh workspace, times ``--gets`` GETs of ``/transport`` over HTTP while
idle, then starts a plan on the embedded data (``--time-limit`` seconds, morning and
afternoon) and, once the run reports it is planning routes, times as many GETs again;
the run is then cancelled. Prints a markdown table for BENCHMARKS.md (median and
95th percentile in ms), with the load average.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import uvicorn  # noqa: E402

from optimise.app import create_app  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(root: Path) -> tuple[uvicorn.Server, str]:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(root, None), host="127.0.0.1",
                                           port=port, log_level="warning"))  # fmt: skip
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def _times(client: httpx.Client, n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get("/transport")
        out.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return out


def _wait(client: httpx.Client, run_id: int, ok, seconds: float = 300) -> dict:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        status = client.get(f"/runs/{run_id}/status").json()
        if ok(status):
            return status
        time.sleep(0.5)
    raise SystemExit(f"run {run_id} never reached the state wanted: {status}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gets", type=int, default=50)
    parser.add_argument("--time-limit", type=float, default=120.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-app-") as tmp:
        server, address = _serve(Path(tmp) / "workspace")
        with httpx.Client(base_url=address, timeout=30) as client:
            page = client.get("/transport").text
            csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
            _times(client, 5)  # warm up templates
            idle = _times(client, args.gets)
            started = client.post("/transport/run", data={"csrf": csrf, "run": "both",
                                  "time_limit": str(args.time_limit)})  # fmt: skip
            run_id = int(started.headers["location"].rsplit("/", 1)[1])
            _wait(client, run_id, lambda s: s["progress"].startswith("planning"))
            load_before = os.getloadavg()[0]
            busy = _times(client, args.gets)
            status = client.get(f"/runs/{run_id}/status").json()
            client.post(f"/runs/{run_id}/cancel", data={"csrf": csrf})
        server.should_exit = True
    _report(args, idle, busy, status, load_before)


def _report(args, idle: list[float], busy: list[float], status: dict, load: float) -> None:
    def row(name: str, times: list[float]) -> str:
        p95 = statistics.quantiles(times, n=20)[-1]
        return f"| {name} | {args.gets} | {statistics.median(times):.1f} | {p95:.1f} | {max(times):.1f} |"

    print(f"\n{platform.node()} · {os.cpu_count()} CPUs · load average {load:.2f} while planning")
    print(f"(the run was '{status['status']}: {status['progress']}' after the GETs)\n")
    print("| transport page | GETs | median ms | p95 ms | max ms |")
    print("|---|---|---|---|---|")
    print(row("idle", idle))
    print(row(f"plan running ({args.time_limit:g} s limit)", busy))


if __name__ == "__main__":
    main()
