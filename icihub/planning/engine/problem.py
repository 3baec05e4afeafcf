"""The problem as plain data: periods, instructors, courses, fixed sessions, the calendar, the specs of the sessions to place, and the result."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from ._common import DEFAULT_WEIGHTS

# -- the problem ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    name: str = ""
    kind: str = ""

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        return self.start <= end and start <= self.end


@dataclass(frozen=True)
class Instructor:
    key: int
    name: str
    organisation: str = ""
    travel_days: int = 1  # each way; 0: lives in Kuwait, makes no trips
    unavailable: tuple[Period, ...] = ()


@dataclass(frozen=True)
class Course:
    key: int
    code: str
    duration: int
    iterations: int
    instructors: tuple[int, ...]  # qualified
    needed: int = 1  # instructors per session
    min_gap: int = 0  # idle days at least between two iterations
    preferred_months: tuple[int, ...] = ()
    requested: tuple[Period, ...] = ()  # partners' requested periods (a start inside)


@dataclass(frozen=True)
class Fixed:
    """A session that does not move: locked by staff (counted in its course's
    iterations) or an existing session of the year (``existing``)."""

    key: str
    course: int
    start: dt.date
    end: dt.date
    instructors: tuple[int, ...]
    existing: bool = False
    label: str = ""


@dataclass(frozen=True)
class Calendar:
    year: int
    working_days: frozenset[int]  # Python weekday numbers
    blocked: tuple[Period, ...]  # hard: no session may overlap
    near: tuple[Period, ...] = ()  # soft: avoided where possible

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def days(self) -> int:
        return 366 if pycalendar.isleap(self.year) else 365

    def day(self, d: dt.date) -> int:
        return (d - self.first).days

    def date(self, n: int) -> dt.date:
        return self.first + dt.timedelta(days=n)


@dataclass
class Problem:
    calendar: Calendar
    courses: tuple[Course, ...]
    instructors: dict[int, Instructor]
    rooms: int = 1
    fixed: tuple[Fixed, ...] = ()
    weights: dict = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    max_idle: int = 3

    @property
    def course_by_key(self) -> dict[int, Course]:
        return {c.key: c for c in self.courses}


@dataclass(frozen=True)
class Spec:
    """One session to place (free) or already placed (fixed)."""

    key: str
    course: int
    code: str
    duration: int
    fixed: Fixed | None = None


@dataclass(frozen=True)
class Placed:
    key: str
    course: int
    code: str
    start: dt.date
    end: dt.date
    instructors: tuple[int, ...]
    fixed: bool = False
    existing: bool = False


@dataclass(frozen=True)
class TripPlan:
    instructor: int
    sessions: tuple[str, ...]
    arrival: dt.date
    departure: dt.date


@dataclass
class Progress:
    solutions: int = 0
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    elapsed: float = 0.0


@dataclass
class Result:
    status: str  # optimal | feasible | infeasible | unknown
    sessions: list[Placed] = field(default_factory=list)
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    solutions: int = 0
    elapsed: float = 0.0
    explanation: list[str] = field(default_factory=list)
    stop_reason: str = ""


def specs(problem: Problem) -> list[Spec]:
    """The sessions of the problem: per course its locked sessions and as many
    free ones as its iterations leave; then the existing sessions."""
    out = []
    courses = problem.course_by_key
    locked = defaultdict(list)
    for f in problem.fixed:
        if not f.existing:
            locked[f.course].append(f)
    for c in problem.courses:
        for f in locked[c.key]:
            out.append(Spec(f.key, c.key, c.code, (f.end - f.start).days + 1, f))
        for k in range(max(c.iterations - len(locked[c.key]), 0)):
            out.append(Spec(f"c{c.key}-{k + 1}", c.key, c.code, c.duration))
    for f in problem.fixed:
        if f.existing or f.course not in courses:
            code = courses[f.course].code if f.course in courses else (f.label or f.key)
            out.append(Spec(f.key, f.course, code, (f.end - f.start).days + 1, f))
    return out
