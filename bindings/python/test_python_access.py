"""test_python_access.py — who may see and do what, from Python: a
confidential escalation opened by a supervisor on the host's Database; a
second Database acting for a tier-1 agent (Database(viewer=...)) that cannot
get it, list it, read its history or clocks, act on it (Guard.CONFIDENTIAL),
act as someone else or do the host's own work (verify, rebuild, sweep,
outbox, ack, stored definitions) — until the supervisor loops the agent in
as a watcher; the opener, higher tiers and the confidential tier; the hash
chain of the history; and the journal and sync options."""

import os
import re
import sqlite3
import unittest

import escalate
from escalate import Guard, Journal, Person, Sync
from escalate_testutil import AGENT, DAY, HOUR, SUPERVISOR, Clock, scratch_dir

#: A resolution target at every priority: both escalations are due.
POLICY = ("p1 resolution=1h; p2 resolution=1h; p3 resolution=1h; p4 resolution=1h; "
          "p5 resolution=1h")
LEADER = Person("lead-3", "Dana Whitfield", 3)
HEX64 = re.compile(r"[0-9a-f]{64}")


class AccessCase(unittest.TestCase):
    """The host's Database with a confidential escalation (opened by the
    supervisor) and a plain one, and a Database acting for the agent."""

    def setUp(self):
        self.dir = scratch_dir(self.id().rsplit(".", 1)[-1])
        self.path = os.path.join(self.dir, "access.db")
        self.clock = Clock()
        self.host = escalate.Database(self.path, create=True, clock=self.clock)
        self.addCleanup(self.host.close)
        self.host.policy_put("std", POLICY)
        self.secret = self.host.open(SUPERVISOR, "A board member's card was charged twice.",
                                     "cust-board", external_ref="T-SECRET", confidential=True,
                                     sla_policy="std")
        self.plain = self.host.open(SUPERVISOR, "My parcel is late.", "cust-1",
                                    external_ref="T-PLAIN", sla_policy="std")
        self.agent = self.acting_for(AGENT)

    def acting_for(self, person, **options):
        db = escalate.Database(self.path, clock=self.clock, viewer=person, **options)
        self.addCleanup(db.close)
        return db

    def assert_refused(self, call, guard=None):
        with self.assertRaises(escalate.NotAuthorized) as caught:
            call()
        error = caught.exception
        self.assertEqual(error.code, escalate.Status.EAUTHORITY)
        self.assertEqual(error.name, "ESC_EAUTHORITY")
        self.assertIsInstance(error, escalate.Refused)
        self.assertEqual(error.guard, guard)
        return error

    def assert_reads(self, db, visible):
        """Every read path, for the confidential escalation, as seen by db."""
        secret_id = self.secret.id
        if visible:
            self.assertEqual(db.get(secret_id).id, secret_id)
            self.assertEqual(db.get_by_ref("T-SECRET").id, secret_id)
            self.assertEqual(len(db.history(secret_id)), self.secret.version)
            self.assertEqual(db.sla(secret_id).resolution.state, escalate.SlaState.RUNNING)
        else:
            for call in (lambda: db.get(secret_id), lambda: db.get_by_ref("T-SECRET"),
                         lambda: db.history(secret_id), lambda: db.sla(secret_id)):
                error = self.assert_refused(call)
                self.assertIn("confidential", str(error))
        ids = {esc.id for esc in db.list()}
        self.assertEqual(secret_id in ids, visible)
        self.assertIn(self.plain.id, ids)
        self.assertEqual(len(db.list(customer="cust-board")), 1 if visible else 0)
        self.assertEqual(len(db.list(state=escalate.State.LISTEN)), 2 if visible else 1)
        self.assertEqual(len(list(db.iter_all(page_size=1))), 2 if visible else 1)
        self.assertEqual(len(db.due(before=self.clock.now + 10 * DAY)), 2 if visible else 1)
        self.assertEqual(db.get(self.plain.id).id, self.plain.id)   # always there


class TestConfidential(AccessCase):

    def test_the_host_sees_everything(self):
        self.assertIsNone(self.host.viewer)
        self.assertEqual(self.host.confidential_tier, escalate._escalate.ESC_CONFIDENTIAL_TIER_DEFAULT)
        self.assertTrue(self.secret.confidential)
        self.assertFalse(self.plain.confidential)
        self.assertEqual(self.secret.opened_by, SUPERVISOR.id)
        self.assert_reads(self.host, visible=True)

    def test_a_frontline_agent_cannot_get_list_or_read_it(self):
        self.assertEqual(self.agent.viewer, AGENT)
        self.assertEqual(self.agent.confidential_tier, 2)
        self.assert_reads(self.agent, visible=False)

    def test_nobody_below_the_tier_may_act_on_it(self):
        # On the host's own Database: the rule is about the actor.
        error = self.assert_refused(lambda: self.secret.note(AGENT, "Peeking."),
                                    Guard.CONFIDENTIAL)
        self.assertIn("confidential", str(error))
        self.assertEqual(self.secret.allowed(AGENT)[escalate.Action.NOTE], Guard.CONFIDENTIAL)
        self.assertIsNone(self.secret.allowed(SUPERVISOR)[escalate.Action.NOTE])
        # On the agent's Database, even with a snapshot the host handed over
        # (a host bug: the agent's Database never gives one out itself).
        smuggled = escalate.Escalation(self.agent, self.secret._snapshot.copy())
        self.assert_refused(lambda: smuggled.note(AGENT, "Peeking."), Guard.CONFIDENTIAL)
        self.assert_refused(lambda: self.agent.sla(smuggled))
        self.assertEqual(self.secret.version, 1)
        self.assertEqual(len(self.host.history(self.secret)), 1)
        self.assertEqual(Guard.CONFIDENTIAL.description,
                         escalate._escalate.esc_guard_description(Guard.CONFIDENTIAL))
        self.assertEqual(str(Guard.CONFIDENTIAL), "confidential")

    def test_a_watcher_sees_it(self):
        self.secret.loop_in(SUPERVISOR, AGENT, "watcher")
        # The same Database: visibility is judged at every read.
        self.assert_reads(self.agent, visible=True)
        mine = self.agent.get(self.secret.id)
        mine.note(AGENT, "Looking into it.")
        self.assertEqual(mine.version, 3)
        self.assertEqual(self.agent.history(mine)[-1].actor, AGENT)

    def test_the_opener_sees_their_own(self):
        own = self.agent.open(AGENT, "Sensitive too.", "cust-2", confidential=True)
        self.assertEqual(own.opened_by, AGENT.id)
        self.assertEqual(self.agent.get(own.id).id, own.id)
        own.note(AGENT, "Mine.")
        self.assertEqual({esc.id for esc in self.agent.list()}, {own.id, self.plain.id})

    def test_higher_tiers_and_the_confidential_tier(self):
        self.assert_reads(self.acting_for(SUPERVISOR), visible=True)
        self.assert_reads(self.acting_for(LEADER), visible=True)
        other = Person("sup-9", "Other Supervisor", 2)
        self.assert_reads(self.acting_for(other), visible=True)            # tier 2 by default
        raised = self.acting_for(other, confidential_tier=3)
        self.assertEqual(raised.confidential_tier, 3)
        self.assert_reads(raised, visible=False)
        self.assert_reads(self.acting_for(LEADER, confidential_tier=3), visible=True)
        # The opener still does, whatever the tier.
        self.assert_reads(self.acting_for(SUPERVISOR, confidential_tier=4), visible=True)


class TestViewer(AccessCase):

    def test_no_acting_as_someone_else(self):
        plain = self.agent.get(self.plain.id)
        self.assert_refused(lambda: plain.note(SUPERVISOR, "I am the supervisor now."))
        borrowed = Person(AGENT.id, AGENT.name, 4)      # the right id with a borrowed tier
        self.assert_refused(lambda: plain.note(borrowed, "Promoted myself."))
        self.assert_refused(lambda: self.agent.open(SUPERVISOR, "In someone else's name.",
                                                    "cust-2"))
        self.assertEqual(plain.version, 1)
        self.assertEqual(len(self.host.list()), 2)
        plain.note(AGENT, "As myself.")                 # fine
        self.assertEqual(plain.version, 2)

    def test_no_host_operations(self):
        self.clock.tick(DAY)                            # both are overdue now
        agent = self.agent
        for name, call in [
                ("verify", agent.verify),
                ("rebuild", agent.rebuild),
                ("sweep", agent.sweep),
                ("outbox", agent.outbox),
                ("ack", lambda: agent.ack(1)),
                ("calendar_put", lambda: agent.calendar_put("c", "tz=UTC; mon 09:00-17:00")),
                ("policy_put", lambda: agent.policy_put("std", "p1 resolution=1m"))]:
            with self.subTest(operation=name):
                error = self.assert_refused(call)
                self.assertIn("host", str(error))
        # None of it wrote anything: the host's own sweep still has it all to do.
        self.assertEqual(self.host.policy_get("std").version, 1)
        self.assertEqual(self.host.sweep().breaches, 2)
        self.assertEqual(len(self.host.outbox()), 2)

    def test_the_viewer_is_checked_and_kept(self):
        with self.assertRaises(escalate.InvalidArgument):
            escalate.Database(self.path, viewer=Person("x", "Nobody", 9))   # not on the ladder
        with self.assertRaises(escalate.InvalidArgument):
            escalate.Database(self.path, viewer=Person("", "Nobody", 1))
        with self.assertRaises(TypeError):
            escalate.Database(self.path, viewer="agt-117")
        with self.assertRaises(escalate.InvalidArgument):
            escalate.Database(self.path, confidential_tier=0)
        # A longer ladder comes first, so that a tier above 4 is on it.
        ladder = ["agent", "lead", "supervisor", "specialist", "manager", "director"]
        director = Person("dir-1", "Director", 6)
        db = self.acting_for(director, tiers=ladder, confidential_tier=6)
        self.assertEqual((db.viewer, db.tiers, db.confidential_tier), (director, ladder, 6))
        self.assert_reads(db, visible=True)
        # Plain tuples are people too.
        self.assertEqual(self.acting_for(tuple(AGENT)).viewer, AGENT)
        self.assertIsInstance(self.acting_for(tuple(AGENT)).viewer, Person)


class TestHashChain(AccessCase):

    def test_every_event_is_chained(self):
        heard = []
        self.host.on_event = lambda event: heard.append(event)
        secret = self.secret
        secret.note(SUPERVISOR, "The second charge is a duplicate.", customer_account=True)
        secret.advance(SUPERVISOR)
        secret.tag(SUPERVISOR, "board")
        events = self.host.history(secret)
        hashes = [event.hash for event in events]
        self.assertEqual(len(hashes), 4)
        for value in hashes:
            self.assertTrue(HEX64.fullmatch(value), value)
        self.assertEqual(len(set(hashes)), 4)           # chained: every link differs
        # The hook hears the same links the history keeps.
        self.assertEqual([event.hash for event in heard], hashes[1:])
        # Another escalation's chain is its own.
        self.assertNotIn(self.host.history(self.plain)[0].hash, hashes)
        # The row keeps the head of its chain.
        self.assertEqual(self.host.get(secret.id).chain_head, hashes[-1])
        self.assertTrue(self.host.verify().ok)

    def test_verify_finds_an_edited_event(self):
        self.secret.note(SUPERVISOR, "Original words.", customer_account=True)
        self.assertTrue(self.host.verify().ok)
        raw = sqlite3.connect(self.path)
        try:
            with self.assertRaises(sqlite3.IntegrityError):      # the file refuses edits...
                raw.execute("UPDATE events SET actor_name = 'Someone Else' "
                            "WHERE escalation_id = ? AND seq = 2", (self.secret.id,))
            # ...unless someone takes that away; the chain still tells.
            raw.executescript("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;")
            raw.execute("UPDATE events SET actor_name = 'Someone Else' "
                        "WHERE escalation_id = ? AND seq = 2", (self.secret.id,))
            raw.commit()
        finally:
            raw.close()
        report = self.host.verify()
        self.assertFalse(report.ok)
        self.assertEqual([m.escalation_id for m in report.mismatches], [self.secret.id])
        self.assertIn("hash", report.mismatches[0].what)


class TestOpeningOptions(unittest.TestCase):

    def setUp(self):
        self.dir = scratch_dir(self.id().rsplit(".", 1)[-1])
        self.path = os.path.join(self.dir, "durable.db")

    def journal_mode(self):
        raw = sqlite3.connect(self.path)
        try:
            return raw.execute("PRAGMA journal_mode").fetchone()[0]
        finally:
            raw.close()

    def test_rollback_journal_and_full_sync(self):
        with escalate.Database(self.path, create=True, journal=Journal.ROLLBACK,
                               sync=Sync.FULL) as db:
            esc = db.open(AGENT, "Charged twice.", "cust-1")
            esc.note(AGENT, "Refund to the closed card.", customer_account=True)
            esc.advance(AGENT)
            self.assertFalse(os.path.exists(self.path + "-wal"))
            self.assertTrue(db.verify().ok)
        self.assertEqual(self.journal_mode(), "delete")
        with escalate.Database(self.path, journal=Journal.ROLLBACK) as db:
            self.assertEqual(db.get(esc.id).version, 3)
        # The default is the write-ahead log, which a writable handle sets.
        with escalate.Database(self.path) as db:
            db.get(esc.id).tag(AGENT, "wal")
        self.assertEqual(self.journal_mode(), "wal")

    def test_the_choices(self):
        self.assertEqual([str(j) for j in Journal], ["wal", "rollback"])
        self.assertEqual([str(s) for s in Sync], ["normal", "full"])
        self.assertIs(Journal.from_name("rollback"), Journal.ROLLBACK)
        self.assertIs(Sync.from_name("FULL"), Sync.FULL)
        with self.assertRaises(TypeError):
            escalate.Database(self.path, create=True, journal="rollback")
        with self.assertRaises(TypeError):
            escalate.Database(self.path, create=True, sync=True)
        with self.assertRaises(escalate.InvalidArgument):
            escalate.Database(self.path, create=True, journal=7)
        with self.assertRaises(escalate.InvalidArgument):
            escalate.Database(self.path, create=True, sync=-1)
        self.assertFalse(os.path.exists(self.path))     # refused before opening


if __name__ == "__main__":
    unittest.main()
