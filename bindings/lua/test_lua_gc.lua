-- test_lua_gc.lua — lifetimes: a database closed while its escalations,
-- lists and iterators are still referenced; escalations keeping their
-- database alive; to-be-closed variables; every object dropped in several
-- orders, collected at each step, and a whole interpreter closed with
-- everything still open.  A wrong order here is a crash, not a failure.
local t = require "lua_testlib"
local escalate = require "escalate"

local AGENT = t.AGENT

local function full_gc()
    collectgarbage()
    collectgarbage()
end

local function populated(tag)
    local clock = t.clock()
    local db = escalate.open(t.path(tag), { create = true, clock = clock.fn })
    local esc = t.refund_lifecycle(db, clock, tag)
    return db, esc
end

t.test("closing a database while its escalations are referenced", function()
    local db, esc = populated("close-first")
    local list = db:list()
    local history = db:history(esc)
    db:close()
    full_gc()
    t.eq(esc.state, "closed", "fields stay readable")
    t.eq(#esc.notes, 3, "items stay readable")
    t.eq(esc:record().satisfaction, 4, "record")
    t.eq(list[1].id, esc.id, "a list read before the close")
    t.eq(history().action, "open", "an iterator made before the close")
    t.raises("ESC_EINVAL", nil, esc.reopen, esc, { actor = AGENT, text = "t" })
    t.raises("ESC_EINVAL", nil, esc.refresh, esc)
    t.raises("ESC_EINVAL", nil, esc.allowed, esc)
    t.eq(tostring(db), "escalate database (closed)", "tostring")
    db:close()   -- idempotent
    t.eq(db:is_closed(), true, "closed")
end)

t.test("an escalation keeps its database open", function()
    local watch = setmetatable({}, { __mode = "v" })
    local esc
    do
        local db = escalate.open(t.path("kept-alive"), { create = true })
        esc = db:open { actor = AGENT, customer_id = "c", summary = "s" }
        watch.db = db
    end
    full_gc()
    t.ok(watch.db ~= nil, "still referenced by the escalation")
    esc:note { actor = AGENT, text = "the handle still works" }
    t.eq(esc.version, 2, "step taken")
    esc = nil
    full_gc()
    t.eq(watch.db, nil, "collected once the escalation is gone")
end)

t.test("to-be-closed databases", function()
    local outside
    do
        local db <close> = escalate.open(t.path("tbc"), { create = true })
        outside = db
        t.eq(db:is_closed(), false, "open in scope")
    end
    t.eq(outside:is_closed(), true, "closed at the end of the scope")

    local ok = pcall(function()
        local db <close> = escalate.open(t.path("tbc-error"), { create = true })
        outside = db
        error("leaving by an error")
    end)
    t.eq(ok, false, "raised")
    t.eq(outside:is_closed(), true, "closed when the scope is left by an error")

    -- An early close in scope, then the automatic one: no double free.
    do
        local db <close> = escalate.open(t.path("tbc-twice"), { create = true })
        db:close()
    end
end)

-- Drop the objects of one populated database in the given order,
-- collecting after each.
local function drop_in_order(tag, order)
    local db, esc = populated(tag)
    local objects = {
        db = db, esc = esc, list = db:list(), history = db:history(esc),
        copy = db:get(esc.id), report = db:verify(),
    }
    -- "close" may come after "db": the escalations still hold it.
    local weak = setmetatable({ db = db }, { __mode = "v" })
    db, esc = nil, nil
    for _, name in ipairs(order) do
        if name == "close" then
            t.ok(weak.db, "the database is alive while its escalations are"):close()
        else
            objects[name] = nil
        end
        full_gc()
    end
    objects = nil
    full_gc()
end

t.test("every drop order", function()
    local orders = {
        { "db", "esc", "list", "history", "copy", "report" },
        { "esc", "list", "history", "copy", "report", "db" },
        { "close", "db", "esc", "list", "history", "copy" },
        { "history", "close", "list", "esc", "db", "copy" },
        { "copy", "db", "close", "report", "esc", "list", "history" },
    }
    for i, order in ipairs(orders) do drop_in_order("order-" .. i, order) end
    -- And many at once, collected together.
    local all = {}
    for i = 1, 20 do
        local db, esc = populated("many-" .. i)
        all[i] = { db, esc, db:list(), db:history(esc) }
        if i % 3 == 0 then db:close() end
    end
    all = nil
    full_gc()
end)

t.test("closing the interpreter with everything still open", function()
    local lua = arg[-1]
    local script = [[
        local escalate = require "escalate"
        local db = escalate.open(%q, { create = true, clock = function() return 1767261600000 end,
                                       event_hook = function() end })
        local esc = db:open { actor = { id = "a", name = "A", tier = 1 }, customer_id = "c", summary = "s" }
        local it = db:history(esc)
        KEEP = { db, esc, it, db:list() }
        io.write("objects alive at exit")
        os.exit(0, true)   -- close the state: every finalizer runs, in any order
    ]]
    local path = t.path("lua-close")
    local child = assert(io.popen(("%q -e %q 2>&1"):format(lua, script:format(path))))
    local output = child:read("a")
    local ok, how, code = child:close()
    t.eq(output, "objects alive at exit", "child output")
    t.ok(ok and how == "exit" and code == 0, "the child exited cleanly")
end)

t.run()
