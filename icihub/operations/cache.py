"""Django's database cache with an atomic ``incr``.

Django's ``DatabaseCache.incr`` reads the value and writes it back (two
statements): two servers counting the same key at the same moment both write
n + 1 and one count is lost, so a rate limit would let through more than its
limit. Here the row is locked for the read and the write (``SELECT ... FOR
UPDATE`` on PostgreSQL; on SQLite the write transaction itself is exclusive),
and only the value is rewritten (the key keeps its expiry). Redis
(``ICIHUB_CACHE_URL``) has an atomic INCR of its own."""

from __future__ import annotations

import base64
import datetime as dt
import pickle

from django.conf import settings
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, models, router, transaction
from django.utils.timezone import now as tz_now

from icihub.core.sqlplan import several_statements_a_trip


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table = quote(self._table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('value')}, {quote('expires')} FROM {table} "  # noqa: S608 - names quoted by the backend
                f"WHERE {quote('cache_key')} = %s{lock}",
                [key],
            )
            row = cursor.fetchone()
            if row is not None:
                expires = row[1]
                expression = models.Expression(output_field=models.DateTimeField())
                for converter in connection.ops.get_db_converters(
                    expression
                ) + expression.get_db_converters(connection):
                    expires = converter(expires, expression, connection)
            if row is None or expires < tz_now():
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(connection.ops.process_clob(row[0]).encode()))  # noqa: S301 - our own cache table
            value += delta
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {quote('value')} = %s WHERE {quote('cache_key')} = %s",  # noqa: S608
                [encoded, key],
            )
        return value

    def hit(self, key, timeout, version=None, along=None) -> int:
        """Count one more hit on ``key`` and answer the count, in one statement:
        an upsert-increment (``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``,
        PostgreSQL and SQLite 3.35+), atomic across servers. A row that expired
        starts again at 1 with a new expiry. The API's rate limiter counts with it
        (``core.middleware.ApiRateLimitMiddleware``) instead of ``add`` then
        ``incr`` (nine statements with the count and the cull of ``add``).

        The counter is kept as decimal text, not pickled: read it with ``hit``
        (or ``counter``), not ``get``. The first hit of a new row (the first of a
        window) also deletes the expired rows, so that old counters do not pile up
        (the cull ``add`` did).

        ``along`` (a ``core.precompiled.ReadAlong``: the request's API token) is
        sent after the upsert in the same round trip on PostgreSQL, where a
        round trip is a third of a small read's time; elsewhere it is left for
        its caller to read."""
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table = quote(self._table)
        now = tz_now().replace(microsecond=0)
        expires = dt.datetime.fromtimestamp(
            self.get_backend_timeout(timeout), tz=dt.UTC if settings.USE_TZ else None
        ).replace(microsecond=0)
        now_db = connection.ops.adapt_datetimefield_value(now)
        expires_db = connection.ops.adapt_datetimefield_value(expires)
        key_, value_, expires_ = quote("cache_key"), quote("value"), quote("expires")
        sql = (
            f"INSERT INTO {table} ({key_}, {value_}, {expires_}) VALUES (%s, '1', %s) "  # noqa: S608 - names quoted by the backend
            f"ON CONFLICT ({key_}) DO UPDATE SET "
            f"{value_} = CASE WHEN {table}.{expires_} < %s THEN '1' "
            f"ELSE CAST(CAST({table}.{value_} AS INTEGER) + 1 AS TEXT) END, "
            f"{expires_} = CASE WHEN {table}.{expires_} < %s THEN %s "
            f"ELSE {table}.{expires_} END "
            f"RETURNING {value_}"
        )
        params = [key, expires_db, now_db, now_db, expires_db]
        carried = along is not None and _carries(connection, along)
        if carried:
            along_sql, along_params = along.statement(connection)
            sql, params = f"{sql}; {along_sql}", params + along_params
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            count = int(cursor.fetchone()[0])
            if carried:
                cursor.nextset()  # the read carried along
                along.take(cursor.fetchone(), connection)
            if count == 1:
                cursor.execute(f"DELETE FROM {table} WHERE {expires_} < %s", [now_db])  # noqa: S608
        return count

    def counter(self, key, version=None) -> int:
        """The count ``hit`` kept for ``key`` (0: none, or expired)."""
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_read(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        now_db = connection.ops.adapt_datetimefield_value(tz_now().replace(microsecond=0))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('value')} FROM {quote(self._table)} "  # noqa: S608
                f"WHERE {quote('cache_key')} = %s AND {quote('expires')} >= %s",
                [key, now_db],
            )
            row = cursor.fetchone()
        return int(row[0]) if row else 0


def _carries(connection, along) -> bool:
    """Whether a statement on ``connection`` can carry ``along`` in its round
    trip: PostgreSQL with client-side binding (several statements in one
    execute), on the database ``along`` reads."""
    return several_statements_a_trip(connection) and connection.alias == along.using
