"""Browsers and providers as nginx sees them: each from its own loopback address (127.0.0.2, .3, ...).

Linux routes all of 127.0.0.0/8 to loopback, so a client bound to 127.0.0.2 reaches nginx on 127.0.0.1 and
nginx writes 127.0.0.2 into X-Forwarded-For, as it would write a citizen's address.
"""

from __future__ import annotations

import re

import requests
from requests.adapters import HTTPAdapter

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class _SourceAddressAdapter(HTTPAdapter):
    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Browser(requests.Session):
    """A browser at `address`. The app runs with production settings (Secure cookies) over plain HTTP on
    loopback; this browser sends its cookies anyway, as a browser would over HTTPS."""

    def __init__(self, base: str, address: str) -> None:
        super().__init__()
        self.base = base
        self.address = address
        self.mount("http://", _SourceAddressAdapter(address))

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", 30)
        kwargs.setdefault("allow_redirects", False)
        response = super().request(method, self.base + url if url.startswith("/") else url, *args, **kwargs)
        for cookie in self.cookies:
            cookie.secure = False
        return response

    def csrf(self, path: str) -> str:
        page = self.get(path)
        assert page.status_code == 200, (path, page.status_code)
        return CSRF_INPUT.search(page.text).group(1)

    def post_form(self, path: str, data: dict, *, headers: dict | None = None, **kwargs) -> requests.Response:
        token = self.csrf(path)
        headers = {"Referer": self.base + path, **(headers or {})}
        return self.post(path, data={"csrfmiddlewaretoken": token, **data}, headers=headers, **kwargs)

    def login(self, username: str, password: str, **kwargs) -> requests.Response:
        return self.post_form("/login/", {"username": username, "password": password}, **kwargs)
