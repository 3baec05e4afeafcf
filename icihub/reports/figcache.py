"""The figures kept between requests: per period, filters, mode, user (with their
role and country) and language, under a version of the counted records.

A scope's values and breakdowns (``figures.value``, ``figures.breakdown``) are
computed by the same definitions as ever; what a scope computed is written to
Django's shared cache (the database's cache table, or Redis) in one entry when
the report, the dashboard or the panel is built (:func:`store`), and read back
in one statement by the next scope with the same key (:func:`load`).

The key holds a **version** of the records the figures count, bumped after
every committed write of a model of the counted apps (:data:`COUNTED_APPS`):
the model signals (save, delete, many-to-many), and the bulk writes that the
audit trail records (``core.audit.bulk_recorded``). A write in a transaction
bumps it once, after the commit (a figure computed before the commit is kept
under the old version, never the new one). Writes that send neither (a raw SQL
restore, a ``QuerySet.update`` not audited) are caught by the expiry:
``ICIHUB_FIGURES_CACHE_SECONDS`` (600 s by default; 0 keeps nothing).

Nothing is kept or read inside a transaction (``atomic``): what a transaction
sees may not be what others see (and the tests, each a transaction, always
compute).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

VERSION_KEY = "icihub-figures-version"
VERSION_TIMEOUT = 366 * 24 * 3600
COUNTED_APPS = frozenset({"partners", "menu", "training", "dialogue", "programmes"})
KEPT = "kept"  # the scope's cache entry: what was computed and may be stored
# The kinds of a scope's computed entries that are kept: the figures' values and
# breakdowns, and the demonstration rows they count (``figures.demo_rows``).
KEPT_KINDS = (("value",), ("breakdown",), ("demo",))


def kept(key) -> bool:
    """Whether a scope's entry ``key`` is kept between requests."""
    return isinstance(key, tuple) and key[:1] in KEPT_KINDS


def seconds() -> int:
    return max(0, int(getattr(settings, "ICIHUB_FIGURES_CACHE_SECONDS", 0)))


def enabled() -> bool:
    return seconds() > 0 and not connection.in_atomic_block


def bump() -> None:
    """A new version: every figure kept so far is computed again when next asked."""
    hit = getattr(cache, "hit", None)
    if hit is not None:
        hit(VERSION_KEY, VERSION_TIMEOUT)
        return
    if not cache.add(VERSION_KEY, 1, timeout=VERSION_TIMEOUT):
        try:
            cache.incr(VERSION_KEY)
        except ValueError:
            cache.set(VERSION_KEY, 1, timeout=VERSION_TIMEOUT)


def records_changed() -> None:
    """Bump the version after the current transaction commits (at once outside
    one); once per transaction however many rows it writes."""
    if connection.in_atomic_block and any(entry[1] is bump for entry in connection.run_on_commit):
        return
    transaction.on_commit(bump)


def _counted(sender) -> bool:
    return getattr(getattr(sender, "_meta", None), "app_label", None) in COUNTED_APPS


def _on_write(sender, **kwargs):
    if _counted(sender):
        records_changed()


def _on_m2m(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and (
        _counted(type(instance)) or _counted(sender)
    ):
        records_changed()


def _on_bulk(sender, **kwargs):
    if _counted(sender):
        records_changed()


def connect() -> None:
    from icihub.core import audit

    post_save.connect(_on_write, dispatch_uid="icihub_figures_save")
    post_delete.connect(_on_write, dispatch_uid="icihub_figures_delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="icihub_figures_m2m")
    audit.bulk_recorded.connect(_on_bulk, dispatch_uid="icihub_figures_bulk")


# -- a scope's entry -------------------------------------------------------------------------


def _who(user) -> str:
    """Whose figures: the user, with the role and country their reads depend on."""
    from icihub.core.access import is_system, role_of

    if is_system(user):
        return "system"
    return f"u{getattr(user, 'pk', None)}:{role_of(user)}:{getattr(user, 'country_id', None)}"


def key(scope) -> str:
    from django.utils.translation import get_language

    who = "public" if scope.is_public and not _is_system(scope.user) else _who(scope.user)
    period = f"{scope.period.start.isoformat()}/{scope.period.end.isoformat()}"
    filters = ",".join(f"{k}={v}" for k, v in sorted(scope.filters.params().items()))
    return f"icihub-figures:{period}:{filters}:{scope.mode}:{who}:{get_language()}"


def _is_system(user) -> bool:
    from icihub.core.access import is_system

    return is_system(user)


def remember(name: str, user, compute):
    """``compute()`` (a count ``user``'s reads give: plain data, no labels),
    kept for that user under the records' version as a scope's figures are:
    read back while nothing counted was written, computed again after a write,
    never kept inside a transaction. The coordinator's home page counts their
    country's nominations by state so (45,000 rows at twenty years, 3–5 ms on
    PostgreSQL a view, issue 11)."""
    if not enabled():
        return compute()
    stored_key = f"icihub-kept:{name}:{_who(user)}"
    if hasattr(cache, "counter"):  # the database cache: its version is a counter row
        current, entry = cache.counter(VERSION_KEY), cache.get(stored_key)
    else:
        values = cache.get_many([VERSION_KEY, stored_key])
        current, entry = values.get(VERSION_KEY) or 0, values.get(stored_key)
    if entry and entry.get("version") == current:
        return entry["value"]
    value = compute()
    cache.set(stored_key, {"version": current, "value": value}, timeout=seconds())
    return value


def load(scope) -> dict:
    """What the cache keeps for ``scope`` at the records' current version (one
    read of the cache: the version and the entry together)."""
    if not enabled():
        return {}
    if hasattr(cache, "counter"):  # the database cache: its version is a counter row
        current = cache.counter(VERSION_KEY)
        entry = cache.get(key(scope))
    else:
        values = cache.get_many([VERSION_KEY, key(scope)])
        current, entry = values.get(VERSION_KEY) or 0, values.get(key(scope))
    scope._cache["figcache_version"] = current
    if not entry or entry.get("version") != current:
        return {}
    return entry["figures"]


def _entries(scope, current, entry) -> None:
    scope._cache["figcache_loaded"] = True
    scope._cache["figcache_version"] = current
    if entry and entry.get("version") == current:
        for stored, value in entry["figures"].items():
            scope._cache.setdefault(stored, value)


def load_many(scopes) -> None:
    """Fill several scopes at once (the years of a page's trends): one read of
    the version and one of the entries, not two per scope. A scope filled
    here does not read the cache again (``Scope.cached``)."""
    scopes = [scope for scope in scopes if "figcache_loaded" not in scope._cache]
    if not enabled() or not scopes:
        return
    keys = {key(scope): scope for scope in scopes}
    if hasattr(cache, "counter"):
        current = cache.counter(VERSION_KEY)
        values = cache.get_many(list(keys))
    else:
        values = cache.get_many([VERSION_KEY, *keys])
        current = values.get(VERSION_KEY) or 0
    for stored_key, scope in keys.items():
        _entries(scope, current, values.get(stored_key))


def store_many(scopes) -> None:
    """Keep what each of ``scopes`` computed (those that computed anything new),
    in one write."""
    if not enabled():
        return
    dirty = [scope for scope in scopes if scope._cache.get("figcache_dirty")]
    if not dirty:
        return
    cache.set_many(
        {
            key(scope): {
                "version": scope._cache.get("figcache_version", 0),
                "figures": {k: v for k, v in scope._cache.items() if kept(k)},
            }
            for scope in dirty
        },
        timeout=seconds(),
    )
    for scope in dirty:
        scope._cache["figcache_dirty"] = False


def store(scope) -> None:
    """Keep what ``scope`` computed (when anything new was computed)."""
    if not enabled() or not scope._cache.get("figcache_dirty"):
        return
    entries = {k: v for k, v in scope._cache.items() if kept(k)}
    cache.set(
        key(scope),
        {"version": scope._cache.get("figcache_version", 0), "figures": entries},
        timeout=seconds(),
    )
    scope._cache["figcache_dirty"] = False
