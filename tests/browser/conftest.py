import pytest

from tests.role_groups import ensure_role_groups
from tests.security.hostile_fixtures import hostile_messages_for  # noqa: F401  (shared fixture)


@pytest.fixture(autouse=True)
def _role_groups(transactional_db):
    ensure_role_groups()
