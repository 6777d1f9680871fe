"""test_python_gc.py — every C object is freed exactly once, whatever the
order in which Python lets go of things: a Database closed or dropped
while escalations, lists, events and reports are still referenced; every
order of deletion of a small object graph; reference cycles; and an
interpreter that exits with everything still alive."""

import gc
import itertools
import os
import subprocess
import sys
import textwrap
import unittest
import weakref

import escalate
from escalate_testutil import AGENT, Clock, open_refund_case, refund_lifecycle


def populated_database():
    clock = Clock()
    db = escalate.Database(":memory:", create=True, clock=clock)
    refund_lifecycle(db, clock, ref="CRM-1")
    open_refund_case(db, "CRM-2").note(AGENT, "still open", customer_account=True)
    return db


class TestClosedDatabase(unittest.TestCase):

    def test_values_outlive_a_closed_database(self):
        db = populated_database()
        escalations = db.list()
        closed = db.get_by_ref("CRM-1")
        events = db.history(closed)
        notes = closed.notes
        report = db.verify()
        db.close()
        gc.collect()
        self.assertEqual(len(escalations), 2)
        self.assertEqual(closed.state, escalate.State.CLOSED)
        self.assertEqual(closed.notes, notes)
        self.assertEqual(events[-1].action, escalate.Action.CLOSE)
        self.assertTrue(report.ok)
        for esc in escalations:
            with self.assertRaises(escalate.InvalidArgument):
                esc.tag(AGENT, "too late")
            with self.assertRaises(escalate.InvalidArgument):
                esc.refresh()
            with self.assertRaises(escalate.InvalidArgument):
                esc.history()
        with self.assertRaises(escalate.InvalidArgument):
            with db.batch():
                pass

    def test_close_inside_a_batch(self):
        db = populated_database()
        esc = db.get_by_ref("CRM-2")
        with self.assertRaises(escalate.InvalidArgument):
            with db.batch():
                esc.tag(AGENT, "in the batch")
                db.close()            # rolls the batch back ...
        self.assertEqual(esc.version, 2)   # ... and the object with it
        self.assertEqual(esc.tags, [])

    def test_an_escalation_keeps_its_database_alive(self):
        db = populated_database()
        db_ref = weakref.ref(db)
        esc = db.get_by_ref("CRM-2")
        del db
        gc.collect()
        self.assertIsNotNone(db_ref())
        esc.tag(AGENT, "still works")              # the database is still open
        self.assertEqual(esc.version, 3)
        esc_ref = weakref.ref(esc)
        del esc
        gc.collect()
        self.assertIsNone(esc_ref())
        self.assertIsNone(db_ref())

    def test_low_level_snapshot_outlives_every_wrapper(self):
        db = populated_database()
        esc = db.get_by_ref("CRM-1")
        snapshot = esc._snapshot
        low_db = db._low
        del esc, db
        gc.collect()
        low_db.close()
        del low_db
        gc.collect()
        self.assertEqual(escalate._escalate.esc_escalation_external_ref(snapshot), "CRM-1")
        self.assertGreater(escalate._escalate.esc_escalation_item_count(
            snapshot, escalate.ItemKind.NOTE), 0)


class TestDeletionOrders(unittest.TestCase):

    def test_every_order(self):
        names = ("db", "escalation", "listed", "events", "report")
        for order in itertools.permutations(names):
            with self.subTest(order=order):
                db = populated_database()
                objects = {
                    "db": db,
                    "escalation": db.get_by_ref("CRM-2"),
                    "listed": db.list(),
                    "events": db.history(db.get_by_ref("CRM-1")),
                    "report": db.verify(),
                }
                del db
                if order.index("db") % 2:
                    objects["db"].close()     # half the orders close first
                refs = [weakref.ref(objects["db"]), weakref.ref(objects["escalation"])]
                for name in order:
                    del objects[name]
                    gc.collect()
                    [repr(value) for value in objects.values()]   # the rest stays readable
                self.assertEqual([ref() for ref in refs], [None, None])

    def test_cycles_are_collected(self):
        db = populated_database()
        esc = db.get_by_ref("CRM-2")
        db.keep = [esc, db]          # db -> list -> esc -> db, and db -> list -> db
        refs = [weakref.ref(db), weakref.ref(esc)]
        del db, esc
        gc.collect()
        self.assertEqual([ref() for ref in refs], [None, None])


class TestCollectionsAtAwkwardMoments(unittest.TestCase):

    def test_collecting_while_an_error_is_raised(self):
        # With a collection at nearly every allocation, garbage databases
        # and snapshots (in cycles) are freed in the middle of raising
        # another call's error; the error must still be the right one.
        keeper = escalate.Database(":memory:", create=True)
        self.addCleanup(keeper.close)
        esc = keeper.open(AGENT, "summary", "cust")
        thresholds = gc.get_threshold()
        gc.set_threshold(1, 1, 1)
        try:
            for _ in range(100):
                garbage = escalate.Database(":memory:", create=True)
                garbage.cycle = [garbage, garbage.open(AGENT, "garbage", "cust")]
                del garbage
                with self.assertRaises(escalate.GuardNotMet) as caught:
                    esc.advance(AGENT)
                self.assertEqual(caught.exception.guard, escalate.Guard.CUSTOMER_NOTE)
                self.assertIn("cannot advance", str(caught.exception))
        finally:
            gc.set_threshold(*thresholds)


class TestInterpreterExit(unittest.TestCase):

    def test_exit_with_everything_alive(self):
        # Module globals, a cycle, callbacks, an open batch: all torn down by
        # the interpreter in whatever order it chooses.
        script = textwrap.dedent("""
            import escalate
            from escalate_testutil import AGENT, Clock, open_refund_case
            clock = Clock()
            db = escalate.Database(":memory:", create=True, clock=clock)
            db.on_event = lambda event: None
            esc = open_refund_case(db, "CRM-EXIT")
            listed = db.list()
            events = db.history(esc)
            db.cycle = [db, esc, listed]
            other = escalate.Database(":memory:", create=True)
            batch = other.batch()
            batch.__enter__()
            other.open(AGENT, "in an unfinished batch", "cust")
            print("alive", esc.version, len(listed), len(events))
        """)
        result = subprocess.run([sys.executable, "-c", script], capture_output=True,
                                text=True, cwd=os.path.dirname(os.path.abspath(__file__)),
                                timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), "alive 1 1 1")
        self.assertEqual(result.stderr, "")


if __name__ == "__main__":
    unittest.main()
