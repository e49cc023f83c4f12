"""``optimise data``: export the default data, check or import a council's file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from geodata.errors import InputError
from optimise.commands.common import (
    Config,
    Debug,
    Json,
    Out,
    Progress,
    Quiet,
    Seed,
    app,
    check_out_option,
    console,
    print_json,
)
from optimise.commands.options import command

if TYPE_CHECKING:
    from optimise.config import RunConfig

Sheet = Annotated[
    str | None,
    typer.Option("--sheet", help="The sheet of a workbook (else FILE#SHEET, else the first)."),
]


def _with_sheet(file: Path, sheet: str | None) -> Path:
    """``FILE`` with ``--sheet`` as ``FILE#SHEET``."""
    if sheet is None:
        return file
    if "#" in file.name:
        raise InputError(f"--sheet {sheet}: the file already names a sheet ({file.name})")
    return Path(f"{file}#{sheet}")


def note_lines(notes: dict) -> list[str]:
    """What a reader noted of a file, as lines for the terminal."""
    out = []
    if "locations_from_postcodes" in notes:
        out.append(f"{notes['locations_from_postcodes']} location(s) from postcodes "
                   f"({notes['postcodes']}): a postcode's centre, not the address")  # fmt: skip
    if "locations_from_uprns" in notes:
        out.append(f"{notes['locations_from_uprns']} location(s) from UPRNs (OS Open UPRN)")
    if "age_from_date_of_birth" in notes:
        out.append(f"ages from date_of_birth: the {notes['age_from_date_of_birth']}")
    if notes.get("columns_not_used"):
        out.append(f"not used: {', '.join(notes['columns_not_used'])}")
    return out


data_app = typer.Typer(
    help="Export the embedded default data, or check a council's own file.\n\n"
    "Example: optimise data check sites.csv --kind sites --columns id=AssetCode",
    no_args_is_help=True,
)
app.add_typer(data_app, name="data")


@data_app.command("export", epilog="Example: optimise data export --out my-data")
def data_export(
    out: Annotated[
        Path,
        typer.Option("--out", callback=check_out_option, help="Folder to write the data into."),
    ],
    seed: Seed = None,
    config: Config = None,
    json_out: Json = False,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Write the embedded default data as a GeoPackage and one CSV per kind."""
    from geodata.default import export_default, load_default
    from geodata.write import Staging, write_json
    from optimise.config import RunConfig

    cfg = RunConfig.load(config, seed=seed, out=out)
    with Progress(quiet or json_out) as step:
        step("generating the default data")
        data = load_default(cfg.seed)
        step("writing GeoPackage and CSV")
        with Staging(out) as stage:
            files = export_default(data, stage.path)
            summary: dict[str, Any] = {
                "command": "data export",
                "seed": cfg.seed,
                "files": [
                    *sorted(str(Path(f).relative_to(stage.path)) for f in files),
                    "summary.json",
                ],
            }
            write_json(stage.path / "summary.json", summary)
    if json_out:
        print_json(summary)
    elif not quiet:
        console.print(f"wrote {len(summary['files'])} files to {out}")


@dataclass(frozen=True)
class CheckArgs:
    """The options of ``optimise data check``."""

    file: Annotated[
        Path | None,
        typer.Argument(
            help="The file to check (CSV, spreadsheet, GeoJSON, GeoPackage, Shapefile, "
            "GeoParquet, NaPTAN XML)."
        ),
    ] = None
    kind: Annotated[
        str | None, typer.Option("--kind", help="sites|zones|pupils|schools|stops|fleet|centres")
    ] = None
    pupils: Annotated[
        Path | None,
        typer.Option("--pupils", help="A transport run's pupils."),
    ] = None
    schools: Annotated[Path | None, typer.Option("--schools", help="... its schools.")] = None
    stops: Annotated[Path | None, typer.Option("--stops", help="... its stops.")] = None
    fleet: Annotated[Path | None, typer.Option("--fleet", help="... its fleet.")] = None
    columns: Annotated[
        str | None, typer.Option("--columns", help="Map names: id=URN,name=SCHOOL.")
    ] = None
    crs: Annotated[
        str | None, typer.Option("--crs", help="CRS of a file that declares none, e.g. EPSG:4326.")
    ] = None
    layer: Annotated[str | None, typer.Option("--layer", help="Layer of a GeoPackage.")] = None
    sheet: Sheet = None
    config: Config = None
    out: Out = None
    json_out: Json = False
    quiet: Quiet = False
    debug: Debug = False


@command(
    data_app,
    CheckArgs,
    "check",
    epilog="Examples: optimise data check assets.csv --kind sites "
    "--columns id=AssetCode,lon=GeoX,lat=GeoY; optimise data check --pupils pupils.xlsx#Pupils "
    "--schools schools.csv --fleet fleet.csv (each file, then across them)",
)
def data_check(args: CheckArgs) -> None:
    """Validate a file, or a transport run's files and what lies across them; list every
    problem; exit 2 if there is any."""
    from geodata.schema import KINDS
    from geodata.write import Staging, write_json
    from optimise.config import RunConfig, parse_columns

    given = _transport_files(args)
    if (args.file is None) == (not any(given.values())):
        raise InputError(
            "data check: give one FILE with --kind, or a transport run's files "
            "(--pupils, --schools, --stops, --fleet), not both or neither"
        )
    if args.file is not None and args.kind not in KINDS:
        found = f"'{args.kind}'" if args.kind else "none"
        raise InputError(f"--kind: expected one of {'|'.join(KINDS)}, found {found}")
    cfg = RunConfig.load(args.config, out=args.out, columns=parse_columns(args.columns),
                         kind=args.kind)  # fmt: skip
    file, problems, notes, what = _check(args, cfg)
    summary = {
        "command": "data check",
        "file": str(file) if file is not None else None,
        "kind": args.kind,
        "files": {k: str(v) for k, v in given.items() if v is not None},
        "ok": not problems,
        "problems": [p.as_dict() for p in problems],
        "read": notes,
    }
    if cfg.out is not None:
        with Staging(cfg.out) as stage:
            write_json(stage.path / "summary.json", summary)
    if args.json_out:
        print_json(summary)
    elif not args.quiet:
        _print_check(problems, notes, what)
    if problems:
        raise typer.Exit(2)


def _transport_files(args: CheckArgs) -> dict[str, Path | None]:
    """The transport run's files named (``--pupils`` ...), None where not."""
    return {"pupils": args.pupils, "schools": args.schools, "stops": args.stops,
            "fleet": args.fleet}  # fmt: skip


def _check(args: CheckArgs, cfg: RunConfig) -> tuple[Path | None, list[Any], dict, str]:
    """Check FILE (with ``--sheet``), or the transport run's files and across them: the
    file checked, the problems, what the readers noted per kind and what was checked."""
    if args.file is not None:
        from geodata.read import check_file

        file, kind = _with_sheet(args.file, args.sheet), args.kind
        assert kind is not None  # data_check refused a FILE without --kind
        problems, noted = check_file(file, kind, columns=cfg.columns_for(kind) or None,
                                     crs=args.crs, layer=args.layer,
                                     settings=cfg.reading)  # fmt: skip
        return file, problems, ({kind: noted} if noted else {}), f"{file} ({kind})"
    from optimise.transport.check import check_transport_files

    given = _transport_files(args)
    table = cfg.tables.get("transport")
    problems, notes = check_transport_files(given, cfg.columns_for, table, cfg.reading)
    return None, problems, notes, ", ".join(str(v) for v in given.values() if v is not None)


def _print_check(problems: list[Any], notes: dict, what: str) -> None:
    """Every problem, what the readers noted, and the count (or that there is none)."""
    for p in problems:
        console.print(str(p), markup=False, soft_wrap=True)
    for kind_noted, noted in notes.items():
        for line in note_lines(noted):
            console.print(f"{kind_noted}: {line}", markup=False, soft_wrap=True)
    if problems:
        rows = len({(p.file, p.row) for p in problems if p.row is not None})
        console.print(f"{len(problems)} problem(s) in {rows} row(s) of {what}", markup=False)
    else:
        console.print(f"{what}: no problems found", markup=False)


@dataclass(frozen=True)
class ImportArgs:
    """The options of ``optimise data import``."""

    file: Annotated[Path, typer.Argument(help="The council's file (any format data check reads).")]
    kind: Annotated[
        str, typer.Option("--kind", help="sites|zones|pupils|schools|stops|fleet|centres")
    ]
    out: Annotated[
        Path,
        typer.Option("--out", callback=check_out_option, help="Folder for the converted layer."),
    ]
    columns: Annotated[
        str | None, typer.Option("--columns", help="Map names: id=URN,name=SCHOOL.")
    ] = None
    on_bad_row: Annotated[
        str | None,
        typer.Option(
            "--on-bad-row", help="error: stop at bad rows; skip: list and leave them out."
        ),
    ] = None
    crs: Annotated[
        str | None,
        typer.Option("--crs", help="CRS of a file that declares none."),
    ] = None
    layer: Annotated[str | None, typer.Option("--layer", help="Layer of a GeoPackage.")] = None
    sheet: Sheet = None
    config: Config = None
    json_out: Json = False
    quiet: Quiet = False
    debug: Debug = False


@command(
    data_app,
    ImportArgs,
    "import",
    epilog="Example: optimise data import assets.csv --kind sites --on-bad-row skip "
    "--columns id=AssetCode,lon=GeoX,lat=GeoY,type=HoldingType --out my-sites",
)
def data_import(args: ImportArgs) -> None:
    """Convert a council's file to the engine's columns (GeoPackage + CSV).

    Skipped rows, with the reason for each, go to DIR/skipped.csv and DIR/summary.json.
    """
    from geodata.schema import KINDS

    kind = args.kind
    if kind not in KINDS:
        raise InputError(f"--kind: expected one of {'|'.join(KINDS)}, found '{kind}'")
    from geodata.convert import convert
    from optimise.config import RunConfig, parse_columns

    cfg = RunConfig.load(args.config, out=args.out, on_bad_row=args.on_bad_row,
                         columns=parse_columns(args.columns), kind=kind)  # fmt: skip
    out = cfg.out or args.out
    summary = convert(
        _with_sheet(args.file, args.sheet),
        kind,
        out,
        columns=cfg.columns_for(kind) or None,
        on_bad_row=cfg.on_bad_row,
        crs=args.crs,
        layer=args.layer,
        settings=cfg.reading,
    )
    if args.json_out:
        print_json(summary)
    elif not args.quiet:
        console.print(
            f"{summary['rows_kept']} {kind} written to {out}; "
            f"{summary['rows_skipped']} row(s) skipped (see skipped.csv)"
            if summary["rows_skipped"]
            else f"{summary['rows_kept']} {kind} written to {out}",
            markup=False,
        )


@data_app.command(
    "template", epilog="Example: optimise data template --kind pupils --out pupils.xlsx"
)
def data_template(
    kind: Annotated[
        str, typer.Option("--kind", help="sites|zones|pupils|schools|stops|fleet|centres")
    ],
    out: Annotated[Path, typer.Option("--out", help="The workbook to write (.xlsx).")],
    json_out: Json = False,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Write an empty workbook for KIND: its columns, what each means, an example row."""
    import os
    import tempfile

    from geodata.schema import KINDS
    from geodata.template import write_template

    if kind not in KINDS:
        raise InputError(f"--kind: expected one of {'|'.join(KINDS)}, found '{kind}'")
    if out.suffix.lower() != ".xlsx":
        raise InputError(f"--out: expected a file name ending .xlsx, found '{out}'")
    if out.is_dir() or not out.parent.is_dir():
        what = "a folder" if out.is_dir() else f"no folder '{out.parent}'"
        raise InputError(f"--out: expected a new or existing .xlsx file, found {what}")
    handle, staged = tempfile.mkstemp(suffix=".xlsx", prefix=".template-", dir=out.parent)
    os.close(handle)
    try:
        columns = write_template(kind, Path(staged))
        os.replace(staged, out)  # published whole, never half written
    finally:
        Path(staged).unlink(missing_ok=True)
    summary = {"command": "data template", "kind": kind, "file": str(out), "columns": columns}
    if json_out:
        print_json(summary)
    elif not quiet:
        console.print(f"wrote {out}: {len(columns)} columns of {kind}, one example row",
                      markup=False)  # fmt: skip
