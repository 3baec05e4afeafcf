"""``icihub setup`` on an empty data directory, as ``make run`` calls it: a real
SQLite database of its own, the console script in a child process."""

import os
import sqlite3
import subprocess
import sys

from django.contrib.auth.hashers import check_password

from icihub.core import demo


def icihub(data_dir, *args, stdin=""):
    # ICIHUB_STATICFILES_STORAGE too: setup collects as in production (hashed, compressed)
    dropped = {"DATABASE_URL", "SECRET_KEY", "ICIHUB_STATICFILES_STORAGE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["ICIHUB_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "icihub.cli", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )


def accounts(data_dir) -> dict[str, tuple]:
    with sqlite3.connect(data_dir / "icihub.sqlite3") as db:
        rows = db.execute(
            "select u.username, u.role, c.iso3, u.password from core_user u "
            "left join partners_country c on c.id = u.country_id"
        ).fetchall()
    return {row[0]: row[1:] for row in rows}


def count(data_dir, table) -> int:
    with sqlite3.connect(data_dir / "icihub.sqlite3") as db:
        return db.execute(f"select count(*) from {table}").fetchone()[0]


def test_setup_on_an_empty_data_dir_then_again_keeps_the_data(tmp_path):
    data_dir = tmp_path / "data"
    first = icihub(data_dir, "setup")
    assert first.returncode == 0, first.stderr[-3000:]
    assert (data_dir / "secret_key").exists()
    assert (data_dir / "static" / "icihub" / "app.css").exists()  # collected for whitenoise
    manifest = (data_dir / "static" / "staticfiles.json").read_text()  # the hashed names
    assert '"icihub/app.css": "icihub/app.' in manifest

    # one demo account per role, printed with the shared password
    found = accounts(data_dir)
    password = demo.demo_password()
    for spec in demo.DEMO_USERS:
        role, country, hashed = found[spec.username]
        assert (role, country) == (spec.role, spec.country)
        assert check_password(password, hashed), spec.username
        assert spec.username in first.stdout
    assert f"password for all of them: {password}" in first.stdout
    assert "Reference data loaded." in first.stdout
    countries, sources = count(data_dir, "partners_country"), count(data_dir, "core_source")
    assert countries >= 249 and sources >= 13
    audit_entries = count(data_dir, "core_auditentry")

    # a change made since then survives the next set-up
    made = icihub(data_dir, "user", "create", "extra", "--role", "participant")
    assert made.returncode == 0, made.stderr
    second = icihub(data_dir, "setup")
    assert second.returncode == 0, second.stderr[-3000:]
    assert "kept as it is" in second.stdout
    assert "static files up to date" in second.stdout
    assert "password for all of them" not in second.stdout
    again = accounts(data_dir)
    assert set(again) == set(found) | {"extra"}
    assert {k: v for k, v in again.items() if k != "extra"} == found
    assert count(data_dir, "partners_country") == countries
    assert count(data_dir, "core_source") == sources
    # the reference data was already up to date: nothing written but the new account
    assert count(data_dir, "core_auditentry") == audit_entries + 2


def test_the_console_script_exits_non_zero_with_a_message(tmp_path):
    result = icihub(tmp_path / "data", "user", "create", "x", "--role", "king")
    assert result.returncode == 1
    assert "Unknown role “king”" in result.stderr
    assert "Traceback" not in result.stderr
