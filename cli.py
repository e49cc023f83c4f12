"""The ``optimise`` command line: parse options, call the library, print, map errors.

Bad input or bad options print one line and exit with code 2 (``--debug`` shows the
traceback instead). Outputs are staged and published together, so a failed run leaves
no partial file.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from geodata._coerce import printable
from geodata.errors import InputError
from optimise.commands import batch, bench, data, network, serve, solvers, transport  # noqa: F401
from optimise.commands.common import (
    Config,
    Debug,
    Json,
    Out,
    Progress,
    Quiet,
    Seed,
    TimeLimit,
    app,
    console,
    debugging,
    err_console,
    option_named,
    print_json,
    reset_debug,
    write_run_report,
)

__all__ = ["app", "main"]


@app.command(epilog="Example: optimise demo --out runs/demo --seed 2026")
def demo(
    out: Out = None,
    seed: Seed = None,
    config: Config = None,
    time_limit: TimeLimit = None,
    json_out: Json = False,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Run the engine on the embedded Northumberland default data.

    Generates the default data, exports it (GeoPackage + CSV), reads it back through
    the validation layer, builds the three problems, checks the council's figures and
    writes DIR/summary.json.
    """
    from optimise.config import RunConfig
    from optimise.demo import DEMO_TIME_LIMIT, run_demo

    cfg = RunConfig.load(config, seed=seed, out=out, time_limit=time_limit)
    out_dir = cfg.out or Path("optimise-demo")
    with Progress(quiet or json_out) as step:
        summary = run_demo(
            out_dir, seed=cfg.seed, step=step, time_limit=cfg.time_limit or DEMO_TIME_LIMIT
        )
        write_run_report(out_dir, step)
    _report(summary, json_out=json_out, quiet=quiet)
    if not all(c["ok"] for c in summary["checks"]):
        raise typer.Exit(1)


def _report(summary: dict[str, Any], *, json_out: bool, quiet: bool) -> None:
    if json_out:
        print_json(summary)
        return
    if quiet:
        return
    table = Table(title="Checks against DOMAIN.md")
    for name in ("check", "expected", "found", "ok"):
        table.add_column(name)
    for c in summary["checks"]:
        table.add_row(c["name"], str(c["expected"]), str(c["found"]), "yes" if c["ok"] else "NO")
    console.print(table)
    console.print(f"outputs in {summary['out']} ({summary['elapsed_s']:.1f} s)")


def _logging(*, quiet: bool, debug: bool) -> None:
    """Library warnings go to stderr as 'warning: ...' lines (none with --quiet or --json)."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if debug else logging.ERROR if quiet else logging.WARNING)
    logging.addLevelName(logging.WARNING, "warning")


def _out_of(args: list[str]) -> str:
    """The ``--out`` folder named on the command line (for error messages)."""
    for i, arg in enumerate(args):
        if arg == "--out" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--out="):
            return arg.split("=", 1)[1]
    return "the output folder"


#: What the option parser says of a value it cannot convert → what the user reads.
_EXPECTED = (("valid integer", "a whole number"), ("valid number", "a number"))


def usage_line(exc: Exception, args: list[str]) -> str:
    """A usage error as one line: the command, the option typed, what was expected,
    what was found and where help is (``optimise estate: --pareto: expected a whole
    number, found 'x'; see optimise estate --help``)."""
    ctx = getattr(exc, "ctx", None)
    command = getattr(ctx, "command_path", None) or _command_path(args)
    param = getattr(exc, "param", None)
    message = str(getattr(exc, "message", "") or exc.format_message())  # type: ignore[attr-defined]
    opts = getattr(param, "opts", None)
    if opts and type(exc).__name__ == "BadParameter":
        option = max(opts, key=len)
        expected = next((e for key, e in _EXPECTED if key in message), None)
        what = f"expected {expected}" if expected else message.rstrip(".")
        found = _typed(args, opts)
        message = f"{option}: {what}" + (f", found '{found}'" if found is not None else "")
    else:
        message = exc.format_message().rstrip(".")  # type: ignore[attr-defined]
    return f"{command}: {message}; see {command} --help"


def _command_path(args: list[str]) -> str:
    """``optimise`` and the (sub)command names at the start of ``args``."""
    group: Any = typer.main.get_command(app)
    words = ["optimise"]
    for arg in args:
        commands = getattr(group, "commands", None) or {}
        if arg not in commands:
            break
        group = commands[arg]
        words.append(arg)
    return " ".join(words)


def _typed(args: list[str], opts: list[str]) -> str | None:
    """The value typed after one of ``opts`` (``--pareto x`` or ``--pareto=x``)."""
    for i, arg in enumerate(args):
        if arg in opts and i + 1 < len(args):
            return args[i + 1]
        name, eq, value = arg.partition("=")
        if eq and name in opts:
            return value
    return None


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``optimise`` console script; returns the exit code."""
    args = sys.argv[1:] if argv is None else argv
    reset_debug()  # --debug's callback sets it while the command line is parsed
    _logging(quiet="--quiet" in args or "-q" in args or "--json" in args, debug=debugging())
    try:
        result = app(args=args, prog_name="optimise", standalone_mode=False)
    except InputError as exc:
        if debugging():
            raise
        line = f"error: {option_named(printable(str(exc)), args)}"
        err_console.print(line, markup=False, soft_wrap=True)
        return 2
    except typer.TyperException as exc:  # usage errors: bad option, missing argument
        if type(exc).__name__ == "NoArgsIsHelpError":  # a group without a command: its help
            exc.show()  # type: ignore[attr-defined]
            return 2
        err_console.print(f"error: {usage_line(exc, args)}", markup=False, soft_wrap=True)
        return 2
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("interrupted; nothing written", markup=False)
        return 130
    except OSError as exc:  # a folder or disk that cannot take the outputs
        if debugging():
            raise
        from geodata.write import output_error

        line = f"error: {output_error(exc, _out_of(args))}"
        err_console.print(line, markup=False, soft_wrap=True)
        return 2
    except Exception as exc:
        if debugging():
            raise
        err_console.print(
            f"internal error: {type(exc).__name__}: {exc} "
            "(run again with --debug for the traceback)",
            markup=False,
            soft_wrap=True,
        )
        return 1
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
