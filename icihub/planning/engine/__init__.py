"""The year planner's engine: the problem, the CP-SAT model, the cost function,
the greedy earliest-fit baseline, the explanations of infeasibility and the
reasons a session sits where it does.

No Django models here: the problem is plain data (``Problem``), built from the
database by ``icihub.planning.problem``; this keeps the engine testable on
random instances and usable by the benchmark.

Days are counted from 1 January of the plan's year (day 0). A session of ``d``
days occupies the calendar days ``start .. start + d - 1`` (as training's
sessions do: the end is ``start + duration - 1``).

Trips: one trip covers back-to-back sessions of the same instructor, i.e.
sessions separated by at most ``max_idle`` idle days (a weekend in Kuwait, by
default three days: Thursday's end, then Friday and Saturday, then a course
starting on Sunday or Monday). Instructors whose ``travel_days`` is 0 live in
Kuwait and make no trips."""

from ._common import (  # noqa: F401
    DEFAULT_WEIGHTS,
    NEAR_DAYS,
    TERMS,
)
from .checks import (  # noqa: F401
    violations,
)
from .costs import (  # noqa: F401
    _trip,
    chains,
    costs,
    instructor_chains,
    spread_ideal,
    weighted,
)
from .days import (  # noqa: F401
    _busy,
    _days_of,
    _free,
    allowed_starts,
    blocked_days,
    near_days,
)
from .greedy import (  # noqa: F401
    greedy,
)
from .model import (  # noqa: F401
    _gap,
    _Model,
    _Watcher,
    explain,
    solve,
)
from .precheck import (  # noqa: F401
    _max_placeable,
    precheck,
)
from .problem import (  # noqa: F401
    Calendar,
    Course,
    Fixed,
    Instructor,
    Period,
    Placed,
    Problem,
    Progress,
    Result,
    Spec,
    TripPlan,
    specs,
)
from .reasons import (  # noqa: F401
    TERM_LABELS,
    move,
    reasons,
)
