"""What every page handler shares: the workspace, the run queue, the tokens, the
templates; and :func:`render` (a page with the CSRF token and security headers)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi.templating import Jinja2Templates

from optimise.app.security import headers

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from optimise.app.jobs import Runner
    from optimise.app.store import Workspace

__all__ = ["TEMPLATES", "Context", "ctx", "render"]

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


@dataclass
class Context:
    ws: Workspace
    runner: Runner
    csrf: str
    personal: bool


def ctx(request: Request) -> Context:
    return request.app.state.ctx


def render(request: Request, name: str, status: int = 200, **values: Any) -> Response:
    c = ctx(request)
    page = TEMPLATES.TemplateResponse(
        request, name, {"csrf": c.csrf, "personal": c.personal, **values}, status_code=status
    )
    headers(page)
    return page
