"""valgrind_lifecycle.py — the Python binding under valgrind memcheck.

Run by `make check-valgrind-python` (and build-aux/run-tests, stage b).
It starts the interpreter again under valgrind, with PYTHONMALLOC=malloc so
that every Python allocation is visible, running the workload below: the
refund lifecycle ESC_PY_VALGRIND_LIFECYCLES times (default 200) with a
clock and an event hook installed, plus every path that raises, re-raises
a callback's exception or frees in an unusual order.  Then it reads
valgrind's log and fails when

  - a memcheck error (invalid read or write, use of uninitialised memory,
    bad free ...) has a frame in the binding or in libescalate, or
  - a block "definitely lost" was allocated under such a frame.

What is filtered, and why: the interpreter itself does not free everything
at exit and valgrind reports some of that as lost; those records have no
frame of ours and are counted and printed but not judged.  "Ours" is any
frame of libescalate.so or the _escalate extension (by object), or of a
function named esc_*, escb_*, _wrap_* or SWIG_* or compiled from
escalate_wrap.c (by name, when debug information names the function).

Exit status: 0 clean, 1 a finding (the records are printed), 77 skipped
(no valgrind, or a sanitizer build: the two do not mix).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time


def workload(lifecycles):
    import gc

    import escalate
    from escalate_testutil import AGENT, Clock, open_refund_case, refund_lifecycle, scratch_dir

    path = os.path.join(scratch_dir("valgrind"), "valgrind.db")
    clock = Clock()
    heard = []
    with escalate.Database(path, create=True, clock=clock) as db:
        db.on_event = lambda event: heard.append(event.seq)
        for _ in range(lifecycles):
            esc = refund_lifecycle(db, clock)
            esc.history()
            db.list(limit=3)
            del heard[:]

        # Every failure path once: refused, callbacks raising, conflict, batch.
        esc = open_refund_case(db)
        try:
            esc.advance(AGENT)
        except escalate.GuardNotMet:
            pass
        db.clock = lambda: 1 / 0
        try:
            esc.note(AGENT, "clock fails")
        except ZeroDivisionError:
            pass
        db.clock = clock

        def failing_hook(event):
            raise KeyError(event.seq)
        db.on_event = failing_hook
        try:
            with db.batch():
                esc.note(AGENT, "one")
                esc.note(AGENT, "two")        # second failure: sys.unraisablehook
        except KeyError:
            pass
        try:
            open_refund_case(db)              # the hook fails after the open
        except KeyError:
            pass
        db.on_event = None
        with escalate.Database(path, clock=clock) as other:
            stale = other.get(esc.id)
            esc.note(AGENT, "first")
            try:
                stale.note(AGENT, "stale")
            except escalate.Conflict:
                stale.refresh()
        try:
            with db.batch():
                esc.tag(AGENT, "rolled back")
                raise RuntimeError
        except RuntimeError:
            pass
        for code in range(-17, 0):
            try:
                escalate._escalate.escb_python_fail(code, 0, "table")
            except escalate.Error:
                pass
        report = db.verify()
        assert report.ok, report

    # Values outliving a closed and dropped database, freed in odd orders.
    db = escalate.Database(":memory:", create=True, clock=clock)
    db.on_event = lambda event: None
    kept = [refund_lifecycle(db, clock), db.list(), db.verify()]
    kept.append(db.history(kept[0]))
    db.close()
    del db
    gc.collect()
    del kept[1]
    gc.collect()
    del kept
    gc.collect()
    # ...and one left for the interpreter's own teardown.
    global left_alive
    left_alive = escalate.Database(":memory:", create=True, clock=clock)
    left_alive.on_event = lambda event: None
    open_refund_case(left_alive)
    print(f"workload done: {lifecycles} lifecycles")


OURS = re.compile(r"libescalate|_escalate\.|escalate_wrap\.c|"
                  r"(?:by|at) 0x[0-9A-Fa-f]+: (?:esc_|escb_|_wrap_|SWIG_)")
LOG_LINE = re.compile(r"^==\d+== ?(.*)$")
LOST = re.compile(r"([\d,]+) bytes in ([\d,]+) blocks are definitely lost")


def records(log_text):
    """valgrind's log cut into records: (headline, the frames under it).
    A record is a headline and indented "at/by" lines, ended by an empty
    line."""
    current = None
    for line in log_text.splitlines():
        match = LOG_LINE.match(line)
        text = match.group(1) if match else ""
        if not text.strip():
            if current is not None:
                yield current
            current = None
        elif current is None:
            current = (text, [])
        else:
            current[1].append(text.strip())
    if current is not None:
        yield current


def judge(log_text):
    """(findings, figures): the records that fail the check, and counts."""
    findings = []
    figures = {"lost_bytes": 0, "lost_blocks": 0, "our_lost_bytes": 0, "errors": 0,
               "our_errors": 0}
    error_heads = ("Invalid ", "Conditional jump", "Use of uninitialised", "Syscall param",
                   "Mismatched free", "Source and destination overlap", "Argument ")
    for head, frames in records(log_text):
        ours = any(OURS.search(frame) for frame in frames)
        lost = LOST.search(head)
        if lost:
            size, blocks = (int(x.replace(",", "")) for x in lost.groups())
            figures["lost_bytes"] += size
            figures["lost_blocks"] += blocks
            if ours:
                figures["our_lost_bytes"] += size
                findings.append((head, frames))
        elif head.startswith(error_heads):
            figures["errors"] += 1
            if ours:
                figures["our_errors"] += 1
                findings.append((head, frames))
    return findings, figures


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--workload":
        workload(int(sys.argv[2]))
        return 0
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("SKIP: valgrind is not installed (apt-get install valgrind)")
        return 77
    if "libasan" in os.environ.get("LD_PRELOAD", ""):
        print("SKIP: a sanitizer build; valgrind and AddressSanitizer do not mix")
        return 77
    lifecycles = int(os.environ.get("ESC_PY_VALGRIND_LIFECYCLES", "200"))
    log_dir = tempfile.mkdtemp(prefix="py-valgrind-",
                               dir=os.environ.get("ESC_TEST_TMPDIR") or None)
    log_path = os.path.join(log_dir, "memcheck.log")
    env = dict(os.environ, PYTHONMALLOC="malloc")
    command = [valgrind, "--leak-check=full", "--show-leak-kinds=definite", "--num-callers=40",
               f"--log-file={log_path}", sys.executable, "-B", os.path.abspath(__file__),
               "--workload", str(lifecycles)]
    started = time.monotonic()
    run = subprocess.run(command, env=env, cwd=os.path.dirname(os.path.abspath(__file__)),
                         capture_output=True, text=True)
    seconds = time.monotonic() - started
    with open(log_path, encoding="utf-8", errors="replace") as log:
        log_text = log.read()
    findings, figures = judge(log_text)
    print(f"valgrind memcheck, {lifecycles} lifecycles under PYTHONMALLOC=malloc "
          f"({seconds:.0f} s; log: {log_path}):\n"
          f"  definitely lost, all frames:     {figures['lost_bytes']} bytes in "
          f"{figures['lost_blocks']} blocks (the interpreter's own, not judged)\n"
          f"  definitely lost, under our code: {figures['our_lost_bytes']} bytes\n"
          f"  memcheck errors: {figures['errors']}, with a frame of ours: "
          f"{figures['our_errors']}")
    if run.returncode != 0 or "workload done" not in run.stdout:
        print(f"FAIL: the workload exited with {run.returncode}:\n{run.stdout}{run.stderr}")
        return 1
    for head, frames in findings:
        print("\n" + head + "\n" + "\n".join("    " + frame for frame in frames))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
