"""Run several commands together and stop them together (``make run``: the web
server and one worker). Ctrl-C (or SIGTERM) is passed on to each; when one of
them ends, the others are stopped, and the exit status is the first one's.

    python -m icihub.operations.supervise -- gunicorn ... -- icihub worker

Nothing but the standard library: ``make run`` needs only Python and make."""

from __future__ import annotations

import signal
import subprocess
import sys
import time


def split(argv: list[str]) -> list[list[str]]:
    commands, current = [], []
    for arg in argv:
        if arg == "--":
            if current:
                commands.append(current)
            current = []
        else:
            current.append(arg)
    if current:
        commands.append(current)
    return commands


def main(argv: list[str] | None = None) -> int:
    commands = split(sys.argv[1:] if argv is None else argv)
    if not commands:
        print("usage: supervise -- COMMAND ... [-- COMMAND ...]", file=sys.stderr)
        return 2
    # Each child in its own process group: a Ctrl-C at the terminal reaches
    # this process only, which then stops the children in order.
    children = [subprocess.Popen(c, start_new_session=True) for c in commands]  # noqa: S603
    stopping = False

    def stop(signum=signal.SIGTERM, frame=None):
        nonlocal stopping
        stopping = True
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, lambda s, f: stop())
    signal.signal(signal.SIGTERM, lambda s, f: stop())
    status = 0
    while True:
        ended = [c for c in children if c.poll() is not None]
        if ended and not stopping:
            status = ended[0].returncode or 0
            print(
                f"supervise: {commands[children.index(ended[0])][0]} ended "
                f"(status {ended[0].returncode}); stopping the others",
                file=sys.stderr,
            )
            stop()
        if all(c.poll() is not None for c in children):
            break
        time.sleep(0.2)
    deadline = time.monotonic() + 15
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
    return status


if __name__ == "__main__":
    sys.exit(main())
