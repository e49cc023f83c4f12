"""A rich progress bar for ``optimise batch``: done, failed, remaining, time left."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["BatchProgress"]


class BatchProgress:
    """Context manager whose instance is the ``progress`` callback of ``run_batch``.

    Silent when ``quiet``; the bar goes to ``console`` (stderr in the command line).
    """

    def __init__(self, console: Console, *, quiet: bool = False):
        self.console = console
        self.quiet = quiet
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Self:
        if self.quiet:
            return self

        self._bar = Progress(
            TextColumn("scenarios"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=self.console,
            transient=False,
        )
        self._bar.__enter__()
        self._task = self._bar.add_task("batch", total=None, counts="starting the workers")
        return self

    def __call__(self, done: int, failed: int, total: int) -> None:
        if self._bar is None:
            return
        remaining = total - done - failed
        counts = f"done {done}, failed {failed}, remaining {remaining}"
        self._bar.update(self._task, total=total, completed=done + failed, counts=counts)

    def __exit__(self, kind: object, *exc: object) -> None:
        if self._bar is not None:
            if kind is not None and kind is not KeyboardInterrupt:
                # an error ends the batch: its one line, not a bar above it
                self._bar.live.transient = True
            self._bar.__exit__(kind, *exc)
