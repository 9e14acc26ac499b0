"""A provider on loopback: http.server in a thread answering from recorded responses or small handlers."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PORTS = range(18200, 18300)  # this helper's range on the shared machine


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | dict | list = b""
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, (dict, list)):
            return json.dumps(self.body, ensure_ascii=False).encode(), "application/json"
        if isinstance(self.body, str):
            return self.body.encode(), "application/json"
        return self.body, self.headers.get("Content-Type", "application/octet-stream")


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


Handler = Callable[[Seen], Reply]


class FakeProvider:
    def __init__(self, ports: range = PORTS) -> None:
        self.ports = ports
        self.routes: dict[tuple[str, str], list[Reply] | Handler] = {}
        self.requests: list[Seen] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def on(self, method: str, path: str, *replies: Reply, handler: Handler | None = None) -> None:
        """Answer `path` with the replies in turn (the last one repeats), or with a handler."""
        self.routes[(method, path)] = handler if handler is not None else list(replies)

    def seen(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    def start(self) -> FakeProvider:
        provider = self

        class _Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                return

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                provider.requests.append(seen)
                route = provider.routes.get((self.command, parts.path))
                if route is None:
                    reply = Reply(404, {"error": "no route"})
                elif callable(route):
                    reply = route(seen)
                else:
                    reply = route.pop(0) if len(route) > 1 else route[0]
                body, content_type = reply.encoded()
                self.send_response(reply.status)
                headers = {"Content-Type": content_type, "Content-Length": str(len(body)), **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _serve

        last_error: OSError | None = None
        for port in self.ports:
            try:
                self._server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
                break
            except OSError as exc:
                last_error = exc
        else:
            raise RuntimeError(f"no free port in {self.ports}") from last_error
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
