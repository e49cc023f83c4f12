"""What every job takes besides its inputs and settings (issue #17).

A job is one plain function per command (:func:`optimise.estate.run.plan_estate`,
:func:`optimise.hours.run.plan_hours`, ...) taking loaded inputs, the table's settings
object (:mod:`optimise.settings`) and a :class:`JobContext`, and returning a frozen run
object that owns its ``summary()``; one writer per run stages its files. The command
line, the demo and the batch workers call the same two functions, so a notebook user
gets exactly what the command writes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from geodata.matrix import TravelProvider

__all__ = ["JobContext"]


def _silent(_text: str) -> None:
    return None


@dataclass(frozen=True)
class JobContext:
    """How a job runs: the solvers' ``seed``, the ``time_limit`` of the whole job in
    seconds (None: each solver's own cap), the ``deadline`` it counts to (a
    :func:`time.monotonic` value, e.g. the command's start plus its limit, so that
    reading the inputs counts too; None: from when the job starts), the travel-time
    ``provider`` (None: straight line), ``step``, told what the job is doing, and when
    the command ``started`` (a :func:`time.monotonic` value its ``elapsed_s`` counts
    from; None: from when the job starts)."""

    seed: int = 2026
    time_limit: float | None = None
    deadline: float | None = None
    provider: TravelProvider | None = None
    step: Callable[[str], None] = _silent
    started: float | None = None

    def ends_at(self) -> float | None:
        """The deadline, or now plus the time limit (None without either)."""
        if self.deadline is not None:
            return self.deadline
        return None if self.time_limit is None else time.monotonic() + self.time_limit
