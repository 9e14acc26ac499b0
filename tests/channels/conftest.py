from __future__ import annotations

import pytest

from .fakeserver import FakeProvider


@pytest.fixture
def fake_provider(settings):
    provider = FakeProvider().start()
    # The app refuses loopback for payload URLs; this stand-in provider's port is the test-only exception.
    settings.SORUM_EGRESS_ALLOW_LOOPBACK_PORTS = (provider.port,)
    yield provider
    provider.stop()
