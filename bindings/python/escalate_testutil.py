# escalate_testutil.py — what the Python test scripts share: scratch paths,
# a clock the tests move by hand, the people of the refund story, and the
# refund lifecycle itself (every stage, a tier move and an approved
# exception), which the lifecycle, memory and valgrind runs all use.

import datetime
import os
import tempfile

import escalate

UTC = datetime.timezone.utc
#: Monday 2 March 2026, 09:14 UTC: the phone rings (as in refund_demo.c).
START = datetime.datetime(2026, 3, 2, 9, 14, tzinfo=UTC)
MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)

AGENT = escalate.Person("agt-117", "Priya Natarajan", 1)
SUPERVISOR = escalate.Person("sup-022", "Marcus Bell", 2)
BILLING = escalate.Person("bil-004", "Jonah Reyes")


def scratch_dir(name):
    """A fresh directory for one test, inside the build tree when run by make
    (ESC_TEST_TMPDIR), else in the system's temporary directory."""
    base = os.environ.get("ESC_TEST_TMPDIR") or tempfile.gettempdir()
    os.makedirs(base, exist_ok=True)
    return tempfile.mkdtemp(prefix=f"py-{name}-", dir=base)


def under_sanitizer():
    """True when the build's ASan runtime is preloaded (make check of an
    --enable-sanitizers build): freed memory sits in ASan's quarantine, so
    RSS says nothing about leaks there."""
    return "libasan" in os.environ.get("LD_PRELOAD", "")


def c_status_codes():
    """Every status code of the C library, ESC_OK included, asked of the
    library itself: the codes run from 0 down without gaps until
    esc_status_name() no longer knows them."""
    codes = [0]
    while escalate._escalate.esc_status_name(codes[-1] - 1) != "ESC_UNKNOWN":
        codes.append(codes[-1] - 1)
    return codes


class Clock:
    """A clock the test moves: Database(clock=...) reads it."""

    def __init__(self, start=START):
        self.now = start

    def __call__(self):
        return self.now

    def tick(self, delta=MINUTE):
        self.now += delta
        return self.now


def open_refund_case(db, ref=None):
    """Helen's case, opened by the frontline agent."""
    return db.open(AGENT, "You took $89.99 twice for my March subscription and the refund "
                   "never arrived. If it is not sorted this week I am cancelling.",
                   "cust-88412", customer_name="Helen Okafor", external_ref=ref,
                   channel=escalate.Channel.PHONE, impact=1, urgency=3, churn_risk=True)


def refund_lifecycle(db, clock, ref=None, check=None):
    """Take one refund case through every stage; returns the closed
    Escalation.  check(stage, esc), when given, is called after each stage
    (the lifecycle test asserts there; the memory run passes None)."""
    def stage(name):
        if check is not None:
            check(name, esc)

    esc = open_refund_case(db, ref)
    stage("opened")

    clock.tick()
    esc.note(AGENT, "I closed my old Visa in February; the refund went there.",
             customer_account=True)
    esc.acknowledge_emotion(AGENT, "frustrated")
    esc.advance(AGENT)
    stage("clarify")

    esc.state_problem(AGENT, "The refund of $89.99 was sent to a closed card.")
    esc.confirm_problem(AGENT, yes=False,
                        correction="It was charged twice: both charges must come back.")
    esc.state_problem(AGENT, "Two charges of $89.99; the refund went to a closed card.")
    esc.confirm_problem(AGENT)
    stage("plan")

    clock.tick()
    esc.add_step(AGENT, "Billing reissues both refunds to the new card.", due=clock.now + DAY)
    esc.offer_option(AGENT, "Refund to the new card (3-5 days)")
    esc.offer_option(AGENT, "Account credit today")
    esc.choose_option(AGENT, 1)
    esc.promise(AGENT, clock.now + 2 * DAY)
    esc.take_ownership(AGENT, AGENT)
    esc.loop_in(AGENT, BILLING, "billing")
    esc.request_exception(AGENT, "refund_outside_policy",
                          "Refund to a card other than the one charged.", 2)
    stage("own")

    clock.tick()
    esc.move_tier(AGENT, 2, "The refund went to a closed card.",
                  "Asked billing to reissue; policy forbids another card.",
                  "Upset, threatens to cancel.", new_owner=SUPERVISOR)
    stage("moved")

    esc.note(SUPERVISOR, "Yes, both charges, and I want it on the new card.",
             customer_account=True)
    esc.advance(SUPERVISOR)
    esc.state_problem(SUPERVISOR, "Two charges of $89.99 to refund to the new card.")
    esc.confirm_problem(SUPERVISOR)
    esc.take_ownership(SUPERVISOR, SUPERVISOR)
    esc.decide_exception(SUPERVISOR, 1, approve=True, note="Approved: closed card, skimming.")
    esc.send_update(SUPERVISOR, "Approved; the refunds go out today.")
    esc.hold(SUPERVISOR, "Waiting for the bank to confirm.", escalate.Hold.THIRD_PARTY)
    clock.tick(HOUR)
    esc.resume(SUPERVISOR)
    esc.tag(SUPERVISOR, "billing")
    esc.record_resolution(SUPERVISOR, "Both charges refunded to the new card.")
    stage("follow_up")

    esc.schedule_follow_up(SUPERVISOR, clock.now + DAY, "Check the money arrived.")
    clock.tick(DAY + MINUTE)
    esc.complete_follow_up(SUPERVISOR, 1, reached=True, outcome="Both refunds arrived.")
    esc.confirm_resolved(SUPERVISOR)
    stage("resolved")

    esc.close(SUPERVISOR, "billing_system", "Refunds go to the original card only.",
              satisfaction=4, lessons="Let agents refund to a verified new card.")
    stage("closed")
    return esc
