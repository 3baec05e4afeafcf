"""Reads asked on every request, compiled to SQL once.

Two reads run on nearly every request: the API token behind an
``Authorization`` header, and the signed-in user behind a session cookie.
Each is a fixed query with one value (a token's hash, a user's id), yet the
ORM compiles it to SQL anew each time: 0.35–0.45 ms of Python a request, more
than the query itself takes on SQLite (0.05 ms) and as much as its round trip
to PostgreSQL (docs/benchmarks.md, issue 11).

:class:`Precompiled` compiles such a read once per database connection, with a
stand-in for its one value, and then runs the kept SQL with the real value. The
rows become model instances the way the ORM's own iterator makes them
(``from_db`` and the related populators of ``select_related``), with the same
database converters, so what comes back is what ``queryset.first()`` would
return. Django keeps no compiled statement between queries, hence this; only
the two reads above use it, and their tests compare it with the ORM's answer."""

from __future__ import annotations

import weakref
from collections.abc import Callable

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators

#: The stand-in for the read's value while it is compiled, found again among
#: the compiled parameters: a string for a text field, a number for an id (an
#: integer field would refuse the string).
STAND_IN = "\x00icihub-precompiled\x00"
STAND_IN_INT = -7_340_033
#: The stand-in of a record's key: within the range of every integer field
#: (a lookup on a positive integer field with a value out of its range is
#: compiled to no statement at all).
STAND_IN_KEY = 2_147_480_017


class Precompiled:
    """``Precompiled(lambda value: Model.objects....filter(field=value))``:
    ``.first(value)`` returns the first row of that queryset for ``value``, or
    None. The queryset must not be sliced, and ``value`` must be its only
    parameter."""

    def __init__(self, build: Callable[[object], QuerySet], *, integer: bool = False):
        self.build = build
        self.stand_in = STAND_IN_INT if integer else STAND_IN
        # One compilation per connection object (a thread's own connection to a
        # database): a compiler carries its connection's operations.
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _compile(self, connection):
        queryset = self.build(self.stand_in)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = [i for i, p in enumerate(params) if p == self.stand_in]
        if len(slots) != 1:
            raise ValueError("a precompiled read takes exactly one value")
        klass_info, select = compiler.klass_info, compiler.select
        first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        compiled = {
            "sql": sql,
            "params": list(params),
            "slot": slots[0],
            "compiler": compiler,
            "converters": compiler.get_converters([s[0] for s in select[: compiler.col_count]]),
            "model": klass_info["model"],
            "span": (first, last),
            "init_list": [s[0].target.attname for s in select[first:last]],
            "populators": get_related_populators(klass_info, select, connection.alias),
        }
        self._compiled[connection] = compiled
        return compiled

    def first(self, value, using: str = DEFAULT_DB_ALIAS):
        connection = connections[using]
        sql, params = self.statement(value, connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return self.built(cursor.fetchone(), connection)

    def statement(self, value, connection) -> tuple[str, list]:
        """The kept SQL and its parameters for ``value`` (for a caller that sends
        it after a statement of its own in the same round trip; the row it
        fetches is then :meth:`built`)."""
        compiled = self._compiled.get(connection) or self._compile(connection)
        params = compiled["params"].copy()
        params[compiled["slot"]] = value
        return compiled["sql"], params

    def built(self, row, connection):
        """The model instance of a row fetched by :meth:`statement`'s SQL (None: no row)."""
        compiled = self._compiled[connection]
        using = connection.alias
        if row is None:
            return None
        if compiled["converters"]:
            row = next(iter(compiled["compiler"].apply_converters([row], compiled["converters"])))
        first, last = compiled["span"]
        obj = compiled["model"].from_db(using, compiled["init_list"], row[first:last])
        for populator in compiled["populators"]:
            populator.populate(row, obj)
        return obj


class ReadAlong:
    """A :class:`Precompiled` read with its value, which a statement sent just
    before it may carry in the same round trip (``DatabaseCache.hit``: the API's
    rate counter and the request's token, one round trip to PostgreSQL rather
    than two, issue 11). :meth:`first` answers what ``read.first(value)``
    answers, reading it then if nothing carried it."""

    def __init__(self, read: Precompiled, value, using: str = DEFAULT_DB_ALIAS):
        self.read, self.value, self.using = read, value, using
        self.done, self.result = False, None

    def statement(self, connection) -> tuple[str, list]:
        return self.read.statement(self.value, connection)

    def take(self, row, connection) -> None:
        """The row the carried statement fetched (None: none)."""
        self.result, self.done = self.read.built(row, connection), True

    def first(self):
        if not self.done:
            self.result, self.done = self.read.first(self.value, self.using), True
        return self.result


class PrecompiledValues:
    """``PrecompiledValues(lambda ids: Model.objects....filter(fk__in=ids)
    .values_list(...))``: ``.rows(ids)`` returns the tuples that queryset gives
    for ``ids``, compiled once per connection and number of ids.

    For the second queries of :class:`~icihub.core.apikit.ValuesOut` whose
    rows do not depend on who asks (the codes of a record's areas, frameworks
    and countries; a programme's counts): 0.25–0.35 ms of compiling each, for a
    query that takes 0.02 ms on SQLite (issue 11). Annotations (a count per
    row) come last in the fields, after the columns. When the compiled SQL does
    not carry each id as a parameter of its own (a backend that sends a list as
    one array), or its columns are not the named fields in that order, the
    queryset runs as it is."""

    #: Above this many ids, the queryset runs as it is (a page is at most 100 rows).
    MOST = 100

    def __init__(self, build: Callable[[list], QuerySet]):
        self.build = build
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _compile(self, connection, count: int):
        stand_ins = [STAND_IN_INT - i for i in range(count)]
        queryset = self.build(stand_ins)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        params = list(params)
        slots = [params.index(s) if params.count(s) == 1 else None for s in stand_ins]
        query = queryset.query
        fields = list(queryset._fields or ())
        # The columns must be the named fields in their order: the model's
        # columns, then the annotations (a count per group of the columns).
        if (
            None in slots
            or not fields
            or list(query.values_select) + list(query.annotation_select) != fields
            or query.extra_select
            or len(fields) != compiler.col_count
        ):
            return None
        expressions = [s[0] for s in compiler.select[: compiler.col_count]]
        return {
            "sql": sql,
            "params": params,
            "slots": slots,
            "compiler": compiler,
            "converters": compiler.get_converters(expressions),
        }

    def rows(self, ids: list, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
        ids = list(dict.fromkeys(ids))  # as the ORM's IN does: each id once
        if not ids or len(ids) > self.MOST:
            return list(self.build(ids).using(using))
        connection = connections[using]
        kept = self._compiled.setdefault(connection, {})
        if len(ids) not in kept:
            kept[len(ids)] = self._compile(connection, len(ids))
        compiled = kept[len(ids)]
        if compiled is None:
            return list(self.build(ids).using(using))
        params = compiled["params"].copy()
        for slot, value in zip(compiled["slots"], ids, strict=True):
            params[slot] = value
        with connection.cursor() as cursor:
            cursor.execute(compiled["sql"], params)
            rows = cursor.fetchall()
        if compiled["converters"]:
            rows = [
                tuple(row)
                for row in compiled["compiler"].apply_converters(rows, compiled["converters"])
            ]
        return rows


class PrecompiledRecord:
    """``PrecompiledRecord(build)``, where ``build(scope, key)`` returns a
    queryset of the rows a :class:`~icihub.core.access.Scope` may read for one
    ``key`` (a record's id), or for a list of keys (a page's ids, for
    ``__in``): ``.rows(scope, key)`` returns what that queryset gives (dicts
    of a ``values()`` queryset, else model instances with their
    ``select_related`` rows), the SQL compiled once per connection, per
    ``scope.key`` and per number of keys.

    For the API's records (``ValuesOut.record``, ``Cited``): building an
    access-filtered queryset and compiling it cost 0.5–1.5 ms of Python for a
    query that SQLite answers in 0.05 ms (issue 11). The kept SQL is a function
    of ``build`` and of the scope's predicates (``scope.key``, their lookups
    and values), with a stand-in for ``key``: two users whose predicates are
    equal read through the same SQL, and a user whose rights change has
    another key. ``build`` gets no user, only the scope (which refuses to act
    as one), and must read nothing else of the request: a value it reads
    from elsewhere (a content type's id) is given to :meth:`rows` as
    ``variant``, which names a statement of its own.

    The queryset runs as it is when the scope has no key (a predicate that is
    not plain values), when the stand-in is not exactly one parameter, when
    the query cannot be compiled to one statement (an empty predicate), or when
    its rows are neither plain ``values()`` nor plain model instances."""

    #: Kept statements per connection (the least recently compiled go first).
    MOST = 256
    #: Above this many keys, the queryset runs as it is (a page is at most 100 rows).
    MOST_KEYS = 100

    def __init__(self, build: Callable[[object, int | list], QuerySet]):
        self.build = build
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _compile(self, scope, connection, count: int | None):
        stand_ins = [STAND_IN_KEY] if count is None else [STAND_IN_KEY - i for i in range(count)]
        queryset = self.build(scope, stand_ins[0] if count is None else stand_ins)
        query = queryset.query
        if query.extra_select or queryset._prefetch_related_lookups:
            return None
        compiler = query.get_compiler(connection=connection)
        try:
            sql, params = compiler.as_sql()
        except (EmptyResultSet, FullResultSet):
            return None
        params = list(params)
        # each stand-in exactly once (not so when a backend sends a list as one array)
        if any(params.count(stand_in) != 1 for stand_in in stand_ins):
            return None
        expressions = [s[0] for s in compiler.select[: compiler.col_count]]
        compiled = {
            "sql": sql,
            "params": params,
            "slots": [params.index(stand_in) for stand_in in stand_ins],
            "compiler": compiler,
            "converters": compiler.get_converters(expressions),
        }
        if queryset._iterable_class is ValuesIterable:
            # (the names of a values() row, as Django's ValuesIterable takes them)
            names = list(query.selected or [*query.values_select, *query.annotation_select])
            if len(names) != compiler.col_count:
                return None
            compiled["names"] = names
            return compiled
        klass_info = compiler.klass_info
        if (
            queryset._iterable_class is not ModelIterable
            or klass_info is None
            or compiler.annotation_col_map
            or queryset._known_related_objects
        ):
            return None
        first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        compiled.update(
            model=klass_info["model"],
            span=(first, last),
            init_list=[s[0].target.attname for s in compiler.select[first:last]],
            populators=get_related_populators(klass_info, compiler.select, connection.alias),
        )
        return compiled

    def rows(self, scope, key, using: str = DEFAULT_DB_ALIAS, *, variant=None) -> list:
        """The rows for ``key`` (an id, or a list of ids). ``variant``: a value
        that ``build`` reads elsewhere than from the scope (a content type's
        id), kept apart too."""
        count = None
        if isinstance(key, list):
            key = list(dict.fromkeys(key))  # as the ORM's IN does: each id once
            count = len(key)
        if scope.key is None or count == 0 or (count or 0) > self.MOST_KEYS:
            return list(self.build(scope, key).using(using))
        connection = connections[using]
        kept = self._compiled.setdefault(connection, {})
        name = (scope.key, variant, count)
        try:
            compiled = kept[name]
        except KeyError:
            compiled = self._compile(scope, connection, count)
            if len(kept) >= self.MOST:
                del kept[next(iter(kept))]
            kept[name] = compiled
        if compiled is None:
            return list(self.build(scope, key).using(using))
        params = compiled["params"].copy()
        for slot, value in zip(compiled["slots"], [key] if count is None else key, strict=True):
            params[slot] = value
        with connection.cursor() as cursor:
            cursor.execute(compiled["sql"], params)
            rows = cursor.fetchall()
        if compiled["converters"]:
            rows = compiled["compiler"].apply_converters(rows, compiled["converters"])
        if "names" in compiled:
            names = compiled["names"]
            return [dict(zip(names, row, strict=True)) for row in rows]
        model, (first, last) = compiled["model"], compiled["span"]
        init_list, populators = compiled["init_list"], compiled["populators"]
        built = []
        for row in rows:
            obj = model.from_db(using, init_list, row[first:last])
            for populator in populators:
                populator.populate(row, obj)
            built.append(obj)
        return built
