#!/usr/bin/env python3
"""crm_import.py — import a CRM's export of escalated tickets into an
escalate database, walk each ticket to the stage its CRM status says, then
print what is due (earliest first) and who owns what.

Usage: crm_import.py [DATABASE] [--csv FILE] [--now ISO-TIME]

  DATABASE  the escalate database to import into (created when missing);
            default: a temporary file, removed at the end
  --csv     the export (default: crm_export.csv next to this script)
  --now     the time the report is made at (default 2026-03-04T17:00:00Z,
            the day of the export), for "overdue"

Each ticket is imported in one batch: all of its steps or none.  A ticket
the library refuses (say, a promised time before the ticket was opened) is
reported and skipped; one already imported (same ticket reference) is
skipped, so running the import twice is harmless.

Run it with the escalate module on the path: after `make install`, with
PYTHONPATH=<prefix>/lib/python3.X/site-packages and LD_LIBRARY_PATH=<prefix>/lib
if the prefix is not a system one; from a build tree, `make crm-import`.
"""

import argparse
import collections
import csv
import datetime
import os
import shutil
import sys
import tempfile

import escalate
from escalate import Channel, Order, Person

MINUTE = datetime.timedelta(minutes=1)
DEFAULT_NOW = "2026-03-04T17:00:00Z"


def parse_time(text):
    """An ISO 8601 time from the export ("2026-03-02T09:14:00Z"), aware."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


class ImportClock:
    """The import replays each ticket at the times the CRM gives: the
    database reads "now" from here, and each step moves it a minute on."""

    def __init__(self):
        self.now = None

    def __call__(self):
        return self.now

    def tick(self):
        self.now += MINUTE


# ---- the walk: each stage is one function, each CRM status a list of stages --

def listen(esc, row, ctx):
    # The summary is the customer's own account, as the agent took it down.
    esc.note(ctx.agent, row["summary"], customer_account=True)
    ctx.clock.tick()
    esc.advance(ctx.agent)


def restate(esc, row, ctx):
    esc.state_problem(ctx.agent, row["problem"])


def confirm(esc, row, ctx):
    ctx.clock.tick()
    esc.confirm_problem(ctx.agent)


def plan(esc, row, ctx):
    promised = parse_time(row["promised_by"])
    esc.add_step(ctx.agent, row["next_step"], due=promised)
    esc.promise(ctx.agent, promised)


def own(esc, row, ctx):
    esc.take_ownership(ctx.agent, ctx.owner)


def own_for_now(esc, row, ctx):
    # The agent owns it until the case moves up to its final owner.
    esc.take_ownership(ctx.agent, ctx.agent)


def move_up(esc, row, ctx):
    ctx.clock.tick()
    esc.move_tier(ctx.agent, ctx.owner.tier, row["problem"], row["next_step"],
                  "The customer asked for someone with more authority.", new_owner=ctx.owner)


def wait_for_customer(esc, row, ctx):
    esc.hold(ctx.agent, row["next_step"], escalate.Hold.CUSTOMER)


def resolve(esc, row, ctx):
    ctx.clock.tick()
    esc.record_resolution(ctx.owner, row["resolution"])
    esc.schedule_follow_up(ctx.owner, parse_time(row["follow_up_due"]),
                           "Call to check the fix holds.")


def confirmed(esc, row, ctx):
    ctx.clock.now = parse_time(row["follow_up_due"])
    esc.complete_follow_up(ctx.owner, 1, reached=True, outcome="The customer confirmed.")
    esc.confirm_resolved(ctx.owner)


_PLANNED = (listen, restate, confirm, plan)
_UP_TO_OWN = _PLANNED + (own,)
STATUS_STAGES = {
    "New": (),
    "Investigating": (listen, restate),
    "Plan agreed": _PLANNED,
    "In progress": _UP_TO_OWN,
    "Pending customer": _UP_TO_OWN + (wait_for_customer,),
    "Escalated": _PLANNED + (own_for_now, move_up),
    "Pending confirmation": _UP_TO_OWN + (resolve,),
    "Solved": _UP_TO_OWN + (resolve, confirmed),
}


class Ticket:
    """What the stages need besides the row: the people and the clock."""

    def __init__(self, row, clock):
        self.clock = clock
        self.agent = Person(row["agent_id"], row["agent_name"], 1)
        if row["owner_id"]:
            self.owner = Person(row["owner_id"], row["owner_name"], int(row["owner_tier"]))
        else:
            self.owner = self.agent


def import_ticket(db, clock, row):
    """Open the ticket's escalation and walk it, in one batch."""
    stages = STATUS_STAGES.get(row["status"])
    if stages is None:
        raise ValueError(f"unknown CRM status {row['status']!r}")
    ctx = Ticket(row, clock)
    clock.now = parse_time(row["opened_at"])
    with db.batch():
        esc = db.open(ctx.agent, row["summary"], row["customer_id"],
                      customer_name=row["customer_name"] or None,
                      external_ref=row["ticket_ref"],
                      channel=Channel.from_name(row["channel"]),
                      impact=int(row["impact"]), urgency=int(row["urgency"]),
                      vip=row["vip"] == "yes", churn_risk=row["churn_risk"] == "yes")
        for stage in stages:
            clock.tick()
            stage(esc, row, ctx)
    return esc


def import_export(db, clock, path):
    """Import every row; returns (imported, skipped lines)."""
    imported, skipped = 0, []
    with open(path, newline="", encoding="utf-8") as export:
        for row in csv.DictReader(export):
            ref = row["ticket_ref"]
            try:
                import_ticket(db, clock, row)
                imported += 1
            except escalate.AlreadyExists:
                skipped.append(f"{ref}: already imported")
            except escalate.Refused as refused:
                skipped.append(f"{ref}: refused by the lifecycle "
                               f"({refused.name}, guard {refused.guard}): {refused}")
            except (escalate.InvalidArgument, ValueError) as bad:
                skipped.append(f"{ref}: bad data: {bad}")
    return imported, skipped


# ---- the reports ---------------------------------------------------------------

def when(moment):
    return moment.strftime("%a %d %b %H:%M")


def report_due(db, now):
    print(f"\nWhat is due, earliest first (as of {when(now)} UTC):")
    waiting = []
    for esc in db.iter_all(open=True, order=Order.DUE):
        if esc.state == escalate.State.RESOLVED:
            continue                  # done: waits for its closing review, not for us
        if esc.due_at is None:
            waiting.append(esc)
            continue
        flag = "OVERDUE" if esc.due_at < now else ""
        print(f"  {when(esc.due_at)}  {flag:7}  {esc.external_ref:9}  P{esc.priority}  "
              f"{esc.state:9}  {esc.customer_name or esc.customer_id:18}  "
              f"{esc.owner_name or '(no owner)'}")
    if waiting:
        print("  No time promised yet:")
        for esc in waiting:
            print(f"  {'':16}  {'':7}  {esc.external_ref:9}  P{esc.priority}  "
                  f"{esc.state:9}  {esc.customer_name or esc.customer_id}")


def report_owners(db):
    print("\nWho owns what (open escalations, highest priority first):")
    owned = collections.defaultdict(list)
    for esc in db.iter_all(open=True, order=Order.PRIORITY):
        key = (esc.owner_name, esc.owner_id) if esc.owner_id else None
        on_hold = ", on hold" if esc.on_hold else ""
        owned[key].append(f"{esc.external_ref} ({esc.state}, tier {esc.tier}, "
                          f"P{esc.priority}{on_hold})")
    for key in sorted(owned, key=lambda k: (k is None, k)):
        who = f"{key[0]} ({key[1]})" if key else "Nobody yet"
        print(f"  {who:28} {'; '.join(owned[key])}")
    resolved = db.list(state=escalate.State.RESOLVED)
    if resolved:
        print("  Resolved, waiting for the closing review: "
              + ", ".join(esc.external_ref for esc in resolved))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", nargs="?", help="escalate database (default: a temporary one)")
    parser.add_argument("--csv", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                      "crm_export.csv"))
    parser.add_argument("--now", default=DEFAULT_NOW, type=parse_time)
    args = parser.parse_args(argv)

    scratch = None
    path = args.database
    if path is None:
        scratch = tempfile.mkdtemp(prefix="crm-import-")
        path = os.path.join(scratch, "crm.db")
    events = collections.Counter()
    clock = ImportClock()
    try:
        with escalate.Database(path, create=True, clock=clock) as db:
            db.on_event = lambda event: events.update([event.action])
            imported, skipped = import_export(db, clock, args.csv)
            print(f"Imported {imported} ticket(s) from {os.path.basename(args.csv)} "
                  f"({sum(events.values())} steps recorded).")
            for line in skipped:
                print(f"  skipped {line}")
            clock.now = args.now
            report_due(db, args.now)
            report_owners(db)
            report = db.verify()
            print(f"\nVerified: {report.escalations} escalations, {report.events} events, "
                  f"{'no mismatch' if report.ok else f'{len(report.mismatches)} MISMATCHES'}.")
            return 0 if report.ok else 1
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
