"""Shared set-up of the reports benchmarks (``reports_annual.py``,
``reports_dashboard.py``): the scale dataset of ``dataset.py`` (twenty years of
the Centre, by default at 10x: 3,000 sessions, 100,000 participants, 150,000
nominations), on the database ``--database`` or ``DATABASE_URL`` names, or in
a SQLite file under ``benchmarks/.data/``; generated once and reused. Not a
benchmark itself; ``reports_generate.py`` (or ``dataset.py``) runs the
generator alone."""

from __future__ import annotations

import argparse
import os

import dataset
from timing import measure


def arguments(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--database",
        default=os.environ.get("DATABASE_URL"),
        help="a postgres:// URL (default: DATABASE_URL) or a SQLite file path",
    )
    parser.add_argument("--regenerate", action="store_true", help="build the dataset again")
    parser.add_argument("--scale", type=float, default=10.0, help="1 = today's volume")
    parser.add_argument("--seed", type=int, default=2017)
    return parser


def setup(args: argparse.Namespace) -> None:
    """Django on the dataset's database (generated first if it does not hold it)."""
    database = args.database or dataset.sqlite_path(args.scale)
    database = database.removeprefix("sqlite:///")
    dataset.ensure(database, scale=args.scale, seed=args.seed, regenerate=args.regenerate)
    dataset.configure(database)
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]


def median_ms(fn, runs: int) -> tuple[float, float, int]:
    """Median and slowest wall time (ms) of ``runs`` calls after a warm-up, and
    the number of SQL queries of one call."""
    return tuple(measure(fn, runs))
