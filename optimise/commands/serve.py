"""``optimise serve``: the officers' local web app (issue #16)."""

from __future__ import annotations

import secrets
import socket
from pathlib import Path
from typing import Annotated

import typer

from geodata.errors import InputError
from optimise.commands.common import app, console

#: Addresses that only this computer can reach (no token needed).
LOOPBACK = ("127.0.0.1", "localhost", "::1")
MIN_TOKEN = 16


def _check_port(host: str, port: int) -> None:
    """One line when the address cannot be listened on (port taken, no such host)."""
    if not 1 <= port <= 65535:
        raise InputError(f"--port: expected a whole number from 1 to 65535, found {port}")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise InputError(
                f"--host/--port: expected an address this computer can listen on, found "
                f"{host}:{port} ({exc.strerror or exc}); choose another --port or --host"
            ) from None


def _token(host: str, token: str | None) -> str | None:
    if token is not None and len(token) < MIN_TOKEN:
        raise InputError(f"--token: expected at least {MIN_TOKEN} characters, found {len(token)}")
    if token is None and host not in LOOPBACK:
        return secrets.token_urlsafe(24)
    return token


@app.command(epilog="Example: optimise serve --workspace council-workspace")
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; any but 127.0.0.1 needs a token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8765,
    workspace: Annotated[
        Path, typer.Option("--workspace", help="Folder of the app's database, uploads and runs.")
    ] = Path("optimise-workspace"),
    token: Annotated[
        str | None,
        typer.Option("--token", help="Access token (made and printed when --host is not local)."),
    ] = None,
    include_personal_data: Annotated[
        bool,
        typer.Option(
            "--include-personal-data", help="Show pupils' ids on route sheets and homes in reports."
        ),
    ] = False,
) -> None:
    """Start the web app on the engine and print its address; open it in a browser."""
    import uvicorn

    from optimise.app import create_app

    token = _token(host, token)
    _check_port(host, port)
    application = create_app(workspace, token, personal=include_personal_data)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    console.print(f"optimise serve: open {address} (workspace {workspace}; Ctrl+C to stop)")
    uvicorn.run(application, host=host, port=port, log_level="warning")
