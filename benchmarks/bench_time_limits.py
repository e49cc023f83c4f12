"""--time-limit bounds every command (issue #19): wall time of each command on the
default data against its limit, and the bar of limit + 10% + 3 s.

Run on purpose (not by the test command), from the repository root:

    python benchmarks/bench_time_limits.py [--only estate,hours]

Each command runs in its own process (``optimise ...``, as a user types it), one after
the other; wall time is measured around the process, peak memory is the process's
maximum resident set (``resource.getrusage(RUSAGE_CHILDREN)`` of the largest child so
far, so it is the running maximum, Dask workers not counted). Prints a markdown table:
command, limit, wall, bar, within the bar, peak MB, and what the run noted.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BATCH = """problem = "estate"
seed = 2026
time_limit = 5
[grid]
max_travel_minutes = [25, 30, 35, 40, 45, 50, 55, 60]
"""

# (name, arguments before --out, limit in seconds)
CASES = [
    ("estate", ["estate", "--time-limit", "5", "--pareto", "20"], 5),
    ("transport routes", ["transport", "routes", "--time-limit", "20"], 20),
    ("transport plan", ["transport", "plan", "--time-limit", "20"], 20),
    ("hours", ["hours", "--time-limit", "5"], 5),
    ("hours 30 s", ["hours", "--time-limit", "30"], 30),
    ("batch (8 x 5 s scenarios, 2 workers)", ["batch", "{spec}", "--workers", "2",
                                              "--time-limit", "10"], 10),
]  # fmt: skip


def _run(args: list[str], out: Path) -> tuple[float, int, dict]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), *args, "--out", str(out),
                           "--json"], capture_output=True, text=True, check=False)  # fmt: skip
    wall = time.perf_counter() - start
    try:
        summary = json.loads(done.stdout)
    except json.JSONDecodeError:
        summary = {"error": (done.stderr.strip().splitlines() or ["?"])[-1]}
    return wall, done.returncode, summary


def _notes(summary: dict) -> str:
    notes = list(summary.get("notes", []))
    if "scenarios" in summary:
        notes.append(f"{summary.get('ok')} of {summary['scenarios']} scenarios done"
                     + ("; the rest left to a re-run" if summary.get("stopped_by_time_limit")
                        else ""))  # fmt: skip
    if "error" in summary:
        notes.append(summary["error"])
    return "; ".join(str(n) for n in notes)[:140]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="", help="comma-separated names' first words")
    args = ap.parse_args()
    only = {w.strip() for w in args.only.split(",") if w.strip()}
    print("| command | limit s | wall s | bar s | within | peak MB | notes |")
    print("|---|---:|---:|---:|---|---:|---|")
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "batch.toml"
        spec.write_text(BATCH, encoding="utf-8")
        for i, (name, argv, limit) in enumerate(CASES):
            if only and name.split()[0] not in only:
                continue
            argv = [a.replace("{spec}", str(spec)) for a in argv]
            wall, code, summary = _run(argv, Path(tmp) / f"out{i}")
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            bar = limit * 1.1 + 3
            ok = "yes" if wall <= bar and code == 0 else f"NO (exit {code})" if code else "NO"
            print(f"| `optimise {' '.join(argv).replace(str(spec), 'batch.toml')}` | {limit} | "
                  f"{wall:.1f} | {bar:.1f} | {ok} | {peak:.0f} | {_notes(summary)} |",
                  flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
