"""E-mails go through Django's mail framework: tested against a real SMTP server
(aiosmtpd) on a free local port, with the SMTP backend."""

from __future__ import annotations

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller

from icihub.training import services
from icihub.training.models import Session


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append({"to": envelope.rcpt_tos, "message": message})
        return "250 Message accepted"

    def subjects(self):
        return [str(m["message"]["Subject"]).strip() for m in self.messages]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield inbox
    controller.stop()


def test_nomination_emails_over_smtp(
    smtp, session, kuwaitis, kwt_coordinator, centre_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        made = services.nominate_many(kwt_coordinator, session, kuwaitis[:3])
    # The third is beyond Kuwait's quota of two: waitlisted.
    # The nominee's message, and the coordinator's notification (e-mailed at
    # once, their default): the coordinator is not copied on the nominee's.
    assert sorted(smtp.subjects()) == [
        "On the waiting list: NIRC-T-001 Crisis management for practitioners",
        f"The nomination of {made[2]} is on the waiting list.",
    ]
    message = next(m for m in smtp.messages if m["message"]["Subject"].startswith("On the"))
    assert message["to"] == [kuwaitis[2].email]
    notice = next(m for m in smtp.messages if m is not message)
    assert notice["to"] == [kwt_coordinator.email]
    assert "reallocated on" in message["message"].get_content()
    with django_capture_on_commit_callbacks(execute=True):
        services.accept(centre_staff, made[0], reason="fits")
        services.reject(centre_staff, made[1], reason="no security clearance")
    subjects = smtp.subjects()
    assert "Nomination accepted: NIRC-T-001 Crisis management for practitioners" in subjects
    rejected = next(m for m in smtp.messages if "Nomination not" in m["message"]["Subject"])
    assert "no security clearance" in rejected["message"].get_content()
    # The freed seat went to the waiting nominee, who is told.
    assert any(s.startswith("A seat is yours") for s in subjects)


def test_joining_instructions_and_certificate_over_smtp(
    smtp, session, kuwaitis, kwt_coordinator, centre_staff, django_capture_on_commit_callbacks
):
    services.update_session(centre_staff, session, {"joining_instructions": "Bring your ID."})
    nomination = services.nominate(kwt_coordinator, session, kuwaitis[0])
    with django_capture_on_commit_callbacks(execute=True):
        services.accept(centre_staff, nomination)
        sent = services.send_joining_instructions(centre_staff, session)
    assert sent == 1
    joining = next(m for m in smtp.messages if "Joining instructions" in m["message"]["Subject"])
    assert "Bring your ID." in joining["message"].get_content()
    services.change_state(
        centre_staff, session, Session.State.RUNNING, override_dates=True, reason="test"
    )
    services.record_attendance(centre_staff, session, {nomination.pk: set(session.days)})
    services.complete_session(centre_staff, session, override_dates=True, reason="test")
    services.submit_evaluation(centre_staff, nomination, dict.fromkeys(services.SCORE_FIELDS, 5))
    with django_capture_on_commit_callbacks(execute=True):
        certificate = services.issue_certificate(centre_staff, nomination)
    mail = next(m for m in smtp.messages if "certificate" in m["message"]["Subject"])
    body = mail["message"].get_body(preferencelist=("plain",)).get_content()
    assert certificate.code in body and f"/verify/{certificate.code}" in body
    attachments = list(mail["message"].iter_attachments())
    assert attachments[0].get_filename() == f"certificate-{certificate.code}.pdf"
    assert attachments[0].get_content().startswith(b"%PDF")


def test_a_failing_mail_server_does_not_undo_the_change(
    settings, session, kuwaitis, kwt_coordinator, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _free_port()  # nobody listens
    settings.EMAIL_TIMEOUT = 2
    with django_capture_on_commit_callbacks(execute=True):
        made = services.nominate_many(kwt_coordinator, session, kuwaitis[:3])
    assert made[2].status == "waitlisted"
    assert session.nominations.count() == 3


def test_the_waiting_list_message_says_what_will_really_happen(
    smtp, session, kuwaitis, kwt_coordinator, django_capture_on_commit_callbacks
):
    """Once the quotas are released, no reallocation date lies ahead: the
    waiting nominee is told that a freed seat goes at once to the next in line."""
    from django.utils import timezone

    Session.objects.filter(pk=session.pk).update(quotas_released_at=timezone.now(), capacity=2)
    session.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        made = services.nominate_many(kwt_coordinator, session, kuwaitis[:3])
    assert made[2].status == "waitlisted"
    message = next(m for m in smtp.messages if m["message"]["Subject"].startswith("On the"))
    body = message["message"].get_content()
    assert "reallocated on" not in body
    assert "goes at once to the next waiting nominee" in body
