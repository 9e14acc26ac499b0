"""A local RFC 3161 time-stamping authority on loopback for the anchor tests: OpenSSL's `ts -reply`.

OpenSSL's TSA is a full RFC 3161 implementation, so the tests talk to a real responder without leaving
the machine. A fresh key and certificate (extendedKeyUsage timeStamping) are made per test session.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CONFIG = """
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = {directory}/serial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.2
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = sorum-archive test TSA
[ v3_tsa ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
"""


@dataclass
class StandInTsa:
    url: str
    certificate: Path
    requests: list[bytes] = field(default_factory=list)


def _keys(directory: Path) -> None:
    (directory / "tsa.cnf").write_text(CONFIG.format(directory=directory), encoding="ascii")
    (directory / "serial").write_text("01\n", encoding="ascii")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
        + ["-keyout", str(directory / "tsa.key"), "-out", str(directory / "tsa.crt")]
        + ["-config", str(directory / "tsa.cnf"), "-extensions", "v3_tsa"],
        check=True,
        capture_output=True,
    )


@contextmanager
def stand_in_tsa(*, broken: bool = False) -> Iterator[StandInTsa]:
    """Serve time-stamp replies on 127.0.0.1; `broken` answers 500 instead."""
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        _keys(directory)
        lock = threading.Lock()
        received: list[bytes] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                query = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                received.append(query)
                if broken:
                    self.send_error(500)
                    return
                with lock:
                    (directory / "q.tsq").write_bytes(query)
                    subprocess.run(
                        ["openssl", "ts", "-reply", "-config", str(directory / "tsa.cnf")]
                        + ["-queryfile", str(directory / "q.tsq"), "-out", str(directory / "r.tsr")]
                        + ["-signer", str(directory / "tsa.crt"), "-inkey", str(directory / "tsa.key")],
                        check=True,
                        capture_output=True,
                    )
                    reply = (directory / "r.tsr").read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args) -> None:  # noqa: A002
                return

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            tsa = StandInTsa(
                url=f"http://127.0.0.1:{server.server_port}/tsr", certificate=directory / "tsa.crt"
            )
            tsa.requests = received
            yield tsa
        finally:
            server.shutdown()
            server.server_close()
