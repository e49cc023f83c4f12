"""Scenario files (TOML): a base problem, named scenarios and parameter grids.

>>> spec = load_spec("examples/estate-travel-limits.toml")   # doctest: +SKIP

.. code-block:: toml

    problem = "estate"            # estate | hours | transport | none
    seed = 2026                   # solver seed (a scenario or the grid may vary it)
    time_limit = 10               # seconds per scenario

    [data]                        # optional: the default data (its seed) or files
    default_seed = 2026
    sites = "my-sites.csv"        # relative to this file
    network = "network/"          # optional: road travel times ('optimise network build')

    [columns.sites]               # optional: engine name = the file's column, as in a
    id = "UPRN"                   # run's config file ([columns] for every kind)

    [base]                        # parameters of every scenario
    ranking_steps = 0

    [scenarios.today]             # named scenarios, each over the base
    max_travel = 30

    [grid]                        # every combination, crossed with each named scenario
    max_travel = [20, 30, 45]
    "estate.receipt_target" = [0.0, 0.1]

Each scenario is identified by a hash of its inputs (kind, validated parameters, data
identity, seed, time limit): re-running a batch skips the scenarios already done.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geodata.default import DEFAULT_SEED
from geodata.errors import InputError
from geodata.read.sheet import split_sheet
from optimise.batch.names import folder_names
from optimise.batch.params import KINDS, RUN_KEYS, resolve
from optimise.config import column_tables

__all__ = ["BIG_BATCH", "DATA_KINDS", "BatchSpec", "Scenario", "expected_seconds", "load_spec",
           "parse_spec"]  # fmt: skip

#: A batch of more scenarios than this runs only when confirmed (``--yes``).
BIG_BATCH = 200

#: Input layers each kind reads (default data unless ``[data]`` names a file).
DATA_KINDS = {
    "estate": ("sites", "zones"),
    "hours": ("centres", "zones"),
    "transport": ("pupils", "schools", "stops", "fleet"),
    "none": (),
}
_TOP_KEYS = (
    "problem",
    "name",
    "seed",
    "time_limit",
    "data",
    "columns",
    "base",
    "scenarios",
    "grid",
)
_HASH_VERSION = 1


@dataclass(frozen=True)
class Scenario:
    """One run of a batch: plain data, sent to a worker as it is.

    Attributes
    ----------
    name
        As written (named scenario and grid point, e.g. ``today max_travel=20``).
    folder
        Safe, unique folder name under ``OUT/scenarios``.
    values
        The keys this scenario sets over the defaults (base, named, grid).
    resolved
        Validated solver parameters (:func:`optimise.batch.params.resolve`).
    seed, time_limit
        Solver seed and seconds.
    hash
        Hex digest of the inputs: same inputs, same hash.
    """

    name: str
    folder: str
    kind: str
    values: dict[str, Any]
    resolved: dict[str, Any]
    seed: int
    time_limit: float | None
    hash: str


@dataclass(frozen=True)
class BatchSpec:
    """A parsed scenario file: the kind, the data to load and the expanded scenarios."""

    source: str
    name: str
    kind: str
    data_seed: int
    files: dict[str, str]
    scenarios: tuple[Scenario, ...]
    network: str | None = None
    columns: dict[str, dict[str, str]] = field(default_factory=dict)

    def columns_for(self, kind: str) -> dict[str, str]:
        """The column mapping for one input layer (``[columns]`` then ``[columns.KIND]``)."""
        return {**self.columns.get("*", {}), **self.columns.get(kind, {})}


def load_spec(path: str | Path, *, network: str | Path | None = None) -> BatchSpec:
    """Read and expand a scenario file; any problem is an InputError naming file and key.

    ``network`` (the command's ``--network``) replaces the file's ``[data] network``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: scenario file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the scenario file ({exc})") from None
    return parse_spec(text, source=str(path), base_dir=path.parent, network=network)


def parse_spec(
    text: str,
    *,
    source: str = "scenarios",
    base_dir: Path | None = None,
    network: str | Path | None = None,
) -> BatchSpec:
    """:func:`load_spec` on TOML text (files in ``[data]`` are relative to ``base_dir``)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{source}: not valid TOML ({exc})") from None
    unknown = sorted(set(doc) - set(_TOP_KEYS))
    if unknown:
        raise InputError(
            f"{source}: unknown key '{unknown[0]}'; expected one of {', '.join(_TOP_KEYS)}"
        )
    kind = doc.get("problem")
    if kind not in KINDS:
        raise InputError(f"{source}: problem: expected one of {'|'.join(KINDS)}, found {kind!r}")
    base = _table(doc, "base", source)
    named = _table(doc, "scenarios", source)
    grid = _table(doc, "grid", source)
    for key, values in grid.items():
        if not isinstance(values, list) or not values:
            raise InputError(
                f"{source}: [grid] key '{key}': expected a non-empty list of values, "
                f"found {values!r}"
            )
    run = {"seed": doc.get("seed", 2026), "time_limit": doc.get("time_limit")}
    data_seed, files, identity = _data(doc, kind, source, base_dir)
    columns = column_tables(doc.get("columns", {}), source)
    net = _network(doc, network, kind, source, base_dir)
    if columns != {"*": {}}:  # only when set, so earlier batches keep their hashes
        identity["columns"] = columns
    if net is not None:
        identity["network"] = _network_identity(net)
    points = _points(named, grid, source)
    names = [name for name, _ in points]
    scenarios = []
    for (name, values), folder in zip(points, folder_names(names), strict=True):
        merged = {**base, **values}
        where = f"{source}: scenario '{name}'"
        settings = {**run, **{k: merged.pop(k) for k in RUN_KEYS if k in merged}}
        seed, limit = _run_settings(settings, where)
        resolved = resolve(kind, merged, where)
        digest = _hash(kind, resolved, identity, seed, limit)
        scenarios.append(
            Scenario(name, folder, kind, {**base, **values}, resolved, seed, limit, digest)
        )
    _no_duplicates(scenarios, source)
    name = str(doc.get("name", Path(source).stem))
    return BatchSpec(source, name, kind, data_seed, files, tuple(scenarios), net, columns)


def _table(doc: dict[str, Any], key: str, source: str) -> dict[str, Any]:
    value = doc.get(key, {})
    if not isinstance(value, dict):
        raise InputError(f"{source}: [{key}] must be a table")
    return _flatten(value) if key != "scenarios" else value


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    # [grid.fleet.minibus] day_rate = [...] is the same as "fleet.minibus.day_rate" = [...]
    out: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict) and key != "travel_minutes":
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _points(named: dict[str, Any], grid: dict[str, list[Any]], source: str):
    """(name, values) of every scenario: each named scenario × each grid point."""
    heads: list[tuple[str, dict[str, Any]]] = []
    for name, values in named.items():
        if not isinstance(values, dict):
            raise InputError(f"{source}: [scenarios.{name}] must be a table of keys")
        heads.append((str(name), _flatten(values)))
    heads = heads or [("", {})]
    points = []
    keys = list(grid)
    for head, values in heads:
        for combo in itertools.product(*(grid[k] for k in keys)):
            label = " ".join(f"{k}={_fmt(v)}" for k, v in zip(keys, combo, strict=True))
            name = " ".join(p for p in (head, label) if p) or "base"
            points.append((name, {**values, **dict(zip(keys, combo, strict=True))}))
    return points


def _fmt(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _run_settings(settings: dict[str, Any], where: str) -> tuple[int, float | None]:
    seed, limit = settings["seed"], settings["time_limit"]
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InputError(f"{where}: seed: expected a whole number, found {seed!r}")
    if limit is not None and (
        isinstance(limit, bool) or not isinstance(limit, int | float) or limit <= 0
    ):
        raise InputError(f"{where}: time_limit: expected seconds > 0, found {limit!r}")
    return seed, None if limit is None else float(limit)


def _data(doc: dict[str, Any], kind: str, source: str, base_dir: Path | None):
    table = doc.get("data", {})
    if not isinstance(table, dict):
        raise InputError(f"{source}: [data] must be a table")
    allowed = ("default_seed", "network", *DATA_KINDS[kind])
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise InputError(
            f"{source}: [data] unknown key '{unknown[0]}' for {kind}; expected one "
            f"of {', '.join(allowed)}"
        )
    data_seed = table.get("default_seed", DEFAULT_SEED)
    if isinstance(data_seed, bool) or not isinstance(data_seed, int):
        raise InputError(f"{source}: [data] default_seed: expected a whole number")
    files: dict[str, str] = {}
    identity: dict[str, int | str] = {"default_seed": data_seed}
    for layer in DATA_KINDS[kind]:
        if layer not in table:
            continue
        path, sheet = split_sheet(str(table[layer]))  # a workbook's sheet: book.xlsx#Pupils
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        if not path.is_file():
            raise InputError(f"{source}: [data] {layer}: file not found: {path}")
        files[layer] = str(path) if sheet is None else f"{path}#{sheet}"
        identity[layer] = hashlib.sha256(path.read_bytes() + str(sheet).encode()).hexdigest()
    return data_seed, files, identity


def _network(
    doc: dict[str, Any], option: str | Path | None, kind: str, source: str, base_dir: Path | None
) -> str | None:
    """The road-network folder (``--network`` over ``[data] network``), checked here."""
    value = option if option is not None else doc.get("data", {}).get("network")
    if value is None:
        return None
    if kind == "none":
        raise InputError(f"{source}: [data] network: problem 'none' has no travel times")
    path = Path(str(value))
    if option is None and not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    where = "--network" if option is not None else f"{source}: [data] network"
    if not (path / "summary.json").is_file():
        raise InputError(
            f"{where}: expected a folder written by 'optimise network build', found {path}"
        )
    return str(path.resolve())


def _network_identity(folder: str | None) -> str | None:
    # A rebuilt network (new summary.json) makes new scenarios, the same one does not.
    if folder is None:
        return None
    return hashlib.sha256((Path(folder) / "summary.json").read_bytes()).hexdigest()


def _hash(
    kind: str, resolved: dict[str, Any], identity: dict[str, Any], seed: int, limit: float | None
) -> str:
    inputs = {
        "v": _HASH_VERSION,
        "kind": kind,
        "params": resolved,
        "data": identity,
        "seed": seed,
        "time_limit": limit,
    }
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _no_duplicates(scenarios: list[Scenario], source: str) -> None:
    seen: dict[str, str] = {}
    for s in scenarios:
        if s.hash in seen:
            raise InputError(
                f"{source}: scenarios '{seen[s.hash]}' and '{s.name}' have the same "
                "inputs; remove one"
            )
        seen[s.hash] = s.name


def expected_seconds(scenarios: tuple[Scenario, ...], workers: int) -> float | None:
    """An upper bound of the time ``workers`` take to run ``scenarios`` by their time
    limits: total / workers + the longest (Graham's bound for any order of starting
    them); the solvers' time only. None when a scenario has no time limit."""
    if not scenarios:
        return 0.0
    limits = [s.time_limit for s in scenarios if s.time_limit is not None]
    if len(limits) < len(scenarios):
        return None
    workers = max(workers, 1)
    return sum(limits) / workers + max(limits) * (1 - 1 / workers)
