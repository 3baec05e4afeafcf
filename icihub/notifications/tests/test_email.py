"""E-mails: sent by a task (the worker), once, in the recipient's language,
only while the recipient may see the record."""

from __future__ import annotations

import pytest
from django.core import mail

from icihub.core.access import Marking
from icihub.notifications import emails, services
from icihub.notifications.models import Notification, SeenLanguage
from icihub.testing import client_for
from icihub.training import services as training

pytestmark = pytest.mark.django_db

ARABIC_GREETING = "المحترم"  # "Dear ...," in the Arabic catalogue


def deliver(kind, programme):
    return services.deliver(kind, "programmes.Programme", programme.pk)


def test_email_at_once_in_english_by_default(build_programme, kwt_coordinator, run_on_commit):
    programme = build_programme(kwt_coordinator)
    mail.outbox.clear()
    with run_on_commit():
        [notice] = deliver("programme_agreed", programme)
    [message] = mail.outbox
    assert message.to == [kwt_coordinator.email]
    assert message.subject == f"The programme {programme} was agreed."
    assert "Dear " in message.body and programme.get_absolute_url() in message.body
    notice.refresh_from_db()
    assert notice.emailed_at is not None
    # the task run again (a retry, a second worker) sends nothing more
    assert emails.send_one(notice.pk) is False
    assert len(mail.outbox) == 1


def test_email_in_the_chosen_language(build_programme, kwt_coordinator, run_on_commit):
    services.set_preferences(kwt_coordinator, language="ar")
    programme = build_programme(kwt_coordinator)
    mail.outbox.clear()
    with run_on_commit():
        deliver("programme_agreed", programme)
    [message] = mail.outbox
    assert ARABIC_GREETING in message.body


def test_email_language_defaults_to_the_last_request(build_programme, kwt_coordinator):
    assert services.language_for(kwt_coordinator) == "en"
    client = client_for(kwt_coordinator)
    client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    client.get("/")
    assert SeenLanguage.objects.get(user=kwt_coordinator).language == "ar"
    assert services.language_for(kwt_coordinator) == "ar"
    programme = build_programme(kwt_coordinator)
    [notice] = deliver("programme_agreed", programme)  # queued after commit: send by hand
    mail.outbox.clear()
    assert emails.send_one(notice.pk) is True
    assert ARABIC_GREETING in mail.outbox[0].body
    # an explicit choice wins over the last request
    services.set_preferences(kwt_coordinator, language="en")
    assert services.language_for(kwt_coordinator) == "en"


def test_in_app_only_sends_no_email(build_programme, kwt_coordinator, run_on_commit):
    services.set_preferences(kwt_coordinator, channels={"programme_agreed": "in_app"})
    programme = build_programme(kwt_coordinator)
    mail.outbox.clear()
    with run_on_commit():
        [notice] = deliver("programme_agreed", programme)
    assert notice.channel == "in_app" and mail.outbox == []


def test_no_email_about_a_record_that_became_invisible(build_programme, kwt_coordinator):
    programme = build_programme(kwt_coordinator)
    [notice] = deliver("programme_agreed", programme)
    type(programme).objects.filter(pk=programme.pk).update(marking=Marking.NATO)
    mail.outbox.clear()
    assert emails.send_one(notice.pk) is False
    assert mail.outbox == []
    assert Notification.objects.get(pk=notice.pk).emailed_at is None


def test_a_failing_mail_server_leaves_the_notice_unsent(
    monkeypatch, build_programme, kwt_coordinator
):
    programme = build_programme(kwt_coordinator)
    [notice] = deliver("programme_agreed", programme)

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with pytest.raises(ConnectionRefusedError):
        emails.send_one(notice.pk)
    assert Notification.objects.get(pk=notice.pk).emailed_at is None


def test_a_decision_reaches_the_coordinator_once(
    session, kuwaitis, kwt_coordinator, centre_staff, run_on_commit
):
    """Training e-mails the nominee; the coordinator hears of it through their
    notification alone (not also copied on the nominee's message)."""
    with run_on_commit():
        [nomination] = training.nominate_many(kwt_coordinator, session, kuwaitis[:1])
    mail.outbox.clear()
    with run_on_commit():
        training.accept(centre_staff, nomination, reason="fits")
    to_coordinator = [m for m in mail.outbox if kwt_coordinator.email in [*m.to, *m.cc, *m.bcc]]
    assert [m.subject for m in to_coordinator] == [f"The nomination of {nomination} was accepted."]
    assert any(m.to == [kuwaitis[0].email] for m in mail.outbox)  # the nominee's own


def test_an_api_call_with_a_token_neither_records_a_language_nor_makes_a_session(
    kwt_coordinator,
):
    """The language is remembered from the pages a user reads; a token's API
    call keeps no session, and must not leave one behind (a row per call)."""
    from django.contrib.sessions.models import Session

    from icihub.testing import ApiClient

    before = Session.objects.count()
    api = ApiClient(kwt_coordinator)
    api.headers = {**api.headers, "Accept-Language": "ar"}
    response = api.get("me")
    assert response.status_code == 200
    assert Session.objects.count() == before
    assert not SeenLanguage.objects.filter(user=kwt_coordinator).exists()


def test_the_digest_in_the_recipients_language(build_programme, kwt_coordinator):
    from django.utils import timezone

    services.set_preferences(
        kwt_coordinator, language="ar", channels={"programme_agreed": "digest"}
    )
    programme = build_programme(kwt_coordinator)
    [notice] = deliver("programme_agreed", programme)
    assert notice.channel == "digest"
    mail.outbox.clear()
    assert emails.send_digest(kwt_coordinator, timezone.localdate()) == 1
    [message] = mail.outbox
    assert ARABIC_GREETING in message.body
    # The programme is named in the recipient's language (Arabic: its country's
    # Arabic name), whatever the language of the one who acted.
    from django.utils import translation

    with translation.override("ar"):
        arabic_name = str(programme)
    assert arabic_name != str(programme)
    assert arabic_name in message.body and str(programme) not in message.body


def test_a_change_of_preferences_is_audited(kwt_coordinator):
    from icihub.core.models import AuditEntry

    services.set_preferences(kwt_coordinator, channels={"programme_agreed": "digest"})
    from icihub.notifications.models import Preferences

    prefs = Preferences.objects.get(user=kwt_coordinator)
    entry = (
        AuditEntry.objects.filter(content_type__model="preferences", object_id=str(prefs.pk))
        .order_by("pk")
        .last()
    )
    assert entry.actor == kwt_coordinator
    assert entry.changes["channels"]["after"] == {"programme_agreed": "digest"}
