"""icihub plan: the year planner on the command line.

    icihub plan --year 2027 --user centre [--time-limit 10]   # solve, printing progress
    icihub plan --year 2027 --show                              # the latest version
    icihub plan --year 2027 --user centre --move CBRN-201-1=2027-11-14 --lock CBRN-201-1
    icihub plan --year 2027 --user centre --publish
    icihub plan --year 2027 --user centre --new-version
    icihub plan --year 2027 --diff 1:2

The plan's inputs kept outside any plan (no --year needed):

    icihub plan --rooms                                         # list the rooms
    icihub plan --user centre --add-room "Seminar room" --capacity 2
    icihub plan --user centre --change-room "Seminar room" --capacity 1 [--rename NEW]
    icihub plan --user centre --remove-room "Seminar room"
    icihub plan --unavailable [--instructor ID]                 # list unavailable periods
    icihub plan --user centre --add-unavailable --instructor 12 --from 2027-03-01 \
        --to 2027-03-20 [--reason "Exercise season"]
    icihub plan --user centre --remove-unavailable ID

Solving runs in the foreground (the web pages queue it as a background task);
the plan is made (with its proposed courses) when the year has none."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from icihub.core.management.commands._common import command_errors, user_by_name


class Command(BaseCommand):
    help = (
        "Plan the Centre's course year with the solver; show, move, lock, publish, diff; "
        "list and change the rooms and the instructors' unavailable periods."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="The year to plan (needed for plans).")
        parser.add_argument("--user", help="The staff account acting (needed for changes).")
        parser.add_argument("--time-limit", type=int, default=10, help="Seconds (default 10).")
        parser.add_argument("--show", action="store_true", help="Print the plan; change nothing.")
        parser.add_argument("--move", action="append", default=[], help="KEY=YYYY-MM-DD")
        parser.add_argument("--lock", action="append", default=[], help="Session key to lock.")
        parser.add_argument("--unlock", action="append", default=[], help="Session key.")
        parser.add_argument("--publish", action="store_true")
        parser.add_argument("--new-version", action="store_true")
        parser.add_argument("--diff", help="Two versions, e.g. 1:2.")
        rooms = parser.add_argument_group("rooms")
        rooms.add_argument("--rooms", action="store_true", help="List the Centre's rooms.")
        rooms.add_argument("--add-room", metavar="NAME")
        rooms.add_argument("--change-room", metavar="NAME")
        rooms.add_argument("--remove-room", metavar="NAME")
        rooms.add_argument("--capacity", type=int, help="Sessions the room holds at once.")
        rooms.add_argument("--rename", metavar="NEW_NAME", help="With --change-room.")
        periods = parser.add_argument_group("unavailable periods")
        periods.add_argument(
            "--unavailable", action="store_true", help="List instructors' unavailable periods."
        )
        periods.add_argument("--add-unavailable", action="store_true")
        periods.add_argument("--remove-unavailable", type=int, metavar="ID")
        periods.add_argument("--instructor", type=int, metavar="ID", help="An instructor's id.")
        periods.add_argument("--from", dest="start", metavar="YYYY-MM-DD")
        periods.add_argument("--to", dest="end", metavar="YYYY-MM-DD")
        periods.add_argument("--reason", default="", help="Why the instructor cannot teach.")

    def handle(self, *args, **options):
        from icihub.planning import services
        from icihub.planning.models import Plan

        if self._inputs(options):
            return
        year = options["year"]
        if year is None:
            raise CommandError(_("Give --year (or --rooms, --unavailable and their options)."))
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
                    ngettext(
                        "Plan %(y)s made with %(n)s proposed course.",
                        "Plan %(y)s made with %(n)s proposed courses.",
                        plan.courses.count(),
                    )
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

    # -- rooms and unavailable periods --------------------------------------------------------------

    def _inputs(self, options) -> bool:
        """Handle the room and unavailability options; False when none is given."""
        from icihub.planning import selectors, services
        from icihub.planning.models import Room, Unavailability

        writes = [
            o
            for o in ("add_room", "change_room", "remove_room", "remove_unavailable")
            if options[o] not in (None, "")
        ] + (["add_unavailable"] if options["add_unavailable"] else [])
        if not writes and not options["rooms"] and not options["unavailable"]:
            return False
        if len(writes) > 1:
            raise CommandError(_("Give one change at a time."))
        actor = user_by_name(options["user"]) if options["user"] else None
        if writes and actor is None:
            raise CommandError(_("Give --user: the staff account acting."))
        with command_errors():
            if options["add_room"] is not None:
                data = {"name": options["add_room"]}
                if options["capacity"] is not None:
                    data["capacity"] = options["capacity"]
                room = services.create_room(actor, data)
                self.stdout.write(
                    _("Room %(name)s added (id %(id)s).") % {"name": room, "id": room.pk}
                )
            elif options["change_room"] is not None:
                room = self._room(actor, options["change_room"])
                data = {}
                if options["capacity"] is not None:
                    data["capacity"] = options["capacity"]
                if options["rename"] is not None:
                    data["name"] = options["rename"]
                if not data:
                    raise CommandError(_("Give --capacity or --rename with --change-room."))
                services.update_room(actor, room, data)
                self.stdout.write(_("Room %(name)s saved.") % {"name": room})
            elif options["remove_room"] is not None:
                room = self._room(actor, options["remove_room"])
                services.delete_room(actor, room)
                self.stdout.write(_("Room %(name)s deleted.") % {"name": room})
            elif options["add_unavailable"]:
                missing = [
                    f"--{flag}"
                    for flag, key in (
                        ("instructor", "instructor"),
                        ("from", "start"),
                        ("to", "end"),
                    )
                    if options[key] is None
                ]
                if missing:
                    raise CommandError(
                        _("Give %(options)s with --add-unavailable.")
                        % {"options": ", ".join(missing)}
                    )
                period = services.create_unavailability(
                    actor,
                    {
                        "instructor": options["instructor"],
                        "start": self._date(options["start"], "--from"),
                        "end": self._date(options["end"], "--to"),
                        "reason": options["reason"],
                    },
                )
                self.stdout.write(_("Unavailable period %(id)s added.") % {"id": period.pk})
            elif options["remove_unavailable"] is not None:
                qs = Unavailability.objects.visible_to(actor)
                period = qs.filter(pk=options["remove_unavailable"]).first()
                if period is None:
                    raise CommandError(
                        _("No unavailable period %(id)s.") % {"id": options["remove_unavailable"]}
                    )
                services.delete_unavailability(actor, period)
                self.stdout.write(_("Unavailable period %(id)s deleted.") % {"id": period.pk})
        if options["rooms"]:
            rooms = selectors.rooms_for(actor) if actor else Room.objects.order_by("name")
            for room in rooms:
                self.stdout.write(f"  {room.pk:>5}  {room.name:<40} {room.capacity}")
        if options["unavailable"]:
            if actor:
                periods = selectors.unavailability_for(actor, instructor=options["instructor"])
            else:
                periods = Unavailability.objects.select_related("instructor").order_by(
                    "instructor__full_name", "instructor_id", "start", "id"
                )
                if options["instructor"] is not None:
                    periods = periods.filter(instructor_id=options["instructor"])
            for p in periods:
                self.stdout.write(
                    f"  {p.pk:>5}  {p.instructor.full_name} (#{p.instructor_id})  "
                    f"{p.start} – {p.end}  {p.reason}"
                )
        return True

    def _room(self, actor, name):
        from icihub.planning.models import Room

        room = Room.objects.visible_to(actor).filter(name=name).first()
        if room is None:
            raise CommandError(_("No room “%(name)s”.") % {"name": name})
        return room

    def _date(self, value, option):
        import datetime as dt

        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise CommandError(
                _("Give a date (YYYY-MM-DD) for %(option)s, not “%(value)s”.")
                % {"option": option, "value": value}
            )

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
