"""outside.py — a full lifecycle through the INSTALLED Python module, run by
build-aux/check-installed with nothing but PYTHONPATH (the install's
site-packages) and LD_LIBRARY_PATH (its lib) set.  Usage: outside.py DB"""
import datetime
import sys

import escalate

agent = escalate.Person("agent-1", "Alex Agent", 1)
boss = escalate.Person("sup-1", "Sam Supervisor", 2)

with escalate.Database(sys.argv[1], create=True) as db:
    esc = db.open(agent, "Charged twice; the refund never came.", "cust-1", impact=2, urgency=3)
    try:
        esc.advance(agent)
        sys.exit("outside.py: advance without a customer note was accepted")
    except escalate.GuardNotMet as refused:
        assert refused.guard == escalate.Guard.CUSTOMER_NOTE, refused.guard
    esc.note(agent, "I was charged twice.", customer_account=True)
    esc.advance(agent)
    esc.state_problem(agent, "A duplicate charge was not refunded.")
    esc.confirm_problem(agent, yes=True)
    esc.add_step(agent, "Refund the duplicate charge.")
    esc.promise(agent, db.now + datetime.timedelta(days=1))
    esc.take_ownership(agent, agent)
    esc.request_exception(agent, "refund_outside_policy", "Past the refund window.", 2)
    try:
        esc.decide_exception(agent, 1, approve=True)
        sys.exit("outside.py: a frontline agent approved a tier-2 exception")
    except escalate.NotAuthorized:
        pass
    esc.decide_exception(boss, 1, approve=True, note="Goodwill.")
    esc.record_resolution(agent, "Refunded.")
    esc.confirm_resolved(agent, confirmed=True)
    esc.close(agent, "billing", "Duplicate capture.", satisfaction=4)
    assert esc.state == escalate.State.CLOSED
    assert db.verify().ok
print("outside.py: ok")
