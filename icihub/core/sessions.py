"""The session engine: Django's database sessions, remembering the expiry
stored with the row read, so that ``middleware.IdleSessionMiddleware`` writes a
session only when its expiry would move (the idle timeout) by more than
``IDLE_SLACK``, not on every page view (SESSION_SAVE_EVERY_REQUEST)."""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

# A session is written again when its stored expiry is this far behind the one
# the request would give it: the idle timeout ends between
# SESSION_COOKIE_AGE - IDLE_SLACK and SESSION_COOKIE_AGE after the last request.
IDLE_SLACK = dt.timedelta(seconds=60)


class SessionStore(DatabaseSessionStore):
    stored_expiry: dt.datetime | None = None

    def _get_session_from_db(self):
        row = super()._get_session_from_db()
        self.stored_expiry = row.expire_date if row is not None else None
        return row

    def is_stale(self) -> bool:
        """Whether the stored expiry lags the one a save would write by more
        than IDLE_SLACK (a session read from the database only)."""
        if self.stored_expiry is None:
            return False
        return self.get_expiry_date() - self.stored_expiry > IDLE_SLACK
