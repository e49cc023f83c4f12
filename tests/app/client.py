"""Helpers of the web app's API tests: the page's CSRF token, its message line,
waiting for a run (in its own process) to end, and the app on a real local server."""

from __future__ import annotations

import html
import re
import socket
import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from fastapi import FastAPI
    from fastapi.testclient import TestClient


@contextmanager
def serving(app: FastAPI) -> Iterator[int]:
    """``app`` on uvicorn in a thread, on 127.0.0.1: yields its port. The socket is
    bound here and handed to uvicorn, so no other test process (pytest-xdist) can take
    the port between choosing it and serving on it."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))  # fmt: skip
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        end = time.monotonic() + 30
        while not server.started and time.monotonic() < end:
            time.sleep(0.1)
        assert server.started
        yield port
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def message_of(page: str) -> str:
    found = re.search(r'id="message">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)) if found else ""


def ended(status: dict) -> bool:
    return status["status"] not in ("queued", "running")


def wait_until_ended(client: TestClient, run_id: int, seconds: float = 180) -> dict:
    """The run's status once it has ended (polled; ``seconds`` is only a safety net)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        status = client.get(f"/runs/{run_id}/status").json()
        if ended(status):
            return status
        time.sleep(0.3)
    raise AssertionError(f"run {run_id} still {status} after {seconds} s")


def start(client: TestClient, action: str, fields: dict) -> int:
    """POST a run form; the id of the run it redirects to."""
    response = client.post(action, data=fields, follow_redirects=False)
    assert response.status_code == 303, message_of(response.text) or response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def cells(page: str, table_id: str) -> list[list[str]]:
    """The rows of data cells of the table ``table_id`` (header rows left out)."""
    body = re.search(rf'<table[^>]*id="{table_id}"[^>]*>(.*?)</table>', page, re.S).group(1)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    cell = re.compile(r"<td[^>]*>(.*?)</td>", re.S)
    out = [[html.unescape(c).strip() for c in cell.findall(r)] for r in rows]
    return [r for r in out if r]
