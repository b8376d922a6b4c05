"""Serving the desk with uvicorn: alone (``assistant web``) or in a thread of
``assistant run``. The socket is bound here first, so a taken port is one clear line
naming ``[web] port`` instead of a traceback."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from datetime import date

import uvicorn

from assistant.commands.common import App
from assistant.web.app import create_app


class DeskServer:
    def __init__(self, app: App, host: str | None = None, port: int | None = None,
                 today: Callable[[], date] = date.today) -> None:
        web = app.config.web
        self.host, self.port = host or web.host, web.port if port is None else port
        self.sock = _bind(self.host, self.port)
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(create_app(app.engine, app.config, today), log_level="warning",
                                access_log=False, server_header=False,
                                proxy_headers=False)
        self.server = uvicorn.Server(config)
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def run(self) -> None:
        """Serve in this thread until stopped (Ctrl-C in the main thread)."""
        self.server.run(sockets=[self.sock])

    def start(self) -> None:
        self.thread = threading.Thread(target=self.run, name="desk", daemon=True)
        self.thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout)
        self.sock.close()


class PortTaken(OSError):
    pass


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it (Linux): without it, a response written in two
    # parts (headers, body) waits ~40 ms for the client's delayed ACK (Nagle).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise PortTaken(f"the desk cannot listen on {host}:{port} ([web] host/port): "
                        f"{exc.strerror or exc}; choose another [web] port or stop what "
                        "uses it") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock
