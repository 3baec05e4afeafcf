"""Generate (or regenerate) the reports benchmarks' dataset: twenty years of the
Centre from ``dataset.py``, by default at 10x in a SQLite file (see reports_common.py).

    .venv/bin/python benchmarks/reports_generate.py [--scale 10] [--database URL] [--regenerate]
"""

from __future__ import annotations

import time

from reports_common import arguments, setup


def main() -> int:
    args = arguments(__doc__).parse_args()
    started = time.perf_counter()
    setup(args)
    from icihub.training.models import Nomination, Participant, Session, Trip

    print(
        f"{Session.objects.count():,} sessions, {Participant.objects.count():,} participants, "
        f"{Nomination.objects.count():,} nominations, {Trip.objects.count():,} trips "
        f"({time.perf_counter() - started:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
