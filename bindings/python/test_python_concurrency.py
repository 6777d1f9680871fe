"""test_python_concurrency.py — two processes apply steps to the same
escalation at the same time, each retrying on Conflict (refresh, then
again) and on Busy.  No update may be lost: every note of both is there,
each process's in its own order, and the history has no gap.

The same file is the worker: test_python_concurrency.py --worker PATH ID
NAME COUNT prints "ready", waits for a line on its standard input (so that
both start together), applies COUNT notes and prints how many retries it
needed."""

import os
import subprocess
import sys
import unittest

import escalate
from escalate_testutil import open_refund_case, scratch_dir

NOTES_PER_WORKER = 400


def worker(path, escalation_id, name, count):
    """Add count notes "<name> <i>" to the escalation, retrying until each
    one lands; prints "<name> conflicts=<n> busy=<n>"."""
    conflicts = busy = 0
    actor = escalate.Person(f"agt-{name}", f"Agent {name}", 1)
    with escalate.Database(path, busy_timeout=0.05) as db:
        esc = db.get(escalation_id)
        # Both workers start writing together: ready, then wait for "go".
        print("ready", flush=True)
        sys.stdin.readline()
        for i in range(count):
            while True:
                try:
                    esc.note(actor, f"{name} {i}")
                    break
                except escalate.Conflict:
                    conflicts += 1
                    esc.refresh()
                except escalate.Busy:
                    busy += 1
    print(f"{name} conflicts={conflicts} busy={busy}")


class TestTwoProcesses(unittest.TestCase):

    def test_no_lost_update(self):
        path = os.path.join(scratch_dir("concurrency"), "shared.db")
        with escalate.Database(path, create=True) as db:
            esc = open_refund_case(db)
        workers = [subprocess.Popen([sys.executable, "-B", os.path.abspath(__file__), "--worker",
                                     path, esc.id, name, str(NOTES_PER_WORKER)],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
                   for name in ("A", "B")]
        for process in workers:
            if process.stdout.readline() != "ready\n":      # it died: say why
                self.fail(process.stderr.read())
        for process in workers:
            process.stdin.write("go\n")
            process.stdin.flush()
        for process in workers:
            out, err = process.communicate(timeout=600)
            self.assertEqual(process.returncode, 0, err)
            print(out.strip(), file=sys.stderr)

        with escalate.Database(path) as db:
            esc = db.get(esc.id)
            texts = [note.text for note in esc.notes]
            self.assertEqual(len(texts), 2 * NOTES_PER_WORKER)
            for name in ("A", "B"):
                mine = [t for t in texts if t.startswith(name + " ")]
                self.assertEqual(mine, [f"{name} {i}" for i in range(NOTES_PER_WORKER)])
            events = db.history(esc)
            self.assertEqual([e.seq for e in events], list(range(1, esc.version + 1)))
            self.assertEqual(esc.version, 1 + 2 * NOTES_PER_WORKER)
            self.assertTrue(db.verify().ok)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        unittest.main()
