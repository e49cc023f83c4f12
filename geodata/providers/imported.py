"""A travel matrix from a file (e.g. exported from a council's GIS or routing tool)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from geodata.errors import InputError, Problem, ValidationError
from geodata.providers._points import ids_of
from geodata.providers.files import read_matrix
from geodata.providers.routing_json import read_routing_json

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping, Sequence

    import geopandas as gpd

    from geodata.matrix import TravelMatrix

__all__ = ["ImportedMatrix"]


@dataclass(frozen=True, eq=False)
class ImportedMatrix:
    """Serve the pairs a model asks for from a matrix read once.

    Parameters
    ----------
    table
        Every pair in the file.
    file
        Where it came from, for error messages.
    """

    table: TravelMatrix
    file: str = "<table>"

    @classmethod
    def from_file(
        cls,
        path: str | os.PathLike[str],
        *,
        layout: str = "auto",
        unit: str = "seconds",
        mode: str = "drive",
        columns: Mapping[str, str] | None = None,
        metres_path: str | os.PathLike[str] | None = None,
    ) -> ImportedMatrix:
        """Read ``path`` (see :func:`geodata.providers.read_matrix`)."""
        table = read_matrix(
            path, layout=layout, unit=unit, mode=mode, columns=columns, metres_path=metres_path
        )
        return cls(table, str(path))

    @classmethod
    def from_routing_json(
        cls,
        path: str | os.PathLike[str],
        *,
        origins: Sequence[str] | None = None,
        destinations: Sequence[str] | None = None,
        mode: str = "drive",
    ) -> ImportedMatrix:
        """Read an OSRM or Valhalla matrix response; ids in the request's order.

        See :func:`geodata.providers.read_routing_json`.
        """
        table = read_routing_json(path, origins=origins, destinations=destinations, mode=mode)
        return cls(table, str(path))

    def matrix(
        self,
        origins: gpd.GeoSeries | Sequence[str],
        destinations: gpd.GeoSeries | Sequence[str],
        *,
        mode: str = "drive",
    ) -> TravelMatrix:
        """The requested pairs, in the order of the ids given.

        ``origins`` and ``destinations`` are GeoSeries whose index holds the ids (the
        geometry is not used), or plain sequences of ids.

        Raises
        ------
        ValidationError
            An id is not in the file at all (a pair missing from a file that has
            both ids is unreachable, not an error).
        InputError
            The file holds the other mode.
        """
        if mode != self.table.mode:
            raise InputError(
                f"{self.file} holds {self.table.mode} times; asked for {mode}. "
                f"Import a {mode} matrix, or read this one with mode='{mode}' if it holds those"
            )
        o_ids = ids_of(origins, "origins")
        d_ids = ids_of(destinations, "destinations")
        problems = [
            p
            for p in (
                self._missing(o_ids, self.table.origins, "origin"),
                self._missing(d_ids, self.table.destinations, "destination"),
            )
            if p is not None
        ]
        if problems:
            raise ValidationError(problems)
        return self.table.subset(o_ids, d_ids)

    def _missing(
        self, wanted: tuple[str, ...], have: tuple[str, ...], field: str
    ) -> Problem | None:
        known = set(have)
        missing = [i for i in wanted if i not in known]
        if not missing:
            return None
        shown = ", ".join(f"'{i}'" for i in missing[:10])
        if len(missing) > 10:
            shown += f" (+{len(missing) - 10} more)"
        return Problem(
            self.file,
            None,
            field,
            f"every {field} id used by the model",
            f"{len(missing)} id(s) not in the file: {shown}",
            hint=f"add them to the matrix, or check the {field} ids match the ids of your places",
        )

    @cached_property
    def _digest(self) -> str:
        h = hashlib.sha256()
        for ids in (self.table.origins, self.table.destinations):
            h.update("\x1f".join(ids).encode())
            h.update(b"\x1e")
        h.update(self.table.seconds.tobytes())
        h.update(self.table.metres.tobytes())
        return h.hexdigest()

    def key(self) -> str:
        """The contents' hash: the same file edited is a different provider."""
        return f"imported({self.table.mode};sha256:{self._digest})"
