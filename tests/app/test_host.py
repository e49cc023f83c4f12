"""``optimise serve`` (issue #16): the DNS-rebinding defence. On a loopback address
without a token, a request whose Host header is not localhost, 127.0.0.1 or [::1] with
the app's port is refused with 400 and one line."""

from __future__ import annotations

import socket

import pytest
from fastapi.testclient import TestClient

from optimise.app import create_app
from optimise.app.security import host_ok
from tests.app.client import serving

PORT = 8765


@pytest.fixture()
def local(tmp_path):
    """The app as bound to 127.0.0.1:8765 (the ASGI server address), no token."""
    with TestClient(create_app(tmp_path / "ws", None), base_url=f"http://127.0.0.1:{PORT}") as c:
        yield c


@pytest.mark.parametrize("host", [f"127.0.0.1:{PORT}", f"localhost:{PORT}",
                                  f"LOCALHOST:{PORT}", f"[::1]:{PORT}"])  # fmt: skip
def test_this_computers_names_are_answered(local, host):
    assert local.get("/transport", headers={"host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", f"evil.example:{PORT}", "127.0.0.1",
                                  "localhost:8766", f"127.0.0.2:{PORT}", f"localhost.evil:{PORT}",
                                  f"[::1]x:{PORT}", f"::1:{PORT}", ""])  # fmt: skip
@pytest.mark.parametrize("path", ["/transport", "/static/app.js", "/runs/1/status"])
def test_other_hosts_are_refused_with_one_line(local, host, path):
    response = local.get(path, headers={"host": host})
    assert response.status_code == 400
    text = response.text
    assert text.startswith(f"400: this app answers only at localhost:{PORT}, not at the host")
    assert "\n" not in text and "optimise serve printed" in text


def test_a_post_from_another_host_is_refused_before_it_is_read(local, tmp_path):
    response = local.post("/uploads", headers={"host": "evil.example"},
                          files={"file": ("s.csv", b"id,name\nS1,x\n")})  # fmt: skip
    assert response.status_code == 400
    assert list((tmp_path / "ws" / "uploads").iterdir()) == []


def test_no_check_with_a_token_or_off_loopback(tmp_path):
    token = "a-long-enough-secret-token"
    app = create_app(tmp_path / "ws", token)
    with TestClient(app, base_url=f"http://127.0.0.1:{PORT}") as c:
        page = c.get("/transport", params={"token": token}, headers={"host": "lan-box:8765"})
        assert page.status_code == 200  # the token is the defence there
    with TestClient(create_app(tmp_path / "ws2", None)) as c:  # server "testserver"
        assert c.get("/transport").status_code == 200


def test_host_header_parsing():
    assert host_ok("localhost", 80) and not host_ok("localhost", 8765)
    assert host_ok("[::1]:8765", 8765) and not host_ok("[::1]", 8765)
    assert not host_ok("localhost:8765:1", 8765)


def _raw_get(port: int, host: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET /transport HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return data


def test_a_real_server_on_127_0_0_1_refuses_a_rebound_name(tmp_path):
    with serving(create_app(tmp_path / "ws", None)) as port:
        assert _raw_get(port, f"127.0.0.1:{port}").startswith(b"HTTP/1.1 200")
        refused = _raw_get(port, f"attacker.example:{port}")
        assert refused.startswith(b"HTTP/1.1 400")
        assert f"answers only at localhost:{port}".encode() in refused
