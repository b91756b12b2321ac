#!/usr/bin/env python3
"""Runs a command and reports the CPU time the PostgreSQL server spent for it: the user + system
time of every server backend connected to DATABASE while the command ran (read from /proc, so
the server must run on this machine, as Tools/postgres/start.sh's does). On a shared machine
wall time mostly measures the other users; CPU time measures the work.

    backend_cpu.py DATABASE COMMAND...     prints `server CPU <seconds> s (<n> backends)` on stderr
"""
import os
import subprocess
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")


def backends(database):
    """pid -> CPU ticks of the server processes whose title names DATABASE."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                title = f.read().replace(b"\0", b" ").decode(errors="replace")
            # "postgres: USER DATABASE HOST(PORT) STATE"
            words = title.split()
            if len(words) < 4 or words[0] != "postgres:" or words[2] != database:
                continue
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            found[int(entry)] = int(fields[11]) + int(fields[12])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
    return found


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    database, command = sys.argv[1], sys.argv[2:]
    # Sessions already open count from now on.
    start = backends(database)
    seen = dict(start)
    child = subprocess.Popen(command)
    while child.poll() is None:
        seen.update(backends(database))
        time.sleep(0.05)
    seen.update(backends(database))
    total = sum(ticks - start.get(pid, 0) for pid, ticks in seen.items()) / TICKS
    print(f"server CPU {total:.2f} s ({len(seen)} backends)", file=sys.stderr)
    sys.exit(child.returncode)


if __name__ == "__main__":
    main()
