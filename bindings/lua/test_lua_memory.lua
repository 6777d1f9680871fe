-- test_lua_memory.lua — many objects, no leak: the whole refund lifecycle
-- 10,000 times (each also reading its record, its history and a list, with
-- a clock and an event hook installed), and memory flat after warm-up: the
-- Lua heap (collectgarbage "count") and the process's resident set
-- (/proc/self/statm).  The figures are printed; the bounds are generous
-- (they catch a leak per lifecycle, not noise).
--
--   make check TESTS=bindings/lua/test_lua_memory.lua; cat bindings/lua/test_lua_memory.log
local t = require "lua_testlib"
local escalate = require "escalate"

local LIFECYCLES, WARM_UP = 10000, 1000
-- 10,000 lifecycles leaking even 64 bytes each would exceed these.
local LUA_HEAP_BOUND_KIB, RSS_BOUND_KIB = 256, 4096

-- Under AddressSanitizer (make check in a --enable-sanitizers build) the
-- resident set also holds the allocator's quarantine of freed blocks, which
-- grows by design: the RSS bound means nothing there.
local function sanitizer_loaded()
    local maps = io.open("/proc/self/maps")
    if maps == nil then return false end
    local found = maps:read("a"):find("libasan", 1, true) ~= nil
    maps:close()
    return found
end

t.test(("the refund lifecycle %d times, memory flat"):format(LIFECYCLES), function()
    local clock = t.clock()
    local events = 0
    local db <close> = escalate.open(t.path("loop"), {
        create = true, clock = clock.fn, event_hook = function() events = events + 1 end,
    })
    -- Each lifecycle is one batch (one commit, as an import job would do
    -- it): the loop is about the binding's objects, not the disk.
    local function one(i)
        local esc = db:batch(t.refund_lifecycle, db, clock, "CRM-" .. i)
        local n = 0
        for _ in esc:history() do n = n + 1 end
        assert(n == t.REFUND_EVENTS and esc:record().state == "closed")
        assert(#db:list { state = "listen", limit = 3 } == 0)
        clock.advance(t.MINUTE)
    end

    for i = 1, WARM_UP do one(i) end
    collectgarbage()
    collectgarbage()
    local heap0, rss0 = collectgarbage("count"), t.rss_kib()
    for i = WARM_UP + 1, LIFECYCLES do one(i) end
    collectgarbage()
    collectgarbage()
    local heap1, rss1 = collectgarbage("count"), t.rss_kib()

    print(("# after %d lifecycles (warm-up): Lua heap %.0f KiB, RSS %d KiB"):format(WARM_UP, heap0, rss0))
    print(("# after %d lifecycles:           Lua heap %.0f KiB, RSS %d KiB"):format(LIFECYCLES, heap1, rss1))
    print(("# growth over %d lifecycles: Lua heap %+.1f KiB, RSS %+d KiB"):format(
          LIFECYCLES - WARM_UP, heap1 - heap0, rss1 - rss0))
    t.eq(events, LIFECYCLES * t.REFUND_EVENTS, "the hook saw every event")
    t.ok(heap1 - heap0 < LUA_HEAP_BOUND_KIB, "Lua heap flat")
    if sanitizer_loaded() then
        print("# AddressSanitizer is loaded: RSS includes its quarantine, not checked")
    else
        t.ok(rss1 - rss0 < RSS_BOUND_KIB, "RSS flat")
    end
    t.eq(db:verify().events, LIFECYCLES * t.REFUND_EVENTS, "every event is in the file")
end)

t.run()
