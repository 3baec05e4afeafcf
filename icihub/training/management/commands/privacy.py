"""icihub privacy export|anonymise: the personal data of the Centre's participants
(``icihub.training.privacy``).

    icihub privacy export PARTICIPANT_ID [--format json|zip] [--output FILE] [--as USERNAME]
    icihub privacy anonymise --due [--dry-run] [--reason TEXT]
    icihub privacy anonymise --participant ID [--participant ID ...] [--dry-run]
                             [--reason TEXT] [--before-due]

``export`` writes everything recorded about one participant (JSON on standard
output without ``--output``; ZIP with the certificates' PDFs). Without
``--as`` it is the system's export (everything); with it, what that user may
see (a coordinator: their own country's participants only). Recorded in the
audit trail.

``anonymise`` removes the personal data of the participants due (``--due``:
the retention period of ``ICIHUB_RETENTION_YEARS`` over since their last
course) or of the participants given. One run is all or nothing: a
participant not due, already anonymised or unknown stops it and nothing is
written. ``--dry-run`` lists what would happen and writes nothing.
``--before-due`` (with ``--participant`` and an explicit ``--reason``) is the
operator's override of the retention period, e.g. at the person's request; a
participant with an upcoming or running session is refused even then. The
command line acts as the system: whoever runs it operates the server.

The worker's nightly job ``anonymisation-due`` lists those due, and anonymises
them only when ``ICIHUB_ANONYMISE_DUE`` is on (icihub/training/jobs.py); this
command does it by hand: ``icihub privacy anonymise --due``.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from icihub.core.access import SYSTEM
from icihub.core.management.commands._common import command_errors, user_by_name, write_output


def _participant_id(text: str) -> int:
    text = (text or "").strip().lstrip("#")
    if not text.isascii() or not text.isdigit():
        raise CommandError(
            _("Not a participant id: “%(value)s” (give the number, e.g. 42).") % {"value": text}
        )
    return int(text)


class Command(BaseCommand):
    help = "Export a participant's personal data, or anonymise participants after retention."

    def add_arguments(self, parser):
        from icihub.training import privacy

        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="everything recorded about one participant")
        export.add_argument("participant", help="the participant's id")
        export.add_argument(
            "--format", dest="file_format", choices=list(privacy.EXPORT_FORMATS), default="json"
        )
        export.add_argument(
            "--output", "-o", help="file to write (default: JSON on standard output, ZIP in .)"
        )
        export.add_argument(
            "--as",
            dest="username",
            help="export what this user may see (default: the system, everything)",
        )
        anonymise = actions.add_parser(
            "anonymise", help="remove personal data after the retention period"
        )
        anonymise.add_argument(
            "--due", action="store_true", help="every participant due for anonymisation"
        )
        anonymise.add_argument(
            "--participant",
            action="append",
            default=[],
            help="a participant's id (repeat for several)",
        )
        anonymise.add_argument(
            "--dry-run", action="store_true", help="list what would happen; write nothing"
        )
        anonymise.add_argument("--reason", help="recorded in the audit trail")
        anonymise.add_argument(
            "--before-due",
            action="store_true",
            help="override the retention period (with --participant and --reason)",
        )

    def handle(self, *args, **options):
        if options["action"] == "export":
            self.export(options)
        else:
            self.anonymise(options)

    # -- export ----------------------------------------------------------------------------

    def export(self, options):
        from icihub.training import privacy
        from icihub.training.models import Participant

        pk = _participant_id(options["participant"])
        actor = user_by_name(options["username"]) if options.get("username") else SYSTEM
        participant = Participant._base_manager.filter(pk=pk).first()
        if participant is None:
            raise CommandError(_("No participant has the id %(ids)s.") % {"ids": pk})
        with command_errors():
            result = privacy.export_file(actor, participant, options["file_format"])
        output = options.get("output")
        if not output and options["file_format"] == "json":
            self.stdout.write(result.content.decode(), ending="")
            return
        path = write_output(output or result.filename, result.content)
        self.stderr.write(
            ngettext(
                "Wrote %(path)s (%(size)d byte, marking %(marking)s).",
                "Wrote %(path)s (%(size)d bytes, marking %(marking)s).",
                len(result.content),
            )
            % {"path": path, "size": len(result.content), "marking": result.marking}
        )

    # -- anonymise --------------------------------------------------------------------------

    def anonymise(self, options):
        from icihub.training import privacy

        ids = [_participant_id(value) for value in options["participant"]]
        if options["due"] == bool(ids):
            raise CommandError(_("Give either --due or --participant ID (one or several)."))
        if options["before_due"] and not ids:
            raise CommandError(
                _("--before-due applies to the participants given by --participant.")
            )
        reason = (options.get("reason") or "").strip()
        if options["before_due"] and not reason:
            raise CommandError(_("Give the reason of the override: --reason TEXT."))
        if not reason:
            reason = ngettext(
                "Retention period elapsed (%(years)d year after the last course)",
                "Retention period elapsed (%(years)d years after the last course)",
                privacy.retention_years(),
            ) % {"years": privacy.retention_years()}

        def progress(line: str) -> None:
            self.stdout.write(line)

        with command_errors():
            if options["dry_run"]:
                self.dry_run(privacy, ids or None, options["before_due"])
                return
            if ids:
                done = privacy.anonymise_many(
                    SYSTEM,
                    ids,
                    reason=reason,
                    before_due=options["before_due"],
                    progress=progress,
                )
            else:
                done = privacy.anonymise_due(SYSTEM, reason=reason, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                _("%(participants)s; %(entries)s.")
                % {
                    "participants": ngettext(
                        "%(n)d participant anonymised", "%(n)d participants anonymised", len(done)
                    )
                    % {"n": len(done)},
                    "entries": ngettext(
                        "%(e)d audit entry redacted",
                        "%(e)d audit entries redacted",
                        sum(r.audit_entries for r in done),
                    )
                    % {"e": sum(r.audit_entries for r in done)},
                }
            )
        )

    def dry_run(self, privacy, ids, before_due: bool) -> None:
        rows = privacy.plan(SYSTEM, ids)
        self.stdout.write(
            ngettext("%(n)d participant considered.", "%(n)d participants considered.", len(rows))
            % {"n": len(rows)}
        )
        refused = 0
        for participant, state in rows:
            allowed = state.allows(before_due)
            refused += not allowed
            verdict = _("would be anonymised") if allowed else _("refused")
            self.stdout.write(
                f"  #{participant.pk} {participant.country.iso3}: {verdict}. {state.explanation}"
            )
        self.stdout.write(self.style.WARNING(_("Dry run: nothing was written.")))
        if refused:
            raise CommandError(
                _("%(n)d refused: the run would change nothing (all or nothing).") % {"n": refused}
            )
