"""Several workers, one database: a notification is e-mailed once, a dated
notice is created once, a digest is sent once, however many run at the same
moment. PostgreSQL only (DATABASE_URL), with real threads and transactions."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from icihub.notifications import emails, services
from icihub.notifications.models import Notification
from icihub.testing import race as race_all
from icihub.testing import skip_unless_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    skip_unless_postgres()


def race(work, n=4):
    """``work()`` in ``n`` threads released at the same instant."""
    return race_all([work] * n)


def test_a_notification_is_emailed_once(build_programme, kwt_coordinator):
    programme = build_programme(kwt_coordinator)
    [notice] = services.deliver("programme_agreed", "programmes.Programme", programme.pk)
    mail.outbox.clear()  # (delivered at once: no transaction was open; the race re-sends)
    Notification.objects.filter(pk=notice.pk).update(emailed_at=None)
    results = race(lambda: emails.send_one(notice.pk))
    assert sorted(results, key=str) == [False, False, False, True]
    assert len(mail.outbox) == 1


def test_a_dated_notice_is_created_once(session, kwt_coordinator):
    deadline = session.nomination_deadline
    params = services._params(session, {"date": deadline})
    results = race(
        lambda: len(
            services.deliver(
                "deadline_soon",
                "training.Session",
                session.pk,
                recipient_ids=[kwt_coordinator.pk],
                key=deadline.isoformat(),
                params=params,
            )
        )
    )
    assert sorted(results) == [0, 0, 0, 1]
    assert Notification.objects.filter(recipient=kwt_coordinator).count() == 1


def test_a_digest_is_sent_once(build_programme, kwt_coordinator):
    services.set_preferences(kwt_coordinator, channels={"programme_agreed": "digest"})
    programme = build_programme(kwt_coordinator)
    services.deliver("programme_agreed", "programmes.Programme", programme.pk)
    mail.outbox.clear()
    today = timezone.localdate()
    results = race(lambda: emails.send_digest(kwt_coordinator, today))
    assert sorted(results, key=str) == [0, 0, 0, 1]
    assert len(mail.outbox) == 1
