"""The app factory: :func:`create_app` wires the workspace, the run queue, the
security middleware, the pages and the app's own static files (nothing from the
internet)."""

from __future__ import annotations

import secrets
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from optimise.app import (
    pages_batch,
    pages_compare,
    pages_edit,
    pages_estate,
    pages_hours,
    pages_runs,
    pages_transport,
)
from optimise.app.context import Context
from optimise.app.jobs import Runner
from optimise.app.security import HostGate, LimitBody, TokenGate
from optimise.app.store import Workspace
from optimise.app.uploads import MAX_UPLOAD_BYTES

__all__ = ["create_app"]

STATIC = Path(__file__).parent / "static"
#: Room in a request body for the form fields beside an upload at the cap.
FORM_ROOM = 64 * 1024


def create_app(workspace: Path, token: str | None, personal: bool = False) -> FastAPI:
    """The web app on the workspace folder ``workspace`` (created when missing).

    ``token``: required on every request when given. ``personal``: pupils' ids on the
    route sheets and homes in the report (the workspace's personal data switch).
    """
    ws = Workspace(workspace).open()
    runner = Runner(ws)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> Any:
        yield
        runner.shutdown()

    app = FastAPI(title="optimise", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)  # fmt: skip
    app.state.ctx = Context(ws, runner, secrets.token_urlsafe(32), personal)
    app.add_middleware(TokenGate, token=token)
    app.add_middleware(LimitBody, limit=MAX_UPLOAD_BYTES + FORM_ROOM)
    app.add_middleware(HostGate, token=token)  # outermost: before anything else
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(pages_transport.router)
    app.include_router(pages_estate.router)
    app.include_router(pages_hours.router)
    app.include_router(pages_batch.router)
    app.include_router(pages_runs.router)
    app.include_router(pages_compare.router)
    app.include_router(pages_edit.router)
    return app
