"""Static files as production serves them: collected with whitenoise's
CompressedManifestStaticFilesStorage (hashed names, gzip and brotli copies) and
served by the middleware with a one-year cache. The rest of the suite serves the
sources unhashed (icihub/testenv.py)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, override_settings

ONE_YEAR = 365 * 24 * 60 * 60
MANIFEST = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture
def collected(tmp_path):
    """icihub's own static files collected as `icihub setup` does (only the
    project's folder: the admin's files would take twenty seconds to compress)."""
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST}}
    with override_settings(
        STATIC_ROOT=tmp_path,
        STORAGES=storages,
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield tmp_path


def test_a_hashed_static_file_is_cached_for_a_year_and_served_compressed(collected):
    url = static("icihub/app.css")
    assert re.fullmatch(r"/static/icihub/app\.[0-9a-f]{12}\.css", url), url
    client = Client()  # a new handler: whitenoise reads the collected folder

    plain = client.get(url)
    assert plain.status_code == 200
    assert plain["Cache-Control"] == f"max-age={ONE_YEAR}, public, immutable"
    assert "Content-Encoding" not in plain
    original = Path(finders.find("icihub/app.css")).read_bytes()
    assert b"".join(plain.streaming_content) == original

    for encoding in ("br", "gzip"):
        response = client.get(url, headers={"accept-encoding": encoding})
        assert response.status_code == 200
        assert response["Content-Encoding"] == encoding
        assert response["Cache-Control"] == f"max-age={ONE_YEAR}, public, immutable"
        assert int(response["Content-Length"]) < len(original)

    # the unhashed name is still served, with a short cache only
    unhashed = client.get("/static/icihub/app.css")
    assert unhashed.status_code == 200
    assert "immutable" not in unhashed["Cache-Control"]


def test_every_static_file_the_templates_name_exists():
    """collectstatic's manifest has an entry only for files that exist; a
    template naming a missing one would fail only in production."""
    root = Path(settings.BASE_DIR)
    named = set()
    for template in root.rglob("templates/**/*.html"):
        named |= set(re.findall(r"""\{%\s*static\s+['"]([^'"]+)['"]""", template.read_text()))
    assert "icihub/app.css" in named
    missing = sorted(name for name in named if not finders.find(name))
    assert missing == []


def test_setup_collects_again_when_the_storage_changes():
    """A data folder collected by the storage without a manifest must be
    collected again, or every page would fail on a missing manifest entry."""
    from icihub.core.management.commands.setup import static_fingerprint

    before = static_fingerprint()
    assert static_fingerprint() == before
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST}}):
        assert static_fingerprint() != before
