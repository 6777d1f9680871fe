"""test_python_lifecycle.py — the escalate module as a Python user meets it:
the refund case through every stage (a tier move, an approved exception),
the records it leaves (items, history, verify), "what can I do now?",
lists and paging, batches, settings (tiers, priority matrix), datetimes,
enums and context managers."""

import datetime
import os
import unittest

import escalate
from escalate import Action, Guard, Hold, ItemStatus, Order, Person, State
from escalate_testutil import (AGENT, BILLING, DAY, MINUTE, START, SUPERVISOR, UTC, Clock,
                               c_status_codes, open_refund_case, refund_lifecycle,
                               scratch_dir)


class DatabaseCase(unittest.TestCase):
    """A fresh file database with a hand-moved clock for every test."""

    def setUp(self):
        self.dir = scratch_dir(self.id().rsplit(".", 1)[-1])
        self.path = os.path.join(self.dir, "helpdesk.db")
        self.clock = Clock()
        self.db = escalate.Database(self.path, create=True, clock=self.clock)
        self.addCleanup(self.db.close)


class TestRefundLifecycle(DatabaseCase):

    def test_every_stage(self):
        seen = {}

        def check(stage, esc):
            seen[stage] = (esc.state, esc.tier, esc.version)

        esc = refund_lifecycle(self.db, self.clock, ref="CRM-58213", check=check)
        self.assertEqual(seen["opened"], (State.LISTEN, 1, 1))
        self.assertEqual(seen["clarify"][0], State.CLARIFY)
        self.assertEqual(seen["plan"][0], State.PLAN)
        self.assertEqual(seen["own"][:2], (State.OWN, 1))
        self.assertEqual(seen["moved"][:2], (State.LISTEN, 2))
        self.assertEqual(seen["follow_up"][0], State.FOLLOW_UP)
        self.assertEqual(seen["resolved"][0], State.RESOLVED)
        self.assertEqual(seen["closed"][0], State.CLOSED)
        # One version per step, in order.
        versions = [v for _, _, v in seen.values()]
        self.assertEqual(versions, sorted(versions))

        self.assertFalse(esc.is_open)
        self.assertEqual(esc.external_ref, "CRM-58213")
        self.assertEqual(esc.customer_name, "Helen Okafor")
        self.assertEqual(esc.owner_id, SUPERVISOR.id)
        self.assertEqual(esc.owner_name, SUPERVISOR.name)
        self.assertEqual(esc.priority, 3)   # matrix 4 for impact 1 x urgency 3, churn risk +1
        self.assertTrue(esc.churn_risk)
        self.assertFalse(esc.vip)
        self.assertEqual(esc.root_cause_category, "billing_system")
        self.assertEqual(esc.satisfaction, 4)
        self.assertEqual(esc.lessons, "Let agents refund to a verified new card.")
        self.assertEqual(esc.resolution, "Both charges refunded to the new card.")
        self.assertFalse(esc.unconfirmed)
        self.assertFalse(esc.withdrawn)
        self.assertFalse(esc.on_hold)
        self.assertIsNone(esc.hold_reason)
        self.assertEqual(esc.reopen_count, 0)

        # The snapshot the caller holds is the stored one.
        again = self.db.get_by_ref("CRM-58213")
        self.assertEqual((again.id, again.version, again.state),
                         (esc.id, esc.version, esc.state))
        self.assertTrue(self.db.verify().ok)

    def test_items_are_records(self):
        esc = refund_lifecycle(self.db, self.clock)
        notes = esc.notes
        self.assertEqual([n.number for n in notes], list(range(1, len(notes) + 1)))
        categories = [n.category for n in notes]
        self.assertIn("correction", categories)   # the "no" to the first statement
        self.assertIn("handover", categories)     # the tier move's brief
        handover = notes[categories.index("handover")]
        self.assertFalse(handover.customer_account)
        self.assertIn("What went wrong: The refund went to a closed card.", handover.text)
        self.assertEqual(notes[0].author_id, AGENT.id)
        self.assertTrue(notes[0].customer_account)

        self.assertEqual([e.text for e in esc.emotions], ["frustrated"])
        step, = esc.steps
        self.assertEqual(step.due, START + 2 * MINUTE + DAY)
        self.assertEqual([(o.text, o.chosen) for o in esc.options],
                         [("Refund to the new card (3-5 days)", True),
                          ("Account credit today", False)])
        watcher, = esc.watchers
        self.assertEqual((watcher.person_id, watcher.person_name, watcher.role),
                         (BILLING.id, BILLING.name, "billing"))
        self.assertEqual(watcher.person.id, BILLING.id)
        request, = esc.exceptions
        self.assertEqual(request.status, ItemStatus.APPROVED)
        self.assertFalse(request.pending)
        self.assertEqual((request.kind, request.min_tier, request.requested_by_id,
                          request.decided_by), ("refund_outside_policy", 2, AGENT.id,
                                                SUPERVISOR.id))
        self.assertEqual(request.decision_note, "Approved: closed card, skimming.")
        follow_up, = esc.follow_ups
        self.assertEqual((follow_up.status, follow_up.reached, follow_up.outcome),
                         (ItemStatus.DONE, True, "Both refunds arrived."))
        self.assertEqual([t.text for t in esc.tags], ["billing"])
        self.assertEqual(len(esc.updates), 1)
        for record in (notes[0], step, watcher, request, follow_up):
            self.assertEqual(record.created_at.tzinfo, UTC)
            with self.assertRaises(AttributeError):   # records are frozen
                record.number = 99

    def test_history_is_the_evidence(self):
        esc = refund_lifecycle(self.db, self.clock)
        events = self.db.history(esc)
        self.assertEqual(events, esc.history())
        self.assertEqual([e.seq for e in events], list(range(1, esc.version + 1)))
        self.assertEqual(events[0].action, Action.OPEN)
        self.assertEqual(events[0].actor, AGENT)
        self.assertEqual(events[0].at, START)
        self.assertEqual(events[0].payload["customer_id"], "cust-88412")
        self.assertEqual(events[-1].action, Action.CLOSE)
        self.assertEqual((events[-1].from_state, events[-1].to_state),
                         (State.RESOLVED, State.CLOSED))
        move = next(e for e in events if e.action is Action.MOVE_TIER)
        self.assertEqual((move.from_state, move.to_state), (State.OWN, State.LISTEN))
        self.assertEqual(move.actor.tier, 1)
        for earlier, later in zip(events, events[1:]):
            self.assertLessEqual(earlier.at, later.at)
            self.assertEqual(earlier.to_state, later.from_state)
        self.assertEqual(events[-1].at_ms, escalate.to_ms(events[-1].at))

    def test_refused_actions_change_nothing(self):
        esc = open_refund_case(self.db)
        cases = [
            (lambda: esc.advance(AGENT), escalate.GuardNotMet, Guard.CUSTOMER_NOTE),
            (lambda: esc.close(AGENT, "x", "y"), escalate.InvalidTransition, Guard.STATE),
        ]
        for act, error, guard in cases:
            with self.subTest(error=error.__name__):
                with self.assertRaises(error) as caught:
                    act()
                self.assertIsInstance(caught.exception, escalate.Refused)
                self.assertEqual(caught.exception.guard, guard)
                self.assertEqual((esc.version, esc.state), (1, State.LISTEN))
        self.assertEqual(len(self.db.history(esc)), 1)

    def test_reopen_and_withdraw(self):
        esc = refund_lifecycle(self.db, self.clock)
        other = open_refund_case(self.db, "CRM-2")
        other.withdraw(AGENT, "The customer sorted it with the bank.")
        self.assertEqual((other.state, other.withdrawn, other.resolution),
                         (State.CLOSED, True, "The customer sorted it with the bank."))
        with self.assertRaises(escalate.InvalidTransition):
            esc.reopen(SUPERVISOR, "closed cases stay closed")

    def test_unconfirmed_resolution_after_the_agreed_attempts(self):
        with escalate.Database(os.path.join(self.dir, "two.db"), create=True,
                               follow_up_attempts=2, clock=self.clock) as db:
            esc = open_refund_case(db)
            esc.note(AGENT, "my account", customer_account=True)
            esc.advance(AGENT)
            esc.state_problem(AGENT, "statement")
            esc.confirm_problem(AGENT)
            esc.add_step(AGENT, "step")
            esc.promise(AGENT, self.clock.now + DAY)
            esc.take_ownership(AGENT, AGENT)
            esc.record_resolution(AGENT, "done")
            with self.assertRaises(escalate.GuardNotMet) as caught:
                esc.confirm_resolved(AGENT, confirmed=False)
            self.assertEqual(caught.exception.guard, Guard.CUSTOMER_CONFIRMED)
            for number in (1, 2):
                esc.schedule_follow_up(AGENT, self.clock.now + MINUTE)
                esc.complete_follow_up(AGENT, number, reached=False, outcome="voicemail")
            # Recording a resolution the customer did not confirm needs tier 2.
            with self.assertRaises(escalate.NotAuthorized) as caught:
                esc.confirm_resolved(AGENT, confirmed=False)
            self.assertEqual(caught.exception.guard, Guard.AUTHORITY)
            esc.confirm_resolved(SUPERVISOR, confirmed=False)
            self.assertEqual((esc.state, esc.unconfirmed), (State.RESOLVED, True))


class TestWhatCanIDo(DatabaseCase):

    def test_allowed_follows_the_table(self):
        esc = open_refund_case(self.db)
        allowed = esc.allowed()
        self.assertNotIn(Action.OPEN, allowed)
        # OPEN and TIMER_FIRED are recorded by the library only.
        self.assertNotIn(Action.TIMER_FIRED, allowed)
        self.assertEqual(set(allowed), set(Action) - {Action.OPEN, Action.TIMER_FIRED})
        self.assertIsNone(allowed[Action.NOTE])
        self.assertEqual(allowed[Action.ADVANCE], Guard.CUSTOMER_NOTE)
        self.assertEqual(allowed[Action.CLOSE], Guard.STATE)
        self.assertEqual(allowed[Action.RESUME], Guard.ON_HOLD)
        esc.note(AGENT, "my account", customer_account=True)
        self.assertIsNone(esc.allowed()[Action.ADVANCE])

    def test_authority_is_judged_only_with_an_actor(self):
        esc = open_refund_case(self.db)
        esc.note(AGENT, "account", customer_account=True)
        esc.advance(AGENT)
        esc.state_problem(AGENT, "statement")
        esc.confirm_problem(AGENT)
        esc.request_exception(AGENT, "goodwill", "reason", 2)
        self.assertIsNone(esc.allowed()[Action.DECIDE_EXCEPTION])
        self.assertEqual(esc.allowed(AGENT)[Action.DECIDE_EXCEPTION], Guard.AUTHORITY)
        self.assertIsNone(esc.allowed(SUPERVISOR)[Action.DECIDE_EXCEPTION])
        self.assertIsNone(esc.allowed(("sup-9", "Tuple Person", 3))[Action.DECIDE_EXCEPTION])
        with self.assertRaises(escalate.NotAuthorized) as caught:
            esc.decide_exception(AGENT, 1, approve=True)
        self.assertEqual(caught.exception.guard, Guard.AUTHORITY)

    def test_generic_apply(self):
        esc = open_refund_case(self.db)
        esc.apply(Action.NOTE, AGENT, text="via apply", customer_account=True)
        esc.apply(Action.ADVANCE, AGENT)
        self.assertEqual(esc.state, State.CLARIFY)
        self.assertEqual(esc.notes[-1].text, "via apply")
        with self.assertRaises(TypeError):
            esc.apply(Action.NOTE, AGENT, txet="typo")


class TestListsAndPaging(DatabaseCase):

    def test_filters_and_order(self):
        low = self.db.open(AGENT, "low", "cust-1", impact=1, urgency=1)
        self.clock.tick()
        high = self.db.open(AGENT, "high", "cust-2", impact=4, urgency=4, vip=True)
        self.clock.tick()
        closed = self.db.open(AGENT, "closed", "cust-1")
        closed.withdraw(AGENT, "duplicate")
        high.tag(AGENT, "outage")
        self.assertEqual([e.id for e in self.db.list(open=True)], [high.id, low.id])
        self.assertEqual([e.id for e in self.db.list(open=False)], [closed.id])
        self.assertEqual({e.id for e in self.db.list(customer="cust-1")}, {low.id, closed.id})
        self.assertEqual([e.id for e in self.db.list(tag="outage")], [high.id])
        self.assertEqual([e.id for e in self.db.list(state=State.CLOSED)], [closed.id])
        self.assertEqual([e.id for e in self.db.list(priority=1)], [high.id])
        self.assertEqual([e.id for e in self.db.list(order=Order.CREATED)],
                         [low.id, high.id, closed.id])
        self.assertEqual(self.db.list(owner=AGENT), [])
        with self.assertRaises(escalate.InvalidArgument):
            self.db.list(limit=1001)

    def test_iter_all_pages_through_everything(self):
        opened = {self.db.open(AGENT, f"case {i}", f"cust-{i}").id for i in range(23)}
        self.assertEqual(len(self.db.list(limit=10)), 10)
        self.assertEqual({e.id for e in self.db.iter_all(page_size=5)}, opened)
        self.assertEqual(len(list(self.db.iter_all(page_size=23))), 23)
        self.assertEqual(len(list(self.db.iter_all(page_size=7, order=Order.CREATED))), 23)

    def test_due_order_is_what_is_due_first(self):
        later = open_refund_case(self.db, "A")
        sooner = open_refund_case(self.db, "B")
        for esc, promise in ((later, 3 * DAY), (sooner, DAY)):
            esc.note(AGENT, "account", customer_account=True)
            esc.advance(AGENT)
            esc.state_problem(AGENT, "statement")
            esc.confirm_problem(AGENT)
            esc.promise(AGENT, self.clock.now + promise)
        due = self.db.list(order=Order.DUE)
        self.assertEqual([e.external_ref for e in due], ["B", "A"])
        self.assertEqual(due[0].due_at, self.clock.now + DAY)
        self.assertEqual(due[0].due_at_ms, escalate.to_ms(self.clock.now + DAY))


class TestBatches(DatabaseCase):

    def test_commit_on_success(self):
        esc = open_refund_case(self.db)
        with self.db.batch() as db:
            self.assertIs(db, self.db)
            esc.note(AGENT, "one")
            esc.note(AGENT, "two")
        self.assertEqual(self.db.get(esc.id).version, 3)

    def test_rollback_on_exception_restores_the_objects(self):
        esc = open_refund_case(self.db)
        with self.assertRaises(KeyError):
            with self.db.batch():
                esc.note(AGENT, "one")
                esc.tag(AGENT, "lost")
                self.assertEqual(esc.version, 3)
                raise KeyError("abandon")
        self.assertEqual(esc.version, 1)       # the object is as before the batch
        self.assertEqual(esc.tags, [])
        self.assertEqual(self.db.get(esc.id).version, 1)
        esc.note(AGENT, "after")               # and is usable: no Conflict
        self.assertEqual(esc.version, 2)

    def test_batches_do_not_nest(self):
        with self.db.batch():
            with self.assertRaises(escalate.InvalidArgument):
                with self.db.batch():
                    pass


class TestSettings(DatabaseCase):

    def test_tiers(self):
        self.assertEqual(self.db.tiers, ["frontline", "supervisor", "specialist", "leadership"])
        self.db.tiers = ["agent", "lead"]
        self.assertEqual(self.db.tiers, ["agent", "lead"])
        for bad in ([], ["a\nb"], [""], ["t"] * 17):
            with self.subTest(names=bad), self.assertRaises(escalate.InvalidArgument):
                self.db.tiers = bad
        self.assertEqual(self.db.tiers, ["agent", "lead"])
        self.db.tiers = None
        self.assertEqual(len(self.db.tiers), 4)

    def test_priority_matrix(self):
        default = self.db.priority_matrix
        self.assertEqual(default[0], (5, 5, 4, 3))
        self.assertEqual(self.db.priority(1, 3), 4)
        self.assertEqual(self.db.priority(1, 3, vip=True, churn_risk=True), 3)
        flat = [[2] * 4 for _ in range(4)]
        self.db.set_priority_matrix(flat)
        self.assertEqual(self.db.priority_matrix, tuple(tuple(row) for row in flat))
        self.assertEqual(self.db.open(AGENT, "s", "c").priority, 2)
        for bad in ([[1] * 4] * 3, [[0] * 4] * 4, [[6] * 4] * 4):
            with self.subTest(matrix=bad), self.assertRaises(escalate.InvalidArgument):
                self.db.set_priority_matrix(bad)
        self.assertEqual(self.db.priority_matrix, tuple(tuple(row) for row in flat))
        self.db.set_priority_matrix(None)
        self.assertEqual(self.db.priority_matrix, default)
        with self.assertRaises(escalate.InvalidArgument):
            self.db.priority(0, 5)

    def test_reassess_and_hold(self):
        esc = open_refund_case(self.db)
        esc.reassess(AGENT, 4, 4, vip=True)
        self.assertEqual((esc.impact, esc.urgency, esc.vip, esc.priority), (4, 4, True, 1))
        esc.hold(AGENT, "Waiting for the statement.")
        self.assertEqual((esc.on_hold, esc.hold_kind, esc.hold_since),
                         (True, Hold.CUSTOMER, self.clock.now))
        esc.resume(AGENT)
        self.assertFalse(esc.on_hold)
        self.assertIsNone(esc.hold_since)

    def test_verify_and_rebuild(self):
        refund_lifecycle(self.db, self.clock)
        report = self.db.verify()
        self.assertTrue(report.ok)
        self.assertEqual((report.escalations, report.events), (1, 32))
        self.assertEqual(self.db.rebuild(), 1)
        import sqlite3
        raw = sqlite3.connect(self.path)
        raw.execute("UPDATE escalations SET priority = 5")
        raw.commit()
        raw.close()
        report = self.db.verify()
        self.assertFalse(report.ok)
        self.assertIn("priority", report.mismatches[0].what)
        self.db.rebuild()
        self.assertTrue(self.db.verify().ok)

    def test_schema_and_now(self):
        self.assertEqual(self.db.schema_version, 4)
        self.assertEqual(self.db.now, START)
        self.assertEqual(self.db.now_ms, escalate.to_ms(START))


class TestTimes(DatabaseCase):

    def test_aware_datetimes_in_any_zone(self):
        esc = open_refund_case(self.db)
        self.assertEqual(esc.created_at, START)
        self.assertEqual(esc.created_at.tzinfo, UTC)
        self.assertEqual(esc.created_at_ms, 1772442840000)
        tokyo = datetime.timezone(datetime.timedelta(hours=9))
        esc.note(AGENT, "a", customer_account=True)
        esc.advance(AGENT)
        esc.state_problem(AGENT, "s")
        esc.confirm_problem(AGENT)
        when = (START + DAY).astimezone(tokyo)
        esc.promise(AGENT, when)
        self.assertEqual(esc.promised_at, START + DAY)   # same instant, given back in UTC
        self.assertEqual(esc.promised_at.tzinfo, UTC)
        esc.promise(AGENT, escalate.to_ms(START + 2 * DAY))   # int milliseconds
        self.assertEqual(esc.promised_at, START + 2 * DAY)
        self.assertEqual(esc.promised_at_ms, escalate.to_ms(START + 2 * DAY))

    def test_naive_datetimes_are_refused(self):
        esc = open_refund_case(self.db)
        naive = datetime.datetime(2026, 3, 5, 12, 0)
        with self.assertRaises(escalate.InvalidArgument) as caught:
            esc.add_step(AGENT, "step", due=naive)
        self.assertIsInstance(caught.exception, ValueError)
        self.assertIn("naive", str(caught.exception))
        for bad in (1.5, "2026-03-05", datetime.date(2026, 3, 5), True):
            with self.subTest(value=bad), self.assertRaises(TypeError):
                escalate.to_ms(bad)
        self.assertEqual(esc.version, 1)

    def test_conversions_round_trip(self):
        for ms in (0, 1, 1772442840123, -1000):
            self.assertEqual(escalate.to_ms(escalate.to_datetime(ms)), ms)
        self.assertEqual(escalate.to_datetime(0),
                         datetime.datetime(1970, 1, 1, tzinfo=UTC))
        # Sub-millisecond parts are dropped, not rounded into the future.
        self.assertEqual(escalate.to_ms(START + datetime.timedelta(microseconds=999)),
                         escalate.to_ms(START))

    def test_clock_may_answer_in_milliseconds(self):
        self.db.clock = lambda: 1772442840000
        self.assertEqual(self.db.now, START)
        self.db.clock = None            # the system clock again
        self.assertGreater(self.db.now.year, 2000)
        self.assertIsNone(self.db.clock)


class TestEnumsAndRecords(unittest.TestCase):

    def test_enums_mirror_the_c_names(self):
        low = escalate._escalate
        tables = [
            (State, low.esc_state_name, low.ESC_STATE_COUNT),
            (Action, low.esc_action_name, low.ESC_ACTION_COUNT),
            (Guard, low.esc_guard_name, low.ESC_GUARD_COUNT),
            (escalate.Channel, low.esc_channel_name, low.ESC_CHANNEL_COUNT),
            (Hold, low.esc_hold_name, low.ESC_HOLD_COUNT),
            (escalate.ItemKind, low.esc_item_kind_name, low.ESC_ITEM_KIND_COUNT),
        ]
        for enum, c_name, count in tables:
            with self.subTest(enum=enum.__name__):
                self.assertEqual(len(enum), count)
                for value in range(count):
                    self.assertEqual(str(enum(value)), c_name(value))
                    self.assertIs(enum.from_name(c_name(value)), enum(value))
        statuses = c_status_codes()
        self.assertEqual(len(escalate.Status), len(statuses))
        for code in statuses:
            self.assertEqual(str(escalate.Status(code)), low.esc_status_name(code))
        self.assertEqual(f"{State.FOLLOW_UP}", "follow_up")
        self.assertEqual(f"{State.OWN:>5}", "  own")
        self.assertEqual(State.PLAN, 2)            # IntEnum: compares with ints
        self.assertIn("customer", Guard.CUSTOMER_NOTE.description)
        with self.assertRaises(escalate.InvalidArgument):
            State.from_name("limbo")

    def test_person_accepts_tuples(self):
        self.assertEqual(Person("a", "b"), ("a", "b", 1))
        with escalate.Database(":memory:", create=True) as db:
            esc = db.open(("agt-1", "Tuple Agent", 1), "summary", "cust")
            esc.loop_in(("agt-1", "Tuple Agent"), ("bil-1", "Billing"), "billing")
            self.assertEqual(esc.watchers[0].person_name, "Billing")
            with self.assertRaises(TypeError):
                esc.note("agt-1", "an actor must be a Person")

    def test_text_is_checked_on_the_way_in(self):
        with escalate.Database(":memory:", create=True) as db:
            esc = db.open(AGENT, "summary", "cust")
            for bad in ("cut\0here", "lone \udc80 surrogate"):
                with self.subTest(text=bad), self.assertRaises(escalate.InvalidArgument):
                    esc.note(AGENT, bad)
            with self.assertRaises(TypeError):
                esc.note(AGENT, b"bytes")
            esc.note(AGENT, "Ünïcödé ✓ — fine")
            self.assertEqual(esc.notes[0].text, "Ünïcödé ✓ — fine")
            self.assertEqual(esc.version, 2)


class TestContextManagers(unittest.TestCase):

    def test_database_closes_on_exit_and_twice_is_fine(self):
        with escalate.Database(":memory:", create=True) as db:
            esc = db.open(AGENT, "summary", "cust")
            self.assertFalse(db.closed)
        self.assertTrue(db.closed)
        db.close()
        db.close()
        self.assertIn("closed", repr(db))
        with self.assertRaises(escalate.InvalidArgument):
            esc.note(AGENT, "after close")
        with self.assertRaises(escalate.InvalidArgument):
            db.now
        self.assertEqual(esc.summary, "summary")     # the snapshot stays readable

    def test_closes_on_exception_too(self):
        with self.assertRaises(RuntimeError):
            with escalate.Database(":memory:", create=True) as db:
                raise RuntimeError("boom")
        self.assertTrue(db.closed)

    def test_readonly_and_file_mode(self):
        directory = scratch_dir("readonly")
        path = os.path.join(directory, "modes.db")
        with escalate.Database(path, create=True, file_mode=0o640) as db:
            esc_id = db.open(AGENT, "summary", "cust").id
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o640)
        with escalate.Database(path, readonly=True, busy_timeout=0.5) as db:
            esc = db.get(esc_id)
            with self.assertRaises(escalate.ReadOnly):
                esc.note(AGENT, "no")
        with escalate.Database(path, busy_timeout=datetime.timedelta(seconds=1)) as db:
            self.assertEqual(db.get(esc_id).version, 1)
        with self.assertRaises(escalate.InvalidArgument):
            escalate.Database(path, busy_timeout=-1)


if __name__ == "__main__":
    unittest.main()
