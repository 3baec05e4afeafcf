"""icihub audit: the audit trail's hash chain (icihub.core.auditchain).

    icihub audit verify [--digest FILE]        recompute the chain; exit 1 at the first broken link
    icihub audit digest [--date D] [--output F]  the chain's head at the end of day D (JSON)

Keep the digests somewhere the server cannot write (another machine, paper, a
ticket): `verify --digest FILE` then proves that the history up to each kept
digest is the one that was there, even against someone who could rewrite the
whole trail and recompute its hashes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from icihub.core import auditchain

from ._common import write_output


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain, or print the daily digest to keep elsewhere."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        verify = sub.add_parser(
            "verify", help="Recompute the chain and name the first broken link (exit 1)."
        )
        verify.add_argument(
            "--digest",
            metavar="FILE",
            help="Also check kept digests (one JSON object, a list, or one object per line).",
        )
        digest = sub.add_parser("digest", help="Print (or write) the digest of a day.")
        digest.add_argument(
            "--date", metavar="YYYY-MM-DD", help="The day (default: today, so far)."
        )
        digest.add_argument("--output", metavar="FILE", help="Write the digest to FILE.")

    def handle(self, *args, **options):
        getattr(self, options["action"])(options)

    def verify(self, options):
        digests = []
        if options.get("digest"):
            path = Path(options["digest"])
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(
                    _("Cannot read the digest file %(path)s: %(error)s")
                    % {"path": path, "error": exc}
                )
            try:
                digests = auditchain.parse_digests(text)
            except auditchain.DigestError as exc:
                raise CommandError(
                    _("%(path)s holds no valid digest: %(error)s") % {"path": path, "error": exc}
                )
        result = auditchain.verify(keep={d["last_seq"] for d in digests})
        if result.broken is None and digests:
            result.broken = auditchain.check_digests(digests, result)
        if result.broken is not None:
            raise CommandError(
                _("The audit trail is broken at %(where)s (%(checked)d entries checked before it).")
                % {"where": result.broken, "checked": result.checked}
            )
        self.stdout.write(
            _(
                "The audit trail is intact: %(count)d entries (%(redacted)d redacted), "
                "%(snapshots)d published snapshots; head %(seq)d %(hash)s."
            )
            % {
                "count": result.checked,
                "redacted": result.redacted,
                "snapshots": result.snapshots,
                "seq": result.head_seq,
                "hash": result.head_hash,
            }
        )
        if digests:
            self.stdout.write(
                ngettext(
                    "%(n)d kept digest matches the chain.",
                    "%(n)d kept digests match the chain.",
                    len(digests),
                )
                % {"n": len(digests)}
            )

    def digest(self, options):
        day = None
        if options.get("date"):
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(
                    _("Give the date as YYYY-MM-DD (not “%(value)s”).") % {"value": options["date"]}
                )
        digest = auditchain.daily_digest(day)
        text = json.dumps(digest, sort_keys=True)
        if options.get("output"):
            path = write_output(options["output"], (text + "\n").encode())
            self.stderr.write(_("Digest written to %(path)s.") % {"path": path})
        self.stdout.write(text)
