"""step_cost.py — the cost of one lifecycle step through the Python binding.

Walks escalations from open to close (the same 11 steps as step_cost.c, one
transaction per step, the library's defaults) and prints
    python_ns_per_step <nanoseconds>
Usage: python3 step_cost.py DB-PATH [ESCALATIONS]
"""
import datetime
import sys
import time

import escalate

AGENT = escalate.Person("agent-1", "Alex Agent", 1)


def walk(db):
    esc = db.open(AGENT, "Charged twice for the March invoice; the refund never arrived.",
                  "cust-42", impact=2, urgency=3)
    esc.note(AGENT, "I was charged twice and nobody calls me back.", customer_account=True)
    esc.advance(AGENT)
    esc.state_problem(AGENT, "A duplicate charge of 49.90 was not refunded.")
    esc.confirm_problem(AGENT, yes=True)
    esc.add_step(AGENT, "Refund the duplicate charge.")
    esc.promise(AGENT, db.now + datetime.timedelta(days=1))
    esc.take_ownership(AGENT, AGENT)
    esc.record_resolution(AGENT, "Refunded 49.90.")
    esc.confirm_resolved(AGENT, confirmed=True)
    esc.close(AGENT, "billing", "Duplicate capture after a gateway timeout.")
    return 11


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: step_cost.py DB-PATH [ESCALATIONS]")
    escalations = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    with escalate.Database(sys.argv[1], create=True) as db:
        walk(db)  # warm up, as the C baseline does
        steps = 0
        start = time.perf_counter_ns()
        for _ in range(escalations):
            steps += walk(db)
        elapsed = time.perf_counter_ns() - start
    print("python_ns_per_step %d" % (elapsed // steps))


if __name__ == "__main__":
    main()
