-- test_lua_access.lua — who may see and do what, from Lua: a confidential
-- escalation opened by a supervisor on the host's database; a second
-- database acting for a tier-1 agent (escalate.open{viewer=}) that cannot
-- get it, list it, read its history or clocks, act on it (guard
-- "confidential"), act as someone else or do the host's own work (verify,
-- rebuild, sweep, outbox, ack, stored definitions) — until the supervisor
-- loops the agent in as a watcher; the opener, higher tiers and the
-- confidential tier; the hash chain of the history; and the journal and
-- sync options.
local t = require "lua_testlib"
local escalate = require "escalate"

local AGENT, SUPERVISOR = t.AGENT, t.SUPERVISOR
local LEADER = { id = "lead-3", name = "Dana Whitfield", tier = 3 }
local DAY = t.DAY
-- A resolution target at every priority: both escalations are due.
local POLICY = "p1 resolution=1h; p2 resolution=1h; p3 resolution=1h; p4 resolution=1h; "
            .. "p5 resolution=1h"

local function exists(path)
    local f = io.open(path)
    if f then f:close() end
    return f ~= nil
end

-- The host's database with a confidential escalation (opened by the
-- supervisor) and a plain one.
local function world(tag)
    local w = { clock = t.clock(), path = t.path(tag) }
    w.host = escalate.open(w.path, { create = true, clock = w.clock.fn })
    w.host:policy_put("std", POLICY)
    w.secret = w.host:open { actor = SUPERVISOR, summary = "A board member's card was charged twice.",
                             customer_id = "cust-board", external_ref = "T-SECRET",
                             confidential = true, sla_policy = "std" }
    w.plain = w.host:open { actor = SUPERVISOR, summary = "My parcel is late.", customer_id = "cust-1",
                            external_ref = "T-PLAIN", sla_policy = "std" }
    return w
end

-- A second database on the same file, acting for who.
local function acting_for(w, who, options)
    options = options or {}
    options.clock, options.viewer = w.clock.fn, who
    return escalate.open(w.path, options)
end

local function count(list) return #list end

-- Every read path, for the confidential escalation, as seen by db.
local function assert_reads(db, w, visible, what)
    local id = w.secret.id
    if visible then
        t.eq(db:get(id).id, id, what .. ": get")
        t.eq(db:get_by_ref("T-SECRET").id, id, what .. ": get_by_ref")
        local n = 0
        for _ in db:history(id) do n = n + 1 end
        t.eq(n, w.secret.version, what .. ": history")
        t.eq(db:sla(id).resolution.state, "running", what .. ": sla")
    else
        for _, call in ipairs { { db.get, id }, { db.get_by_ref, "T-SECRET" },
                                { db.history, id }, { db.sla, id } } do
            local err = t.raises("ESC_EAUTHORITY", nil, call[1], db, call[2])
            t.eq(err.guard, nil, what .. ": no guard for a read")
            t.ok(err.message:find("confidential", 1, true), what .. ": says why")
        end
    end
    local listed = {}
    for _, esc in ipairs(db:list()) do listed[esc.id] = true end
    t.eq(listed[id] == true, visible, what .. ": listed")
    t.eq(listed[w.plain.id], true, what .. ": the plain one is listed")
    t.eq(count(db:list { customer = "cust-board" }), visible and 1 or 0, what .. ": by customer")
    t.eq(count(db:list { state = "listen" }), visible and 2 or 1, what .. ": by state")
    local n = 0
    for _ in db:each { limit = 1 } do n = n + 1 end
    t.eq(n, visible and 2 or 1, what .. ": each")
    t.eq(count(db:due { before = w.clock.now + 10 * DAY }), visible and 2 or 1, what .. ": due")
    t.eq(db:get(w.plain.id).id, w.plain.id, what .. ": the plain one is always there")
end

t.test("the host sees everything", function()
    local w = world("host")
    local host <close> = w.host
    t.eq(host.viewer, nil, "no viewer")
    t.eq(host.confidential_tier, escalate.core.ESC_CONFIDENTIAL_TIER_DEFAULT, "default tier")
    t.eq(host.confidential_tier, 2, "tier 2")
    t.eq(w.secret.confidential, true, "confidential")
    t.eq(w.plain.confidential, false, "plain")
    t.eq(w.secret.opened_by, SUPERVISOR.id, "opened_by")
    t.eq(w.secret:record().opened_by, SUPERVISOR.id, "opened_by in the record")
    assert_reads(host, w, true, "host")
end)

t.test("a frontline agent cannot get, list or read it", function()
    local w = world("reads")
    local host <close> = w.host
    local agent <close> = acting_for(w, AGENT)
    local viewer = agent.viewer
    t.eq(viewer.id, AGENT.id, "viewer id")
    t.eq(viewer.name, AGENT.name, "viewer name")
    t.eq(viewer.tier, 1, "viewer tier")
    viewer.tier = 4                                   -- a copy: the handle is not changed
    t.eq(agent.viewer.tier, 1, "viewer is a copy")
    t.eq(agent.confidential_tier, 2, "confidential tier")
    assert_reads(agent, w, false, "agent")
    t.raises("ESC_EINVAL", nil, function() agent.viewer = SUPERVISOR end)
end)

t.test("nobody below the tier may act on it", function()
    local w = world("act")
    local host <close> = w.host
    local agent <close> = acting_for(w, AGENT)
    -- On the host's own database: the rule is about the actor.
    local err = t.raises("ESC_EAUTHORITY", "confidential", w.secret.note, w.secret,
                         { actor = AGENT, text = "Peeking." })
    t.ok(err.message:find("confidential", 1, true), "says why")
    t.ok(tostring(err):find("^ESC_EAUTHORITY: "), "tostring")
    t.eq(w.secret:allowed(AGENT).note, "confidential", "allowed for the agent")
    t.eq(w.secret:allowed(SUPERVISOR).note, true, "allowed for the supervisor")
    t.ok(escalate.guard_descriptions.confidential, "the guard is described")
    -- On the agent's database, even with a snapshot the host handed over
    -- (a host bug: the agent's database never gives one out itself).
    local smuggled = setmetatable({ _c = w.secret._c:copy(), db = agent }, getmetatable(w.secret))
    t.raises("ESC_EAUTHORITY", "confidential", smuggled.note, smuggled, { actor = AGENT, text = "Peeking." })
    t.raises("ESC_EAUTHORITY", nil, agent.sla, agent, smuggled)
    t.eq(w.secret.version, 1, "unchanged")
    t.eq(host:get(w.secret.id).version, 1, "nothing written")
end)

t.test("a watcher sees it", function()
    local w = world("watcher")
    local host <close> = w.host
    local agent <close> = acting_for(w, AGENT)
    assert_reads(agent, w, false, "before")
    w.secret:loop_in { actor = SUPERVISOR, person = AGENT, category = "watcher" }
    -- The same database: visibility is judged at every read.
    assert_reads(agent, w, true, "watcher")
    local mine = agent:get(w.secret.id)
    mine:note { actor = AGENT, text = "Looking into it." }
    t.eq(mine.version, 3, "the watcher acted")
    local last
    for event in agent:history(mine) do last = event end
    t.eq(last.actor.id, AGENT.id, "as themselves")
end)

t.test("the opener, higher tiers and the confidential tier", function()
    local w = world("tiers")
    local host <close> = w.host
    local other = { id = "sup-9", name = "Other Supervisor", tier = 2 }
    for _, case in ipairs {
        { SUPERVISOR, nil, true, "opener" },
        { LEADER, nil, true, "leader" },
        { other, nil, true, "another supervisor at the default tier" },
        { other, 3, false, "another supervisor below tier 3" },
        { LEADER, 3, true, "leader at tier 3" },
        { SUPERVISOR, 4, true, "the opener, whatever the tier" },
    } do
        local db <close> = acting_for(w, case[1], { confidential_tier = case[2] })
        if case[2] then t.eq(db.confidential_tier, case[2], case[4] .. ": tier") end
        assert_reads(db, w, case[3], case[4])
    end

    local agent <close> = acting_for(w, AGENT)
    local own = agent:open { actor = AGENT, summary = "Sensitive too.", customer_id = "cust-2",
                             confidential = true }
    t.eq(own.opened_by, AGENT.id, "the agent opened it")
    t.eq(agent:get(own.id).id, own.id, "and sees it")
    own:note { actor = AGENT, text = "Mine." }
    local listed = {}
    for _, esc in ipairs(agent:list()) do listed[#listed + 1] = esc.id end
    table.sort(listed)
    local expected = { own.id, w.plain.id }
    table.sort(expected)
    t.eq(table.concat(listed, ","), table.concat(expected, ","), "own and plain, not the secret")
end)

t.test("no acting as someone else", function()
    local w = world("impersonate")
    local host <close> = w.host
    local agent <close> = acting_for(w, AGENT)
    local plain = agent:get(w.plain.id)
    local err = t.raises("ESC_EAUTHORITY", nil, plain.note, plain,
                         { actor = SUPERVISOR, text = "I am the supervisor now." })
    t.ok(err.message:find(AGENT.id, 1, true), "names the viewer")
    -- The right id with a borrowed tier.
    t.raises("ESC_EAUTHORITY", nil, plain.note, plain,
             { actor = { id = AGENT.id, name = AGENT.name, tier = 4 }, text = "Promoted myself." })
    t.raises("ESC_EAUTHORITY", nil, agent.open, agent,
             { actor = SUPERVISOR, summary = "In someone else's name.", customer_id = "cust-2" })
    t.eq(plain.version, 1, "unchanged")
    t.eq(#host:list(), 2, "nothing opened")
    plain:note { actor = AGENT, text = "As myself." }
    t.eq(plain.version, 2, "acting as themselves is fine")
end)

t.test("no host operations", function()
    local w = world("host-ops")
    local host <close> = w.host
    local agent <close> = acting_for(w, AGENT)
    w.clock.advance(DAY)                               -- both are overdue now
    for _, case in ipairs {
        { "verify", agent.verify },
        { "rebuild", agent.rebuild },
        { "sweep", agent.sweep },
        { "outbox", agent.outbox },
        { "ack", agent.ack, 1 },
        { "calendar_put", agent.calendar_put, "c", "tz=UTC; mon 09:00-17:00" },
        { "policy_put", agent.policy_put, "std", "p1 resolution=1m" },
    } do
        local err = t.raises("ESC_EAUTHORITY", nil, case[2], agent, case[3], case[4])
        t.ok(err.message:find("host", 1, true), case[1] .. ": says why")
    end
    -- None of it wrote anything: the host's own sweep still has it all to do.
    t.eq(host:policy_get("std").version, 1, "policy unchanged")
    t.eq(host:sweep().breaches, 2, "the host's sweep")
    t.eq(#host:outbox(), 2, "the host's outbox")
end)

t.test("the viewer is checked and kept", function()
    local w = world("viewer")
    local host <close> = w.host
    t.raises("ESC_EINVAL", nil, acting_for, w, { id = "x", name = "Nobody", tier = 9 })
    t.raises("ESC_EINVAL", nil, acting_for, w, { name = "Nobody", tier = 1 })
    t.raises("ESC_EINVAL", nil, acting_for, w, "agt-117")
    t.raises("ESC_EINVAL", nil, escalate.open, w.path, { confidential_tier = 0 })
    t.raises("ESC_EINVAL", nil, escalate.open, w.path, { confidential_tier = "high" })
    -- A longer ladder comes first, so that a tier above 4 is on it.
    local director = { id = "dir-1", name = "Director", tier = 6 }
    local db <close> = acting_for(w, director, {
        tiers = { "agent", "lead", "supervisor", "specialist", "manager", "director" },
        confidential_tier = 6,
    })
    t.eq(db.viewer.tier, 6, "viewer tier")
    t.eq(#db.tiers, 6, "ladder")
    t.eq(db.confidential_tier, 6, "tier")
    assert_reads(db, w, true, "director")
end)

t.test("every event is chained", function()
    local w = world("chain")
    local host <close> = w.host
    local heard = {}
    host:set_event_hook(function(event) heard[#heard + 1] = event.hash end)
    w.secret:note { actor = SUPERVISOR, text = "The second charge is a duplicate.", customer_account = true }
            :advance { actor = SUPERVISOR }
            :tag { actor = SUPERVISOR, text = "board" }
    local hashes, seen = {}, {}
    for event in host:history(w.secret) do
        t.eq(#event.hash, 64, "64 digits")
        t.ok(event.hash:match("^%x+$") and not event.hash:match("%u"), "lower-case hex")
        t.eq(seen[event.hash], nil, "every link differs")
        seen[event.hash] = true
        hashes[#hashes + 1] = event.hash
    end
    t.eq(#hashes, 4, "four events")
    -- The hook hears the same links the history keeps.
    t.eq(#heard, 3, "three heard")
    for i = 1, 3 do t.eq(heard[i], hashes[i + 1], "hook hash " .. i) end
    for event in host:history(w.plain) do t.eq(seen[event.hash], nil, "another chain") end
    t.eq(host:get(w.secret.id).chain_head, hashes[4], "the row keeps the head")
    t.eq(host:verify().ok, true, "verify")
end)

t.test("rollback journal and full sync", function()
    local path = t.path("durable")
    do
        local db <close> = escalate.open(path, { create = true, journal = "rollback", sync = "full" })
        local esc = db:open { actor = AGENT, summary = "Charged twice.", customer_id = "cust-1" }
        esc:note { actor = AGENT, text = "Refund to the closed card.", customer_account = true }
           :advance { actor = AGENT }
        t.eq(exists(path .. "-wal"), false, "no write-ahead log")
        t.eq(db:verify().ok, true, "verify")
    end
    do
        local db <close> = escalate.open(path, { journal = "rollback" })
        t.eq(db:list()[1].version, 3, "committed")
        t.eq(exists(path .. "-wal"), false, "still no write-ahead log")
    end
    do
        -- The default is the write-ahead log, which a writable handle sets.
        local db <close> = escalate.open(path, { sync = "normal" })
        db:list()[1]:tag { actor = AGENT, text = "wal" }
        t.eq(exists(path .. "-wal"), true, "a write-ahead log")
    end
    local fresh = t.path("refused")
    t.raises("ESC_EINVAL", nil, escalate.open, fresh, { create = true, journal = "memory" })
    t.raises("ESC_EINVAL", nil, escalate.open, fresh, { create = true, journal = 1 })
    t.raises("ESC_EINVAL", nil, escalate.open, fresh, { create = true, sync = "off" })
    t.raises("ESC_EINVAL", nil, escalate.open, fresh, { create = true, sync = true })
    t.eq(exists(fresh), false, "refused before opening")
end)

t.run()
