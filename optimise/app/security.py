"""Access token, CSRF token, upload size cap and response headers.

* With a token (``optimise serve --host 0.0.0.0`` makes one), every request carries
  it: ``?token=`` once (the app then sets a cookie), the cookie, or an
  ``X-Optimise-Token`` header. No token → 401, a wrong one → 403.
* Every form carries the process's CSRF token in a hidden field; a POST without it
  (or with another) is refused with 403.
* A request body larger than the upload cap is refused while it is read.
* Without a token, on a loopback address, a request whose Host header is not
  ``localhost``, ``127.0.0.1`` or ``[::1]`` with the app's port is refused with 400: a
  page of another site cannot reach the app by pointing its own name at 127.0.0.1
  (DNS rebinding).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse

if TYPE_CHECKING:
    from starlette.responses import Response

__all__ = ["COOKIE", "BodyTooLarge", "HostGate", "LimitBody", "TokenGate", "csrf_ok", "headers"]

COOKIE = "optimise_token"
HEADER = "x-optimise-token"


def _same(given: str | None, expected: str) -> bool:
    return given is not None and secrets.compare_digest(given.encode(), expected.encode())


class TokenGate:
    """ASGI middleware: the token on every request (nothing to check without one).

    Pure ASGI (not ``BaseHTTPMiddleware``): it never touches the request body, so the
    upload size cap's error reaches the handler that reads it.
    """

    def __init__(self, app: Any, token: str | None):
        self.app, self.token = app, token

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self.token is None:
            await self.app(scope, receive, send)
            return

        request = Request(scope)
        query = request.query_params.get("token")
        given = query or request.headers.get(HEADER) or request.cookies.get(COOKIE)
        if given is None or not _same(given, self.token):
            refusal = PlainTextResponse(
                "401: this app needs its token: open the address optimise serve printed "
                "(it ends ?token=...)" if given is None else
                "403: wrong token: open the address optimise serve printed",
                status_code=401 if given is None else 403,
            )  # fmt: skip
            await refusal(scope, receive, send)
            return
        cookie = f"{COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/".encode()

        async def with_cookie(message: Any) -> None:
            if query and message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie)]
            await send(message)

        await self.app(scope, receive, with_cookie)


#: The addresses a local app listens on, and the names a browser may call it by.
LOOPBACK = ("127.0.0.1", "::1", "localhost")
LOCAL_NAMES = ("localhost", "127.0.0.1", "[::1]")


def host_ok(host: str, port: int) -> bool:
    """Whether a Host header names this computer at ``port`` (no port: 80)."""
    host = host.lower()
    if host.startswith("["):  # an IPv6 address: [::1]:8765
        inside, _, rest = host.partition("]")
        name, given = inside + "]", rest[1:] if rest.startswith(":") else rest or ""
        if rest and not rest.startswith(":"):
            return False
    else:
        name, _, given = host.partition(":")
    return name in LOCAL_NAMES and (given == str(port) or (not given and port == 80))


class HostGate:
    """ASGI middleware: without a token, on a loopback address, only requests naming
    this computer in their Host header (DNS-rebinding defence)."""

    def __init__(self, app: Any, token: str | None):
        self.app, self.token = app, token

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        server = scope.get("server") or ("", 0)
        if scope["type"] == "http" and self.token is None and str(server[0]) in LOOPBACK:
            host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
            if not host_ok(host, int(server[1] or 80)):
                shown = "".join(c if c.isprintable() else "?" for c in host)[:80]
                refusal = PlainTextResponse(
                    f"400: this app answers only at localhost:{server[1]}, not at the host "
                    f"'{shown}'; open the address optimise serve printed",
                    status_code=400,
                )
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)


def csrf_ok(form: Any, csrf: str) -> bool:
    """Whether a submitted form carries this process's CSRF token."""
    value = form.get("csrf") if form is not None else None
    return isinstance(value, str) and _same(value, csrf)


class BodyTooLarge(Exception):
    """A request body over the cap (raised while it is read)."""


class LimitBody:
    """ASGI middleware: a request body over ``limit`` bytes raises BodyTooLarge in the
    handler that reads it (the Content-Length, when given, is checked first)."""

    def __init__(self, app: Any, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seen = 0
        declared = dict(scope.get("headers") or []).get(b"content-length", b"0")
        too_big = declared.isdigit() and int(declared) > self.limit

        async def limited() -> Any:
            nonlocal seen
            if too_big:
                raise BodyTooLarge
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise BodyTooLarge
            return message

        await self.app(scope, limited, send)


def headers(response: Response, report: bool = False) -> None:
    """Security headers: no sniffing, no framing by other sites, no referrer, and a
    content policy (the self-contained report needs its inline script and styles)."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self' data: blob: 'unsafe-inline'; connect-src 'none'; frame-ancestors 'self'"
        if report
        else "default-src 'self'; img-src 'self' data:; frame-ancestors 'self'"
    )
