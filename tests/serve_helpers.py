"""Shared by the ``xxgk serve`` tests: start the real server in a child process on a free loopback port, and
talk to it over HTTP with the standard library (multipart bodies built by hand, so that a test controls every
byte a browser would send, file names included)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def serve_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "checker", "serve", *args]


@contextmanager
def running_server(tmp: Path, *args: str, history: bool = True, env: dict[str, str] | None = None) -> Iterator[Server]:
    """``xxgk serve`` on a free loopback port, its history in ``tmp`` (never the user's own data folder)."""
    port = free_port()
    log = tmp / f"server-{port}.log"
    env = {
        **os.environ,
        "XXGK_SERVE_HISTORY": str(tmp / "history.sqlite3"),
        "PYTHONIOENCODING": "utf-8",
        **(env or {}),
    }
    extra = [] if history else ["--no-history"]
    with open(log, "wb") as out:
        process = subprocess.Popen(
            serve_command("--port", str(port), *extra, *args), stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=env
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise AssertionError(f"server exited with {process.returncode}: {server.output()}")
            try:
                if get(server.url + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"server did not start: {server.output()}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def multipart(files: list[tuple[str, bytes]], field: str = "file") -> tuple[bytes, str]:
    boundary = "xxgk" + uuid.uuid4().hex
    parts = []
    for name, data in files:
        quoted = name.replace('"', "%22")
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{quoted}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(head.encode("utf-8") + data + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def request(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None, timeout: float = 180
) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    return request(url, None, headers, timeout=30)


def upload(
    url: str, files: list[tuple[str, bytes]], headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    body, kind = multipart(files)
    return request(url, body, {"Content-Type": kind, **(headers or {})})


def api(url: str, files: list[tuple[str, bytes]]) -> tuple[int, Any]:
    status, _, body = upload(url + "/api/check", files)
    return status, json.loads(body.decode("utf-8"))
