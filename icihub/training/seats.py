"""The seat ledger: the one place that says how many seats a session has free,
how many each country holds, what its quota is and whether it may take one now,
and the one place that changes the counter ``Session.seats_taken``.

A nomination holds a seat when it is *nominated* or *accepted* (``has_seat``);
the session row counts them in ``seats_taken``, which a check constraint keeps
within the capacity. Until the quotas are released (``quotas_released_at``) a
country holds at most its quota; after, any free seat may go to anyone.

:class:`SeatLedger` is built for one session or many (an import names several):
like pretix's ``QuotaAvailability`` it reads what it needs for all of them at
once, in a constant number of queries (the seats held per country on first use,
the quotas on first use while they bind), then answers

- the *cart*: :meth:`~SeatLedger.may_take` / :meth:`~SeatLedger.try_take`, one
  nomination at a time (nominating, accepting a waiting nominee);
- the *orders*: the same over the many rows of an import, counted in memory and
  written once per session by :meth:`~SeatLedger.save` (``defer=True``);
- the *waiting list*: :meth:`~SeatLedger.promotion_plan`, who takes the free
  seats now, within the quotas or, once released, in :func:`fair_order`.

Rules for callers:

- lock the session row first (``select_for_update``, in the transaction that
  writes) and build the ledger from that locked instance;
- tell the ledger of a seat taken, freed or handed over (:meth:`~SeatLedger.take`,
  :meth:`~SeatLedger.vacate`, :meth:`~SeatLedger.hand_over`) *before* writing the
  nomination rows that hold or leave it: its counts are read once, and kept in
  memory from then on.

:func:`recount` sets the counter from the nominations (after bulk-created rows,
as the demo data writes them). Read-only displays use ``Session.free_seats``
and :func:`with_free_seats`."""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from icihub.core.errors import Conflict

from .models import Nomination, SeatQuota, Session


def fair_order(waiting: Iterable, held: dict[int, int]) -> list:
    """Order waiting nominees for released seats: the country holding the fewest
    seats first (round-robin), ties to the country whose next nominee was
    nominated earliest, then the lower country id; within a country by priority,
    then nomination time. ``waiting`` items need ``country_id``, ``priority``,
    ``nominated_at`` and ``pk``; ``held`` is the seats each country holds."""
    queues: dict[int, deque] = {}
    for n in sorted(waiting, key=_queue_key):
        queues.setdefault(n.country_id, deque()).append(n)
    held = defaultdict(int, held)
    ordered = []
    while queues:
        country_id = min(
            queues,
            key=lambda c: (held[c], queues[c][0].nominated_at, queues[c][0].pk, c),
        )
        ordered.append(queues[country_id].popleft())
        held[country_id] += 1
        if not queues[country_id]:
            del queues[country_id]
    return ordered


def _queue_key(nomination) -> tuple:
    """A country's own order of its waiting nominees: priority, then time."""
    return (nomination.priority, nomination.nominated_at, nomination.pk)


class SeatLedger:
    """Seats of one or more sessions (see the module's documentation).

    ``defer=False`` (the services): each take or free is written at once, one
    ``UPDATE`` of the counter. ``defer=True`` (an import): counted in memory and
    written by :meth:`save`; a preview never saves."""

    def __init__(self, sessions: Iterable[Session], *, defer: bool = False):
        self._sessions: dict[int, Session] = {s.pk: s for s in sessions}
        self._defer = defer
        self._taken: dict[int, int] = {pk: s.seats_taken for pk, s in self._sessions.items()}
        self._pending: Counter = Counter()
        self._held: dict[int, Counter] | None = None
        self._quotas: dict[int, dict[int, int]] | None = None

    @classmethod
    def of(cls, session: Session) -> SeatLedger:
        return cls([session])

    # -- reads ------------------------------------------------------------------------

    def _session(self, session: Session | int) -> Session:
        pk = session if isinstance(session, int) else session.pk
        try:
            return self._sessions[pk]
        except KeyError:
            raise ValueError(f"session #{pk} is not in this ledger") from None

    def _load_held(self) -> dict[int, Counter]:
        if self._held is None:
            self._held = {pk: Counter() for pk in self._sessions}
            rows = (
                Nomination.objects.filter(session_id__in=list(self._sessions), has_seat=True)
                .order_by()
                .values_list("session_id", "country_id")
                .annotate(n=Count("pk"))
            )
            for session_id, country_id, n in rows:
                self._held[session_id][country_id] = n
        return self._held

    def _load_quotas(self) -> dict[int, dict[int, int]]:
        if self._quotas is None:
            self._quotas = {pk: {} for pk in self._sessions}
            for session_id, country_id, seats in SeatQuota.objects.filter(
                session_id__in=list(self._sessions)
            ).values_list("session_id", "country_id", "seats"):
                self._quotas[session_id][country_id] = seats
        return self._quotas

    def taken(self, session: Session) -> int:
        """The seats taken (the counter, with this ledger's changes)."""
        return self._taken[self._session(session).pk]

    def free(self, session: Session) -> int:
        """The seats nobody holds."""
        session = self._session(session)
        return max(session.capacity - self._taken[session.pk], 0)

    def fits(self, session: Session, capacity: int) -> bool:
        """Whether ``capacity`` leaves room for the seats already taken."""
        return capacity >= self.taken(session)

    def held(self, session: Session) -> dict[int, int]:
        """Seats held per country id."""
        return dict(self._load_held()[self._session(session).pk])

    def held_by(self, session: Session, country_id: int) -> int:
        return self._load_held()[self._session(session).pk][country_id]

    def quotas(self, session: Session) -> dict[int, int]:
        """The quota of each country id that has one."""
        return dict(self._load_quotas()[self._session(session).pk])

    def quota(self, session: Session, country_id: int) -> int:
        """A country's quota (0 without one)."""
        return self._load_quotas()[self._session(session).pk].get(country_id, 0)

    def quotas_bind(self, session: Session) -> bool:
        """Whether the quotas still bind (not yet released)."""
        return self._session(session).quotas_released_at is None

    def may_take(self, session: Session, country_id: int, n: int = 1) -> bool:
        """Whether ``country_id`` may take ``n`` more seats now: that many are
        free, and, while the quotas bind, within the country's quota."""
        session = self._session(session)
        if self.free(session) < n:
            return False
        if not self.quotas_bind(session):
            return True
        return self.held_by(session, country_id) + n <= self.quota(session, country_id)

    def promotion_plan(
        self,
        session: Session,
        waiting: list,
        eligible: Callable[[set[int]], set[int]] | None = None,
    ) -> list:
        """Which of the ``waiting`` nominees take the free seats now, in order.
        While the quotas bind, each country's nominees (by priority, then time)
        within its unused quota; once released, the nominees of the countries
        ``eligible`` keeps (a function of a set of country ids) in
        :func:`fair_order`."""
        session = self._session(session)
        free = self.free(session)
        if free <= 0 or not waiting:
            return []
        if not self.quotas_bind(session):
            countries = {n.country_id for n in waiting}
            allowed = countries if eligible is None else eligible(countries)
            ordered = fair_order(
                [n for n in waiting if n.country_id in allowed], self.held(session)
            )
            return ordered[:free]
        by_country: dict[int, list] = defaultdict(list)
        for n in sorted(waiting, key=_queue_key):
            by_country[n.country_id].append(n)
        plan = []
        for country_id, queue in sorted(by_country.items()):
            room = self.quota(session, country_id) - self.held_by(session, country_id)
            plan.extend(queue[: max(room, 0)])
        plan.sort(key=_queue_key)
        return plan[:free]

    # -- writes (the session row locked) ----------------------------------------------

    def take(self, session: Session, country_id: int, n: int = 1) -> None:
        """``country_id`` takes ``n`` seats. Refused (:class:`Conflict`) when
        :meth:`may_take` says no."""
        self.take_many(session, [country_id] * n)

    def take_many(self, session: Session, country_ids: list[int]) -> None:
        """One seat for each country id of ``country_ids`` (a country listed
        twice takes two), checked one after the other and counted at once."""
        session = self._session(session)
        held = self._load_held()[session.pk]
        before = (Counter(held), self._taken[session.pk])
        for country_id in country_ids:
            if not self.may_take(session, country_id):
                held.clear()  # all or nothing: back to the counts before
                held.update(before[0])
                self._taken[session.pk] = before[1]
                raise Conflict(_("No seat is free for this country in this session."))
            held[country_id] += 1
            self._taken[session.pk] += 1
        self._count(session, len(country_ids))

    def try_take(self, session: Session, country_id: int) -> bool:
        """Take a seat for ``country_id`` if it may; whether it did."""
        if not self.may_take(session, country_id):
            return False
        self.take(session, country_id)
        return True

    def vacate(self, session: Session, country_id: int, n: int = 1) -> None:
        """``country_id`` gives back ``n`` seats it holds."""
        session = self._session(session)
        held = self._load_held()[session.pk]
        if held[country_id] < n:
            raise ValueError(f"country #{country_id} holds fewer than {n} seats")
        held[country_id] -= n
        self._taken[session.pk] -= n
        self._count(session, -n)

    def hand_over(self, session: Session, from_country_id: int, to_country_id: int) -> None:
        """A seat passes from one nominee to another (a substitution): the
        counter does not move; the seat moves between the countries if they
        differ (a substitute is of the same country, so today it does not)."""
        session = self._session(session)
        if from_country_id == to_country_id:
            return
        held = self._load_held()[session.pk]
        if held[from_country_id] < 1:
            raise ValueError(f"country #{from_country_id} holds no seat")
        held[from_country_id] -= 1
        held[to_country_id] += 1

    def _count(self, session: Session, delta: int) -> None:
        if not delta:
            return
        if self._defer:
            self._pending[session.pk] += delta
            return
        Session.objects.filter(pk=session.pk).update(seats_taken=F("seats_taken") + delta)
        session.seats_taken = self._taken[session.pk]

    def save(self) -> None:
        """Write the deferred changes: one ``UPDATE`` per session changed."""
        for pk, delta in sorted(self._pending.items()):
            if delta:
                Session.objects.filter(pk=pk).update(seats_taken=F("seats_taken") + delta)
                self._sessions[pk].seats_taken = self._taken[pk]
        self._pending.clear()


def recount(sessions: Iterable[Session | int]) -> None:
    """Set ``seats_taken`` of ``sessions`` to the number of their nominations
    holding a seat, in one ``UPDATE`` (and on the instances given, one query)."""
    sessions = list(sessions)
    ids = [s if isinstance(s, int) else s.pk for s in sessions]
    held = (
        Nomination.objects.filter(session=OuterRef("pk"), has_seat=True)
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Session.objects.filter(pk__in=ids).update(
        seats_taken=Coalesce(Subquery(held, output_field=IntegerField()), 0)
    )
    instances = [s for s in sessions if isinstance(s, Session)]
    if instances:
        counts = dict(
            Session.objects.filter(pk__in=[s.pk for s in instances]).values_list(
                "pk", "seats_taken"
            )
        )
        for session in instances:
            session.seats_taken = counts[session.pk]


def with_free_seats(sessions: QuerySet) -> QuerySet:
    """The sessions of ``sessions`` that have a free seat."""
    return sessions.filter(has_free_seat())


def has_free_seat() -> Q:
    return Q(seats_taken__lt=F("capacity"))


def free_seats(session: Session) -> int:
    """The free seats of a session row as read (a display; a decision builds a
    :class:`SeatLedger` on the locked row)."""
    return max(session.capacity - session.seats_taken, 0)
