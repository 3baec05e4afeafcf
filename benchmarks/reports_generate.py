"""Generate (or regenerate) the reports benchmarks' dataset: twenty years of the
Centre at ten times today's volume in a SQLite file (see reports_common.py).

    .venv/bin/python benchmarks/reports_generate.py [--data-dir DIR] [--regenerate]
"""

from __future__ import annotations

import time

from reports_common import arguments, setup


def main() -> int:
    args = arguments(__doc__).parse_args()
    started = time.perf_counter()
    setup(args.data_dir, regenerate=bool(args.regenerate), scale=args.scale)
    from icihub.training.models import Nomination, Participant, Session, Trip

    print(
        f"{Session.objects.count():,} sessions, {Participant.objects.count():,} participants, "
        f"{Nomination.objects.count():,} nominations, {Trip.objects.count():,} trips "
        f"({time.perf_counter() - started:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
