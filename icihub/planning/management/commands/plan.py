"""icihub plan: the year planner on the command line.

    icihub plan --year 2027 --user centre [--time-limit 10]   # solve, printing progress
    icihub plan --year 2027 --show                              # the latest version
    icihub plan --year 2027 --user centre --move CBRN-201-1=2027-11-14 --lock CBRN-201-1
    icihub plan --year 2027 --user centre --publish
    icihub plan --year 2027 --user centre --new-version
    icihub plan --year 2027 --diff 1:2

Solving runs in the foreground (the web pages queue it as a background task);
the plan is made (with its proposed courses) when the year has none."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from icihub.core.management.commands._common import command_errors, user_by_name


class Command(BaseCommand):
    help = "Plan the Centre's course year with the solver; show, move, lock, publish, diff."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--user", help="The staff account acting (needed for changes).")
        parser.add_argument("--time-limit", type=int, default=10, help="Seconds (default 10).")
        parser.add_argument("--show", action="store_true", help="Print the plan; change nothing.")
        parser.add_argument("--move", action="append", default=[], help="KEY=YYYY-MM-DD")
        parser.add_argument("--lock", action="append", default=[], help="Session key to lock.")
        parser.add_argument("--unlock", action="append", default=[], help="Session key.")
        parser.add_argument("--publish", action="store_true")
        parser.add_argument("--new-version", action="store_true")
        parser.add_argument("--diff", help="Two versions, e.g. 1:2.")

    def handle(self, *args, **options):
        from icihub.planning import services
        from icihub.planning.models import Plan

        year = options["year"]
        plan = Plan.objects.filter(year=year).order_by("-version").first()
        if options["diff"]:
            try:
                a, b = (int(v) for v in options["diff"].split(":"))
                pa, pb = (
                    Plan.objects.get(year=year, version=a),
                    Plan.objects.get(year=year, version=b),
                )
            except (ValueError, Plan.DoesNotExist):
                raise CommandError(_("Give two existing versions, e.g. --diff 1:2."))
            for c in services.diff(pa, pb):
                self.stdout.write(f"{c['course']}: {c['kind']} {c['before']} -> {c['after']}")
            return
        if options["show"]:
            if plan is None:
                raise CommandError(_("No plan for %(y)s.") % {"y": year})
            self._show(plan)
            return
        if not options["user"]:
            raise CommandError(_("Give --user: the staff account acting."))
        actor = user_by_name(options["user"])
        with command_errors():
            if options["new_version"]:
                plan = services.new_version(actor, plan)
                self.stdout.write(_("Version %(v)s made.") % {"v": plan.version})
            if plan is None:
                plan = services.create_plan(actor, year)
                self.stdout.write(
                    _("Plan %(y)s made with %(n)s proposed courses.")
                    % {"y": year, "n": plan.courses.count()}
                )
            changed = False
            for spec in options["move"]:
                key, _sep, day = spec.partition("=")
                services.move_session(actor, self._session(plan, key), day)
                changed = True
            for key in options["lock"]:
                services.set_locked(actor, self._session(plan, key), True)
                changed = True
            for key in options["unlock"]:
                services.set_locked(actor, self._session(plan, key), False)
                changed = True
            if options["publish"]:
                services.publish(actor, plan)
                self.stdout.write(_("Published."))
                return
            if changed and not options["lock"]:
                self._show(plan)
                return
            run = services.start_run(actor, plan, time_limit=options["time_limit"], enqueue=False)
            run = services.run_solver(run, progress=self._progress)
            plan.refresh_from_db()
            self._show(plan)
            if plan.explanation:
                raise CommandError(" ".join(plan.explanation))

    def _session(self, plan, key):
        from icihub.planning.models import PlannedSession

        try:
            return plan.sessions.get(key=key)
        except PlannedSession.DoesNotExist:
            raise CommandError(_("No session %(k)s in this plan.") % {"k": key})

    def _progress(self, p):
        gap = "" if p.gap is None else f"{100 * p.gap:.2f} %"
        self.stdout.write(
            _("%(t).1f s: %(n)s solutions, best %(o)s, bound %(b)s, gap %(g)s")
            % {"t": p.elapsed, "n": p.solutions, "o": p.objective, "b": p.bound, "g": gap}
        )

    def _show(self, plan):
        self.stdout.write(f"{plan} — {plan.get_state_display()}")
        for ps in plan.sessions.select_related("course").prefetch_related("instructors"):
            names = ", ".join(i.full_name for i in ps.instructors.all())
            lock = " [locked]" if ps.locked else ""
            self.stdout.write(f"  {ps.key:<20} {ps.start} – {ps.end}  {names}{lock}")
        if plan.terms:
            self.stdout.write("  " + ", ".join(f"{k}: {v}" for k, v in plan.terms.items()))
        for line in plan.explanation:
            self.stdout.write(f"  {line}")
