"""The shared geodata layer: read and validate councils' files, travel matrices, default data.

The public names below are imported on first use, so ``import geodata.errors`` (as the
command line does at start-up) does not load geopandas.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "InputError": "geodata.errors",
    "Problem": "geodata.errors",
    "ValidationError": "geodata.errors",
    "KINDS": "geodata.schema",
    "SCHEMAS": "geodata.schema",
    "Schema": "geodata.schema",
    "Layer": "geodata.validate",
    "check": "geodata.read",
    "validate": "geodata.validate",
    "read": "geodata.read",
    "read_text": "geodata.read",
    "read_naptan": "geodata.read",
    "TravelMatrix": "geodata.matrix",
    "TravelProvider": "geodata.matrix",
    "UNREACHABLE": "geodata.matrix",
    "StraightLine": "geodata.providers",
    "ImportedMatrix": "geodata.providers",
    "MatrixCache": "geodata.providers",
    "cached": "geodata.providers",
    "read_matrix": "geodata.providers",
    "write_matrix": "geodata.providers",
    "read_routing_json": "geodata.providers",
    "NetworkProvider": "geodata.network",
    "build_networks": "geodata.network",
    "fit_straight_line": "geodata.network",
    "provider_from_options": "geodata.network",
    "DefaultData": "geodata.default",
    "load_default": "geodata.default",
    "export_default": "geodata.default",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'geodata' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
