#!/bin/sh
# tests/test_cli.sh — drives the built `escalate` tool (tools/escalate)
# through a whole lifecycle in a scratch directory and checks its output,
# its JSON, its --help, and the exit code of each class of failure.
# Run by `make check` under automake's default driver: exit 0 passes,
# 77 skips, anything else fails.

set -u

top=${ESC_TEST_BUILDDIR:-$(pwd)/tests}/..
ESC="$top/tools/escalate"
# ESC_CLI_WRAPPER: a command to run the tool under, e.g.
#   ESC_CLI_WRAPPER="$top/libtool --mode=execute valgrind --error-exitcode=99"
ESC_CLI_WRAPPER=${ESC_CLI_WRAPPER:-}
tmp=${ESC_TEST_TMPDIR:-/tmp}/test_cli.$$
rm -rf "$tmp"
mkdir -p "$tmp" || exit 99
trap 'rm -rf "$tmp"' EXIT
db="$tmp/cli.db"
out="$tmp/out"
err="$tmp/err"

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

have_python=no
if command -v python3 >/dev/null 2>&1; then have_python=yes; fi

# run EXPECTED_EXIT ARGS...: run the tool, stdout to $out, stderr to $err.
run() {
    want=$1; shift
    $ESC_CLI_WRAPPER "$ESC" "$@" >"$out" 2>"$err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        fail "escalate $* exited $got, expected $want"
        sed 's/^/    stderr: /' "$err" >&2
    fi
}
# expect PATTERN FILE: FILE (default $out) matches the extended regex.
expect() {
    if ! grep -Eq -- "$1" "${2:-$out}"; then
        fail "no match for '$1' in: $(cat "${2:-$out}")"
    fi
}
# json ARGS...: run with --json, exit 0, and check the output is valid JSON.
json() {
    run 0 --json "$@"
    if [ "$have_python" = yes ] &&
       ! python3 -c 'import json,sys; json.load(sys.stdin)' <"$out" 2>"$tmp/jerr"; then
        fail "escalate --json $*: invalid JSON: $(cat "$tmp/jerr")"
    fi
}
# field NAME: a top-level field of the JSON in $out.
field() {
    python3 -c 'import json,sys; v=json.load(sys.stdin)[sys.argv[1]]; print(str(v).lower() if isinstance(v,bool) else v)' "$1" <"$out"
}

AGENT="agt-117:Priya Natarajan:1"
SUP="sup-9:Marcus Webb:2"

# --- help, version, usage errors -------------------------------------------
run 0 --help
expect '^Usage: escalate'
expect 'Exit status'
for cmd in init open show list history act allowed verify rebuild; do
    run 0 "$cmd" --help
    expect "^Usage: escalate $cmd"
    run 0 help "$cmd"
    expect "^Usage: escalate $cmd"
done
for cmd in 'calendar put' 'calendar show' 'policy put' 'policy show' due sweep outbox 'outbox ack'; do
    run 0 $cmd --help
    expect "^Usage: escalate $cmd"
    run 0 help $cmd
    expect "^Usage: escalate $cmd"
done
run 0 calendar --help
expect 'escalate calendar put NAME SPEC'
expect 'escalate calendar show NAME'
run 0 help outbox
expect '^Usage: escalate outbox \[--limit N\]'
run 1 calendar
expect 'subcommand' "$err"
run 1 policy frob
run 0 --help
expect '--now TIME'
expect 'ESCALATE_NOW'
run 0 act --help
expect 'take_ownership'
expect '--brief-went-wrong'
run 0 --version
expect '^escalate [0-9]+\.[0-9]+\.[0-9]+'
run 1
run 1 frobnicate
expect 'unknown command' "$err"
run 1 list --no-such-option --db "$db"
expect "unknown option '--no-such-option'" "$err"
run 1 list --limit
run 1 list --limit 5000 --db "$db"
run 1 list --state nowhere --db "$db"
unset ESCALATE_DB
run 1 list
expect 'ESCALATE_DB' "$err"

# --- init, open --------------------------------------------------------------
run 2 --db "$db" list            # no database yet
expect '^escalate: ESC_ENOTFOUND: ' "$err"
run 0 --db "$db" init
expect 'initialised'
run 0 --db "$db" init            # idempotent

ESCALATE_DB=$db
export ESCALATE_DB
run 1 open --summary x --customer c     # no actor
run 1 open --actor "$AGENT" --customer c
run 1 open --actor nocolon --summary x --customer c
run 0 open --actor "$AGENT" --summary 'You took $89.99 "twice".	Fix it!' \
    --customer cust-88412 --customer-name 'Helen Ø. Brandt' --ref T-1001 \
    --channel email --impact 2 --urgency 3 --churn-risk
id=$(cat "$out")
expect '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
run 5 open --actor "$AGENT" --summary again --customer c --ref T-1001   # ESC_EEXISTS
expect '^escalate: ESC_EEXISTS: ' "$err"
run 0 open --actor-id agt-5 --actor-name 'Sam Ito' --actor-tier 1 --summary 'Second one' \
    --customer cust-2 --vip --confidential
id2=$(cat "$out")

# --- show, list ----------------------------------------------------------------
run 0 show "$id"
expect '^state +listen'
expect '^ref +T-1001'
run 0 show --ref T-1001
expect "^id +$id"
json show "$id"
if [ "$have_python" = yes ]; then
    [ "$(field summary)" = 'You took $89.99 "twice".	Fix it!' ] || fail "summary did not round-trip through JSON"
    [ "$(field customer_name)" = 'Helen Ø. Brandt' ] || fail "UTF-8 did not round-trip through JSON"
    [ "$(field churn_risk)" = true ] || fail "churn_risk not set"
fi
run 2 show 00000000-0000-0000-0000-000000000000
expect '^escalate: ESC_ENOTFOUND: ' "$err"
run 2 show --ref NOPE
run 1 show
run 1 show "$id" --ref T-1001
run 0 list
expect "^$id +listen"
expect "^$id2 +listen"
json list --open --order created --limit 1
[ "$have_python" = no ] || python3 -c 'import json,sys; l=json.load(sys.stdin); assert len(l)==1, l' <"$out" ||
    fail "list --limit 1 did not give one row"
run 0 list --customer cust-2
expect "$id2"
if grep -q "$id" "$out"; then fail "list --customer did not filter"; fi
run 0 list --closed
if grep -q "$id" "$out"; then fail "list --closed shows an open escalation"; fi

# --- the lifecycle, with refusals ----------------------------------------------
run 3 act "$id" advance --actor "$AGENT"
expect '^escalate: ESC_EGUARD: .*\(guard: customer_note\)' "$err"
run 3 act "$id" take_ownership --actor "$AGENT" --person "$AGENT"
expect '^escalate: ESC_ETRANSITION: .*\(guard: state\)' "$err"
run 1 act "$id" fly --actor "$AGENT"
expect "unknown action 'fly'" "$err"
run 1 act "$id" advance                 # no actor
run 1 act "$id" promise --actor "$AGENT" --at 'next tuesday'
run 2 act 00000000-0000-0000-0000-000000000000 note --actor "$AGENT" --text x

run 0 allowed "$id" --actor "$AGENT"
expect '^note +allowed'
expect '^advance +customer_note \(ESC_EGUARD\)'
json allowed "$id" --actor "$AGENT"
run 1 allowed "$id"

run 0 act "$id" ack_emotion --actor "$AGENT" --text frustrated
run 0 act "$id" note --actor "$AGENT" --customer-account --text 'Charged twice; the refund never came.'
run 0 act "$id" advance --actor "$AGENT"
expect 'now clarify'
run 0 act "$id" state_problem --actor "$AGENT" --text 'The refund of $89.99 bounced.'
run 0 act "$id" confirm_problem --actor "$AGENT" --yes
expect 'now plan'
run 0 act "$id" add_step --actor "$AGENT" --text 'Billing checks the bounce' --at +1d
run 0 act "$id" offer_option --actor "$AGENT" --text 'Refund to the current card'
run 0 act "$id" offer_option --actor "$AGENT" --text 'Account credit'
run 0 act "$id" choose_option --actor "$AGENT" --item 1
run 3 act "$id" promise --actor "$AGENT" --at 2001-01-01T00:00:00Z
expect '\(guard: future_time\)' "$err"
run 0 act "$id" promise --actor "$AGENT" --at 2099-03-02T09:14:00Z
run 0 act --ref T-1001 take_ownership --actor "$AGENT" --person "$AGENT"
expect 'now own'
run 0 act "$id" tag --actor "$AGENT" --text billing
run 0 list --tag billing
expect "$id"
run 0 list --owner agt-117 --state own
expect "$id"
run 0 act "$id" request_exception --actor "$AGENT" --category refund --text 'Second refund' --tier 2
run 3 act "$id" decide_exception --actor "$AGENT" --item 1 --yes --text ok
expect '^escalate: ESC_EAUTHORITY: ' "$err"
run 0 act "$id" decide_exception --actor "$SUP" --item 1 --yes --text 'Approved.'
run 0 act "$id" reassess --actor "$AGENT" --urgency 4
json show "$id"
if [ "$have_python" = yes ]; then
    [ "$(field urgency)" = 4 ] && [ "$(field impact)" = 2 ] && [ "$(field churn_risk)" = true ] ||
        fail "reassess did not keep the fields it was not given"
    [ "$(field promised_at)" = 2099-03-02T09:14:00Z ] || fail "promised_at: $(field promised_at)"
    [ "$(field owner_name)" = 'Priya Natarajan' ] || fail "owner_name"
fi
run 0 act "$id" hold --actor "$AGENT" --hold customer --text 'waiting for the card number'
run 3 act "$id" hold --actor "$AGENT" --hold internal --text again
run 0 act "$id" resume --actor "$AGENT"
run 0 act "$id" send_update --actor "$AGENT" --text 'The refund is on its way.'
run 0 act "$id" record_resolution --actor "$AGENT" --text 'Refunded again.'
expect 'now follow_up'
run 0 act "$id" schedule_follow_up --actor "$AGENT" --at +2d --text 'Did it arrive?'
run 0 act "$id" complete_follow_up --actor "$AGENT" --item 1 --yes --text 'It arrived.'
run 0 act "$id" confirm_resolved --actor "$AGENT" --yes
expect 'now resolved'
run 3 act "$id" close --actor "$AGENT"
expect '\(guard: root_cause\)' "$err"
json act "$id" close --actor "$AGENT" --category billing_system --text 'Closed cards bounce.' \
    --satisfaction 4 --lessons 'Check the card first.'
if [ "$have_python" = yes ]; then
    [ "$(field state)" = closed ] || fail "close: state $(field state)"
    [ "$(field satisfaction)" = 4 ] || fail "close: satisfaction"
fi
run 0 list --closed
expect "^$id +closed"

# --- show with items, history --------------------------------------------------
run 0 show "$id"
expect '^option:'
expect '#1 Refund to the current card .*\(approved\)|#1 Refund to the current card'
expect '^exception:'
expect '^state +closed'
run 0 history "$id"
expect '^1 +[0-9T:.-]+Z +open'
expect 'take_ownership +Priya Natarajan +plan>own'
expect 'close +Priya Natarajan +resolved>closed'
json history --ref T-1001
if [ "$have_python" = yes ]; then
    python3 -c '
import json, sys
h = json.load(sys.stdin)
assert h[0]["action"] == "open" and h[-1]["action"] == "close", h
assert [e["seq"] for e in h] == list(range(1, len(h) + 1))
assert isinstance(h[0]["payload"], dict)
' <"$out" || fail "history JSON"
fi

# --- verify, rebuild -------------------------------------------------------------
run 0 verify
expect '^2 escalations, [0-9]+ events, 0 mismatches'
json verify
if [ "$have_python" = yes ]; then
    [ "$(field ok)" = true ] || fail "verify --json: not ok"
    # Damage a current row behind the library's back: verify must notice.
    python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE escalations SET state = 2 WHERE id = ?", (sys.argv[2],))
c.commit()
' "$db" "$id" || fail "could not damage the database"
    run 6 verify
    expect "$id"
    run 6 --json verify
    [ "$(field ok)" = false ] || fail "verify --json: ok despite a mismatch"
    run 0 rebuild
    expect '^rebuilt [0-9]+ escalations'
    run 0 verify
    run 0 show "$id"
    expect '^state +closed'
fi

# --- ESCALATE_DB and --db ---------------------------------------------------------
ESCALATE_DB=$tmp/other.db run 2 list          # --db absent: ESCALATE_DB is used
run 0 --db "$tmp/other.db" init
ESCALATE_DB=$tmp/other.db run 0 list
if grep -q "$id" "$out"; then fail "ESCALATE_DB was not used"; fi
ESCALATE_DB=$tmp/other.db run 0 --db "$db" show "$id"   # --db wins

# --- SLA timers at fixed instants: calendars, policies, due, sweep, outbox -----
# A P3 escalation opened Friday 2026-03-06 16:30 Berlin (15:30Z) with 8
# business hours (Mon-Fri 09:00-17:00) to resolve: 30 minutes on Friday,
# 7h30 on Monday, so the deadline is Monday 16:30 Berlin (15:30Z) and the 75%
# warning Monday 14:30 Berlin (13:30Z).
ESCALATE_DB=$tmp/sla.db
ESCALATE_NOW=2026-03-06T15:00:00Z
export ESCALATE_NOW
run 0 init
run 0 calendar put berlin 'tz=Europe/Berlin; mon-fri 09:00-17:00'
expect '^berlin version 1$'
run 0 calendar put berlin 'tz=Europe/Berlin; mon-fri 09:00-17:00'     # unchanged: no new version
expect '^berlin version 1$'
run 0 calendar put berlin 'tz=Europe/Berlin; mon-fri 09:00-17:00; holiday 2026-12-25'
expect '^berlin version 2$'
run 0 calendar show berlin
expect '^version +2$'
expect '^created_at +2026-03-06T15:00:00Z$'
expect '^spec +.*holiday 2026-12-25'
run 0 calendar show berlin --version 1
expect '^version +1$'
if grep -q holiday "$out"; then fail "calendar show --version 1 shows version 2"; fi
run 2 calendar show berlin --version 3
run 2 calendar show nowhere
run 2 calendar put mars 'tz=Mars/Olympus_Mons; mon-fri 09:00-17:00'  # unknown zone
run 5 calendar put bad 'mon-fri 25:00-26:00'                        # malformed: ESC_EINVAL
expect '^escalate: ESC_EINVAL: ' "$err"
run 1 calendar put onlyname

policy='p2 resolution=8h; p3 resolution=8h; p4 resolution=8h; warn=75'
run 0 policy put std "$policy" --calendar berlin
expect '^std version 1$'
run 0 policy put std "$policy" --calendar berlin
expect '^std version 1$'
json policy put std "$policy" --calendar berlin
[ "$have_python" = no ] || [ "$(field version)" = 1 ] || fail "policy put --json: version $(field version)"
run 0 policy show std
expect '^name +std$'
expect '^version +1$'
expect '^calendar +berlin$'
expect '^spec +.*p2 resolution=8h; p3 resolution=8h'
json policy show std
[ "$have_python" = no ] || [ "$(field calendar)" = berlin ] || fail "policy show --json: calendar"
run 2 policy put other "$policy" --calendar nowhere
run 5 policy put bad 'p9 resolution=8h'
expect '^escalate: ESC_EINVAL: ' "$err"
run 2 policy show nowhere

run 2 open --actor "$AGENT" --summary 'No such policy' --customer c --policy nope
expect '^escalate: ESC_ENOTFOUND: ' "$err"
run 1 --now 'next friday' list
expect "not a time" "$err"
ESCALATE_NOW=garbage run 1 list
expect 'ESCALATE_NOW' "$err"
ESCALATE_NOW=2026-03-06T15:00:00Z     # some shells keep a prefix assignment to a function
run 0 --now 2026-03-06T15:30:00Z open --actor "$AGENT" --summary 'Invoice export is down' \
    --customer cust-7 --impact 2 --urgency 3 --policy std
sla_id=$(cat "$out")
run 0 history "$sla_id"
expect '^1 +2026-03-06T15:30:00Z +open'           # --now wins over ESCALATE_NOW

ESCALATE_NOW=2026-03-06T16:00:00Z
run 0 show "$sla_id"
expect '^sla_policy +std$'
expect '^next_timer_at +2026-03-09T13:30:00Z$'
expect '^sla at 2026-03-06T16:00:00Z \(priority 3\):$'
expect '^  resolution +running +deadline 2026-03-09T15:30:00Z margin 7h30m$'
expect '^  first_response +none'
json show "$sla_id"
if [ "$have_python" = yes ]; then
    python3 -c '
import json, sys
e = json.load(sys.stdin)
assert e["sla_policy"] == "std" and e["next_timer_at"] == "2026-03-09T13:30:00Z", e
s = e["sla"]
assert s["at"] == "2026-03-06T16:00:00Z" and s["priority"] == 3, s
r = s["resolution"]
assert r["state"] == "running" and r["deadline"] == "2026-03-09T15:30:00Z", r
assert r["margin_ms"] == 27000000 and r["breached"] is False, r
assert s["first_response"]["state"] == "none" and s["first_response"]["margin_ms"] is None, s
' <"$out" || fail "show --json: sla"
fi
run 0 --db "$db" --json show "$id"                # no policy: "sla": null
[ "$have_python" = no ] || [ "$(field sla)" = None ] || fail "show --json without a policy: sla $(field sla)"

run 0 due --before 2026-03-09T13:29:59Z
if grep -q "$sla_id" "$out"; then fail "due lists an escalation before its timer"; fi
run 0 due --before 2026-03-09T13:30:00Z
expect "^$sla_id +2026-03-09T13:30:00Z +listen +1 3 Invoice export is down"
run 0 --now 2026-03-09T12:30:00Z due --before +1h     # +1h counts from --now
expect "^$sla_id "
run 0 --now 2026-03-09T12:30:00Z due --before +59m
if grep -q "$sla_id" "$out"; then fail "due --before +59m counted from the system clock"; fi
json due --before 2026-03-10T00:00:00Z --limit 1
[ "$have_python" = no ] || python3 -c 'import json,sys; l=json.load(sys.stdin); assert [e["id"] for e in l]==[sys.argv[1]], l' "$sla_id" <"$out" ||
    fail "due --json"
run 1 due --before soon

run 0 --now 2026-03-06T16:00:00Z sweep              # nothing due yet
expect '^swept at 2026-03-06T16:00:00Z: 0 escalations, 0 firings,'
# Monday 17:00Z: both the warning and the breach are overdue; only the breach fires.
run 0 --now 2026-03-09T16:00:00Z sweep
expect '^swept at 2026-03-09T16:00:00Z: 1 escalations, 1 firings, 0 warnings, 1 breaches, 0 reminders, 0 rules, 0 moves, 0 busy$'
json --now 2026-03-09T16:00:00Z sweep                # again: nothing twice
[ "$have_python" = no ] || { [ "$(field firings)" = 0 ] && [ "$(field breaches)" = 0 ] &&
    [ "$(field at)" = 2026-03-09T16:00:00Z ]; } || fail "a second sweep fired again: $(cat "$out")"
run 0 --now 2026-03-09T16:00:00Z show "$sla_id"
expect '^  resolution +running +deadline 2026-03-09T15:30:00Z margin -30m breached$'
run 0 history "$sla_id"
expect 'timer_fired'
run 0 verify

run 0 outbox
expect "^[0-9]+ +$sla_id +sla_breach +2026-03-09T15:30:00Z +2026-03-09T16:00:00Z +\\{"
[ "$(grep -c sla_ "$out")" = 1 ] || fail "outbox: not one entry: $(cat "$out")"
json outbox --limit 10
if [ "$have_python" = yes ]; then
    entry=$(python3 -c '
import json, sys
l = json.load(sys.stdin)
assert len(l) == 1 and l[0]["kind"] == "sla_breach" and l[0]["escalation_id"] == sys.argv[1], l
assert l[0]["due_at"] == "2026-03-09T15:30:00Z" and isinstance(l[0]["payload"], dict), l
print(l[0]["id"])' "$sla_id" <"$out") || fail "outbox --json"
else
    entry=$(awk 'NR == 2 { print $1 }' "$out")
fi
run 1 outbox ack
run 1 outbox ack 1x
run 2 outbox ack 999999
expect '^escalate: ESC_ENOTFOUND: ' "$err"
run 0 outbox ack "$entry"
expect '^acknowledged 1 entry$'
run 0 outbox ack "$entry"                             # twice is fine
run 0 outbox
[ "$(wc -l <"$out")" -eq 1 ] || fail "outbox not empty after ack: $(cat "$out")"
json outbox
[ "$(cat "$out")" = '[]' ] || fail "outbox --json not empty: $(cat "$out")"

run 0 allowed "$sla_id" --actor "$AGENT"
if grep -q timer_fired "$out"; then fail "allowed offers timer_fired"; fi
run 1 act "$sla_id" timer_fired --actor "$AGENT"
unset ESCALATE_NOW
ESCALATE_DB=$db

# --- not a database -----------------------------------------------------------
echo 'hello, world' >"$tmp/junk.db"
run 5 --db "$tmp/junk.db" list
expect '^escalate: ESC_ENOTADB: ' "$err"

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "test_cli: all checks passed"
exit 0
