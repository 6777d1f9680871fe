"""test_python_errors.py — every C status code surfaces as its own
escalate.Error subclass: first the whole table, through the same C path a
real failure takes (escb_python_fail records a failure as the glue does,
then the %exception raises it), then each failure the tests can provoke for
real."""

import os
import pickle
import sqlite3
import unittest

import escalate
from escalate import Guard
from escalate_testutil import AGENT, SUPERVISOR, Clock, c_status_codes, open_refund_case, scratch_dir

# Every code, its class, and the builtin exceptions it also is.
EXPECTED = {
    "ESC_EINVAL": (escalate.InvalidArgument, (ValueError,)),
    "ESC_ENOTFOUND": (escalate.NotFound, (LookupError,)),
    "ESC_ETRANSITION": (escalate.InvalidTransition, (escalate.Refused,)),
    "ESC_EGUARD": (escalate.GuardNotMet, (escalate.Refused,)),
    "ESC_ECONFLICT": (escalate.Conflict, ()),
    "ESC_EBUSY": (escalate.Busy, ()),
    "ESC_ECORRUPT": (escalate.Corrupt, ()),
    "ESC_ENOTADB": (escalate.NotADatabase, ()),
    "ESC_ESCHEMA": (escalate.SchemaTooNew, ()),
    "ESC_EIO": (escalate.IOFailure, (OSError,)),
    "ESC_EREADONLY": (escalate.ReadOnly, ()),
    "ESC_ENOMEM": (escalate.OutOfMemory, (MemoryError,)),
    "ESC_EFULL": (escalate.Full, ()),
    "ESC_EAUTHORITY": (escalate.NotAuthorized, (escalate.Refused,)),
    "ESC_EEXISTS": (escalate.AlreadyExists, ()),
    "ESC_EINTERNAL": (escalate.InternalError, ()),
    "ESC_ECALLBACK": (escalate.CallbackError, ()),
}


class TestEveryCode(unittest.TestCase):

    def test_table_covers_every_code_of_the_library(self):
        names = {escalate._escalate.esc_status_name(code) for code in c_status_codes()[1:]}
        self.assertEqual(names, set(EXPECTED))
        classes = [cls for cls, _ in EXPECTED.values()]
        self.assertEqual(len(set(classes)), len(classes), "two codes share a class")

    def test_each_code_raises_its_class(self):
        for code in c_status_codes()[1:]:
            name = escalate._escalate.esc_status_name(code)
            cls, also = EXPECTED[name]
            with self.subTest(code=name):
                with self.assertRaises(cls) as caught:
                    escalate._escalate.escb_python_fail(code, Guard.AUTHORITY, f"failed: {name}")
                error = caught.exception
                self.assertIs(type(error), cls)
                self.assertIsInstance(error, escalate.Error)
                for base in also:
                    self.assertIsInstance(error, base)
                self.assertEqual((error.code, error.name, str(error), error.message),
                                 (code, name, f"failed: {name}", f"failed: {name}"))
                self.assertEqual(cls.code, code)
                self.assertEqual(escalate.Status(code), code)
                self.assertIs(error.guard, Guard.AUTHORITY)
                copy = pickle.loads(pickle.dumps(error))   # multiprocessing sends them
                self.assertEqual((type(copy), copy.code, copy.guard, str(copy)),
                                 (cls, code, Guard.AUTHORITY, str(error)))

    def test_unknown_code_is_still_an_error(self):
        with self.assertRaises(escalate.Error) as caught:
            escalate._escalate.escb_python_fail(-999, 0, "from the future")
        self.assertIs(type(caught.exception), escalate.Error)
        self.assertEqual(caught.exception.code, -999)
        self.assertEqual(caught.exception.name, "ESC_UNKNOWN")
        self.assertIsNone(caught.exception.guard)

    def test_message_falls_back_to_the_code_description(self):
        with self.assertRaises(escalate.NotFound) as caught:
            escalate._escalate.escb_python_fail(escalate.Status.ENOTFOUND, 0, None)
        self.assertEqual(str(caught.exception), escalate.Status.ENOTFOUND.description)


class TestRealFailures(unittest.TestCase):
    """Each failure provoked the way a user would meet it."""

    def setUp(self):
        self.dir = scratch_dir(self.id().rsplit(".", 1)[-1])
        self.path = os.path.join(self.dir, "errors.db")
        self.clock = Clock()
        self.db = escalate.Database(self.path, create=True, clock=self.clock)
        self.addCleanup(self.db.close)
        self.esc = open_refund_case(self.db, "CRM-1")

    def assert_unchanged(self):
        self.assertEqual(self.db.get(self.esc.id).version, self.esc.version)

    def test_invalid_argument(self):
        with self.assertRaises(escalate.InvalidArgument) as caught:
            self.esc.reassess(AGENT, 9, 1)
        self.assertIn("impact", str(caught.exception))
        self.assertEqual(caught.exception.code, escalate.Status.EINVAL)
        with self.assertRaises(escalate.InvalidArgument):
            self.esc.note(AGENT, "")                   # required text may not be empty
        with self.assertRaises(escalate.InvalidArgument):
            self.esc.tag(AGENT, "x" * 257)             # short text: at most 256 bytes
        self.assert_unchanged()

    def test_not_found(self):
        with self.assertRaises(escalate.NotFound):
            self.db.get("00000000-0000-4000-8000-000000000000")
        with self.assertRaises(escalate.NotFound):
            self.db.get_by_ref("CRM-404")
        with self.assertRaises(LookupError):
            self.db.history("00000000-0000-4000-8000-000000000000")

    def test_invalid_transition_and_guard(self):
        with self.assertRaises(escalate.InvalidTransition) as caught:
            self.esc.record_resolution(AGENT, "too early")
        self.assertEqual(caught.exception.guard, Guard.STATE)
        with self.assertRaises(escalate.GuardNotMet) as caught:
            self.esc.advance(AGENT)
        self.assertEqual(caught.exception.guard, Guard.CUSTOMER_NOTE)
        self.assertEqual(caught.exception.name, "ESC_EGUARD")
        self.assert_unchanged()

    def test_conflict_between_two_database_objects(self):
        with escalate.Database(self.path, clock=self.clock) as other:
            stale = other.get(self.esc.id)
            self.esc.note(AGENT, "first writer")
            with self.assertRaises(escalate.Conflict):
                stale.note(AGENT, "second writer, stale")
            self.assertEqual(stale.version, 1)        # unchanged by the refusal
            stale.refresh()
            stale.note(AGENT, "second writer, fresh")
            self.assertEqual(stale.version, 3)

    def test_busy_while_another_handle_holds_a_batch(self):
        with escalate.Database(self.path, busy_timeout=0.05, clock=self.clock) as other:
            theirs = other.get(self.esc.id)
            with self.db.batch():
                self.esc.note(AGENT, "inside the batch")
                with self.assertRaises(escalate.Busy):
                    theirs.tag(AGENT, "blocked")
            theirs.refresh()
            self.assertEqual(theirs.version, 2)

    def test_not_a_database(self):
        path = os.path.join(self.dir, "notes.txt")
        with open(path, "w") as text:
            text.write("Call Helen back on Thursday.\n" * 100)
        for flags in ({}, {"create": True}, {"readonly": True}):
            with self.subTest(**flags), self.assertRaises(escalate.NotADatabase):
                escalate.Database(path, **flags)
        with open(path) as text:
            self.assertEqual(text.read(), "Call Helen back on Thursday.\n" * 100)

    def test_schema_too_new(self):
        path = os.path.join(self.dir, "future.db")
        escalate.Database(path, create=True).close()
        raw = sqlite3.connect(path)
        raw.execute("PRAGMA user_version = 99")
        raw.commit()
        raw.close()
        with self.assertRaises(escalate.SchemaTooNew):
            escalate.Database(path)

    def test_corrupt(self):
        # Our application id and a schema version, but none of our tables:
        # the file claims to be an escalate database and is not whole.
        path = os.path.join(self.dir, "damaged.db")
        raw = sqlite3.connect(path)
        raw.execute("PRAGMA application_id = 1163084609")
        raw.execute("PRAGMA user_version = 1")
        raw.commit()
        raw.close()
        with self.assertRaises((escalate.Corrupt, escalate.NotADatabase)) as caught:
            escalate.Database(path)
        self.assertIs(type(caught.exception), escalate.Corrupt,
                      "the library now calls this file not a database: pick another damage")

    def test_missing_file(self):
        with self.assertRaises(escalate.NotFound):
            escalate.Database(os.path.join(self.dir, "missing.db"))

    def test_read_only(self):
        with escalate.Database(self.path, readonly=True) as readonly:
            mine = readonly.get(self.esc.id)
            with self.assertRaises(escalate.ReadOnly):
                mine.note(AGENT, "no")
            with self.assertRaises(escalate.ReadOnly):
                readonly.open(AGENT, "no", "cust")
        self.assert_unchanged()

    def test_not_authorized(self):
        esc = self.esc
        esc.note(AGENT, "account", customer_account=True)
        esc.advance(AGENT)
        esc.state_problem(AGENT, "statement")
        esc.confirm_problem(AGENT)
        esc.request_exception(AGENT, "goodwill", "a month free", 3)
        with self.assertRaises(escalate.NotAuthorized) as caught:
            esc.decide_exception(SUPERVISOR, 1, approve=True)
        self.assertEqual(caught.exception.guard, Guard.AUTHORITY)
        self.assertIsInstance(caught.exception, escalate.Refused)
        self.assert_unchanged()

    def test_already_exists(self):
        with self.assertRaises(escalate.AlreadyExists):
            open_refund_case(self.db, "CRM-1")

    def test_callback_failure_raises_the_callbacks_own_exception(self):
        # ESC_ECALLBACK for real: the clock fails.  What reaches the caller
        # is the clock's exception, not CallbackError (test_python_callbacks).
        def broken():
            raise ArithmeticError("the clock is broken")
        self.db.clock = broken
        with self.assertRaises(ArithmeticError):
            self.esc.note(AGENT, "needs the time")
        self.db.clock = self.clock
        self.assert_unchanged()

    def test_closed_database(self):
        self.db.close()
        for act in (lambda: self.esc.note(AGENT, "x"), lambda: self.db.get(self.esc.id),
                    lambda: self.db.list(), lambda: self.esc.allowed(),
                    lambda: self.esc.refresh(), lambda: setattr(self.db, "clock", None)):
            with self.assertRaises(escalate.InvalidArgument):
                act()


if __name__ == "__main__":
    unittest.main()
