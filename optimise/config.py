"""Run settings shared by every command: TOML config file plus command-line options.

A config file may hold ``seed``, ``time_limit``, ``out``, ``on_bad_row`` and a
``[columns]`` table mapping the engine's column names to a council's own, either flat
(``id = "URN"``) or per kind (``[columns.sites] id = "AssetCode"``). Problem-specific
tables (``[transport]``, ``[estate]``, ``[hours]``) are read by their own commands;
every command checks them on load (their settings objects, :mod:`optimise.settings`:
known keys and sub-tables, TOML types, the parameter classes' own rules), so a bad key is
one line naming file, table and key.
Options given on the command line win over the file.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geodata.errors import InputError
from geodata.read.derived import ReadSettings
from geodata.read.values import check_value_tables
from geodata.schema import KINDS

if TYPE_CHECKING:
    from geodata.validate import OnBadRow

__all__ = ["RunConfig", "check_table", "column_tables", "parse_columns"]

_TOP_KEYS = {
    "seed",
    "time_limit",
    "out",
    "on_bad_row",
    "columns",
    "transport",
    "estate",
    "hours",
    "batch",
    "geocode",
    "values",
}


def parse_columns(text: str | None) -> dict[str, str]:
    """``"id=URN,name=SCHOOL NAME"`` → ``{"id": "URN", "name": "SCHOOL NAME"}``."""
    if not text:
        return {}
    out: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise InputError(
                "--columns: expected ENGINE_NAME=FILE_COLUMN pairs separated by commas, "
                f"found '{part.strip()}'"
            )
        key, value = (s.strip() for s in part.split("=", 1))
        if not key or not value:
            raise InputError(f"--columns: empty name in '{part.strip()}'")
        out[key] = value
    return out


@dataclass(frozen=True)
class RunConfig:
    """Settings of one run, after merging the config file and the options."""

    seed: int = 2026
    time_limit: float | None = None
    out: Path | None = None
    on_bad_row: OnBadRow = "error"
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # kind -> mapping
    tables: dict[str, Any] = field(default_factory=dict)  # problem-specific tables
    reading: ReadSettings = field(default_factory=ReadSettings)  # [geocode], [values], ...

    def __post_init__(self) -> None:
        if self.on_bad_row not in ("error", "skip"):
            raise InputError(f"on_bad_row: expected 'error' or 'skip', found '{self.on_bad_row}'")
        if self.time_limit is not None and self.time_limit <= 0:
            raise InputError(
                f"time limit: expected a positive number of seconds, found {self.time_limit}"
            )

    def columns_for(self, kind: str) -> dict[str, str]:
        return {**self.columns.get("*", {}), **self.columns.get(kind, {})}

    @classmethod
    def load(cls, path: Path | None, **options: Any) -> RunConfig:
        """Read ``path`` (if given), then apply the options that are not None."""
        data: dict[str, Any] = {}
        source = str(path) if path else "options"
        if path is not None:
            try:
                data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
            except FileNotFoundError:
                raise InputError(f"{path}: config file not found") from None
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise InputError(f"{path}: not valid TOML ({exc})") from None
            unknown = sorted(set(data) - _TOP_KEYS)
            if unknown:
                raise InputError(
                    f"{path}: unknown key '{unknown[0]}'; "
                    f"expected one of {', '.join(sorted(_TOP_KEYS))}"
                )
        _check_types(data, source)
        for name in ("estate", "hours", "transport"):
            if name in data:
                check_table(data[name], name, source)
        columns = column_tables(data.get("columns", {}), source)
        cli_columns = options.pop("columns", None)
        kind = options.pop("kind", None) or "*"
        if cli_columns:
            columns.setdefault(kind, {}).update(cli_columns)
        values: dict[str, Any] = {
            "seed": data.get("seed", 2026),
            "time_limit": data.get("time_limit"),
            "out": Path(data["out"]) if "out" in data else None,
            "on_bad_row": data.get("on_bad_row", "error"),
        }
        for key, value in options.items():
            if value is not None:
                values[key] = Path(value) if key == "out" else value
        if values["on_bad_row"] not in ("error", "skip"):
            where = "--on-bad-row" if options.get("on_bad_row") else f"{source}: on_bad_row"
            raise InputError(f"{where}: expected 'error' or 'skip', found '{values['on_bad_row']}'")
        if not isinstance(values["seed"], int) or isinstance(values["seed"], bool):
            raise InputError(f"{source}: seed: expected a whole number, found {values['seed']!r}")
        tables = {k: v for k, v in data.items() if k in ("transport", "estate", "hours", "batch")}
        reading = read_settings(data, source)
        return cls(columns=columns, tables=tables, reading=reading, **values)


#: Seeds the solvers take (PyVRP and numpy: unsigned 32-bit).
SEED_MAX = 2**32 - 1

#: Top-level config keys and the TOML types they take: (types, what to write).
_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "seed": ((int,), f"a whole number from 0 to {SEED_MAX}, e.g. seed = 2026"),
    "time_limit": ((int, float), "a number of seconds above 0, e.g. time_limit = 60"),
    "out": ((str,), 'a folder name in quotes, e.g. out = "runs/term1"'),
    "on_bad_row": ((str,), 'on_bad_row = "error" or "skip"'),
    "columns": ((dict,), 'a table [columns] of ENGINE_NAME = "FILE_COLUMN"'),
    "transport": ((dict,), "a table [transport]"),
    "estate": ((dict,), "a table [estate]"),
    "hours": ((dict,), "a table [hours]"),
    "batch": ((dict,), "a table [batch]"),
    "geocode": ((dict,), 'a table [geocode] with postcodes = "FILE_OR_FOLDER", uprns = "FILE"'),
    "values": ((dict,), "tables [values.KIND.FIELD] of WORD = VALUE"),
}


def _check_types(data: dict[str, Any], source: str) -> None:
    """Each top-level value has its type (and a finite, in-range number): one line if not."""
    for key, (types, wanted) in _TYPES.items():
        if key not in data:
            continue
        value = data[key]
        ok = isinstance(value, types) and not isinstance(value, bool)
        if ok and key == "time_limit":
            ok = math.isfinite(value) and value > 0
        if ok and key == "seed":
            ok = 0 <= value <= SEED_MAX
        if not ok:
            raise InputError(f"{source}: {key}: expected {wanted}, found {value!r}")


def check_table(table: Any, name: str, source: str) -> None:
    """A problem table checked as its command reads it: its settings object
    (:mod:`optimise.settings`) built, one line naming the file, table and key if not."""
    # lazy: the command line loads this module at start-up; keep it light
    from optimise.settings import settings_for

    settings_for(name, table, source)


def read_settings(data: dict[str, Any], source: str) -> ReadSettings:
    """What the readers take from a config: ``[geocode]``, ``[values]`` and
    ``[transport] school_year``."""
    # lazy: the command line loads this module at start-up; keep it light
    from geodata.geocode import load_postcodes

    geocode = data.get("geocode", {})
    unknown = sorted(set(geocode) - {"postcodes", "uprns"})
    if unknown:
        raise InputError(
            f"{source}: [geocode]: unknown key '{unknown[0]}'; expected postcodes, uprns"
        )
    for key in ("postcodes", "uprns"):
        if key in geocode and not isinstance(geocode[key], str):
            raise InputError(f"{source}: [geocode] {key}: expected a path in quotes, found "
                             f"{geocode[key]!r}")  # fmt: skip
    year = data.get("transport", {}).get("school_year")
    if year is not None and not (isinstance(year, int) and 2000 <= year <= 2100):
        raise InputError(f"{source}: [transport] school_year: expected a year such as 2026 "
                         f"(the school year starting in September), found {year!r}")  # fmt: skip
    return ReadSettings(
        postcodes=load_postcodes(geocode["postcodes"]) if "postcodes" in geocode else None,
        uprns=geocode.get("uprns"),
        school_year=year,
        values=check_value_tables(data.get("values", {}), source),
    )


#: Column tables for the plan files a run is given (``--current-plan``).
PLAN_KINDS = ("current_plan",)


def column_tables(table: Any, source: str) -> dict[str, dict[str, str]]:
    """A config's `[columns]` table: ``{"*": {...}, KIND: {...}}``, checked."""
    if not isinstance(table, dict):
        raise InputError(f'{source}: [columns] must be a table of ENGINE_NAME = "FILE_COLUMN"')
    out: dict[str, dict[str, str]] = {"*": {}}
    for key, value in table.items():
        if isinstance(value, dict):
            if key not in (*KINDS, *PLAN_KINDS):
                raise InputError(
                    f"{source}: [columns.{key}]: unknown kind; expected one of "
                    f"{', '.join((*KINDS, *PLAN_KINDS))}"
                )
            if key in PLAN_KINDS:
                # lazy: the command line loads this module at start-up; keep it light
                from optimise.transport.routing.evaluate import PLAN_COLUMNS

                bad = sorted(set(value) - set(PLAN_COLUMNS))
                if bad:
                    raise InputError(f"{source}: [columns.{key}] {bad[0]}: not a plan column; "
                                     f"the columns are {', '.join(PLAN_COLUMNS)}")  # fmt: skip
            out[key] = {str(k): str(v) for k, v in value.items()}
        else:
            out["*"][str(key)] = str(value)
    return out
