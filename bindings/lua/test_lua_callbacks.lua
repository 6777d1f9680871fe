-- test_lua_callbacks.lua — Lua functions as the clock and the event hook:
-- what they receive, where they run, what happens when they raise (clock:
-- the call changes nothing and the original error is raised; hook: the step
-- is committed, then the hook's error is raised), and that their references
-- are released exactly once and never keep a database alive.
local t = require "lua_testlib"
local escalate = require "escalate"

local AGENT = t.AGENT

local function new_db(tag, options)
    options = options or {}
    options.create = true
    return escalate.open(t.path(tag), options)
end

local function new_escalation(db)
    return db:open { actor = AGENT, customer_id = "cust-1", summary = "Charged twice" }
end

local function count_events(db, esc)
    local n = 0
    for _ in db:history(esc.id) do n = n + 1 end
    return n
end

-- Functions held in the registry (the C side's references are there).
local function registry_functions()
    local n = 0
    for _, v in pairs(debug.getregistry()) do
        if type(v) == "function" then n = n + 1 end
    end
    return n
end

t.test("the clock: integer ms, read at each step", function()
    local clock = t.clock()
    local db <close> = new_db("clock", { clock = clock.fn })
    local esc = new_escalation(db)
    t.eq(esc.created_at, clock.now, "created_at")
    clock.advance(90000)
    esc:note { actor = AGENT, text = "later" }
    t.eq(esc.updated_at, clock.now, "updated_at")
    t.eq(esc.notes[1].created_at, clock.now, "item time")
    t.eq(db.now, clock.now, "db.now")
end)

t.test("a clock that raises: the call changes nothing, the original error is raised", function()
    local db <close> = new_db("clock-raises")
    local esc = new_escalation(db)
    local broken = { reason = "the time server is down" }
    db:set_clock(function() error(broken) end)
    local err = t.error_of(esc.note, esc, { actor = AGENT, text = "t" })
    t.ok(rawequal(err, broken), "the very table the clock raised")
    t.eq(esc.version, 1, "snapshot unchanged")

    db:set_clock(function() error("ntp unreachable") end)
    err = t.error_of(esc.note, esc, { actor = AGENT, text = "t" })
    t.eq(type(err), "string", "a string error stays a string")
    t.ok(err:find("ntp unreachable", 1, true), "the original message")
    t.ok(err:find("test_lua_callbacks.lua:%d+:"), "with the clock's own position")
    t.eq(escalate.is_error(err), false, "not wrapped")

    t.error_of(db.open, db, { actor = AGENT, customer_id = "c2", summary = "s" })
    t.error_of(function() return db.now end)
    db:set_clock(nil)
    t.eq(#db:list(), 1, "no escalation was opened")
    t.eq(count_events(db, esc), 1, "no event was recorded")
    t.eq(db:get(esc.id).version, 1, "the database is unchanged")
    esc:note { actor = AGENT, text = "works again" }
    t.eq(esc.version, 2, "the handle is usable")
end)

t.test("the event hook receives committed events as tables", function()
    local seen = {}
    local db <close> = new_db("hook", { event_hook = function(ev) seen[#seen + 1] = ev end })
    local esc = new_escalation(db)
    esc:note { actor = AGENT, text = "her words", customer_account = true }:advance { actor = AGENT }
    t.eq(#seen, 3, "one call per event")
    t.eq(seen[1].action, "open", "open")
    t.eq(seen[2].args.text, "her words", "args")
    t.eq(seen[2].args.customer_account, true, "boolean args")
    t.eq(seen[3].from_state, "listen", "from")
    t.eq(seen[3].to_state, "clarify", "to")
    t.eq(seen[3].seq, 3, "seq")
    t.eq(seen[3].escalation_id, esc.id, "escalation id")
    t.eq(seen[3].actor.name, AGENT.name, "actor")
    -- The same shape as the history's events.
    local i = 0
    for ev in db:history(esc) do
        i = i + 1
        for _, key in ipairs { "seq", "at", "action", "from_state", "to_state", "payload", "escalation_id" } do
            t.eq(ev[key], seen[i][key], "hook and history agree on " .. key)
        end
    end
    -- Refused steps produce no event.
    pcall(esc.advance, esc, { actor = AGENT })
    t.eq(#seen, 3, "no event for a refused step")
    db:set_event_hook(nil)
    esc:tag { actor = AGENT, text = "quiet" }
    t.eq(#seen, 3, "hook removed")
end)

t.test("a hook that raises: the step is committed, then the hook's error is raised", function()
    local failure = setmetatable({}, { __tostring = function() return "notifier down" end })
    local calls = 0
    local db <close> = new_db("hook-raises")
    local esc = new_escalation(db)
    db:set_event_hook(function() calls = calls + 1; error(failure) end)
    local err = t.error_of(esc.note, esc, { actor = AGENT, text = "kept" })
    t.ok(rawequal(err, failure), "the hook's own error")
    t.eq(esc.version, 2, "the snapshot was refreshed: the step happened")
    t.eq(db:get(esc.id).version, 2, "and is committed")
    t.eq(esc.notes[1].text, "kept", "with its note")

    -- db:open{} too: the escalation exists, the call raises the hook's error.
    err = t.error_of(db.open, db, { actor = AGENT, customer_id = "c2", summary = "opened anyway",
                                    external_ref = "CRM-HOOK" })
    t.ok(rawequal(err, failure), "the hook's error from db:open")
    t.eq(db:get_by_ref("CRM-HOOK").summary, "opened anyway", "the escalation was opened")

    -- In a batch: every event is delivered at commit, the first error raised.
    calls = 0
    db:set_event_hook(function(ev)
        calls = calls + 1
        error("hook failed on event " .. ev.seq, 0)
    end)
    err = t.error_of(db.batch, db, function()
        esc:tag { actor = AGENT, text = "a" }
        esc:tag { actor = AGENT, text = "b" }
        t.eq(calls, 0, "nothing delivered before the commit")
    end)
    t.eq(err, "hook failed on event 3", "the first error")
    t.eq(calls, 2, "the later event was still delivered")
    t.eq(db:get(esc.id).version, 4, "the batch committed")

    -- A rolled-back batch delivers nothing.
    calls = 0
    pcall(db.batch, db, function() esc:tag { actor = AGENT, text = "c" }; error("abandon") end)
    t.eq(calls, 0, "no event from a rolled-back batch")
end)

t.test("callbacks must not use their own database, may use another", function()
    local path = t.path("reentry")
    local db <close> = escalate.open(path, { create = true })
    local other <close> = escalate.open(path)
    local esc = new_escalation(db)
    local from_other
    db:set_event_hook(function(ev)
        from_other = other:get(ev.escalation_id).version   -- another handle: fine
        return db:get(ev.escalation_id)                  -- its own: refused
    end)
    local err = t.raises("ESC_EINVAL", nil, esc.note, esc, { actor = AGENT, text = "t" })
    t.ok(err.message:find("must not use the database", 1, true), "says why")
    t.eq(from_other, 2, "the other handle sees the committed step")
    db:set_event_hook(function() db:close() end)
    t.raises("ESC_EINVAL", nil, esc.note, esc, { actor = AGENT, text = "t" })
    t.eq(db:is_closed(), false, "a hook cannot close its database")
    db:set_event_hook(nil)
    db:set_clock(function() return db.now end)
    t.raises("ESC_EINVAL", nil, esc.note, esc, { actor = AGENT, text = "t" })
    db:set_clock(nil)
    t.eq(esc.version, 3, "two notes committed, the clock's failure changed nothing")

    -- A failure inside a callback, caught there, does not leak into the call.
    db:set_event_hook(function() pcall(other.get, other, "no-such-id") end)
    esc:note { actor = AGENT, text = "fine" }
    t.eq(esc.version, 4, "the outer call succeeded")
end)

t.test("callbacks run on the coroutine that made the call", function()
    local db <close> = new_db("coroutines")
    local ran_on
    db:set_clock(function() ran_on = coroutine.running(); return 1767261600000 end)
    local co = coroutine.create(function()
        local esc = new_escalation(db)
        coroutine.yield(esc)
        esc:note { actor = AGENT, text = "after a yield" }
        return esc
    end)
    local _, esc = coroutine.resume(co)
    t.eq(ran_on, co, "the clock ran on the coroutine")
    local ok, same = coroutine.resume(co)
    t.ok(ok, "resumed")
    t.eq(same.version, 2, "the step after the yield")
    -- A hook may not yield (it runs inside a C call); the step still stands.
    db:set_event_hook(function() coroutine.yield() end)
    co = coroutine.wrap(function() return pcall(esc.tag, esc, { actor = AGENT, text = "t" }) end)
    local okay, err = co()
    t.eq(okay, false, "yield refused")
    t.ok(tostring(err):find("yield", 1, true), "the yield error")
    t.eq(db:get(esc.id).version, 3, "committed")
end)

t.test("references: released when replaced and on close, exactly once", function()
    collectgarbage()
    local baseline = registry_functions()
    local db = new_db("refs")
    for i = 1, 50 do
        db:set_clock(function() return 1767261600000 + i end)
        db:set_event_hook(function() end)
    end
    t.eq(registry_functions(), baseline + 2, "only the current two are held")
    db:set_clock(nil)
    t.eq(registry_functions(), baseline + 1, "clock released")
    db:close()
    t.eq(registry_functions(), baseline, "hook released on close")
    db:close()
    db = nil
    collectgarbage()
    collectgarbage()   -- the core handle's own __gc releases again: must be a no-op
    -- A double release would corrupt the registry's free list and make two
    -- live callbacks share a reference: check each still calls its own.
    local dbs, seen = {}, {}
    for i = 1, 5 do
        dbs[i] = new_db("refs-" .. i, {
            clock = function() return 1767261600000 + i end,
            event_hook = function() seen[i] = (seen[i] or 0) + 1 end,
        })
    end
    for i = 1, 5 do
        t.eq(dbs[i].now, 1767261600000 + i, "clock " .. i .. " is its own")
        new_escalation(dbs[i])
        t.eq(seen[i], 1, "hook " .. i .. " is its own")
        dbs[i]:close()
    end
    t.eq(registry_functions(), baseline, "all released")
end)

t.test("a callback that refers to its database does not keep it alive", function()
    local watch = setmetatable({}, { __mode = "v" })
    local released_before = registry_functions()
    do
        local db = new_db("cycle")
        db:set_event_hook(function() return db end)
        db:set_clock(function() return db and 1767261600000 end)
        new_escalation(db)
        watch.db = db
    end
    collectgarbage()
    collectgarbage()
    t.eq(watch.db, nil, "collected")
    t.eq(registry_functions(), released_before, "and its callbacks released by __gc")
end)

t.run()
