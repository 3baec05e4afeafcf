"""Database connections are kept between requests (CONN_MAX_AGE, checked
before reuse) unless ICIHUB_DB_CONN_MAX_AGE says otherwise."""

import os
import subprocess
import sys

CODE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "d = s.DATABASES['default']; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
)


def settings_of(tmp_path, code=CODE, **env_extra) -> list[str]:
    """What ``code`` prints of the settings under ``env_extra`` (neither knob
    inherited from the environment of the tests)."""
    unset = ("ICIHUB_DB_CONN_MAX_AGE", "ICIHUB_DB_PREPARE")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(ICIHUB_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="icihub.settings")
    env.update(env_extra)
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_connections_are_kept_and_checked_by_default(tmp_path):
    assert settings_of(tmp_path) == ["60", "True"]
    assert settings_of(tmp_path, ICIHUB_DB_CONN_MAX_AGE="") == ["60", "True"]


def test_the_environment_overrides_the_connection_age(tmp_path):
    assert settings_of(tmp_path, ICIHUB_DB_CONN_MAX_AGE="0") == ["0", "True"]
    assert settings_of(tmp_path, ICIHUB_DB_CONN_MAX_AGE="300") == ["300", "True"]


PREPARED = (
    "import django; django.setup(); from django.conf import settings as s; "
    "o = s.DATABASES['default'].get('OPTIONS', {}); "
    "print(o.get('server_side_binding'), o.get('prepare_threshold'))"
)


def options_of(tmp_path, **env_extra) -> list[str]:
    return settings_of(tmp_path, PREPARED, **env_extra)


def test_postgresql_keeps_repeated_statements_prepared_when_told_to(tmp_path):
    pg = "postgres://u@127.0.0.1:5432/db"
    assert options_of(tmp_path, DATABASE_URL=pg) == ["None", "None"]
    assert options_of(tmp_path, DATABASE_URL=pg, ICIHUB_DB_PREPARE="0") == ["None", "None"]
    assert options_of(tmp_path, DATABASE_URL=pg, ICIHUB_DB_PREPARE="5") == ["True", "5"]
    # SQLite binds its own parameters: nothing to set
    sqlite = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    assert options_of(tmp_path, DATABASE_URL=sqlite, ICIHUB_DB_PREPARE="5") == ["None", "None"]
