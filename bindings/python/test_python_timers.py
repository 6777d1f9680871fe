"""test_python_timers.py — SLA policies and timers from Python: the text
form both ways (and by hand), stored calendars and policies (a new version
only on change), an escalation opened with a policy on Friday 16:30 in
Berlin whose 8 business hours run over a weekend and a Monday holiday, what
is due before and at its deadline, the sweep that fires the breach once,
the outbox and its acknowledgement, and the errors of bad input."""

import datetime
import os
import unittest

import escalate
from escalate import Action, Hold, Policy, Rule, SlaState, SlaTarget
from escalate_testutil import AGENT, HOUR, MINUTE, UTC, Clock, scratch_dir

BERLIN = "tz=Europe/Berlin; mon-fri 09:00-17:00; holiday 2026-03-09"
STANDARD = "p2 resolution=8h; p3 resolution=8h; p4 resolution=8h"
#: Friday 6 March 2026, 16:30 in Berlin (UTC+1): half an hour before closing.
OPENED = datetime.datetime(2026, 3, 6, 15, 30, tzinfo=UTC)
#: Tuesday 10 March, 16:30 in Berlin: 0.5 h on Friday, Monday a holiday,
#: 7.5 h on Tuesday.
DEADLINE = datetime.datetime(2026, 3, 10, 15, 30, tzinfo=UTC)
ONE_MS = datetime.timedelta(milliseconds=1)

FULL = ("calendar=[tz=Europe/Berlin; mon-fri 09:00-17:00]; "
        "p1 first_response=30m update=2h resolution=8h; p2 resolution=1h30m; "
        "warn=75,90; pause=customer; "
        "rule resolution breach tier=1 move_up watch=lead-7; "
        "rule resolution warn=90 after=1h repeat=3 every=30m raise")


class PolicyTest(unittest.TestCase):

    def test_parse_and_format_round_trip(self):
        policy = Policy.parse(FULL)
        text = policy.format()
        self.assertEqual(str(policy), text)
        self.assertEqual(policy.spec, text)
        self.assertEqual(Policy.parse(text).format(), text)     # canonical
        self.assertEqual(Policy.parse(text), policy)
        self.assertEqual(eval(repr(policy), {"Policy": Policy}), policy)
        self.assertEqual(policy.target(1, SlaTarget.FIRST_RESPONSE), 30 * MINUTE)
        self.assertEqual(policy.target(2, SlaTarget.RESOLUTION), 90 * MINUTE)
        self.assertIsNone(policy.target(3, SlaTarget.RESOLUTION))
        self.assertEqual(policy.targets, {
            1: {SlaTarget.FIRST_RESPONSE: 30 * MINUTE, SlaTarget.UPDATE: 2 * HOUR,
                SlaTarget.RESOLUTION: 8 * HOUR},
            2: {SlaTarget.RESOLUTION: 90 * MINUTE},
        })
        self.assertEqual(policy.warnings, (75, 90))
        self.assertTrue(policy.pauses(Hold.CUSTOMER))
        self.assertFalse(policy.pauses(Hold.THIRD_PARTY))
        self.assertEqual(policy.rules, [
            Rule(SlaTarget.RESOLUTION, tier=1, move_up=True, watcher_id="lead-7"),
            Rule(SlaTarget.RESOLUTION, warning_percent=90, after=HOUR, repeat=3,
                 every=30 * MINUTE, raise_priority=True),
        ])
        self.assertEqual(policy.calendar.tz_name, "Europe/Berlin")
        self.assertEqual(str(SlaTarget.FIRST_RESPONSE), "first_response")
        self.assertIs(SlaState.from_name("running"), SlaState.RUNNING)

    def test_built_by_hand_equals_parsed(self):
        policy = Policy(escalate.Calendar("tz=Europe/Berlin; mon-fri 09:00-17:00"))
        policy.set_target(1, SlaTarget.FIRST_RESPONSE, 30 * MINUTE)
        policy.set_target(1, SlaTarget.UPDATE, 2 * HOUR)
        policy.set_target(1, SlaTarget.RESOLUTION, 8 * HOUR)
        policy.set_target(2, SlaTarget.RESOLUTION, 90 * MINUTE)
        policy.set_target(3, SlaTarget.RESOLUTION, HOUR)
        policy.set_target(3, SlaTarget.RESOLUTION, None)             # removed again
        policy.warnings = [75, 90]
        policy.set_pause(Hold.THIRD_PARTY, False)
        policy.add_rule(tier=1, move_up=True, watcher_id="lead-7")
        policy.add_rule(Rule(warning_percent=90, after=HOUR, repeat=3, every=30 * MINUTE,
                             raise_priority=True))
        self.assertEqual(policy, Policy.parse(FULL))
        self.assertEqual(policy.copy(), policy)
        wall = Policy()
        self.assertIsNone(wall.calendar)
        self.assertIn("calendar=wall", str(wall))
        self.assertEqual(wall.targets, {})
        self.assertEqual(wall.rules, [])
        # Policy(spec) takes the calendar's text form too.
        self.assertEqual(Policy(BERLIN).calendar.spec, escalate.Calendar(BERLIN).spec)

    def test_bad_policies(self):
        with self.assertRaises(escalate.InvalidArgument) as caught:
            Policy.parse("p2 resolution=8hours")
        self.assertIn("8hours", str(caught.exception))
        with self.assertRaises(escalate.InvalidArgument):
            Policy.parse("p9 resolution=8h")
        with self.assertRaises(escalate.InvalidArgument):
            Policy.parse("warn=90; rule resolution warn=50")            # not a warning
        with self.assertRaises(escalate.NotFound):
            Policy.parse("calendar=[tz=Mars/Olympus_Mons; mon-fri 09:00-17:00]")
        with self.assertRaises(escalate.InvalidArgument):
            Policy("tz=UTC")                                             # no working hours
        with self.assertRaises(TypeError):
            Policy.parse(None)
        policy = Policy.parse("p2 resolution=8h; warn=75")
        with self.assertRaises(escalate.InvalidArgument):
            policy.set_target(6, SlaTarget.RESOLUTION, HOUR)
        with self.assertRaises(TypeError):
            policy.set_target(2, SlaTarget.RESOLUTION, 3600000)          # not a timedelta
        with self.assertRaises(escalate.InvalidArgument):
            policy.warnings = (90, 75)                                  # not ascending
        with self.assertRaises(escalate.InvalidArgument):
            policy.add_rule(warning_percent=50)
        with self.assertRaises(escalate.InvalidArgument):
            policy.add_rule(repeat=2)                                   # every is missing
        with self.assertRaises(TypeError):
            policy.add_rule(Rule(), tier=1)
        self.assertEqual(policy, Policy.parse("p2 resolution=8h; warn=75"))   # unchanged


class TimersCase(unittest.TestCase):
    """A fresh file database whose clock stands at OPENED, with the Berlin
    calendar and the standard policy stored."""

    def setUp(self):
        self.dir = scratch_dir(self.id().rsplit(".", 1)[-1])
        self.clock = Clock(OPENED)
        self.db = escalate.Database(os.path.join(self.dir, "timers.db"), create=True,
                                    clock=self.clock)
        self.addCleanup(self.db.close)
        self.db.calendar_put("berlin", BERLIN)
        self.db.policy_put("std", STANDARD, calendar="berlin")

    def open_case(self, **extra):
        # impact 2, urgency 3: priority 3, which the policy has a target for.
        return self.db.open(AGENT, "Charged twice, refund never arrived.", "cust-88412",
                            impact=2, urgency=3, **extra)


class StoredDefinitionsTest(TimersCase):

    def test_versions_only_on_change(self):
        first = self.db.calendar_get("berlin")
        self.assertEqual((first.name, first.version, first.calendar), ("berlin", 1, None))
        self.assertEqual(first.created_at, OPENED)
        self.assertEqual(escalate.Calendar(first.spec).spec, escalate.Calendar(BERLIN).spec)
        self.clock.tick()
        # The same calendar, however written: no new version.
        self.assertEqual(self.db.calendar_put("berlin", escalate.Calendar(BERLIN)).version, 1)
        self.assertEqual(self.db.calendar_put("berlin", BERLIN.replace("; ", ";   ")).version, 1)
        changed = self.db.calendar_put("berlin", BERLIN + "; holiday 2026-04-03")
        self.assertEqual(changed.version, 2)
        self.assertEqual(changed.created_at, OPENED + MINUTE)
        self.assertEqual(self.db.calendar_get("berlin").version, 2)
        self.assertEqual(self.db.calendar_get("berlin", 1), first)

        policy = self.db.policy_get("std")
        self.assertEqual((policy.name, policy.version, policy.calendar), ("std", 1, "berlin"))
        self.assertEqual(Policy.parse(policy.spec), Policy.parse(STANDARD))
        self.assertEqual(self.db.policy_put("std", STANDARD, calendar="berlin").version, 1)
        # A Policy object in wall time, stored with a stored calendar.
        self.assertEqual(self.db.policy_put("std", Policy.parse(STANDARD),
                                            calendar="berlin").version, 1)
        self.assertEqual(self.db.policy_put("std", STANDARD + "; warn=75",
                                            calendar="berlin").version, 2)
        self.assertEqual(self.db.policy_get("std", 1).version, 1)

        loaded = self.db.policy_load("std")
        self.assertEqual(loaded.warnings, (75,))
        self.assertEqual(loaded.target(3, SlaTarget.RESOLUTION), 8 * HOUR)
        self.assertEqual(loaded.calendar.spec, escalate.Calendar(changed.spec).spec)


class DeadlineTest(TimersCase):

    def test_eight_hours_over_weekend_and_holiday(self):
        esc = self.open_case(sla_policy="std")
        self.assertEqual(esc.priority, 3)
        self.assertEqual(esc.sla_policy, "std")
        self.assertEqual(esc.sla_deadline(SlaTarget.RESOLUTION), DEADLINE)
        self.assertEqual(esc.sla_deadline(), DEADLINE)
        self.assertIsNone(esc.sla_deadline(SlaTarget.FIRST_RESPONSE))
        self.assertIsNone(esc.sla_met_at())
        self.assertIsNone(esc.sla_margin())
        self.assertEqual(esc.next_timer_at, DEADLINE)
        self.assertEqual(esc.next_timer_at_ms, escalate.to_ms(DEADLINE))

        clocks = esc.sla()                      # at the database's now: OPENED
        self.assertEqual((clocks.now, clocks.priority), (OPENED, 3))
        resolution = clocks.resolution
        self.assertIs(clocks[SlaTarget.RESOLUTION], resolution)
        self.assertEqual(resolution.state, SlaState.RUNNING)
        self.assertIsInstance(resolution.state, SlaState)
        self.assertTrue(resolution.applies)
        self.assertEqual(resolution.deadline, DEADLINE)
        self.assertEqual(resolution.deadline.tzinfo, UTC)
        self.assertEqual(resolution.duration, 8 * HOUR)
        self.assertEqual(resolution.elapsed, datetime.timedelta(0))
        self.assertEqual(resolution.margin, 8 * HOUR)
        self.assertFalse(resolution.breached or resolution.paused or resolution.met)
        self.assertIsNone(resolution.met_at)
        self.assertIsNone(resolution.next_warning)
        self.assertEqual(clocks.first_response.state, SlaState.NONE)
        self.assertIsNone(clocks.first_response.deadline)
        self.assertEqual([clock.target for clock in clocks], list(SlaTarget))
        self.assertFalse(clocks.breached)

        # An hour later it is 17:30 in Berlin: half an hour counted.
        later = self.db.sla(esc.id, OPENED + HOUR)
        self.assertEqual(later.resolution.elapsed, 30 * MINUTE)
        self.assertEqual(later.resolution.margin, 7 * HOUR + 30 * MINUTE)
        self.assertEqual(later.resolution.deadline, DEADLINE)
        # The policy in effect, evaluated by hand, agrees; so do int ms.
        by_hand = self.db.policy_load("std").evaluate(esc, escalate.to_ms(OPENED + HOUR))
        self.assertEqual(by_hand.resolution.deadline, DEADLINE)
        self.assertEqual(by_hand.resolution.elapsed, 30 * MINUTE)
        self.assertEqual(self.db.sla(esc, DEADLINE).resolution.breached, True)

    def test_warnings_and_clock_instants(self):
        self.db.policy_put("warned", STANDARD + "; warn=50", calendar="berlin")
        esc = self.open_case(sla_policy="warned")
        clocks = esc.sla()
        # 4 business hours: Friday's half hour, then Tuesday 09:00 + 3.5 h.
        halfway = datetime.datetime(2026, 3, 10, 11, 30, tzinfo=UTC)
        self.assertEqual(clocks.resolution.next_warning, halfway)
        self.assertEqual(clocks.resolution.next_warning_percent, 50)
        self.assertEqual(clocks.warning_at(SlaTarget.RESOLUTION, 0), halfway)
        self.assertIsNone(clocks.warning_at(SlaTarget.RESOLUTION, 5))
        self.assertEqual(esc.next_timer_at, halfway)


class SweepTest(TimersCase):

    def test_due_sweep_outbox(self):
        esc = self.open_case(sla_policy="std")
        plain = self.open_case()                   # no policy: no timers
        self.assertIsNone(plain.sla_policy)
        self.assertIsNone(plain.next_timer_at)
        self.assertEqual(self.db.due(before=DEADLINE - ONE_MS), [])
        due = self.db.due(before=DEADLINE)
        self.assertEqual([row.id for row in due], [esc.id])
        self.assertEqual(due[0].next_timer_at, DEADLINE)
        self.assertEqual(self.db.due(before=DEADLINE, limit=1)[0].id, esc.id)

        heard = []
        self.db.on_event = heard.append
        stats = self.db.sweep(now=DEADLINE)
        self.assertIsInstance(stats, escalate.SweepStats)
        self.assertEqual((stats.escalations, stats.firings, stats.breaches, stats.warnings,
                          stats.busy), (1, 1, 1, 0, 0))
        self.assertEqual(stats.firings, stats.warnings + stats.breaches + stats.reminders
                         + stats.rules)
        self.assertEqual([event.action for event in heard], [Action.TIMER_FIRED])
        self.assertEqual(heard[0].escalation_id, esc.id)

        again = self.db.sweep(now=DEADLINE)        # nothing fires twice
        self.assertEqual(again.firings, 0)
        self.assertEqual(len(heard), 1)
        self.assertEqual(self.db.due(before=DEADLINE), [])

        entries = self.db.outbox()
        self.assertEqual(len(entries), 1)
        entry = entries[0]
        self.assertEqual((entry.kind, entry.escalation_id, entry.seq),
                         ("sla_breach", esc.id, heard[0].seq))
        self.assertEqual((entry.due_at, entry.fired_at), (DEADLINE, DEADLINE))
        self.assertIsInstance(entry.payload, dict)
        self.assertEqual(entry.payload["kind"], "sla_breach")
        self.assertEqual(entry.payload["escalation_id"], esc.id)
        self.assertEqual(self.db.outbox(limit=10), entries)    # until acknowledged

        esc.refresh()
        self.assertEqual(esc.history()[-1].action, Action.TIMER_FIRED)
        self.assertTrue(esc.sla(DEADLINE).resolution.breached)
        self.assertNotIn(Action.TIMER_FIRED, esc.allowed())

        self.db.ack(entry)
        self.assertEqual(self.db.outbox(), [])
        self.db.ack(entry.id)                      # twice is fine


    def test_hook_raising_during_a_sweep(self):
        esc = self.open_case(sla_policy="std")

        def hook(event):
            raise RuntimeError("pager is down")

        self.db.on_event = hook
        with self.assertRaisesRegex(RuntimeError, "pager is down"):
            self.db.sweep(now=DEADLINE)
        # The firing was committed before the hook ran: it stays fired.
        self.db.on_event = None
        self.assertEqual(self.db.sweep(now=DEADLINE).firings, 0)
        self.assertEqual([entry.escalation_id for entry in self.db.outbox()], [esc.id])


class BadInputTest(TimersCase):

    def test_documented_errors(self):
        db = self.db
        with self.assertRaises(escalate.NotFound):
            self.open_case(sla_policy="no-such-policy")
        for call in (lambda: db.policy_get("nope"), lambda: db.calendar_get("nope"),
                     lambda: db.policy_load("nope"), lambda: db.policy_get("std", 7),
                     lambda: db.policy_put("p", STANDARD, calendar="nope"),
                     lambda: db.ack(424242)):
            with self.subTest(call=call), self.assertRaises(escalate.NotFound):
                call()
        for call in (lambda: db.policy_put(None, STANDARD), lambda: db.policy_put("p", None),
                     lambda: db.calendar_put("c", None), lambda: db.calendar_put(None, BERLIN),
                     lambda: db.policy_get(None), lambda: db.sla(None),
                     lambda: db.policy_load(None), lambda: db.ack(None),
                     lambda: db.due(before="tomorrow"),
                     lambda: Policy.parse(STANDARD).evaluate("not an escalation")):
            with self.subTest(call=call), self.assertRaises(TypeError):
                call()
        for call in (lambda: db.calendar_put("bad name!", BERLIN),
                     lambda: db.calendar_put("x" * 65, BERLIN),
                     lambda: db.calendar_put("utc", "tz=UTC"),          # no working hours
                     lambda: db.policy_put("p", "p2 resolution=soon"),
                     lambda: db.policy_put("p", Policy(BERLIN), calendar="berlin"),
                     lambda: db.calendar_get("berlin", 0),
                     lambda: db.due(limit=-1), lambda: db.outbox(limit=-1),
                     lambda: db.sla(self.open_case(sla_policy="std"), OPENED - HOUR),
                     lambda: db.sweep(now=OPENED.replace(tzinfo=None))):
            with self.subTest(call=call), self.assertRaises(escalate.InvalidArgument):
                call()
        with self.assertRaises(escalate.NotFound):
            db.sla(self.open_case())                   # opened without a policy
        # None objects reaching the C glue itself: InvalidArgument, not a crash.
        with self.assertRaises(escalate.InvalidArgument):
            db._handle().sla(None, 0)
        with self.assertRaises(escalate.InvalidArgument):
            Policy()._raw.append_rule(None)
        db.close()
        with self.assertRaises(escalate.InvalidArgument):
            db.sweep()


if __name__ == "__main__":
    unittest.main()
