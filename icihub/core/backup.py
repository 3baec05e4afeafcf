"""Backup and restore: one checksummed archive of the database and the
uploaded files, taken while the server runs.

The archive is a gzip-compressed tar file:

    manifest.json        format, app version, installation identifier, database
                         vendor, applied migrations, and for every other member
                         its size and SHA-256
    database.sqlite3     SQLite: a consistent copy made with SQLite's online
                         backup API (readers and writers go on meanwhile)
    database.pgdump      PostgreSQL: ``pg_dump --format=custom`` (one consistent
                         snapshot of the database)
    media/...            the uploaded and generated files (MEDIA_ROOT)

``restore`` reads and checks everything before it touches anything: the
format, every checksum, that no member is missing or unexpected, that the
archive comes from this installation (or ``force_foreign``: moving to a new
server), that its database vendor is this one, and that its migrations are
known to this version of icihub. Only then is the database replaced (SQLite:
the online backup API again, into the live database; PostgreSQL:
``pg_restore --clean --single-transaction``, all or nothing) and the media
directory swapped (the previous one is kept beside it until the next
restore).

Archives hold personal data and password hashes: keep them as safe as the
database itself (encrypt them when they leave the server).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connections

FORMAT = "icihub-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
Progress = Callable[[str], None]


class BackupError(Exception):
    """The archive is refused (corrupt, foreign, incompatible) or a step failed.
    Nothing has been changed when it is raised by the checks of ``restore``."""


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("icihub")
    except PackageNotFoundError:
        return "unknown"


def applied_migrations(using: str = "default") -> list[list[str]]:
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connections[using])
    return sorted([list(key) for key in recorder.applied_migrations()])


def known_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


# -- PostgreSQL tools -------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    """``pg_dump`` / ``pg_restore``: ICIHUB_PG_BIN, the PATH, or Debian's newest
    /usr/lib/postgresql/N/bin."""
    configured = os.environ.get("ICIHUB_PG_BIN") or getattr(settings, "ICIHUB_PG_BIN", "")
    if configured:
        return str(Path(configured) / name)
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return str(candidates[-1])
    raise BackupError(f"{name} not found: install postgresql-client or set ICIHUB_PG_BIN")


def _pg_args(settings_dict: dict) -> tuple[list[str], dict]:
    args, env = [], dict(os.environ)
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    args += ["--dbname", str(settings_dict["NAME"]), "--no-password"]
    return args, env


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


# -- backup ---------------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    manifest: dict


def default_path() -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path(settings.DATA_DIR) / "backups" / f"icihub-backup-{stamp}.tar.gz"


def _dump_database(connection, target_dir: Path, progress: Progress) -> str:
    vendor = connection.vendor
    if vendor == "sqlite":
        if connection.in_atomic_block:
            # this connection's own open write transaction would block the copy
            raise BackupError("a backup cannot run inside a transaction")
        target = target_dir / "database.sqlite3"
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            # the online backup API: a consistent copy while others read and write
            connection.connection.backup(destination, pages=1024)
        finally:
            destination.close()
        progress(f"database copied (SQLite, {target.stat().st_size:,} bytes)")
        return target.name
    if vendor == "postgresql":
        target = target_dir / "database.pgdump"
        args, env = _pg_args(connection.settings_dict)
        # pg_dump reads one snapshot of the whole database: consistent while it runs
        _run(
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), *args],
            env,
        )
        progress(f"database dumped (PostgreSQL, {target.stat().st_size:,} bytes)")
        return target.name
    raise BackupError(f"backups of a {vendor} database are not supported")


def backup(
    output: str | Path | None = None, *, progress: Progress | None = None, using: str = "default"
) -> BackupResult:
    """Write an archive of the database and the media files; returns its path
    and manifest. Safe while the server runs."""
    from .models import Installation

    progress = progress or (lambda line: None)
    connection = connections[using]
    path = Path(output) if output else default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    installation = Installation.identifier()  # made (if new) before the copy holds it
    with tempfile.TemporaryDirectory(prefix="icihub-backup-") as tmp:
        work = Path(tmp)
        database = _dump_database(connection, work, progress)
        files = {
            database: {
                "size": (work / database).stat().st_size,
                "sha256": _sha256_file(work / database),
            }
        }
        media_root = Path(settings.MEDIA_ROOT)
        media: list[tuple[str, Path]] = []
        if media_root.is_dir():
            for file in sorted(media_root.rglob("*")):
                if file.is_file() and not file.is_symlink():
                    name = "media/" + file.relative_to(media_root).as_posix()
                    media.append((name, file))
                    files[name] = {"size": file.stat().st_size, "sha256": _sha256_file(file)}
        progress(f"{len(media)} media files")
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app_version": app_version(),
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "installation": installation,
            "database": {"vendor": connection.vendor, "member": database},
            "migrations": applied_migrations(using),
            "files": files,
        }
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(dt.datetime.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
            archive.add(work / database, arcname=database, recursive=False)
            for name, file in media:
                archive.add(file, arcname=name, recursive=False)
        os.chmod(partial, 0o600)
        partial.replace(path)
    from . import audit

    audit.log_event(
        audit.Action.EXPORT,
        None,
        message=f"backup written: {path.name}",
        data={"kind": "backup", "file": path.name, "files": len(files)},
    )
    progress(f"backup written to {path}")
    return BackupResult(path, manifest)


# -- checking an archive -------------------------------------------------------------------------


@dataclass
class CheckedArchive:
    manifest: dict
    directory: Path  # the verified members, extracted

    @property
    def database_file(self) -> Path:
        return self.directory / self.manifest["database"]["member"]


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and name == path.as_posix()
        and (name in (MANIFEST, "database.sqlite3", "database.pgdump") or name.startswith("media/"))
    )


def check_archive(
    path: str | Path, into: Path, *, force_foreign: bool = False, using: str = "default"
) -> CheckedArchive:
    """Extract and verify an archive into ``into`` (a scratch directory). Raises
    :class:`BackupError` on anything wrong; touches nothing else."""
    from .models import Installation

    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no such file: {path}")
    try:
        archive = tarfile.open(path, "r:gz")  # noqa: SIM115 - closed by the with below
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"not an icihub backup (unreadable archive: {exc})")
    seen: dict[str, dict] = {}
    manifest = None
    try:
        with archive:
            for member in archive:
                if not _safe_name(member.name) or not member.isfile():
                    raise BackupError(f"unexpected member in the archive: {member.name!r}")
                if member.name in seen or (member.name == MANIFEST and manifest is not None):
                    raise BackupError(f"member twice in the archive: {member.name!r}")
                handle = archive.extractfile(member)
                if member.name == MANIFEST:
                    try:
                        manifest = json.loads(handle.read(10 * 1024 * 1024))
                    except ValueError:
                        raise BackupError("the manifest is not valid JSON")
                    continue
                target = into / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with open(target, "wb") as out:
                    for block in iter(lambda h=handle: h.read(1024 * 1024), b""):
                        digest.update(block)
                        size += len(block)
                        out.write(block)
                seen[member.name] = {"size": size, "sha256": digest.hexdigest()}
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise BackupError(f"the archive is damaged: {exc}")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("not an icihub backup (no manifest)")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"unsupported backup format version {manifest.get('format_version')}")
    listed = manifest.get("files") or {}
    for name in sorted(set(listed) | set(seen)):
        if name not in seen:
            raise BackupError(f"the archive lacks {name}")
        if name not in listed:
            raise BackupError(f"{name} is in the archive but not in its manifest")
        if seen[name] != {"size": listed[name].get("size"), "sha256": listed[name].get("sha256")}:
            raise BackupError(f"checksum mismatch: {name} is damaged")
    connection = connections[using]
    database = manifest.get("database") or {}
    if database.get("vendor") != connection.vendor:
        raise BackupError(
            f"the archive holds a {database.get('vendor')} database; this server uses "
            f"{connection.vendor}"
        )
    if database.get("member") not in listed:
        raise BackupError("the archive holds no database")
    ours = Installation.identifier()
    if manifest.get("installation") != ours and not force_foreign:
        raise BackupError(
            f"the archive comes from another installation ({manifest.get('installation')}; "
            f"this one is {ours}): restore it only to move to a new server, with --force-foreign"
        )
    unknown = {tuple(m) for m in manifest.get("migrations", [])} - known_migrations()
    if unknown:
        raise BackupError(
            "the archive was made by a newer version of icihub (unknown migrations: "
            + ", ".join(f"{a}.{n}" for a, n in sorted(unknown)[:5])
            + "): install that version first"
        )
    if connection.vendor == "postgresql":
        current = {tuple(m) for m in applied_migrations(using)}
        if {tuple(m) for m in manifest.get("migrations", [])} != current:
            raise BackupError(
                "the archive's database schema differs from this one: restore it with the "
                "icihub version that made it, then upgrade"
            )
    return CheckedArchive(manifest, into)


def verify(path: str | Path, *, force_foreign: bool = False, using: str = "default") -> dict:
    """:func:`check_archive` in a scratch directory removed afterwards: the
    archive's manifest when it is sound (``icihub restore --check``)."""
    with tempfile.TemporaryDirectory(prefix="icihub-check-") as tmp:
        return check_archive(path, Path(tmp), force_foreign=force_foreign, using=using).manifest


# -- restore ------------------------------------------------------------------------------------


def restore(
    path: str | Path,
    *,
    force_foreign: bool = False,
    progress: Progress | None = None,
    using: str = "default",
) -> dict:
    """Verify the archive, then replace the database and the media files with
    its contents. Returns the archive's manifest."""
    from django.core.management import call_command

    from . import audit, auditguard

    progress = progress or (lambda line: None)
    connection = connections[using]
    with tempfile.TemporaryDirectory(prefix="icihub-restore-") as tmp:
        checked = check_archive(path, Path(tmp), force_foreign=force_foreign, using=using)
        manifest = checked.manifest
        progress(
            f"archive verified: {len(manifest['files'])} files, made "
            f"{manifest.get('created_at')} by icihub {manifest.get('app_version')}"
        )
        if connection.in_atomic_block:
            raise BackupError("restore cannot run inside a transaction")
        if connection.vendor == "sqlite":
            source = sqlite3.connect(checked.database_file)
            try:
                connection.ensure_connection()
                with auditguard.lifted(using):
                    source.backup(connection.connection)
            finally:
                source.close()
        else:
            connection.close()  # pg_restore drops and re-creates the tables
            args, env = _pg_args(connection.settings_dict)
            _run(
                [
                    _pg_tool("pg_restore"),
                    "--clean",
                    "--if-exists",
                    "--single-transaction",
                    "--no-owner",
                    "--exit-on-error",
                    *args,
                    str(checked.database_file),
                ],
                env,
            )
        progress("database restored")
        _swap_media(checked.directory / "media", progress)
    connection.close()
    call_command("migrate", interactive=False, verbosity=0, database=using)
    audit.log_event(
        audit.Action.EVENT,
        None,
        message=f"restored from backup {Path(path).name}",
        data={
            "kind": "restore",
            "archive_created_at": manifest.get("created_at"),
            "installation": manifest.get("installation"),
        },
    )
    return manifest


def _swap_media(new: Path, progress: Progress) -> None:
    media_root = Path(settings.MEDIA_ROOT)
    previous = media_root.with_name(media_root.name + ".before-restore")
    if previous.exists():
        shutil.rmtree(previous)
    if media_root.exists():
        media_root.rename(previous)
    if new.exists():
        shutil.copytree(new, media_root)
    else:
        media_root.mkdir(parents=True)
    progress(f"media files restored (the previous ones are in {previous})")
