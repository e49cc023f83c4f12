"""Checks across a transport run's files, before a run (``optimise data check --pupils
P --schools S --stops T --fleet F``): each file as ``data check FILE`` checks it, then
what ``transport routes`` and ``transport plan`` would refuse across them (a pupil's
school not in the schools file, an excluded vehicle type not in the fleet, the
``[transport]`` settings). A kind left out is the embedded default data's.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from geodata.errors import InputError, Problem, ValidationError
from geodata.read import check_file
from optimise.transport.run import build_problem, read_frames

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from geodata.read.derived import ReadSettings

__all__ = ["check_transport_files"]


def check_transport_files(
    files: dict[str, Path | None],
    columns: Callable[[str], dict[str, str]],
    table: dict[str, Any] | None = None,
    reading: ReadSettings | None = None,
) -> tuple[list[Problem], dict[str, Any]]:
    """Every problem of the files, then (when each is clean) across them; and what the
    reader noted of each file (by kind)."""
    problems: list[Problem] = []
    notes: dict[str, Any] = {}
    for kind, path in files.items():
        if path is not None:
            found, noted = check_file(path, kind, columns=columns(kind) or None, settings=reading)
            problems += found
            notes.update({kind: noted} if noted else {})
    if problems:
        return problems, notes
    named = {k: str(v) for k, v in files.items() if v is not None}
    try:
        build_problem(**read_frames(files, columns, reading), table=table)
    except ValidationError as exc:  # name the user's file, not the kind
        return [replace(p, file=named.get(p.file, p.file)) for p in exc.problems], notes
    except InputError as exc:
        return [Problem("the files together", None, None, "files that agree", str(exc))], notes
    return [], notes
