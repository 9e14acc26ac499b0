"""A loopback fake Noark 5 REST core (nikita-style URLs) for the remote ArchiveSystem tests."""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORTS = range(18600, 18700)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    body: bytes


@dataclass
class FakeState:
    requests: list[Recorded] = field(default_factory=list)
    objects: dict[str, dict] = field(default_factory=dict)
    fail_with: int | None = None  # status for the next requests
    hang: threading.Event | None = None  # when set: requests wait on it (client timeout)

    def paths(self, method: str = "POST") -> list[str]:
        return [r.path for r in self.requests if r.method == method]


class _Handler(BaseHTTPRequestHandler):
    state: FakeState

    def log_message(self, *args) -> None:  # keep test output quiet
        return

    def _answer(self, status: int, body: dict | None = None, headers: dict | None = None) -> None:
        data = json.dumps(body or {}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/vnd.noark5+json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        state = self.state
        state.requests.append(Recorded(self.command, self.path, dict(self.headers), body))
        if state.hang is not None:
            state.hang.wait(5)
            return
        if state.fail_with is not None:
            self._answer(state.fail_with, {"feil": "intern feil"})
            return
        if self.headers.get("Authorization") != "Bearer test-token":
            self._answer(401, {"feil": "ikke autentisert"})
            return
        parts = self.path.rstrip("/").split("/")
        if self.command == "POST" and parts[-1].startswith("ny-"):
            payload = json.loads(body)
            system_id = str(uuid.uuid4())
            payload["systemID"] = system_id
            state.objects[system_id] = payload
            self._answer(201, payload, {"Location": f"{self.path}/{system_id}"})
        elif self.command == "POST" and parts[-1] == "referanseFil":
            self._answer(201, {"filstoerrelse": len(body)})
        elif self.command == "GET" and parts[-1] in state.objects:
            self._answer(200, state.objects[parts[-1]], {"ETag": '"1"'})
        elif self.command == "PUT" and parts[-1] in state.objects:
            if self.headers.get("If-Match") != '"1"':
                self._answer(409, {"feil": "ETag"})
                return
            state.objects[parts[-1]] = json.loads(body)
            self._answer(200, state.objects[parts[-1]], {"ETag": '"2"'})
        else:
            self._answer(404, {"feil": "ukjent"})

    do_GET = do_POST = do_PUT = _handle


class FakeNoarkServer:
    def __init__(self) -> None:
        self.state = FakeState()
        handler = type("Handler", (_Handler,), {"state": self.state})
        last_error: OSError | None = None
        for port in PORTS:
            try:
                self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
                break
            except OSError as exc:
                last_error = exc
        else:
            raise RuntimeError(f"no free port in {PORTS}") from last_error
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/noark5v5/api"

    def stop(self) -> None:
        if self.state.hang is not None:
            self.state.hang.set()
        self.httpd.shutdown()
        self.httpd.server_close()
