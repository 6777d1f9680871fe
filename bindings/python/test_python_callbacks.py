"""test_python_callbacks.py — Python callables where C takes callbacks: the
clock and the event hook.  An exception raised inside one reaches the
caller of the API call that triggered it (the clock's: nothing changed; the
hook's: after the commit); the references the C side keeps are released
exactly once, on replacement and on close."""

import gc
import os
import sys
import unittest
import weakref

import escalate
from escalate import Action, State
from escalate_testutil import AGENT, START, Clock, open_refund_case, scratch_dir


class Callable:
    """A callable that can be weakly referenced and counted."""

    def __init__(self, result=START):
        self.result = result
        self.calls = 0

    def __call__(self, *args):
        self.calls += 1
        return self.result


class CallbackCase(unittest.TestCase):

    def setUp(self):
        self.dir = scratch_dir(self.id().rsplit(".", 1)[-1])
        self.path = os.path.join(self.dir, "callbacks.db")
        self.clock = Clock()
        self.db = escalate.Database(self.path, create=True, clock=self.clock)
        self.addCleanup(self.db.close)

    def stored_version(self, esc):
        with escalate.Database(self.path) as reader:
            return reader.get(esc.id).version


class TestClock(CallbackCase):

    def test_a_raising_clock_raises_its_own_exception_and_changes_nothing(self):
        esc = open_refund_case(self.db)
        failure = ConnectionError("the time server is down")

        def broken():
            raise failure
        self.db.clock = broken
        try:
            esc.note(AGENT, "needs the time")
        except ConnectionError as caught:
            self.assertIs(caught, failure)
            tb = caught.__traceback__
        else:
            self.fail("the clock's exception did not reach the caller")
        # The traceback still shows where the clock failed.
        frames = []
        while tb is not None:
            frames.append(tb.tb_frame.f_code.co_name)
            tb = tb.tb_next
        self.assertIn("broken", frames)
        self.assertEqual(esc.version, 1)
        self.assertEqual(esc.notes, [])
        self.assertEqual(self.stored_version(esc), 1)
        with self.assertRaises(ConnectionError):
            self.db.now
        with self.assertRaises(ConnectionError):
            self.db.open(AGENT, "needs the time too", "cust")
        self.db.clock = self.clock
        self.assertEqual(len(self.db.list()), 1)
        esc.note(AGENT, "the clock is back")
        self.assertEqual(esc.version, 2)

    def test_bad_answers_from_the_clock(self):
        esc = open_refund_case(self.db)
        answers = [
            (START.replace(tzinfo=None), escalate.InvalidArgument),   # naive
            (-5, escalate.InvalidArgument),                           # before 1970
            ("09:14", TypeError),
            (None, TypeError),
            (True, TypeError),
            (2 ** 70, OverflowError),
        ]
        for answer, error in answers:
            with self.subTest(answer=answer):
                self.db.clock = lambda: answer
                with self.assertRaises(error):
                    esc.note(AGENT, "x")
                self.assertEqual(esc.version, 1)

    def test_the_clock_must_not_use_its_own_database(self):
        esc = open_refund_case(self.db)
        self.db.clock = lambda: self.db.now
        with self.assertRaises(escalate.InvalidArgument) as caught:
            esc.note(AGENT, "x")
        self.assertIn("must not use the database", str(caught.exception))
        self.assertEqual(esc.version, 1)

    def test_not_callable(self):
        with self.assertRaises(TypeError):
            self.db.clock = 1772442840000


class TestEventHook(CallbackCase):

    def test_sees_every_committed_event(self):
        seen = []
        self.db.on_event = seen.append
        esc = open_refund_case(self.db)
        with self.assertRaises(escalate.GuardNotMet):
            esc.advance(AGENT)                    # refused: nothing committed, nothing heard
        esc.note(AGENT, "account", customer_account=True)
        esc.advance(AGENT)
        self.assertEqual([(e.seq, e.action) for e in seen],
                         [(1, Action.OPEN), (2, Action.NOTE), (3, Action.ADVANCE)])
        self.assertEqual(seen, self.db.history(esc))
        self.assertEqual((seen[2].from_state, seen[2].to_state), (State.LISTEN, State.CLARIFY))
        self.assertEqual(seen[1].payload, {"text": "account", "customer_account": True})
        self.db.on_event = None
        esc.tag(AGENT, "quiet")
        self.assertEqual(len(seen), 3)

    def test_a_raising_hook_raises_after_the_commit(self):
        esc = open_refund_case(self.db)
        failure = RuntimeError("the notifier is down")

        def hook(event):
            raise failure
        self.db.on_event = hook
        with self.assertRaises(RuntimeError) as caught:
            esc.note(AGENT, "committed anyway")
        self.assertIs(caught.exception, failure)
        # The step took effect, and the object shows it.
        self.assertEqual(esc.version, 2)
        self.assertEqual(esc.notes[0].text, "committed anyway")
        self.assertEqual(self.stored_version(esc), 2)
        self.db.on_event = None
        esc.note(AGENT, "and the next step works")
        self.assertEqual(esc.version, 3)

    def test_a_raising_hook_on_open(self):
        self.db.on_event = lambda event: 1 / 0
        with self.assertRaises(ZeroDivisionError):
            open_refund_case(self.db, "CRM-77")
        self.db.on_event = None
        # The escalation was created; the exception only says the hook failed.
        self.assertEqual(self.db.get_by_ref("CRM-77").version, 1)

    def test_batch_events_arrive_at_commit_and_first_failure_wins(self):
        esc = open_refund_case(self.db)
        seen, unraisable = [], []

        def hook(event):
            seen.append(event.seq)
            raise ValueError(f"event {event.seq}")
        self.db.on_event = hook
        old_hook = sys.unraisablehook
        sys.unraisablehook = unraisable.append
        try:
            with self.assertRaises(ValueError) as caught:
                with self.db.batch():
                    esc.note(AGENT, "one")
                    esc.note(AGENT, "two")
                    esc.note(AGENT, "three")
                    self.assertEqual(seen, [])       # nothing before the commit
        finally:
            sys.unraisablehook = old_hook
        self.assertEqual(seen, [2, 3, 4])            # every event was delivered
        self.assertEqual(str(caught.exception), "event 2")
        self.assertEqual([str(u.exc_value) for u in unraisable], ["event 3", "event 4"])
        self.assertEqual((esc.version, self.stored_version(esc)), (4, 4))   # committed

    def test_no_events_from_a_rolled_back_batch(self):
        esc = open_refund_case(self.db)
        seen = []
        self.db.on_event = seen.append
        with self.assertRaises(KeyError):
            with self.db.batch():
                esc.note(AGENT, "never")
                raise KeyError("abandon")
        self.assertEqual(seen, [])

    def test_the_hook_must_not_use_its_own_database_but_may_use_another(self):
        esc = open_refund_case(self.db)
        reader = escalate.Database(self.path)
        self.addCleanup(reader.close)
        observed = []

        def hook(event):
            observed.append(reader.get(event.escalation_id).version)
            try:
                reader.get("00000000-0000-4000-8000-000000000000")
            except escalate.NotFound:
                pass                                  # handled inside: not the caller's
        self.db.on_event = hook
        esc.note(AGENT, "seen from another handle")
        self.assertEqual(observed, [2])
        for misbehaving in (lambda event: self.db.get(event.escalation_id),
                            lambda event: self.db.close(),
                            lambda event: setattr(self.db, "on_event", None)):
            self.db.on_event = misbehaving
            version = esc.version
            with self.assertRaises(escalate.InvalidArgument):
                esc.note(AGENT, "the hook misbehaves")
            self.assertEqual(esc.version, version + 1)     # the step itself is committed
            self.assertFalse(self.db.closed)


class TestReferences(unittest.TestCase):
    """The C side keeps one reference per installed callable and drops it
    exactly once: counts go back to where they were, never below."""

    def test_replacing_and_closing_release_the_callables(self):
        db = escalate.Database(":memory:", create=True)
        clock, hook = Callable(), Callable()
        base = sys.getrefcount(clock), sys.getrefcount(hook)
        db.clock, db.on_event = clock, hook
        self.assertGreater(sys.getrefcount(clock), base[0])
        self.assertGreater(sys.getrefcount(hook), base[1])
        db.open(AGENT, "summary", "cust")
        self.assertEqual((clock.calls > 0, hook.calls), (True, 1))
        for _ in range(100):                      # replaced again and again
            db.clock, db.on_event = clock, hook
        db.clock = db.on_event = None
        self.assertEqual((sys.getrefcount(clock), sys.getrefcount(hook)), base)
        db.clock, db.on_event = clock, hook
        db.close()
        self.assertEqual((sys.getrefcount(clock), sys.getrefcount(hook)), base)
        db.close()
        self.assertEqual((sys.getrefcount(clock), sys.getrefcount(hook)), base)

    def test_a_dropped_database_releases_them_too(self):
        clock, hook = Callable(), Callable()
        clock_ref, hook_ref = weakref.ref(clock), weakref.ref(hook)
        db = escalate.Database(":memory:", create=True, clock=clock)
        db.on_event = hook
        db_ref = weakref.ref(db)
        del clock, hook, db
        gc.collect()
        self.assertIsNone(db_ref())
        self.assertIsNone(clock_ref())
        self.assertIsNone(hook_ref())

    def test_a_callback_referring_to_its_database_does_not_keep_it_after_close(self):
        db = escalate.Database(":memory:", create=True)
        db.on_event = lambda event, db=db: None     # a cycle through the C side
        db_ref = weakref.ref(db)
        db.close()                                  # ...which close breaks
        del db
        gc.collect()
        self.assertIsNone(db_ref())


if __name__ == "__main__":
    unittest.main()
