"""What every command shares: the app, the consoles, option types, progress, reports.

The commands live in the modules beside this one, one module per area; ``cli.py``
imports them (which registers them on :data:`app`) and maps errors to exit codes.
"""

from __future__ import annotations

import json
import logging
import math
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperGroup

from optimise.config import SEED_MAX

__all__ = [
    "OPTION_OF_KEY", "Config", "Debug", "Json", "Network", "Out", "Progress", "Quiet", "Seed",
    "TimeLimit", "app", "check_out_option", "console", "debugging", "err_console", "non_negative",
    "option_named", "print_json", "reset_debug", "travel_provider", "write_run_report",
]  # fmt: skip

console = Console(highlight=False, soft_wrap=True)  # paths and messages never wrap
err_console = Console(stderr=True, highlight=False)


class _InOrder(TyperGroup):
    """``optimise --help`` lists the commands in the order a user meets them."""

    ORDER = ("demo", "transport", "estate", "hours", "batch", "report", "data", "network")

    def list_commands(self, ctx: Any) -> list[str]:
        rank = {name: i for i, name in enumerate(self.ORDER)}
        return sorted(super().list_commands(ctx), key=lambda n: rank.get(n, len(rank)))


app = typer.Typer(
    name="optimise",
    cls=_InOrder,
    help=(
        "Operations-research engine for UK councils: home-to-school transport, estate "
        "rationalisation and face-to-face centre opening hours.\n\n"
        "Example: optimise demo --out runs/demo"
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="rich",
)


def _option(param: Any) -> str:
    """The option as the user types it (``--max-travel``), not the Python name."""
    opts = getattr(param, "opts", None) or [getattr(param, "name", "option")]
    return max(opts, key=len)


def _checked(ok: Any, expected: str) -> Any:
    """An option callback: ``value`` when ``ok(value)`` (or None), else one line naming
    the option as typed and ``expected``."""

    def callback(ctx: Any, param: Any, value: Any) -> Any:
        from geodata.errors import InputError

        if value is not None and not ok(value):
            raise InputError(f"{_option(param)}: expected {expected}, found {value}")
        return value

    return callback


#: Option callback: a finite number ≥ 0 (NaN, inf and negatives are one-line errors).
non_negative = _checked(lambda v: math.isfinite(v) and v >= 0, "a finite number of at least 0")
_positive = _checked(lambda v: math.isfinite(v) and v > 0, "a finite number of seconds above 0")
_seed = _checked(lambda v: 0 <= v <= SEED_MAX, f"a whole number from 0 to {SEED_MAX}")


#: Parameters set by options → the option as typed, for the parameter classes' messages
#: about values given on the command line (``options: max_travel_minutes ...``).
OPTION_OF_KEY = {
    "max_travel_minutes": "--max-travel", "receipt_target": "--receipt-target",
    "office_reduction": "--office-reduction", "pareto_measure": "--pareto-measure",
    "receipt_share": "--receipt-share", "disposal_cost_gbp": "--disposal-cost",
    "max_disposals": "--max-disposals", "budget_hours": "--budget-hours",
    "over65_weight": "--over65-weight", "min_block_hours": "--min-block",
}  # fmt: skip


def option_named(message: str, args: list[str]) -> str:
    """A parameter class's message about a value typed as an option names the option,
    not the parameter: ``options: max_travel_minutes must be positive`` (or
    ``run.toml: ...``, the option winning over the file) → ``--max-travel must be
    positive``."""
    for key, option in OPTION_OF_KEY.items():
        at = message.find(f": {key} ")
        typed = any(a == option or a.startswith(option + "=") for a in args)
        if at >= 0 and ": " not in message[:at] and typed:
            return option + message[at + 2 + len(key) :]
    return message


def print_json(summary: Any) -> None:
    """A summary on stdout as strict JSON (NaN and infinity as null)."""
    from geodata.write import strict_json

    console.print_json(json.dumps(strict_json(summary), default=str, allow_nan=False))


# Options shared by the commands.
Config = Annotated[
    Path | None, typer.Option("--config", help="TOML file with settings and a \\[columns] table.")
]


def check_out_option(value: Path | None) -> Path | None:
    """``--out`` checked before any work: a folder (or none yet) that can be written."""
    from geodata.write import check_out

    return check_out(value)


Out = Annotated[
    Path | None,
    typer.Option(
        "--out", callback=check_out_option, help="Folder for the run's outputs and summary.json."
    ),
]
Seed = Annotated[
    int | None,
    typer.Option("--seed", callback=_seed, help="Random seed: same inputs and seed, same result."),
]
TimeLimit = Annotated[
    float | None,
    typer.Option(
        "--time-limit",
        callback=_positive,
        help="Seconds for the whole command (reading, every solve, writing); what it cannot "
        "finish is cut short and said in the summary's notes.",
    ),
]
Workers = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="Processes for the route searches (default: one per core); the plan is the "
        "same on any number.",
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]

#: Whether ``--debug`` was given to the command running (set by the option's callback).
_debug = {"on": False}


def debugging() -> bool:
    """Whether errors show their traceback: ``--debug`` given, or OPTIMISE_DEBUG set."""
    return _debug["on"] or bool(os.environ.get("OPTIMISE_DEBUG"))


def reset_debug() -> None:
    """Before a command line is parsed: no ``--debug`` seen yet."""
    _debug["on"] = False


def _set_debug(value: bool) -> bool:
    """``--debug``'s callback (eager: before any other option's check can fail): errors
    show their traceback, and the library's debug log goes to stderr."""
    if value:
        _debug["on"] = True
        logging.getLogger().setLevel(logging.DEBUG)
    return value


Debug = Annotated[
    bool, typer.Option("--debug", callback=_set_debug, is_eager=True, help="Show tracebacks.")
]
Network = Annotated[
    Path | None,
    typer.Option(
        "--network",
        help="Folder from 'optimise network build': road travel times instead of straight line.",
    ),
]


def travel_provider(network: Path | None) -> Any:
    """Travel times: the road network in ``network`` (cached), else straight line."""
    if network is None:
        return None
    from geodata.network import provider_from_options

    return provider_from_options(network)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        console.print(f"optimise {version('optimise')}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Operations-research engine for UK councils."""


def write_run_report(out_dir: Any, step: Any, *, include_personal_data: bool = False) -> None:
    """Write DIR/report.html after a run; a failure is a warning, the run's files stand."""
    from optimise.report import write_report

    step("writing report.html")
    try:
        write_report(out_dir, include_personal_data=include_personal_data)
    except Exception as exc:
        if os.environ.get("OPTIMISE_DEBUG"):
            raise
        logging.getLogger("optimise.report").warning(
            "report.html not written: %s (optimise report %s --debug shows why)", exc, out_dir
        )


class Progress:
    """A rich status line per step; silent when quiet.

    Ctrl-C inside it ends the command with one line and exit code 130 (Typer would
    exit 130 without a word); the runs stage their outputs, so nothing was written.
    """

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self._status: Any = None

    def __enter__(self) -> Any:
        if not self.quiet:
            self._status = err_console.status("starting")
            self._status.__enter__()
        return self.step

    def step(self, text: str) -> None:
        if self._status is not None:
            self._status.update(text + " ...")

    def __exit__(self, kind: object, *exc: object) -> None:
        if self._status is not None:
            self._status.__exit__(kind, *exc)
        if kind is KeyboardInterrupt:
            err_console.print("interrupted; nothing written", markup=False)
            raise typer.Exit(130) from None
