"""One settings object per config table (issue #17): ``[estate]``, ``[hours]``, ``[transport]``.

Every command that reads a table builds its object with ``from_table(table, source)``,
and the config loader (:meth:`optimise.config.RunConfig.load`) and the batch layer (from
its dotted keys) build the same objects, so a table is checked by one set of rules
wherever it is read: known keys of the TOML type of the field, known sub-tables only,
and the parameter classes' own ranges. A bad key is one line naming the file, the table
and the key, what was expected and what to do.

>>> TransportSettings.from_table({"max_ride_primary_min": 40, "routing": {}}, "run.toml")
... # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import importlib
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from geodata.errors import InputError

if TYPE_CHECKING:
    from models.transport import TransportPolicy
    from optimise.estate.params import EstateParams
    from optimise.hours.params import HoursParams
    from optimise.transport.eligibility.assess import EligibilityParams
    from optimise.transport.modes.params import ModeParams
    from optimise.transport.routing.params import RoutingParams
    from optimise.transport.stops.params import StopParams

__all__ = ["EstateSettings", "HoursSettings", "TransportSettings", "check_table", "settings_for"]

#: Each table (and [transport]'s sub-tables) → the module and class of its parameters.
CLASSES = {
    "estate": ("optimise.estate.params", "EstateParams"),
    "hours": ("optimise.hours.params", "HoursParams"),
    "transport": ("models.transport", "TransportPolicy"),
    "transport.routing": ("optimise.transport.routing.params", "RoutingParams"),
    "transport.stops": ("optimise.transport.stops.params", "StopParams"),
    "transport.modes": ("optimise.transport.modes.params", "ModeParams"),
    "transport.eligibility": ("optimise.transport.eligibility.assess", "EligibilityParams"),
}
#: The sub-tables of each table (``[transport.routing]`` ...).
SUBTABLES = {
    name: tuple(k.removeprefix(f"{name}.") for k in CLASSES if k.startswith(f"{name}."))
    for name in ("estate", "hours", "transport")
}
#: Keys of [transport] that are no policy field: pupils and schools that never share, and
#: the school year the readers date ages from.
_OTHER_KEYS: dict[str, dict[str, Any]] = {
    "transport": {"no_share": [], "never_share": [], "school_year": 2026}
}


def _class(name: str) -> Any:
    module, cls = CLASSES[name]
    return getattr(importlib.import_module(module), cls)


def _where(name: str, source: str) -> str:
    return f"{source}: [{name}]" if source else f"[{name}]"


def check_table(table: Any, name: str, source: str) -> dict[str, Any]:
    """``table``'s own keys (sub-tables left out) after checking every key and sub-table:
    known names, each of its field's TOML type (one line naming file, table and key if
    not). The sub-tables are checked the same way; the ranges are the classes' own."""
    if table is None:
        table = {}
    if not isinstance(table, dict):
        raise InputError(f"{_where(name, source)}: expected a table, found {table!r}")
    defaults = {**_OTHER_KEYS.get(name, {})}
    for f in dataclasses.fields(_class(name)):
        factory = f.default_factory
        defaults[f.name] = factory() if factory is not dataclasses.MISSING else f.default
    subtables = SUBTABLES.get(name, ())
    own = {}
    for key, value in table.items():
        if key in subtables:
            check_table(value, f"{name}.{key}", source)
        elif key not in defaults:
            _unknown(name, key, value, defaults, subtables, source)
        else:
            wanted = _toml_type(defaults[key], value)
            if wanted:
                raise InputError(
                    f"{_where(name, source)} {key}: expected {wanted}, found {value!r}; "
                    "correct it or leave it out for the default"
                )
            own[key] = value
    return own


def _unknown(
    name: str, key: str, value: Any, defaults: dict, subtables: tuple, source: str
) -> None:
    if isinstance(value, dict):  # a sub-table no step reads: a typo, never ignored
        known = ", ".join(f"[{name}.{s}]" for s in subtables) or "none"
        raise InputError(
            f"{_where(name, source)}: unknown table [{name}.{key}]; expected one of {known}; "
            "check its spelling or remove it"
        )
    raise InputError(
        f"{_where(name, source)}: unknown key '{key}'; "
        f"expected one of {', '.join(sorted(defaults))}"
    )


def _toml_type(default: Any, value: Any) -> str | None:
    """What a value like ``default`` must be when ``value`` is not that, else None."""
    if isinstance(default, bool):
        return None if isinstance(value, bool) else "true or false"
    if isinstance(default, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "a number"
        if not math.isfinite(value):
            return "a finite number"
        if isinstance(default, int) and not float(value).is_integer():
            return "a whole number"
        return None
    if isinstance(default, str):
        return None if isinstance(value, str) else "text in quotes"
    if isinstance(default, list | tuple):
        return None if isinstance(value, list) else 'a list, e.g. ["a", "b"]'
    if isinstance(default, dict):
        return None if isinstance(value, dict) else "a table of name = value"
    return None


def _params(name: str, table: dict[str, Any], source: str) -> Any:
    """The parameter class of ``name`` from its checked keys (its own ranges checked)."""
    own = {k: v for k, v in table.items() if k not in _OTHER_KEYS.get(name, {})}
    return _class(name).from_dict(own, source=_where(name, source))


@dataclass(frozen=True)
class EstateSettings:
    """``[estate]``: the estate model's parameters."""

    params: EstateParams = field(default_factory=lambda: _class("estate")())

    @classmethod
    def from_table(cls, table: Any, source: str = "") -> EstateSettings:
        return cls(_params("estate", check_table(table, "estate", source), source))

    def with_options(self, label: str = "options", /, **options: Any) -> EstateSettings:
        """The options that are not None over the table (``label`` names them in errors)."""
        return EstateSettings(_replace(self.params, label, options))


@dataclass(frozen=True)
class HoursSettings:
    """``[hours]``: the opening-hours model's parameters."""

    params: HoursParams = field(default_factory=lambda: _class("hours")())

    @classmethod
    def from_table(cls, table: Any, source: str = "") -> HoursSettings:
        return cls(_params("hours", check_table(table, "hours", source), source))

    def with_options(self, label: str = "hours options", /, **options: Any) -> HoursSettings:
        """The options that are not None over the table (``label`` names them in errors)."""
        return HoursSettings(_replace(self.params, label, options))


def _replace(params: Any, label: str, options: dict[str, Any]) -> Any:
    changes = {k: v for k, v in options.items() if v is not None}
    try:
        return dataclasses.replace(params, **changes)
    except ValueError as exc:
        raise InputError(f"{label}: {exc}") from None


@dataclass(frozen=True)
class TransportSettings:
    """``[transport]`` and its sub-tables, as every transport command reads them.

    ``policy`` (``[transport]``'s own keys), ``routing``, ``stops``, ``modes`` and
    ``eligibility`` (its sub-tables), the pupils (``no_share``) and schools
    (``never_share``) that never share a vehicle, as id pairs, and the ``school_year``
    ages are counted in (None: the readers' default).
    """

    policy: TransportPolicy = field(default_factory=lambda: _class("transport")())
    routing: RoutingParams = field(default_factory=lambda: _class("transport.routing")())
    stops: StopParams = field(default_factory=lambda: _class("transport.stops")())
    modes: ModeParams = field(default_factory=lambda: _class("transport.modes")())
    eligibility: EligibilityParams = field(
        default_factory=lambda: _class("transport.eligibility")()
    )
    no_share: tuple[tuple[str, str], ...] = ()
    never_share: tuple[tuple[str, str], ...] = ()
    school_year: int | None = None

    @classmethod
    def from_table(cls, table: Any, source: str = "") -> TransportSettings:
        """The settings of a ``[transport]`` table (None or {}: the defaults)."""
        if isinstance(table, TransportSettings):
            return table
        own = check_table(table, "transport", source)
        table = table or {}
        parts = {
            sub: _params(f"transport.{sub}", table.get(sub) or {}, source)
            for sub in SUBTABLES["transport"]
        }
        return cls(
            policy=_params("transport", own, source),
            no_share=_pairs(own.get("no_share", []), "no_share", source),
            never_share=_pairs(own.get("never_share", []), "never_share", source),
            school_year=own.get("school_year"),
            **parts,
        )


def _pairs(value: list[Any], key: str, source: str) -> tuple[tuple[str, str], ...]:
    """``[["P1", "P2"], ...]`` as id pairs; the ids are matched when the problem is built."""
    try:
        return tuple((str(a), str(b)) for a, b in value)
    except (TypeError, ValueError):
        example = '[["P00001", "P00002"]]' if key == "no_share" else '[["S01", "S07"]]'
        raise InputError(
            f"{_where('transport', source)} {key}: expected pairs of ids, e.g. {example}, "
            f"found {value!r}"[:300]
        ) from None


#: The settings class of each problem table.
SETTINGS: dict[str, Any] = {
    "estate": EstateSettings,
    "hours": HoursSettings,
    "transport": TransportSettings,
}


def settings_for(name: str, table: Any, source: str = "") -> Any:
    """``SETTINGS[name].from_table(table, source)``."""
    return SETTINGS[name].from_table(table, source)
