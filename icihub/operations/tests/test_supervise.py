"""``make run``'s supervisor: Ctrl-C stops every command; one ending stops the others."""

import signal
import subprocess
import sys
import time

SLEEPER = [
    sys.executable,
    "-c",
    "import os, signal, sys, time\n"
    "signal.signal(signal.SIGTERM, lambda s, f: sys.exit(0))\n"
    # One write(2) of a whole line: the two sleepers share the pipe, and print()
    # can write the text and the newline apart ("startedstarted" in CI, about
    # 1 run in 20 when measured alone).
    "os.write(1, b'started\\n')\n"
    "time.sleep(60)",
]


def _start(*commands):
    argv = [sys.executable, "-m", "icihub.operations.supervise"]
    for command in commands:
        argv += ["--", *command]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_ctrl_c_stops_both_commands():
    started = time.monotonic()
    process = _start(SLEEPER, SLEEPER)
    assert process.stdout.readline() == "started\n"
    assert process.stdout.readline() == "started\n"
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 0
    assert time.monotonic() - started < 20  # not the sleepers' 60 seconds


def test_one_command_ending_stops_the_other_with_its_status():
    failing = [sys.executable, "-c", "import sys, time; time.sleep(1); sys.exit(3)"]
    started = time.monotonic()
    process = _start(SLEEPER, failing)
    assert process.wait(timeout=20) == 3
    assert time.monotonic() - started < 20
    assert "stopping the others" in process.stderr.read()
