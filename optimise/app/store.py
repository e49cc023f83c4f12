"""The workspace: a SQLite database of runs and uploaded files, and their folders.

``DIR/workspace.sqlite`` holds three tables, ``runs``, ``uploads`` and ``edits`` (the
edits made to a finished transport run's plan, in order: added by :meth:`Workspace.open`
to a workspace made before it, which keeps working); uploaded files are
kept under ``DIR/uploads/<name the server made>`` and each run writes into
``DIR/runs/<run id>/`` (the folders the CLI writes, so ``optimise report`` works on
them). Every process opens its own connection per call: the web process and the run
processes share the database.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from geodata.errors import InputError

__all__ = ["ACTIVE", "STATUSES", "Workspace"]

STATUSES = ("queued", "running", "finished", "failed", "cancelled", "interrupted")
#: A run in one of these may still change (a process owns it).
ACTIVE = ("queued", "running")

_TABLES = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    settings TEXT NOT NULL,
    created TEXT NOT NULL,
    finished TEXT,
    progress TEXT NOT NULL DEFAULT '',
    step INTEGER NOT NULL DEFAULT 0,
    summary TEXT,
    error TEXT
);
CREATE TABLE IF NOT EXISTS uploads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    original_name TEXT NOT NULL,
    stored_name TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    uploaded TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS edits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    value TEXT NOT NULL DEFAULT '',
    annual_gbp REAL,
    broken INTEGER,
    created TEXT NOT NULL
);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _row_id(cur: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just added."""
    if cur.lastrowid is None:
        raise RuntimeError("the INSERT added no row")
    return cur.lastrowid


class Workspace:
    """One workspace folder. :meth:`open` creates it (the web process, once)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.db = self.root / "workspace.sqlite"
        self.uploads = self.root / "uploads"
        self.runs = self.root / "runs"

    def open(self) -> Workspace:
        """Create the folders and tables; a run a previous process left queued or
        running is marked ``interrupted`` (it never finished)."""
        try:
            for folder in (self.root, self.uploads, self.runs):
                folder.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as db, db:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(_TABLES)
        except (OSError, sqlite3.Error) as exc:
            raise InputError(
                f"--workspace {self.root}: expected a folder the app can write its "
                f"database in, found {exc}; choose another --workspace"
            ) from None
        self.interrupt_active("the app stopped before the run ended")
        return self

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.db, timeout=30)
        db.row_factory = sqlite3.Row
        return db

    def _write(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        with closing(self._connect()) as db, db:
            return db.execute(sql, args)

    def _rows(self, sql: str, args: tuple = ()) -> list[dict[str, Any]]:
        with closing(self._connect()) as db:
            return [dict(row) for row in db.execute(sql, args)]

    # --- runs -------------------------------------------------------------------------

    def add_run(self, kind: str, settings: dict[str, Any]) -> int:
        cur = self._write(
            "INSERT INTO runs (kind, status, settings, created, progress) "
            "VALUES (?, 'queued', ?, ?, 'waiting to start')",
            (kind, json.dumps(settings), _now()),
        )
        return _row_id(cur)

    def run(self, run_id: int) -> dict[str, Any] | None:
        rows = self._rows("SELECT * FROM runs WHERE id = ?", (run_id,))
        if not rows:
            return None
        row = rows[0]
        row["settings"] = json.loads(row["settings"])
        row["summary"] = json.loads(row["summary"]) if row["summary"] else None
        return row

    def list_runs(self) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT id, kind, status, created, finished, progress FROM runs ORDER BY id DESC"
        )

    def run_dir(self, run_id: int) -> Path:
        return self.runs / str(int(run_id))

    def start(self, run_id: int) -> bool:
        """queued → running; False when the run is no longer queued (cancelled)."""
        cur = self._write(
            "UPDATE runs SET status = 'running' WHERE id = ? AND status = 'queued'", (run_id,)
        )
        return cur.rowcount == 1

    def progress(self, run_id: int, text: str) -> None:
        """The run's latest stage (from the run itself), counted for the progress bar."""
        self._write(
            "UPDATE runs SET progress = ?, step = step + 1 WHERE id = ? AND status = 'running'",
            (text, run_id),
        )

    def finish(self, run_id: int, summary: dict[str, Any]) -> bool:
        cur = self._write(
            "UPDATE runs SET status = 'finished', summary = ?, finished = ?, "
            "progress = 'finished' WHERE id = ? AND status = 'running'",
            (json.dumps(summary), _now(), run_id),
        )
        return cur.rowcount == 1

    def end(self, run_id: int, status: str, text: str) -> bool:
        """A queued or running run → ``status`` (failed, cancelled, interrupted) with
        ``text``; False when the run had already ended (nothing changed)."""
        assert status in STATUSES[3:]
        cur = self._write(
            "UPDATE runs SET status = ?, error = ?, finished = ?, progress = ? "
            "WHERE id = ? AND status IN ('queued', 'running')",
            (status, text, _now(), status, run_id),
        )
        return cur.rowcount == 1

    def interrupt_active(self, text: str) -> None:
        self._write(
            "UPDATE runs SET status = 'interrupted', error = ?, finished = ?, "
            "progress = 'interrupted' WHERE status IN ('queued', 'running')",
            (text, _now()),
        )

    # --- edits of a run's plan ---------------------------------------------------------

    def add_edit(
        self, run_id: int, action: str, target: str, value: str = "", *,
        annual_gbp: float | None = None, broken: int | None = None,
    ) -> None:  # fmt: skip
        """Store an edit with the plan's annual cost and rules broken once it was made."""
        self.add_edits(run_id, [{"action": action, "target": target, "value": value}],
                       annual_gbp=annual_gbp, broken=broken)  # fmt: skip

    def add_edits(
        self, run_id: int, edits: list[dict[str, str]], *,
        annual_gbp: float | None = None, broken: int | None = None,
    ) -> None:  # fmt: skip
        """Store ``edits`` (action, target, value) in one transaction: all or none."""
        with closing(self._connect()) as db, db:
            db.executemany(
                "INSERT INTO edits (run_id, action, target, value, annual_gbp, broken, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(run_id, e["action"], e["target"], e.get("value", ""), annual_gbp, broken,
                  _now()) for e in edits],
            )  # fmt: skip

    def edits(self, run_id: int) -> list[dict[str, Any]]:
        """The run's plan edits, oldest first: action, target, value (what to replay)."""
        return self._rows(
            "SELECT action, target, value FROM edits WHERE run_id = ? ORDER BY id", (run_id,)
        )

    def edit_log(self, run_id: int) -> list[dict[str, Any]]:
        """:meth:`edits` with the annual cost and rules broken after each."""
        return self._rows(
            "SELECT action, target, value, annual_gbp, broken FROM edits WHERE run_id = ? "
            "ORDER BY id",
            (run_id,),
        )

    def clear_edits(self, run_id: int) -> None:
        self._write("DELETE FROM edits WHERE run_id = ?", (run_id,))

    # --- uploads ----------------------------------------------------------------------

    def add_upload(self, kind: str, original_name: str, stored_name: str, size: int) -> int:
        cur = self._write(
            "INSERT INTO uploads (kind, original_name, stored_name, size, uploaded) "
            "VALUES (?, ?, ?, ?, ?)",
            (kind, original_name, stored_name, size, _now()),
        )
        return _row_id(cur)

    def upload(self, upload_id: int) -> dict[str, Any] | None:
        rows = self._rows("SELECT * FROM uploads WHERE id = ?", (upload_id,))
        return rows[0] if rows else None

    def list_uploads(self) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM uploads ORDER BY id DESC")

    def upload_path(self, upload: dict[str, Any]) -> Path:
        """Where an upload is kept: its stored name (made by the server) only."""
        return self.uploads / Path(upload["stored_name"]).name
