from __future__ import annotations

import pytest

from .fakeserver import FakeProvider


@pytest.fixture
def fake_provider():
    provider = FakeProvider().start()
    yield provider
    provider.stop()
