"""Login throttling (django-axes), usable from code paths that have no request."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class AxesBackend(AxesStandaloneBackend):
    """Axes' lockout check for every login through a request (the login page, the admin, DRF basic auth).

    `authenticate()` without a request (the Django test client's `login()`, management commands) cannot be
    throttled by client address, so it is passed on to the next backend instead of raising.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
