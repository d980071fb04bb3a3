from __future__ import annotations

import pytest

from sangkien.accounts import services as accounts


@pytest.fixture
def bearer():
    """Headers that authenticate as `user` with a fresh personal token."""

    def _bearer(user) -> dict[str, str]:
        return {"Authorization": f"Bearer {accounts.create_token(user)}"}

    return _bearer
