"""Certificate PDFs (WeasyPrint) and the ZIP of a session's certificates.

The PDF carries the participant's name in Latin and Arabic script, the course,
the dates, the verification code and a QR code of the public verification
address (``ICIHUB_BASE_URL`` + ``/verify/<code>``). Everything is inside the
document: the QR code is an inline SVG data URI, the fonts are the system's
(DejaVu / Noto), and the URL fetcher refuses anything but ``data:`` URIs, so
rendering never reaches outside."""

from __future__ import annotations

import io
import zipfile

import segno
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from .models import Certificate


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
