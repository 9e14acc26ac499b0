"""Fixed-window counters in the Django cache for the anonymous webhook surface (handshakes, rejections)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache


def rate_limit_hit(*, key: str, limit: int, window: int) -> bool:
    """Count one hit on `key`; True once more than `limit` hits fell in the current window (seconds)."""
    key = f"sorum:rate:{settings.SORUM_RATE_KEY_PREFIX}:{key}"
    if cache.add(key, 1, timeout=window):
        return limit < 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return limit < 1
    return count > limit
