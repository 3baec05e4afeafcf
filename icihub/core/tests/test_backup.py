"""Backup and restore: a round trip of a populated database (reference and
demo data) compares every table; damaged, foreign or incompatible archives
are refused and nothing changes. Runs on SQLite and, in .ci/run, PostgreSQL."""

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.db import connection

from icihub.core import backup as backups
from icihub.core.backup import BackupError
from icihub.core.models import AuditEntry, Installation, Source
from icihub.testing import run_cli

# restoring replaces the tables: the schema owner's work, not the application role's
pytestmark = pytest.mark.schema_owner


def table_contents() -> dict[str, list]:
    """Every row of every table (django_session aside), in a stable order."""
    out = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if table == "django_session":
                continue
            cursor.execute(f'SELECT * FROM "{table}"')
            rows = [tuple(str(v) for v in row) for row in cursor.fetchall()]
            out[table] = sorted(rows)
    return out


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "imports").mkdir(parents=True)
    (settings.MEDIA_ROOT / "imports" / "file.csv").write_text("given_name\nAmal\n")
    return settings.MEDIA_ROOT


@pytest.mark.django_db(transaction=True)
def test_a_populated_database_round_trips(tmp_path, media):
    from icihub.core import demo

    demo.load_all(progress=lambda line: None)
    before = table_contents()
    assert len(before["core_auditentry"]) > 1000
    assert sum(len(rows) for rows in before.values()) > 10_000
    archive = tmp_path / "backup.tar.gz"
    result = run_cli("backup", "--output", str(archive))
    assert result.code == 0, result.err
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["installation"] == Installation.identifier()
    assert manifest["database"]["vendor"] == connection.vendor
    assert ["core", "0001_initial"] in manifest["migrations"]
    assert "media/imports/file.csv" in names and len(manifest["files"]) == 2
    assert all(len(f["sha256"]) == 64 for f in manifest["files"].values())
    before = table_contents()  # with the backup's own audit entry... made after the copy
    backup_entry = AuditEntry.objects.latest("id")
    assert backup_entry.message.startswith("backup written")

    # everything changes afterwards ...
    Source.objects.create(key="after-backup", title="T", publisher="P")
    (media / "imports" / "file.csv").write_text("changed")
    (media / "new.txt").write_text("new")

    result = run_cli("restore", str(archive), "--no-safety-backup")
    assert result.code == 0, result.err
    after = table_contents()
    # ... and comes back as it was, except the audit trail, which keeps the
    # record of the backup (made after the copy) no more, and gains the restore
    restored_audit = after.pop("core_auditentry")
    expected_audit = before.pop("core_auditentry")
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], table
    assert len(restored_audit) == len(expected_audit)  # the backup entry out, the restore in
    assert not Source.objects.filter(key="after-backup").exists()
    assert AuditEntry.objects.latest("id").message.startswith("restored from backup")
    assert (media / "imports" / "file.csv").read_text() == "given_name\nAmal\n"
    assert not (media / "new.txt").exists()
    # the same archive restores again: it is this installation's
    assert Installation.identifier() == manifest["installation"]
    assert backups.check_archive(archive, tmp_path / "again").manifest == manifest


def rewrite(archive: Path, target: Path, change) -> Path:
    """A copy of ``archive`` with its members passed through ``change(name, bytes)``
    (returning None drops a member; a dict of extra members may be added)."""
    with tarfile.open(archive) as tar:
        members = [(m.name, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(target, "w:gz") as out:
        for name, data in change(members):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return target


@pytest.fixture
def archive(tmp_path, media, transactional_db):
    return backups.backup(tmp_path / "good.tar.gz").path


def assert_refused(path, message, **kwargs):
    marker, _new = Source.objects.get_or_create(key="still-here", title="T", publisher="P")
    count = Source.objects.count()
    with pytest.raises(BackupError, match=message):
        backups.restore(path, **kwargs)
    assert Source.objects.count() == count and Source.objects.filter(pk=marker.pk).exists()
    result = run_cli("restore", str(path), "--no-safety-backup")
    assert result.code == 1 and "nothing was changed" in result.err


def test_a_damaged_member_is_refused(archive, tmp_path):
    def flip(members):
        for name, data in members:
            if name.startswith("database"):
                data = data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]
            yield name, data

    assert_refused(rewrite(archive, tmp_path / "bad.tar.gz", flip), "checksum mismatch")


def test_a_truncated_or_unreadable_file_is_refused(archive, tmp_path):
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    assert_refused(cut, "damaged|unreadable")
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive at all")
    assert_refused(junk, "not an icihub backup")


def test_a_foreign_archive_is_refused_unless_forced(archive, tmp_path, media):
    def foreign(members):
        for name, data in members:
            if name == "manifest.json":
                manifest = json.loads(data)
                manifest["installation"] = "00000000-0000-0000-0000-000000000000"
                data = json.dumps(manifest).encode()
            yield name, data

    other = rewrite(archive, tmp_path / "foreign.tar.gz", foreign)
    assert_refused(other, "another installation")
    # --force-foreign passes the check (moving to a new server)
    checked = backups.check_archive(other, tmp_path / "x", force_foreign=True)
    assert checked.manifest["installation"].startswith("00000000")


def test_missing_extra_and_unsafe_members_are_refused(archive, tmp_path):
    def drop_media(members):
        return [(n, d) for n, d in members if not n.startswith("media/")]

    assert_refused(rewrite(archive, tmp_path / "a.tar.gz", drop_media), "lacks media/")

    def extra(members):
        return [*members, ("media/extra.txt", b"x")]

    assert_refused(rewrite(archive, tmp_path / "b.tar.gz", extra), "not in its manifest")

    def traversal(members):
        return [*members, ("media/../../etc/passwd", b"x")]

    assert_refused(rewrite(archive, tmp_path / "c.tar.gz", traversal), "unexpected member")


def test_an_archive_of_a_newer_version_is_refused(archive, tmp_path):
    def newer(members):
        for name, data in members:
            if name == "manifest.json":
                manifest = json.loads(data)
                manifest["migrations"].append(["core", "9999_future"])
                data = json.dumps(manifest).encode()
            yield name, data

    assert_refused(rewrite(archive, tmp_path / "new.tar.gz", newer), "newer version")


def test_restore_check_only_verifies(archive):
    Source.objects.create(key="after-backup", title="T", publisher="P")
    result = run_cli("restore", str(archive), "--check")
    assert result.code == 0, result.err
    assert "sound" in result.out
    assert Source.objects.filter(key="after-backup").exists()  # nothing was restored
