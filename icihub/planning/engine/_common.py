"""The terms of the planner's objective and their default weights."""

from __future__ import annotations

TERMS = ("trips", "travel_days", "spread", "preferred_month", "requested_period", "near_islamic")
DEFAULT_WEIGHTS = {
    "trips": 100,
    "travel_days": 20,
    "spread": 5,
    "preferred_month": 30,
    "requested_period": 50,
    "near_islamic": 40,
}
NEAR_DAYS = 7  # "the weeks next to Ramadan and the Eids"
