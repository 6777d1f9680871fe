-- test_lua_lifecycle.lua — the Lua API end to end: the refund case through
-- every stage (tier move and approved exception included) with the refusals
-- a real case meets, then records, items, history, lists, batches, tiers,
-- priorities, verify and rebuild.
local t = require "lua_testlib"
local escalate = require "escalate"

local AGENT, SUPERVISOR, BILLING = t.AGENT, t.SUPERVISOR, t.BILLING
local HOUR, DAY = t.HOUR, t.DAY

local function fresh_db(tag, options)
    options = options or {}
    options.create = true
    local clock = t.clock()
    options.clock = clock.fn
    return escalate.open(t.path(tag), options), clock
end

t.test("the module: idiomatic table, no globals, status table, names", function()
    t.eq(rawget(_G, "escalate"), nil, "global escalate")
    t.eq(rawget(_G, "swig_type"), nil, "global swig_type")
    t.eq(package.loaded.escalate, escalate, "package.loaded")
    t.eq(escalate.version, "1.0.0", "version")
    t.eq(type(escalate.core.escb_db), "table", "raw module as escalate.core")
    t.eq(escalate.status.ESC_OK, 0, "ESC_OK")
    t.eq(escalate.status.ESC_ECALLBACK, -17, "ESC_ECALLBACK")
    t.eq(#escalate.states, 7, "states")
    t.eq(escalate.states[1], "listen", "first state")
    t.eq(escalate.states[7], "closed", "last state")
    t.eq(#escalate.actions, 26, "actions (open is db:open)")
    t.eq(escalate.guard_descriptions.root_cause,
         "a root cause needs both a category and a description", "guard description")
end)

t.test("the refund case, stage by stage", function()
    local db <close>, clock = fresh_db("refund")
    local esc = db:open {
        actor = AGENT, customer_id = "cust-88412", customer_name = "Helen Ortiz",
        summary = "You took $89.99 twice and the refund never arrived.",
        external_ref = "CRM-2291", channel = "phone", impact = 1, urgency = 3, churn_risk = true,
    }
    t.eq(esc.state, "listen", "opened in listen")
    t.eq(esc.version, 1, "version")
    t.eq(esc.priority, 3, "matrix gives 4, churn risk raises it to 3")
    t.eq(esc.priority, db:priority { impact = 1, urgency = 3, churn_risk = true }, "db:priority")
    t.eq(esc.churn_risk, true, "churn_risk")
    t.eq(esc.vip, false, "vip")
    t.eq(esc.channel, "phone", "channel")
    t.eq(esc.tier, 1, "tier")
    t.eq(esc.owner_id, nil, "no owner yet")
    t.eq(esc.created_at, clock.now, "created at the injected now")
    t.eq(esc.is_open, true, "is_open")

    -- Listen: advancing before her account is on record is refused.
    t.raises("ESC_EGUARD", "customer_note", esc.advance, esc, { actor = AGENT })
    t.eq(esc.version, 1, "a refused action changes nothing")
    clock.advance(2 * 60000)
    esc:note { actor = AGENT, customer_account = true,
               text = "I closed my old Visa in February; the refund never reached my new card." }
    esc:ack_emotion { actor = AGENT, text = "frustrated" }
    t.eq(esc:advance { actor = AGENT }, esc, "actions return the escalation")
    t.eq(esc.state, "clarify", "advanced")

    -- Clarify: a correction keeps it in clarify.
    esc:state_problem { actor = AGENT, text = "You were charged twice and not refunded." }
    esc:confirm_problem { actor = AGENT, yes = false,
                          text = "Not quite: the refund went to the closed card." }
    t.eq(esc.state, "clarify", "correction keeps clarify")
    t.eq(esc.problem_confirmed, false, "not confirmed")
    esc:state_problem { actor = AGENT, text = "The duplicate $89.99 went back to the closed Visa." }
    esc:confirm_problem { actor = AGENT, yes = true }
    t.eq(esc.state, "plan", "confirmed: plan")
    t.eq(esc.problem, "The duplicate $89.99 went back to the closed Visa.", "problem")

    -- Plan: steps, options, a promise; owning before the promise is refused.
    esc:add_step { actor = AGENT, text = "Billing confirms the bounce", at = clock.now + 4 * HOUR }
    esc:add_step { actor = AGENT, text = "Send $89.99 to the current card", at = clock.now + 2 * DAY }
    esc:offer_option { actor = AGENT, text = "Refund to the current card (2-3 days)" }
    esc:offer_option { actor = AGENT, text = "$89.99 account credit, today" }
    t.raises("ESC_EGUARD", "option", esc.choose_option, esc, { actor = AGENT, item = 3 })
    esc:choose_option { actor = AGENT, item = 1 }
    t.raises("ESC_EGUARD", "promised_time", esc.take_ownership, esc, { actor = AGENT, person = AGENT })
    t.raises("ESC_EGUARD", "future_time", esc.promise, esc, { actor = AGENT, at = clock.now - 1 })
    esc:promise { actor = AGENT, at = clock.now + 2 * DAY + 8 * HOUR }
    t.eq(esc.promised_at, clock.now + 2 * DAY + 8 * HOUR, "promised_at")

    -- Own.
    esc:take_ownership { actor = AGENT, person = AGENT }
    t.eq(esc.state, "own", "owned")
    t.eq(esc.owner_name, AGENT.name, "owner")
    esc:loop_in { actor = AGENT, person = BILLING, category = "billing" }
    esc:send_update { actor = AGENT, text = "Billing confirmed the bounce." }

    -- Authority: the frontline asks, the supervisor approves.
    esc:request_exception { actor = AGENT, category = "refund_outside_policy", tier = 2,
                            text = "Refund again before the bounce returns." }
    t.raises("ESC_EAUTHORITY", "authority", esc.decide_exception, esc,
             { actor = AGENT, item = 1, yes = true })
    t.raises("ESC_EGUARD", "no_pending_exception", esc.record_resolution, esc,
             { actor = AGENT, text = "Refunded." })
    local allowed = esc:allowed(AGENT)
    t.eq(allowed.send_update, true, "allowed: send_update")
    t.eq(allowed.decide_exception, "authority", "allowed: decide_exception")
    t.eq(allowed.record_resolution, "no_pending_exception", "allowed: record_resolution")
    t.eq(allowed.advance, "state", "allowed: advance is not for this state")
    t.eq(esc:allowed().decide_exception, true, "without an actor, authority is not judged")

    -- Move up a tier with a handover brief; the supervisor listens again.
    t.raises("ESC_EGUARD", "handover_brief", esc.move_tier, esc,
             { actor = AGENT, tier = 2, person = SUPERVISOR, brief_went_wrong = "x" })
    esc:move_tier { actor = AGENT, tier = 2, person = SUPERVISOR,
                    brief_went_wrong = "Refund bounced off a closed card.",
                    brief_tried = "Confirmed with billing; requested exception 1.",
                    brief_response = "Frustrated; will cancel if not fixed this week." }
    t.eq(esc.state, "listen", "back to listen")
    t.eq(esc.tier, 2, "tier 2")
    t.eq(esc.owner_id, SUPERVISOR.id, "new owner")
    t.raises("ESC_EGUARD", "customer_note", esc.advance, esc, { actor = SUPERVISOR })
    esc:note { actor = SUPERVISOR, customer_account = true, text = "Just get it to my card." }
    esc:advance { actor = SUPERVISOR }
    esc:state_problem { actor = SUPERVISOR, text = "The refund must reach the current card." }
    esc:confirm_problem { actor = SUPERVISOR, yes = true }
    esc:take_ownership { actor = SUPERVISOR, person = SUPERVISOR }
    esc:decide_exception { actor = SUPERVISOR, item = 1, yes = true, text = "Approved: our error." }
    local exception = esc.exceptions[1]
    t.eq(exception.status, "approved", "exception approved")
    t.eq(exception.decided_by, SUPERVISOR.id, "decided by")
    t.eq(exception.tier, 2, "minimum tier")
    t.eq(exception.category, "refund_outside_policy", "exception kind")

    -- Resolve and follow up.
    clock.advance(DAY)
    esc:record_resolution { actor = SUPERVISOR, text = "Second refund issued under exception 1." }
    t.eq(esc.state, "follow_up", "follow_up")
    t.raises("ESC_EGUARD", "customer_confirmed", esc.confirm_resolved, esc, { actor = SUPERVISOR })
    esc:schedule_follow_up { actor = SUPERVISOR, at = clock.now + 2 * DAY, text = "Did it arrive?" }
    t.eq(esc.due_at, clock.now + 2 * DAY, "due_at is the follow-up")
    clock.advance(2 * DAY)
    esc:complete_follow_up { actor = SUPERVISOR, item = 1, yes = true, text = "It arrived Thursday." }
    esc:confirm_resolved { actor = SUPERVISOR, yes = true }
    t.eq(esc.state, "resolved", "resolved")

    -- Close with what the team learns.
    t.raises("ESC_EGUARD", "root_cause", esc.close, esc, { actor = SUPERVISOR, text = "no category" })
    esc:close { actor = SUPERVISOR, category = "billing_system", satisfaction = 4,
                text = "Refunds to closed cards bounce silently.",
                lessons = "Check the card on file before refunding." }
    t.eq(esc.state, "closed", "closed")
    t.eq(esc.is_open, false, "not open")
    t.eq(esc.satisfaction, 4, "satisfaction")
    t.eq(esc.root_cause_category, "billing_system", "root cause category")
    t.raises("ESC_ETRANSITION", "state", esc.note, esc, { actor = SUPERVISOR, text = "late" })
    t.eq(esc.version, 30, "one version per step")

    -- The items, as arrays of tables.
    t.eq(#esc.notes, 4, "notes: 2 accounts, the correction, the handover brief")
    t.eq(esc.notes[1].customer_account, true, "customer account flag")
    t.eq(esc.notes[2].category, "correction", "correction note")
    t.eq(esc.notes[3].category, "handover", "handover note")
    t.eq(esc.emotions[1].text, "frustrated", "emotion")
    t.eq(#esc.steps, 2, "steps")
    t.eq(esc.steps[2].at, clock.now - 3 * DAY + 2 * DAY, "step time")
    t.eq(esc.options[1].chosen, true, "option 1 chosen")
    t.eq(esc.options[2].chosen, false, "option 2 not chosen")
    t.eq(esc.watchers[1].person.name, BILLING.name, "watcher")
    t.eq(esc.watchers[1].category, "billing", "watcher role")
    t.eq(esc.updates[1].text, "Billing confirmed the bounce.", "update")
    t.eq(esc.follow_ups[1].status, "done", "follow-up done")
    t.eq(esc.follow_ups[1].reached, true, "customer reached")
    t.eq(esc.follow_ups[1].decision, "It arrived Thursday.", "outcome")
    t.eq(#esc.tags, 0, "no tags")
    t.eq(esc.notes[1].number, 1, "items are numbered from 1")

    -- The record as one plain table.
    local record = esc:record()
    t.eq(getmetatable(record), nil, "plain table")
    t.eq(record.state, "closed", "record.state")
    t.eq(record.id, esc.id, "record.id")
    t.eq(#record.notes, 4, "record.notes")
    t.eq(record.owner_name, SUPERVISOR.name, "record.owner_name")

    -- Fetch it again, by id and by reference.
    t.eq(db:get(esc.id).version, 30, "get")
    t.eq(db:get_by_ref("CRM-2291").id, esc.id, "get_by_ref")
    t.eq(esc.db, db, "esc.db")
    t.ok(tostring(esc):find("closed, version 30", 1, true), "tostring")
end)

t.test("history: an iterator of event tables", function()
    local db <close>, clock = fresh_db("history")
    local esc = t.refund_lifecycle(db, clock, "CRM-1")
    local events = {}
    for ev in db:history(esc.id) do events[#events + 1] = ev end
    t.eq(#events, t.REFUND_EVENTS, "one event per version")
    t.eq(#events, esc.version, "events = version")
    for i, ev in ipairs(events) do t.eq(ev.seq, i, "seq") end
    local open, move, own = events[1], events[15], events[20]
    t.eq(open.action, "open", "first event")
    t.eq(open.escalation_id, esc.id, "escalation_id")
    t.eq(open.at, clock.now, "at")
    t.eq(open.actor.id, AGENT.id, "actor id")
    t.eq(open.actor.tier, 1, "actor tier")
    t.eq(open.args.customer_id, "cust-88412", "open args")
    t.eq(open.args.open_churn_risk, true, "booleans")
    t.eq(move.action, "move_tier", "move_tier event")
    t.eq(move.from_state, "own", "from")
    t.eq(move.to_state, "listen", "to")
    t.eq(move.args.tier, 2, "integers")
    t.eq(move.args.person.id, SUPERVISOR.id, "person_* as a person table")
    t.eq(own.action, "take_ownership", "take_ownership event")
    t.eq(own.args.person.name, SUPERVISOR.name, "owner in the args")
    t.ok(own.payload:find('"person_name":"Marcus Bell"', 1, true), "payload is the stored JSON")
    -- Enumerations in the arguments come back as names.
    local chat = db:open { actor = AGENT, customer_id = "c", summary = "s", channel = "chat" }
    chat:hold { actor = AGENT, hold = "customer", text = "Waiting for her receipt" }
    local history = db:history(chat)
    t.eq(history().args.channel, "chat", "channel as a name")
    t.eq(history().args.hold, "customer", "hold as a name")
    t.eq(history(), nil, "the iterator ends")
    -- The escalation's own iterator, and an unknown id.
    local n = 0
    for _ in esc:history() do n = n + 1 end
    t.eq(n, t.REFUND_EVENTS, "esc:history()")
    t.raises("ESC_ENOTFOUND", nil, db.history, db, "00000000-0000-4000-8000-000000000000")
end)

t.test("hold, resume, reassess, tag, withdraw, reopen", function()
    local db <close>, clock = fresh_db("misc")
    local esc = db:open { actor = AGENT, customer_id = "c-2", summary = "Order lost", impact = 2,
                          urgency = 2 }
    t.eq(esc.priority, 4, "priority")
    esc:hold { actor = AGENT, hold = "third_party", text = "Waiting on the carrier" }
    t.eq(esc.on_hold, "third_party", "on_hold")
    t.eq(esc.hold_reason, "Waiting on the carrier", "hold reason")
    t.eq(esc.hold_since, clock.now, "hold since")
    t.raises("ESC_EGUARD", "not_on_hold", esc.hold, esc, { actor = AGENT, hold = "customer", text = "x" })
    t.raises("ESC_EINVAL", nil, esc.hold, esc, { actor = AGENT, hold = "vacation", text = "x" })
    esc:resume { actor = AGENT }
    t.eq(esc.on_hold, nil, "resumed")
    t.eq(esc.hold_since, nil, "no hold time")
    esc:reassess { actor = AGENT, impact = 4, urgency = 4, vip = true, churn_risk = false }
    t.eq(esc.priority, 1, "reassessed")
    t.eq(esc.vip, true, "vip")
    esc:tag { actor = AGENT, text = "carrier" }
    t.eq(esc.tags[1].text, "carrier", "tag")
    esc:withdraw { actor = AGENT, text = "Customer found the parcel." }
    t.eq(esc.state, "closed", "withdrawn closes")
    t.eq(esc.withdrawn, true, "withdrawn flag")
    t.eq(esc.resolution, "Customer found the parcel.", "reason as resolution")

    local other = db:open { actor = AGENT, customer_id = "c-3", summary = "Wrong size" }
    other:note { actor = AGENT, text = "It is a size too small.", customer_account = true }
         :advance { actor = AGENT }
         :state_problem { actor = AGENT, text = "Wrong size delivered." }
         :confirm_problem { actor = AGENT, yes = true }
         :add_step { actor = AGENT, text = "Exchange" }
         :promise { actor = AGENT, at = clock.now + DAY }
         :take_ownership { actor = AGENT, person = AGENT }
         :record_resolution { actor = AGENT, text = "Exchanged." }
         :reopen { actor = AGENT, text = "The new one is too small as well." }
    t.eq(other.state, "clarify", "reopen goes back to clarify")
    t.eq(other.reopen_count, 1, "reopen count")
    t.eq(other.resolution, nil, "resolution cleared")
    -- The generic form is the same action.
    other:apply("tag", { actor = AGENT, text = "sizes" })
    t.eq(other.tags[1].text, "sizes", "apply by name")
end)

t.test("lists, filters, pages and each", function()
    local db <close>, clock = fresh_db("lists")
    local opened = {}
    for i = 1, 25 do
        clock.advance(1000)
        opened[i] = db:open { actor = AGENT, customer_id = "cust-" .. (i % 3), summary = "case " .. i,
                              impact = 1 + i % 4, urgency = 1 + (i * 7) % 4, vip = i % 5 == 0 }
    end
    opened[3]:tag { actor = AGENT, text = "billing" }
    opened[4]:withdraw { actor = AGENT, text = "duplicate" }
    opened[5]:note { actor = AGENT, text = "account", customer_account = true }
             :advance { actor = AGENT }

    t.eq(#db:list(), 25, "everything")
    t.eq(#db:list { open = true }, 24, "open")
    t.eq(db:list { open = false }[1].id, opened[4].id, "closed")
    t.eq(#db:list { state = "clarify" }, 1, "by state")
    t.eq(db:list { tag = "billing" }[1].id, opened[3].id, "by tag")
    t.eq(#db:list { customer = "cust-1" }, 9, "by customer")
    t.eq(#db:list { tier = 1 }, 25, "by tier")
    local by_priority = db:list { order = "priority" }
    for i = 2, #by_priority do
        t.ok(by_priority[i - 1].priority <= by_priority[i].priority, "ordered by priority")
    end
    local top = by_priority[1].priority
    for _, esc in ipairs(db:list { priority = top }) do t.eq(esc.priority, top, "by priority") end
    local created = db:list { order = "created", limit = 10, offset = 10 }
    t.eq(#created, 10, "a page")
    t.eq(created[1].id, opened[11].id, "offset, in creation order")
    t.raises("ESC_EINVAL", nil, db.list, db, { order = "alphabetical" })
    t.raises("ESC_EINVAL", nil, db.list, db, { colour = "red" })
    t.raises("ESC_EINVAL", nil, db.list, db, { limit = -1 })

    -- each crosses pages.
    local seen, count = {}, 0
    for esc in db:each { order = "created", limit = 7 } do
        count = count + 1
        t.eq(esc.id, opened[count].id, "each in order")
        seen[esc.id] = true
    end
    t.eq(count, 25, "each saw every escalation")
    count = 0
    for _ in db:each { open = true, limit = 5 } do count = count + 1 end
    t.eq(count, 24, "each with a filter")
    -- Owners as ids or as the person table.
    opened[5]:state_problem { actor = AGENT, text = "p" }:confirm_problem { actor = AGENT, yes = true }
             :add_step { actor = AGENT, text = "s" }:promise { actor = AGENT, at = clock.now + DAY }
             :take_ownership { actor = AGENT, person = AGENT }
    t.eq(db:list { owner = AGENT }[1].id, opened[5].id, "by owner table")
    t.eq(db:list { owner = AGENT.id }[1].id, opened[5].id, "by owner id")
end)

t.test("batch: commit on success, rollback on error", function()
    local db <close> = fresh_db("batch")
    local esc = db:open { actor = AGENT, customer_id = "c", summary = "s" }
    local a, b = db:batch(function(x)
        esc:note { actor = AGENT, text = "one" }
        esc:note { actor = AGENT, text = "two" }
        return x, "done"
    end, 42)
    t.eq(a, 42, "results returned")
    t.eq(b, "done", "all of them")
    t.eq(db:get(esc.id).version, 3, "committed")

    local err = t.error_of(db.batch, db, function()
        esc:note { actor = AGENT, text = "three" }
        error("changed my mind")
    end)
    t.ok(tostring(err):find("changed my mind", 1, true), "the original error")
    t.eq(db:get(esc.id).version, 3, "rolled back")
    esc:refresh()
    t.eq(esc.version, 3, "refresh")
    -- The handle is usable again, and a library error inside rolls back too.
    t.raises("ESC_ETRANSITION", nil, db.batch, db, function()
        esc:tag { actor = AGENT, text = "x" }
        esc:close { actor = AGENT, category = "c", text = "t" }
    end)
    t.eq(db:get(esc.id).version, 3, "rolled back after a library error")
    t.raises("ESC_EINVAL", nil, db.batch, db, "not a function")
end)

t.test("tiers, priorities, verify, rebuild, properties", function()
    local db <close>, clock = fresh_db("config", { tiers = { "agent", "lead", "manager" } })
    t.eq(table.concat(db.tiers, ","), "agent,lead,manager", "tiers")
    db:set_tiers(nil)
    t.eq(#db.tiers, 4, "default ladder")
    t.raises("ESC_EINVAL", nil, db.set_tiers, db, { "one\ntwo" })
    t.raises("ESC_EINVAL", nil, db.set_tiers, db, {})
    t.eq(db.now, clock.now, "db.now reads the clock")
    t.eq(math.type(db.now), "integer", "integer ms")
    t.eq(db.schema_version, 4, "schema version")

    t.eq(db:priority { impact = 4, urgency = 4 }, 1, "matrix")
    db:set_priority { impact = 4, urgency = 4, priority = 2 }
    t.eq(db:priority { impact = 4, urgency = 4 }, 2, "cell replaced")
    db:reset_priorities()
    t.eq(db:priority { impact = 4, urgency = 4 }, 1, "default again")
    t.raises("ESC_EINVAL", nil, db.priority, db, { impact = 5, urgency = 1 })
    t.raises("ESC_EINVAL", nil, db.priority, db, { impact = 1, urgency = 1, severity = 2 })

    t.refund_lifecycle(db, clock, "CRM-A")
    t.refund_lifecycle(db, clock, "CRM-B")
    local report = db:verify()
    t.eq(report.ok, true, "verify ok")
    t.eq(report.escalations, 2, "escalations")
    t.eq(report.events, 2 * t.REFUND_EVENTS, "events")
    t.eq(#report.mismatches, 0, "no mismatches")
    t.eq(db:rebuild(), 2, "rebuilt")
    t.raises("ESC_EINVAL", nil, function() db.now = 5 end)
end)

t.run()
