"""Screenshots of the main pages of each role, in English and Arabic, for the
users' guide (docs/guide.md).

Run from the repository root: ``.venv/bin/python docs/screenshots/make.py``.
It sets icihub up on a temporary SQLite database with the demo data
(``icihub setup``), starts it with gunicorn on a free port, signs in as each
demo account (icihub/core/demo.py: the shared password and, for staff, the
known authenticator key) in Debian's Chromium (Playwright) and saves a
1366x900 viewport PNG of each page as ``<role>-<page>-<lang>.png`` next to this
file. Nothing outside the temporary directory and this folder is touched."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1366, "height": 900}
LANGUAGES = ("en", "ar")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (our own http://127.0.0.1)
            return
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"icihub did not answer on {url}")


# What to photograph: the ids of demo rows the pages need, read once from the
# temporary database (in a child process, so this one stays free of Django).
FIND_IDS = """
import json, django
django.setup()
from icihub.training.models import Certificate, Nomination, Session
from icihub.programmes.models import Programme
from icihub.partners.models import Country
kwt = Country.objects.get(iso3="KWT")
open_s = Session.objects.filter(state="open").order_by("start")
nominate = open_s.filter(quotas__country=kwt).first() or open_s.first()
busy = (Session.objects.filter(nominations__isnull=False).exclude(state="cancelled")
        .order_by("-start").first())
attend = (Session.objects.filter(state__in=["running", "completed"])
          .filter(nominations__status="accepted").order_by("-start").first())
cert = Certificate.objects.filter(revoked_at__isnull=True).order_by("pk").first()
prog = Programme.objects.order_by("-pk").first()
from icihub.core.demo import demo_password, demo_totp_secret
print(json.dumps({
    "password": demo_password(),
    "secret": demo_totp_secret(),
    "nominate": nominate.pk if nominate else None,
    "session": busy.pk if busy else None,
    "attend": attend.pk if attend else None,
    "code": cert.code if cert else None,
    "programme": prog.get_absolute_url() if prog else None,
}))
"""


def pages(ids: dict) -> dict[str, list[tuple[str, str]]]:
    """Per demo account: (page name, path). ``None`` user: the public."""
    out = {
        "kuwait": [("home", "/")],
        "centre": [("home", "/")],
        "nato": [
            ("home", "/"),
            ("dashboard", "/reports/"),
            ("annual-report", "/reports/annual/"),
            ("dialogue-actions", "/dialogue/actions/"),
        ],
        "participant": [("my-training", "/training/my/training/")],
        None: [("menu", "/menu/")],
    }
    if ids.get("nominate"):
        out["kuwait"].append(("nominate", f"/training/sessions/{ids['nominate']}/nominate/"))
    out["kuwait"].append(("nominations", "/training/nominations/"))
    if ids.get("session"):
        out["centre"].append(("session", f"/training/sessions/{ids['session']}/"))
    if ids.get("attend"):
        out["centre"].append(("attendance", f"/training/sessions/{ids['attend']}/attendance/"))
    if ids.get("programme"):
        out["nato"].append(("programme", ids["programme"]))
    if ids.get("code"):
        out[None].insert(0, ("certificate-check", f"/verify/{ids['code']}"))
    return out


FILE_ROLE = {
    "kuwait": "coordinator",
    "centre": "centre",
    "nato": "nato",
    "participant": "participant",
    None: "public",
}


def sign_in(page, base: str, username: str, password: str, secret: str) -> None:
    import pyotp

    page.goto(base + "/accounts/login/")
    form = page.locator("main form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    if "/accounts/login/code/" in page.url:
        form = page.locator("main form")
        form.locator("input[name=code]").fill(pyotp.TOTP(secret).now())
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
    if "/accounts/login/" in page.url:
        raise SystemExit(f"sign-in as {username} failed ({page.url})")


def shoot(base: str, ids: dict) -> list[Path]:
    from playwright.sync_api import sync_playwright

    saved = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        for username, wanted in pages(ids).items():
            context = browser.new_context(
                viewport=VIEWPORT, locale="en-GB", timezone_id="Asia/Kuwait"
            )
            page = context.new_page()
            if username:
                sign_in(page, base, username, ids["password"], ids["secret"])
            for lang in LANGUAGES:
                context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
                for name, path in wanted:
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    target = HERE / f"{FILE_ROLE[username]}-{name}-{lang}.png"
                    page.screenshot(path=str(target), full_page=False)
                    saved.append(target)
                    print(f"{target.name}  {path}")
            context.close()
        browser.close()
    return saved


def main() -> None:
    if not os.path.exists(CHROMIUM):
        raise SystemExit(f"{CHROMIUM} is missing (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="icihub-shots-") as tmp:
        env = {
            **os.environ,
            "ICIHUB_DATA_DIR": tmp,
            "DATABASE_URL": f"sqlite:///{tmp}/icihub.sqlite3",
            "DJANGO_SETTINGS_MODULE": "icihub.settings",
        }
        env.pop("ICIHUB_HTTPS", None)
        run = {"cwd": ROOT, "env": env, "check": True}
        subprocess.run([sys.executable, "-m", "icihub.cli", "setup"], **run, capture_output=True)
        found = subprocess.run(  # noqa: S603 (our own interpreter)
            [sys.executable, "-c", FIND_IDS], **run, capture_output=True, text=True
        )
        ids = json.loads(found.stdout.strip().splitlines()[-1])
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603 (our own interpreter)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "icihub.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "4",
                "--no-control-socket",
            ],
            cwd=ROOT,
            env={**env, "ICIHUB_BASE_URL": base},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(base + "/")
            saved = shoot(base, ids)
        finally:
            server.terminate()
            server.wait(timeout=20)
    print(f"{len(saved)} screenshots in {HERE}")


if __name__ == "__main__":
    main()
