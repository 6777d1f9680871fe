#!/bin/sh
# examples/sla_scenario.sh — the README's SLA scenario, told with the
# `escalate` command at fixed instants (--now), and checked as it goes:
#
#   A P2 escalation is opened on Friday 6 March 2026 at 16:30 in Berlin with
#   8 business hours to resolve (Mon-Fri 09:00-17:00, Monday 9 March a
#   holiday): due Tuesday 16:30.  On Tuesday it waits an hour on the
#   customer: the deadline moves to Wednesday 09:30.  The sweep run at
#   09:29:59 fires only the 75% warning (late); the one at 09:30 fires the
#   breach, and the policy's rule moves the escalation up to tier 2 with a
#   generated handover brief.  The outbox holds exactly one breach.
#
# Usage: sla_scenario.sh [ESCALATE_BINARY] — uses $ESCALATE_DB if set, else
# a scratch file.  Exit 0 when every check holds.
set -eu

ESCALATE=${1:-escalate}
scratch=
if [ -z "${ESCALATE_DB:-}" ]; then
    scratch=$(mktemp -d)
    ESCALATE_DB="$scratch/sla-scenario.db"
    trap 'rm -rf "$scratch"' EXIT
fi
export ESCALATE_DB
unset ESCALATE_NOW

esc() { "$ESCALATE" "$@"; }
# at TIME COMMAND...: run a command with the clock fixed at TIME (UTC).
at() { when=$1; shift; "$ESCALATE" --now "$when" "$@"; }
check() {  # check WHAT EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        echo "  ok: $1: $3"
    else
        echo "  WRONG: $1: expected '$2', got '$3'" >&2
        exit 1
    fi
}
# field ID NAME: one field of `show`'s table.
field() { esc show "$1" | sed -n "s/^$2  *//p"; }
# deadline ID TIME: the resolution deadline `show` reports at TIME.
deadline() { at "$2" show "$1" | sed -n 's/^ *resolution .*deadline \([^ ]*\).*/\1/p'; }

actor=agt-117:Priya:1
echo "== set up: a calendar with the Monday holiday, and a P2 policy with an escalation rule"
esc init >/dev/null
esc calendar put berlin 'tz=Europe/Berlin; mon-fri 09:00-17:00; holiday 2026-03-09'
esc policy put p2-std 'p2 resolution=8h; warn=75; rule resolution breach tier=1 move_up watch=lead-7' \
    --calendar berlin

echo "== Friday 16:30 Berlin (15:30Z): a P2 escalation is opened"
id=$(at 2026-03-06T15:30:00Z open --actor "$actor" --customer cust-7 --impact 3 --urgency 3 \
     --summary "Our invoices cannot be exported since this afternoon's update" --policy p2-std)
at 2026-03-06T15:30:00Z show "$id" | sed -n '/^sla/,$p'
check "priority" 2 "$(field "$id" priority)"
check "resolution deadline (Tuesday 16:30 Berlin)" 2026-03-10T15:30:00Z \
      "$(deadline "$id" 2026-03-06T15:30:00Z)"

echo "== Tuesday 10:00-11:00 Berlin: waiting on the customer pauses the clock"
at 2026-03-10T09:00:00Z act "$id" hold --hold customer --actor "$actor" \
    --text "Waiting for the customer's failing export file"
at 2026-03-10T10:00:00Z act "$id" resume --actor "$actor"
at 2026-03-10T10:00:00Z show "$id" | sed -n '/^sla/,$p'
check "resolution deadline (Wednesday 09:30 Berlin)" 2026-03-11T08:30:00Z \
      "$(deadline "$id" 2026-03-10T10:00:00Z)"
esc due --before 2026-03-11T12:00:00Z

echo "== Wednesday 09:29:59 Berlin: the sweep fires the (late) 75% warning only"
at 2026-03-11T08:29:59Z sweep
check "tier before the deadline" 1 "$(field "$id" tier)"

echo "== Wednesday 09:30 Berlin: the breach, and the rule moves it up a tier"
at 2026-03-11T08:30:00Z sweep
check "tier after the sweep" 2 "$(field "$id" tier)"
at 2026-03-11T08:30:00Z sweep   # again: nothing fires twice
esc outbox
breaches=$(esc outbox | awk '$3 == "sla_breach"' | wc -l)
check "breach notifications in the outbox" 1 "$(echo $breaches)"
esc history "$id" | tail -n 4
esc verify >/dev/null
echo "== the scenario holds"
