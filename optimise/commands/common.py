"""What every command shares: the app, the consoles, option types, progress, reports.

The commands live in the modules beside this one, one module per area; ``cli.py``
imports them (which registers them on :data:`app`) and maps errors to exit codes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperGroup

__all__ = [
    "Config", "Debug", "Json", "Network", "Out", "Progress", "Quiet", "Seed", "TimeLimit",
    "app", "console", "err_console", "travel_provider", "write_run_report",
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

# Options shared by the commands.
Config = Annotated[
    Path | None, typer.Option("--config", help="TOML file with settings and a [columns] table.")
]
Out = Annotated[
    Path | None, typer.Option("--out", help="Folder for the run's outputs and summary.json.")
]
Seed = Annotated[
    int | None, typer.Option("--seed", help="Random seed: same inputs and seed, same result.")
]
TimeLimit = Annotated[
    float | None, typer.Option("--time-limit", help="Seconds the solver may use.")
]
Json = Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
Debug = Annotated[bool, typer.Option("--debug", help="Show tracebacks.")]
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
    import logging

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
    """A rich status line per step; silent when quiet."""

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

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.__exit__(*exc)
