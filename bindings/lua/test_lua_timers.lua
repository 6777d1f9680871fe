-- test_lua_timers.lua — SLA policies and timers from Lua: the text form
-- both ways (and by hand), stored calendars and policies (a new version
-- only on change), an escalation opened with a policy on Friday 16:30 in
-- Berlin whose 8 business hours run over a weekend and a Monday holiday,
-- what is due before and at its deadline, the sweep that fires the breach
-- once, the outbox and its acknowledgement, and the error convention for
-- bad input.
local t = require "lua_testlib"
local escalate = require "escalate"

local AGENT = t.AGENT
local MINUTE, HOUR = t.MINUTE, t.HOUR

local BERLIN = "tz=Europe/Berlin; mon-fri 09:00-17:00; holiday 2026-03-09"
local STANDARD = "p2 resolution=8h; p3 resolution=8h; p4 resolution=8h"
local OPENED = 1772811000000       -- 2026-03-06T15:30:00Z, Friday 16:30 in Berlin
local DEADLINE = 1773156600000     -- 2026-03-10T15:30:00Z, Tuesday 16:30 (Monday a holiday)
local HALFWAY = 1773142200000      -- 2026-03-10T11:30:00Z: 4 business hours in

local FULL = "calendar=[tz=Europe/Berlin; mon-fri 09:00-17:00]; "
          .. "p1 first_response=30m update=2h resolution=8h; p2 resolution=1h30m; "
          .. "warn=75,90; pause=customer; "
          .. "rule resolution breach tier=1 move_up watch=lead-7; "
          .. "rule resolution warn=90 after=1h repeat=3 every=30m raise"

-- A fresh database at OPENED with the Berlin calendar and the standard
-- policy stored.
local function fresh_db(tag)
    local clock = t.clock(OPENED)
    local db = escalate.open(t.path(tag), { create = true, clock = clock.fn })
    db:calendar_put("berlin", BERLIN)
    db:policy_put("std", STANDARD, "berlin")
    return db, clock
end

-- impact 2, urgency 3: priority 3, which the policy has a target for.
local function open_case(db, policy)
    return db:open { actor = AGENT, customer_id = "cust-88412", summary = "Charged twice.",
                     impact = 2, urgency = 3, sla_policy = policy }
end

local function same_rule(actual, expected, what)
    for _, field in ipairs { "target", "warning_percent", "tier", "after_ms", "repeats", "every_ms",
                             "move_up", "raise_priority", "watcher_id" } do
        t.eq(actual[field], expected[field], what .. "." .. field)
    end
end

t.test("parse and format round trip", function()
    local pol = escalate.policy(FULL)
    local text = pol:format()
    t.eq(tostring(pol), text, "tostring")
    t.eq(pol.spec, text, "spec")
    t.eq(escalate.policy(text).spec, text, "canonical")
    t.ok(escalate.policy(text) == pol, "equal policies")
    t.eq(pol:target(1, "first_response"), 30 * MINUTE, "p1 first response")
    t.eq(pol:target(2, "resolution"), 90 * MINUTE, "p2 resolution")
    t.eq(pol:target(3, "resolution"), nil, "p3 has none")
    local targets = pol.targets
    t.eq(targets[1].update, 2 * HOUR, "targets[1].update")
    t.eq(targets[2].resolution, 90 * MINUTE, "targets[2].resolution")
    t.eq(targets[2].first_response, nil, "targets[2].first_response")
    t.eq(targets[3], nil, "targets[3]")
    t.eq(#pol.warnings, 2, "warnings")
    t.eq(pol.warnings[2], 90, "second warning")
    t.eq(pol:pauses("customer"), true, "pauses customer")
    t.eq(pol:pauses("third_party"), false, "pauses third party")
    local rules = pol.rules
    t.eq(#rules, 2, "rules")
    same_rule(rules[1], { target = "resolution", tier = 1, after_ms = 0, repeats = 1, move_up = true,
                          raise_priority = false, watcher_id = "lead-7" }, "rule 1")
    same_rule(rules[2], { target = "resolution", warning_percent = 90, after_ms = HOUR, repeats = 3,
                          every_ms = 30 * MINUTE, move_up = false, raise_priority = true }, "rule 2")
    t.eq(pol.calendar.tz_name, "Europe/Berlin", "calendar")
    t.eq(#escalate.sla_targets, 3, "sla_targets")
end)

t.test("built by hand equals parsed", function()
    local pol = escalate.policy { calendar = escalate.calendar("tz=Europe/Berlin; mon-fri 09:00-17:00") }
    pol:set_target(1, "first_response", 30 * MINUTE)
       :set_target(1, "update", 2 * HOUR)
       :set_target(1, "resolution", 8 * HOUR)
       :set_target(2, "resolution", 90 * MINUTE)
       :set_target(3, "resolution", HOUR)
       :set_target(3, "resolution", nil)          -- removed again
       :set_warnings { 75, 90 }
       :set_pause("third_party", false)
       :add_rule { target = "resolution", tier = 1, move_up = true, watcher_id = "lead-7" }
       :add_rule { warning_percent = 90, after_ms = HOUR, repeats = 3, every_ms = 30 * MINUTE,
                   raise_priority = true }
    t.eq(pol.spec, escalate.policy(FULL).spec, "same canonical text")
    t.ok(pol:copy() == pol, "copy")
    local wall = escalate.policy()
    t.eq(wall.calendar, nil, "wall time")
    t.ok(wall.spec:find("calendar=wall", 1, true), "calendar=wall in the text")
    t.eq(next(wall.targets), nil, "no targets")
    t.eq(#wall.rules, 0, "no rules")
    t.eq(escalate.policy { calendar = BERLIN }.calendar.spec, escalate.calendar(BERLIN).spec,
         "calendar given as spec")
end)

t.test("bad policies raise the error convention", function()
    local err = t.raises("ESC_EINVAL", nil, escalate.policy, "p2 resolution=8hours")
    t.ok(err.message:find("8hours", 1, true), "the message names the token")
    t.raises("ESC_EINVAL", nil, escalate.policy, "p9 resolution=8h")
    t.raises("ESC_EINVAL", nil, escalate.policy, "warn=90; rule resolution warn=50")
    t.raises("ESC_ENOTFOUND", nil, escalate.policy, "calendar=[tz=Mars/Olympus_Mons; mon-fri 09:00-17:00]")
    t.raises("ESC_EINVAL", nil, escalate.policy, { calendar = "tz=UTC" })   -- no working hours
    t.raises("ESC_EINVAL", nil, escalate.policy, { colour = "red" })
    t.raises("ESC_EINVAL", nil, escalate.policy, 42)
    local pol = escalate.policy("p2 resolution=8h; warn=75")
    t.raises("ESC_EINVAL", nil, pol.set_target, pol, 6, "resolution", HOUR)
    t.raises("ESC_EINVAL", nil, pol.set_target, pol, 2, "lunch", HOUR)
    t.raises("ESC_EINVAL", nil, pol.set_target, pol, 2, nil, HOUR)
    t.raises("ESC_EINVAL", nil, pol.set_target, pol, 2, "resolution", "8h")
    t.raises("ESC_EINVAL", nil, pol.set_warnings, pol, { 90, 75 })
    t.raises("ESC_EINVAL", nil, pol.set_warnings, pol, nil)
    t.raises("ESC_EINVAL", nil, pol.add_rule, pol, { warning_percent = 50 })
    t.raises("ESC_EINVAL", nil, pol.add_rule, pol, { repeats = 2 })        -- every_ms is missing
    t.raises("ESC_EINVAL", nil, pol.add_rule, pol, { ["repeat"] = 2 })     -- the Lua name is repeats
    t.raises("ESC_EINVAL", nil, pol.set_pause, pol, "none", true)
    t.raises("ESC_EINVAL", nil, pol.set_pause, pol, "customer", 1)
    t.eq(pol.spec, escalate.policy("p2 resolution=8h; warn=75").spec, "unchanged")
end)

t.test("stored definitions: a new version only on change", function()
    local db <close>, clock = fresh_db("definitions")
    local first = db:calendar_get("berlin")
    t.eq(first.name, "berlin", "name")
    t.eq(first.version, 1, "version")
    t.eq(first.calendar, nil, "a calendar has no calendar")
    t.eq(first.created_at, OPENED, "created_at")
    clock.advance(MINUTE)
    t.eq(db:calendar_put("berlin", escalate.calendar(BERLIN)).version, 1, "same calendar object")
    t.eq(db:calendar_put("berlin", BERLIN:gsub("; ", ";   ")).version, 1, "same calendar, spaced")
    local changed = db:calendar_put("berlin", BERLIN .. "; holiday 2026-04-03")
    t.eq(changed.version, 2, "changed")
    t.eq(changed.created_at, OPENED + MINUTE, "changed at")
    t.eq(db:calendar_get("berlin").version, 2, "latest")
    t.eq(db:calendar_get("berlin", 1).spec, first.spec, "version 1 kept")

    local std = db:policy_get("std")
    t.eq(std.version, 1, "policy version")
    t.eq(std.calendar, "berlin", "policy calendar")
    t.eq(escalate.policy(std.spec).spec, escalate.policy(STANDARD).spec, "stored spec")
    t.eq(db:policy_put("std", STANDARD, "berlin").version, 1, "same policy")
    t.eq(db:policy_put("std", escalate.policy(STANDARD), "berlin").version, 1, "same policy object")
    t.eq(db:policy_put("std", STANDARD .. "; warn=75", "berlin").version, 2, "changed policy")
    t.eq(db:policy_get("std", 1).version, 1, "version 1 kept")
    local loaded = db:policy_load("std")
    t.eq(loaded.warnings[1], 75, "loaded warnings")
    t.eq(loaded:target(3, "resolution"), 8 * HOUR, "loaded target")
    t.eq(loaded.calendar.spec, escalate.calendar(changed.spec).spec, "loaded calendar is the latest")
end)

t.test("eight business hours over a weekend and a Monday holiday", function()
    local db <close> = fresh_db("deadline")
    local esc = open_case(db, "std")
    t.eq(esc.priority, 3, "priority")
    t.eq(esc.sla_policy, "std", "sla_policy")
    t.eq(esc:sla_deadline("resolution"), DEADLINE, "stored deadline")
    t.eq(esc:sla_deadline(), DEADLINE, "resolution by default")
    t.eq(esc:sla_deadline("first_response"), nil, "no first-response target")
    t.eq(esc:sla_met_at(), nil, "not met")
    t.eq(esc:sla_margin(), nil, "no margin yet")
    t.eq(esc.next_timer_at, DEADLINE, "next timer")

    local clocks = esc:sla()                     -- at the database's now: OPENED
    t.eq(clocks.now, OPENED, "now")
    t.eq(clocks.priority, 3, "clocks priority")
    local r = clocks.resolution
    t.eq(r.state, "running", "state")
    t.eq(r.applies, true, "applies")
    t.eq(r.deadline, DEADLINE, "deadline")
    t.eq(r.target_ms, 8 * HOUR, "target")
    t.eq(r.elapsed_ms, 0, "elapsed")
    t.eq(r.margin_ms, 8 * HOUR, "margin")
    t.eq(r.breached, false, "breached")
    t.eq(r.paused, false, "paused")
    t.eq(r.met, false, "met")
    t.eq(r.met_at, nil, "met_at")
    t.eq(r.next_warning, nil, "no warnings")
    t.eq(clocks.first_response.state, "none", "first response")
    t.eq(clocks.first_response.deadline, nil, "first response deadline")
    t.eq(clocks.breached, false, "nothing breached")

    -- An hour later it is 17:30 in Berlin: half an hour counted.
    local later = db:sla(esc.id, OPENED + HOUR)
    t.eq(later.resolution.elapsed_ms, 30 * MINUTE, "elapsed at 17:30")
    t.eq(later.resolution.margin_ms, 7 * HOUR + 30 * MINUTE, "margin at 17:30")
    t.eq(later.resolution.deadline, DEADLINE, "deadline unchanged")
    local by_hand = db:policy_load("std"):evaluate(esc, OPENED + HOUR)
    t.eq(by_hand.resolution.deadline, DEADLINE, "evaluated by hand")
    t.eq(by_hand.resolution.elapsed_ms, 30 * MINUTE, "elapsed by hand")
    t.eq(db:sla(esc, DEADLINE).resolution.breached, true, "breached at the deadline")
end)

t.test("warnings and their instants", function()
    local db <close> = fresh_db("warnings")
    db:policy_put("warned", STANDARD .. "; warn=50", "berlin")
    local esc = open_case(db, "warned")
    local clocks = esc:sla()
    t.eq(clocks.resolution.next_warning, HALFWAY, "next warning")
    t.eq(clocks.resolution.next_warning_percent, 50, "its percentage")
    t.eq(clocks:warning_at("resolution", 1), HALFWAY, "warning_at(1)")
    t.eq(clocks:warning_at("resolution", 5), nil, "no fifth warning")
    t.eq(esc.next_timer_at, HALFWAY, "next timer is the warning")
end)

t.test("due, sweep, outbox, ack", function()
    local db <close> = fresh_db("sweep")
    local esc = open_case(db, "std")
    local plain = open_case(db, nil)
    t.eq(plain.sla_policy, nil, "no policy")
    t.eq(plain.next_timer_at, nil, "no timer")
    t.eq(#db:due { before = DEADLINE - 1 }, 0, "nothing due before the deadline")
    local due = db:due { before = DEADLINE }
    t.eq(#due, 1, "one due at the deadline")
    t.eq(due[1].id, esc.id, "the policy's escalation")
    t.eq(due[1].next_timer_at, DEADLINE, "its next timer")
    t.eq(db:due { before = DEADLINE, limit = 1 }[1].id, esc.id, "with a limit")

    local heard = {}
    db:set_event_hook(function(event) heard[#heard + 1] = event end)
    local stats = db:sweep(DEADLINE)
    t.eq(stats.escalations, 1, "escalations")
    t.eq(stats.firings, 1, "firings")
    t.eq(stats.breaches, 1, "breaches")
    t.eq(stats.warnings, 0, "warnings")
    t.eq(stats.busy, 0, "busy")
    t.eq(stats.firings, stats.warnings + stats.breaches + stats.reminders + stats.rules, "sum")
    t.eq(#heard, 1, "one event heard")
    t.eq(heard[1].action, "timer_fired", "the event's action")
    t.eq(heard[1].escalation_id, esc.id, "the event's escalation")

    t.eq(db:sweep(DEADLINE).firings, 0, "nothing fires twice")
    t.eq(#heard, 1, "nothing heard twice")
    t.eq(#db:due { before = DEADLINE }, 0, "nothing due any more")

    local entries = db:outbox()
    t.eq(#entries, 1, "one outbox entry")
    local entry = entries[1]
    t.eq(entry.kind, "sla_breach", "kind")
    t.eq(entry.escalation_id, esc.id, "escalation_id")
    t.eq(entry.seq, heard[1].seq, "seq of the event")
    t.eq(entry.due_at, DEADLINE, "due_at")
    t.eq(entry.fired_at, DEADLINE, "fired_at")
    t.eq(type(entry.payload), "string", "payload text")
    t.eq(entry.details.kind, "sla_breach", "details.kind")
    t.eq(entry.details.escalation_id, esc.id, "details.escalation_id")
    t.eq(#db:outbox(10), 1, "still there until acknowledged")

    esc:refresh()
    local last
    for event in esc:history() do last = event end
    t.eq(last.action, "timer_fired", "last event")
    t.eq(esc:sla(DEADLINE).resolution.breached, true, "breached")
    t.eq(esc:allowed().timer_fired, nil, "timer_fired is not the host's to do")
    t.eq(esc.timer_fired, nil, "nor a method")
    t.raises("ESC_EINVAL", nil, esc.apply, esc, "timer_fired", { actor = AGENT })

    db:ack(entry)
    t.eq(#db:outbox(), 0, "acknowledged")
    db:ack(entry.id)                            -- twice is fine
end)

t.test("a hook raising during a sweep", function()
    local db <close> = fresh_db("hook")
    local esc = open_case(db, "std")
    db:set_event_hook(function() error("pager is down") end)
    local err = t.error_of(db.sweep, db, DEADLINE)
    t.ok(tostring(err):find("pager is down", 1, true), "the hook's own error")
    -- The firing was committed before the hook ran: it stays fired.
    db:set_event_hook(nil)
    t.eq(db:sweep(DEADLINE).firings, 0, "nothing fires twice")
    local entries = db:outbox()
    t.eq(#entries, 1, "one entry")
    t.eq(entries[1].escalation_id, esc.id, "for the escalation")
end)

t.test("bad input raises the error convention", function()
    local db <close> = fresh_db("bad")
    t.raises("ESC_ENOTFOUND", nil, open_case, db, "no-such-policy")
    t.raises("ESC_ENOTFOUND", nil, db.policy_get, db, "nope")
    t.raises("ESC_ENOTFOUND", nil, db.calendar_get, db, "nope")
    t.raises("ESC_ENOTFOUND", nil, db.policy_load, db, "nope")
    t.raises("ESC_ENOTFOUND", nil, db.policy_get, db, "std", 7)
    t.raises("ESC_ENOTFOUND", nil, db.policy_put, db, "p", STANDARD, "nope")
    t.raises("ESC_ENOTFOUND", nil, db.ack, db, 424242)
    t.raises("ESC_ENOTFOUND", nil, db.sla, db, open_case(db, nil))     -- opened without a policy
    t.raises("ESC_EINVAL", nil, db.policy_put, db, nil, STANDARD)
    t.raises("ESC_EINVAL", nil, db.policy_put, db, "p", nil)
    t.raises("ESC_EINVAL", nil, db.calendar_put, db, "c", nil)
    t.raises("ESC_EINVAL", nil, db.calendar_put, db, nil, BERLIN)
    t.raises("ESC_EINVAL", nil, db.policy_get, db, nil)
    t.raises("ESC_EINVAL", nil, db.policy_load, db, nil)
    t.raises("ESC_EINVAL", nil, db.sla, db, nil)
    t.raises("ESC_EINVAL", nil, db.ack, db, nil)
    t.raises("ESC_EINVAL", nil, db.calendar_put, db, "bad name!", BERLIN)
    t.raises("ESC_EINVAL", nil, db.calendar_put, db, ("x"):rep(65), BERLIN)
    t.raises("ESC_EINVAL", nil, db.calendar_put, db, "utc", "tz=UTC")    -- no working hours
    t.raises("ESC_EINVAL", nil, db.policy_put, db, "p", "p2 resolution=soon")
    t.raises("ESC_EINVAL", nil, db.policy_put, db, "p", escalate.policy { calendar = BERLIN }, "berlin")
    t.raises("ESC_EINVAL", nil, db.calendar_get, db, "berlin", 0)
    t.raises("ESC_EINVAL", nil, db.due, db, { before = "tomorrow" })
    t.raises("ESC_EINVAL", nil, db.due, db, { limit = -1 })
    t.raises("ESC_EINVAL", nil, db.due, db, { after = 1 })
    t.raises("ESC_EINVAL", nil, db.outbox, db, -1)
    t.raises("ESC_EINVAL", nil, db.sweep, db, 1.5)
    t.raises("ESC_EINVAL", nil, db.sla, db, open_case(db, "std"), OPENED - HOUR)   -- before its open
    local pol = escalate.policy(STANDARD)
    t.raises("ESC_EINVAL", nil, pol.evaluate, pol, "not an escalation")
    -- nil objects reaching the C glue itself: ESC_EINVAL, not a crash.
    t.raises("ESC_EINVAL", nil, db._c.sla, db._c, nil, 0)
    t.raises("ESC_EINVAL", nil, pol.raw.append_rule, pol.raw, nil)
    db:close()
    t.raises("ESC_EINVAL", nil, db.sweep, db)
end)

t.run()
