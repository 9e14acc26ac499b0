from __future__ import annotations

import pytest

from tests.journal.export.archive_data import use_fast_pdf


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "real_pdf: render documents with WeasyPrint instead of the fast stand-in"
    )


@pytest.fixture
def fast_pdf(monkeypatch):
    use_fast_pdf(monkeypatch)
