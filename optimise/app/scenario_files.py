"""Uploaded scenario files (``optimise batch``'s TOML): size-capped, checked as the
command checks them, stored under a name the server makes.

A file is accepted only when its name ends ``.toml``, it is at most
:data:`MAX_SCENARIO_BYTES`, decodes as UTF-8, and :func:`~optimise.batch.spec.parse_spec`
expands it (messages name the file by the name the user uploaded). The app runs
scenario files on the embedded data: ``[data]`` may set ``default_seed`` only, no
scenario may name a file (an hours ``profile``) and the engine's test problem
``none`` is refused (a path in an uploaded file would make the server read or write a
file of the uploader's choosing). A batch of
more than :data:`~optimise.batch.spec.BIG_BATCH` scenarios is refused, as the command
refuses one without ``--yes``. Nothing is stored for a refused file.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from geodata.errors import InputError
from optimise.app.uploads import UploadRefused, _display
from optimise.batch.spec import BIG_BATCH, parse_spec

if TYPE_CHECKING:
    from optimise.app.store import Workspace
    from optimise.batch.spec import BatchSpec

__all__ = ["KIND", "MAX_SCENARIO_BYTES", "check_scenarios", "store_scenarios"]

KIND = "scenarios"
#: Parameters whose value is a path on the server.
PATH_KEYS = ("profile", "crash_once")
#: The largest scenario file accepted (bytes): a few hundred lines of TOML are plenty.
MAX_SCENARIO_BYTES = 256 * 1024


def check_scenarios(data: bytes, name: str) -> BatchSpec:
    """The batch of a scenario file's bytes, or UploadRefused (one line)."""
    if PurePath(name).suffix.lower() != ".toml":
        raise UploadRefused(f"{name}: expected a scenario file ending .toml, found "
                            f"'{PurePath(name).suffix or 'no extension'}'")  # fmt: skip
    if len(data) > MAX_SCENARIO_BYTES:
        raise UploadRefused(f"{name}: expected a scenario file of at most "
                            f"{MAX_SCENARIO_BYTES // 1024} KB, found a larger one")  # fmt: skip
    try:
        text = data.decode("utf-8-sig")
        doc = tomllib.loads(text)
    except UnicodeDecodeError:
        raise UploadRefused(f"{name}: expected a UTF-8 text file, found binary data") from None
    except tomllib.TOMLDecodeError as exc:
        raise UploadRefused(f"{name}: not valid TOML ({exc})") from None
    data_table = doc.get("data", {})
    named = sorted(set(data_table) - {"default_seed"}) if isinstance(data_table, dict) else []
    if named:
        raise UploadRefused(
            f"{name}: [data] {named[0]}: the app runs scenario files on the embedded data; "
            "[data] may set default_seed only (run files of your own with optimise batch)"
        )
    try:
        spec = parse_spec(text, source=name, base_dir=None)
    except InputError as exc:
        raise UploadRefused(str(exc)) from None
    if spec.kind == "none":
        raise UploadRefused(f"{name}: problem: expected estate, hours or transport, found 'none'")
    for scenario in spec.scenarios:
        found = _path_key(scenario.resolved)
        if found:
            raise UploadRefused(
                f"{name}: scenario '{scenario.name}': {found}: the app takes no file names in "
                "a scenario file (run files of your own with optimise batch)"
            )
    if len(spec.scenarios) > BIG_BATCH:
        raise UploadRefused(f"{name}: expected at most {BIG_BATCH} scenarios, found "
                            f"{len(spec.scenarios)}; run it with optimise batch --yes")  # fmt: skip
    return spec


def _path_key(resolved: Any) -> str | None:
    """The first parameter of ``PATH_KEYS`` set in a scenario's resolved parameters."""
    if isinstance(resolved, dict):
        for key, value in resolved.items():
            if key in PATH_KEYS and value:
                return key
            found = _path_key(value)
            if found:
                return found
    return None


def store_scenarios(ws: Workspace, filename: str, data: bytes) -> tuple[int, BatchSpec]:
    """Check a scenario file and keep it: the upload's id and its batch."""
    name = _display(filename)
    spec = check_scenarios(data, name)
    stored = secrets.token_hex(16) + ".toml"
    target = ws.uploads / stored
    partial = target.with_name(f".{stored}.part")
    try:
        partial.write_bytes(data)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return ws.add_upload(KIND, name, stored, len(data)), spec
