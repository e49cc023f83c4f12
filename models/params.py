"""Parameter dataclasses: validated on creation, loaded from TOML (STYLE.md practice 3).

An empty file, or a missing table, gives the defaults; an unknown key or a value of the
wrong type is an :class:`geodata.errors.InputError` naming the file and the key.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from geodata.errors import InputError

__all__ = ["Params"]


@dataclass(frozen=True)
class Params:
    """Base class: subclasses are frozen dataclasses with defaults for every field."""

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "parameters") -> Self:
        known = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise InputError(
                f"{source}: unknown key '{unknown[0]}' for {cls.__name__}; "
                f"expected one of: {', '.join(sorted(known))}"
            )
        values = {}
        for key, value in data.items():
            default = getattr(cls, key, None)
            if isinstance(default, bool) and not isinstance(value, bool):
                raise InputError(f"{source}: key '{key}' expected true or false, found {value!r}")
            if isinstance(default, int | float) and not isinstance(default, bool):
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise InputError(f"{source}: key '{key}' expected a number, found {value!r}")
                value = type(default)(value) if isinstance(default, float) else value
            values[key] = value
        try:
            return cls(**values)
        except ValueError as exc:
            raise InputError(f"{source}: {exc}") from None

    @classmethod
    def from_file(cls, path: str | Path, table: str | None = None) -> Self:
        """Load from a TOML file; ``table`` picks a sub-table (e.g. ``"transport"``)."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(f"{path}: file not found") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: not valid TOML ({exc})") from None
        if table is not None:
            data = data.get(table, {})
            if not isinstance(data, dict):
                raise InputError(f"{path}: [{table}] must be a table")
        return cls.from_dict(data, source=str(path))

    def _positive(self, *names: str) -> None:
        for name in names:
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive; found {getattr(self, name)!r}")

    def _non_negative(self, *names: str) -> None:
        for name in names:
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must not be negative; found {getattr(self, name)!r}")
