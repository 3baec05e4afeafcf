"""Certificate PDFs (WeasyPrint), the ZIP of a session's certificates, and the
public check's two web helpers (the issuing address, the rate limit).

The PDF carries the participant's name in Latin and Arabic script, the course,
the dates, the verification code and a QR code of the public verification
address: the address the certificate was issued from (``Certificate.base_url``,
the scheme and host of the request that issued it, or ``ICIHUB_BASE_URL`` for
the command line and jobs) + ``/verify/<code>``. Everything is inside the
document: the QR code is an inline SVG data URI, the fonts are the system's
(DejaVu / Noto), and the URL fetcher refuses anything but ``data:`` URIs, so
rendering never reaches outside."""

from __future__ import annotations

import io
import zipfile

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from icihub.core import ratelimit
from icihub.core.middleware import client_ip

from .models import Certificate


def issuing_base_url(request) -> str:
    """The scheme and host the request came to (``https://icihub.example``):
    the address a certificate issued by this request prints. The host is
    checked against ``ALLOWED_HOSTS`` (``get_host``); behind a proxy the scheme
    is the one it forwards (``ICIHUB_BEHIND_PROXY``)."""
    return f"{request.scheme}://{request.get_host()}"


def verify_attempt(request) -> ratelimit.Hit:
    """Count one public check of a code by the request's address: at most
    ``ICIHUB_VERIFY_RATE`` per ``ICIHUB_VERIFY_RATE_WINDOW`` seconds, the page
    and the API together (codes are unguessable; the limit stops trying them
    in bulk)."""
    return ratelimit.hit(
        "verify:",
        client_ip(request) or "-",
        settings.ICIHUB_VERIFY_RATE,
        settings.ICIHUB_VERIFY_RATE_WINDOW,
    )


def _fetcher():
    """A URL fetcher that serves ``data:`` URIs only: nothing is fetched from outside."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=True, timeout=1)


def qr_data_uri(text: str) -> str:
    return segno.make(text, error="m").svg_data_uri(scale=4, border=1)


def _stylesheet() -> str:
    path = finders.find("training/certificate.css")
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def render_html(certificate: Certificate) -> str:
    nomination = certificate.nomination
    session = nomination.session
    url = certificate.verify_url()
    with translation.override("en"):
        return render_to_string(
            "training/certificate_pdf.html",
            {
                "certificate": certificate,
                "participant": nomination.participant,
                "session": session,
                "course": session.course,
                "verify_url": url,
                "qr": qr_data_uri(url),
            },
        )


def render_pdf(certificate: Certificate) -> bytes:
    from weasyprint import CSS, HTML

    fetcher = _fetcher()
    html = HTML(string=render_html(certificate), url_fetcher=fetcher, base_url=None)
    return html.write_pdf(stylesheets=[CSS(string=_stylesheet(), url_fetcher=fetcher)])


def certificates_zip(certificates) -> bytes:
    """One ZIP with the PDF of each certificate (``<code>-<name>.pdf``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for certificate in certificates:
            name = certificate.nomination.participant.full_name
            safe = "".join(ch if ch.isalnum() else "-" for ch in name).strip("-")[:60]
            archive.writestr(f"{certificate.code}-{safe}.pdf", render_pdf(certificate))
    return buffer.getvalue()
