"""test_python_example.py — examples/crm_import.py runs as a user would run
it, and what it prints and stores matches its CRM export: the bad row is
refused, every other ticket reaches the stage its status names, the due
list is in due order with the overdue ones flagged, owners own what the
export says, and a second import changes nothing."""

import datetime
import os
import re
import subprocess
import sys
import unittest

import escalate
from escalate import State
from escalate_testutil import scratch_dir

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples")
SCRIPT = os.path.join(EXAMPLES, "crm_import.py")
NOW = datetime.datetime(2026, 3, 4, 17, 0, tzinfo=datetime.timezone.utc)
DUE_LINE = re.compile(r"^  (\w{3} \d\d \w{3} \d\d:\d\d)  (OVERDUE|       )  (CRM-\d+) ")


def run(*args):
    result = subprocess.run([sys.executable, "-B", SCRIPT, *args], capture_output=True,
                            text=True, timeout=300)
    return result.returncode, result.stdout, result.stderr


class TestCrmImport(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.db_path = os.path.join(scratch_dir("crm-import"), "crm.db")
        cls.rc, cls.out, cls.err = run(cls.db_path)

    def test_runs_cleanly(self):
        self.assertEqual(self.rc, 0, self.err)
        self.assertEqual(self.err, "")
        self.assertIn("Imported 9 ticket(s) from crm_export.csv (68 steps recorded).", self.out)
        self.assertIn("Verified: 9 escalations, 68 events, no mismatch.", self.out)

    def test_the_bad_row_is_refused_and_named(self):
        self.assertRegex(self.out, r"skipped CRM-58230: refused by the lifecycle "
                                   r"\(ESC_EGUARD, guard future_time\)")
        with escalate.Database(self.db_path, readonly=True) as db:
            with self.assertRaises(escalate.NotFound):
                db.get_by_ref("CRM-58230")       # the whole ticket's batch rolled back

    def test_due_list_is_in_due_order(self):
        due = []
        for line in self.out.splitlines():
            match = DUE_LINE.match(line)
            if match:
                when = datetime.datetime.strptime("2026 " + match.group(1), "%Y %a %d %b %H:%M")
                due.append((when.replace(tzinfo=datetime.timezone.utc),
                            match.group(2).strip(), match.group(3)))
        self.assertEqual([ref for _, _, ref in due],
                         ["CRM-58219", "CRM-58224", "CRM-58244", "CRM-58213", "CRM-58233",
                          "CRM-58227"])
        self.assertEqual([w for w, _, _ in due], sorted(w for w, _, _ in due))
        for when, flag, ref in due:
            self.assertEqual(flag == "OVERDUE", when < NOW, ref)

    def test_owners(self):
        owners = {line.split(")")[0].strip() + ")": line for line in self.out.splitlines()
                  if re.match(r"^  \S.* \((agt|sup)-\d+\) ", line)}
        self.assertEqual(set(owners), {"Marcus Bell (sup-022)", "Priya Natarajan (agt-117)",
                                       "Tomás Ferreira (agt-204)"})
        self.assertIn("CRM-58224 (listen, tier 2", owners["Marcus Bell (sup-022)"])
        self.assertIn("CRM-58233 (own, tier 1, P3, on hold)", owners["Priya Natarajan (agt-117)"])
        self.assertRegex(self.out, r"Nobody yet .*CRM-58241.*CRM-58227.*CRM-58220")

    def test_each_ticket_reached_its_stage(self):
        expected = {
            "CRM-58213": State.FOLLOW_UP, "CRM-58219": State.OWN, "CRM-58220": State.CLARIFY,
            "CRM-58224": State.LISTEN, "CRM-58227": State.PLAN, "CRM-58233": State.OWN,
            "CRM-58236": State.RESOLVED, "CRM-58241": State.LISTEN, "CRM-58244": State.OWN,
        }
        with escalate.Database(self.db_path, readonly=True) as db:
            for ref, state in expected.items():
                with self.subTest(ref=ref):
                    self.assertEqual(db.get_by_ref(ref).state, state)
            moved = db.get_by_ref("CRM-58224")
            self.assertEqual((moved.tier, moved.owner_id), (2, "sup-022"))
            self.assertTrue(db.get_by_ref("CRM-58233").on_hold)
            vip = db.get_by_ref("CRM-58219")
            self.assertEqual((vip.vip, vip.priority, vip.channel),
                             (True, 1, escalate.Channel.EMAIL))

    def test_importing_twice_changes_nothing(self):
        with escalate.Database(self.db_path, readonly=True) as db:
            before = db.verify()
        rc, out, err = run(self.db_path)
        self.assertEqual(rc, 0, err)
        self.assertIn("Imported 0 ticket(s)", out)
        self.assertEqual(out.count(": already imported"), 9)
        with escalate.Database(self.db_path, readonly=True) as db:
            self.assertEqual(db.verify(), before)

    def test_default_database_is_temporary(self):
        rc, out, err = run("--now", "2026-03-06T00:00:00Z")
        self.assertEqual(rc, 0, err)
        self.assertIn("as of Fri 06 Mar 00:00 UTC", out)
        self.assertEqual(out.count("OVERDUE"), 5)


if __name__ == "__main__":
    unittest.main()
