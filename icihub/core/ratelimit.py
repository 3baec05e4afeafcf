"""Fixed-window rate limits counted in Django's cache.

Every server shares the cache (the database's cache table with an atomic
increment, ``operations.cache.DatabaseCache``, or Redis: settings'
``ICIHUB_CACHE_URL``), so a limit holds across processes and servers. The API's
limit (``core.middleware.ApiRateLimitMiddleware``) and the public certificate
check (``training``) count here."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Hit:
    """One counted request: whether it is within the limit, the limit, how
    many are left in the window and the seconds until the next window."""

    allowed: bool
    limit: int
    remaining: int
    retry_after: int


def hit(scope: str, ident: str, limit: int, window: int, along=None) -> Hit:
    """Count one request of ``ident`` (an address, a token's digest) under
    ``scope`` in the current window of ``window`` seconds; allowed while the
    count is at most ``limit`` (``limit`` <= 0: no limit, nothing counted).
    ``along``: a read the count may carry in its round trip
    (``core.precompiled.ReadAlong``)."""
    if limit <= 0:
        return Hit(True, limit, 0, 0)
    window = max(1, window)
    now = time.time()
    slot = int(now // window)
    key = f"icihub-rate:{scope}{ident}:{slot}"
    count = _count(key, window + 5, along)
    retry = max(1, int((slot + 1) * window - now) + 1)
    return Hit(count <= limit, limit, max(0, limit - count), retry)


def _count(key: str, timeout: int, along=None) -> int:
    """One more request counted under ``key``: the shared database cache's one
    upsert-increment (``operations.cache.DatabaseCache.hit``), else (Redis, the
    local memory) an ``add`` then an atomic ``incr``."""
    upsert = getattr(cache, "hit", None)
    if upsert is not None:
        return upsert(key, timeout, along=along)
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1
