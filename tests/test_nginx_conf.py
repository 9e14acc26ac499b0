"""deploy/nginx.conf, rendered for local ports as tests/topology runs it, passes `nginx -t` (the fast part of
`make topology-test` that every `make test` runs)."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
import requests

from tests.conftest import REQUIRE_SERVICES
from tests.topology.topology import render_nginx_site


@pytest.fixture
def nginx():
    if shutil.which("nginx") is None:
        if REQUIRE_SERVICES:
            pytest.fail("nginx (Debian package) is required here (REQUIRE_SERVICES=1)")
        pytest.skip("needs nginx")
    return shutil.which("nginx")


def _check(nginx: str, site: str, tmp_path) -> subprocess.CompletedProcess:
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\nevents {{}}\n"
        f"http {{ access_log off; include {tmp_path / 'site.conf'}; }}\n"
    )
    error_log = str(tmp_path / "error.log")
    return subprocess.run(
        [nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path), "-e", error_log],
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_shipped_nginx_conf_rendered_for_local_ports_is_valid(nginx, tmp_path):
    site = render_nginx_site(18885, [18883, 18884])
    assert "server 127.0.0.1:18883 max_fails=3 fail_timeout=10s;" in site
    assert "listen 127.0.0.1:18885;" in site
    assert "error_page 502 504 =503 @unavailable;" in site
    result = _check(nginx, site, tmp_path)
    assert result.returncode == 0, result.stderr


def test_nginx_check_rejects_a_broken_config(nginx, tmp_path):
    broken = render_nginx_site(18885, [18883]).replace("proxy_pass http://sorum_web;", "proxy_pass;")
    assert _check(nginx, broken, tmp_path).returncode != 0


def test_a_web_node_that_does_not_answer_gives_503_with_retry_after(nginx, tmp_path):
    """nginx's own 502 (no node answers, or one dies mid-request) reaches a provider as a 503 it retries."""
    listen, dead_node = 18887, 18888  # nothing listens on the node's port
    site = render_nginx_site(listen, [dead_node])
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"daemon off;\npid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\nevents {{}}\n"
        f"http {{ access_log off; include {tmp_path / 'site.conf'}; "
        + "".join(f"{kind}_temp_path {tmp_path / kind}; " for kind in ("client_body", "proxy"))
        + "}\n"
    )
    tmp_path.chmod(0o777)
    server = subprocess.Popen(
        [nginx, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path), "-e", str(tmp_path / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                requests.get(f"http://127.0.0.1:{listen}/lb-health", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        response = requests.post(
            f"http://127.0.0.1:{listen}/channels/nettside/webhook/", data=b"{}", timeout=10
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "service_unavailable"
