--- lua_testlib: the Lua suite's own small test helper (no rocks needed).
--
-- It owns: registering and running test cases (a failing case makes the
-- script exit 1, as automake's test driver expects), assertions that name
-- what differed, assertions on the escalate error convention, scratch
-- paths in $ESC_TEST_TMPDIR, a hand-moved clock, the people of the refund
-- case, and one compact run of the whole refund lifecycle for the tests
-- that repeat it (memory, GC, concurrency, installed module).
local escalate = require "escalate"

local M = {}

local cases = {}

--- Register a test case.
function M.test(name, fn)
    cases[#cases + 1] = { name = name, fn = fn }
end

--- Run every registered case; exit 1 if any failed.
function M.run()
    local failed = 0
    for _, case in ipairs(cases) do
        local ok, err = xpcall(case.fn, function(e) return debug.traceback(tostring(e), 2) end)
        if ok then
            print("ok     " .. case.name)
        else
            failed = failed + 1
            print("FAIL   " .. case.name .. "\n" .. err)
        end
    end
    print(("%d passed, %d failed"):format(#cases - failed, failed))
    os.exit(failed == 0 and 0 or 1)
end

local function show(v)
    if type(v) == "string" then return ("%q"):format(v) end
    return tostring(v)
end

function M.eq(actual, expected, what)
    if actual ~= expected or math.type(actual) ~= math.type(expected) then
        error(("%s: expected %s (%s), got %s (%s)"):format(what or "value", show(expected),
              math.type(expected) or type(expected), show(actual),
              math.type(actual) or type(actual)), 2)
    end
end

function M.ok(value, what)
    if not value then error((what or "assertion") .. " failed", 2) end
    return value
end

--- Call fn(...) and return the error it raised; fail if it did not raise.
function M.error_of(fn, ...)
    local ok, err = pcall(fn, ...)
    if ok then error("expected an error, none was raised", 2) end
    return err
end

--- Call fn(...), expect an escalate error value named name (and guard, if
-- given); return it.
function M.raises(name, guard, fn, ...)
    local ok, err = pcall(fn, ...)
    if ok then error("expected " .. name .. ", nothing was raised", 2) end
    if not escalate.is_error(err) then
        error("expected " .. name .. ", got a non-escalate error: " .. tostring(err), 2)
    end
    if err.name ~= name or err.code ~= escalate.status[name] then
        error(("expected %s, got %s"):format(name, tostring(err)), 2)
    end
    if guard ~= nil and err.guard ~= guard then
        error(("expected guard %s, got %s (%s)"):format(guard, tostring(err.guard), tostring(err)), 2)
    end
    return err
end

--- A fresh scratch path (nothing left from an earlier run), unique to this
-- script and tag: tests run in parallel.
function M.path(tag)
    local dir = os.getenv("ESC_TEST_TMPDIR") or "/tmp"
    local script = (arg and arg[0] or "lua"):match("([^/]+)%.lua$") or "lua"
    local path = ("%s/%s-%s.db"):format(dir, script, tag)
    for _, suffix in ipairs { "", "-wal", "-shm", "-journal" } do os.remove(path .. suffix) end
    return path
end

local page_kib

--- This process's resident memory in KiB (Linux: /proc/self/statm).
function M.rss_kib()
    if page_kib == nil then
        local getconf = io.popen("getconf PAGESIZE")
        page_kib = (tonumber(getconf:read("l")) or 4096) // 1024
        getconf:close()
    end
    local f = assert(io.open("/proc/self/statm"))
    local _, resident = f:read("n", "n")
    f:close()
    return resident * page_kib
end

--- A clock moved by hand: clock.fn is what escalate.open{clock=} takes.
function M.clock(start)
    local clock = { now = start or 1767261600000 }   -- 2026-01-01 10:00 UTC
    function clock.fn() return clock.now end
    function clock.advance(ms) clock.now = clock.now + ms end
    return clock
end

M.MINUTE, M.HOUR, M.DAY = 60000, 3600000, 86400000

M.AGENT = { id = "agt-117", name = "Priya Natarajan", tier = 1 }
M.SUPERVISOR = { id = "sup-042", name = "Marcus Bell", tier = 2 }
M.BILLING = { id = "bil-007", name = "Billing team" }

--- The refund case from open to close, through every stage: a tier move,
-- an exception approved by the supervisor, a follow-up.  Returns the
-- closed escalation.
function M.refund_lifecycle(db, clock, ref)
    local agent, supervisor = M.AGENT, M.SUPERVISOR
    local esc = db:open {
        actor = agent, customer_id = "cust-88412", customer_name = "Helen Ortiz",
        summary = "You took $89.99 twice and the refund never arrived.",
        external_ref = ref, channel = "phone", impact = 1, urgency = 3, churn_risk = true,
    }
    esc:note { actor = agent, text = "The refund went to the card I closed in February.",
               customer_account = true }
       :ack_emotion { actor = agent, text = "frustrated" }
       :advance { actor = agent }
       :state_problem { actor = agent, text = "The duplicate charge was refunded to a closed card." }
       :confirm_problem { actor = agent, yes = true }
       :add_step { actor = agent, text = "Billing confirms the bounce", at = clock.now + 4 * M.HOUR }
       :offer_option { actor = agent, text = "Refund to the current card" }
       :offer_option { actor = agent, text = "Account credit today" }
       :choose_option { actor = agent, item = 1 }
       :promise { actor = agent, at = clock.now + 2 * M.DAY }
       :take_ownership { actor = agent, person = agent }
       :loop_in { actor = agent, person = M.BILLING, category = "billing" }
       :request_exception { actor = agent, category = "refund_outside_policy", tier = 2,
                            text = "Second refund before the first one returns." }
       :move_tier { actor = agent, tier = 2, person = supervisor,
                    brief_went_wrong = "Refund bounced off a closed card.",
                    brief_tried = "Confirmed with billing; asked for exception 1.",
                    brief_response = "Frustrated, will cancel if not fixed this week." }
       :note { actor = supervisor, text = "I want the money on my current card.",
               customer_account = true }
       :advance { actor = supervisor }
       :state_problem { actor = supervisor, text = "The refund must reach the current card." }
       :confirm_problem { actor = supervisor, yes = true }
       :take_ownership { actor = supervisor, person = supervisor }
       :decide_exception { actor = supervisor, item = 1, yes = true, text = "Approved: our error." }
       :send_update { actor = supervisor, text = "The refund is on its way (ref RF-20931)." }
       :record_resolution { actor = supervisor, text = "Second refund issued under exception 1." }
       :schedule_follow_up { actor = supervisor, at = clock.now + 2 * M.DAY, text = "Did it arrive?" }
       :complete_follow_up { actor = supervisor, item = 1, yes = true, text = "It arrived." }
       :confirm_resolved { actor = supervisor, yes = true }
       :close { actor = supervisor, category = "billing_system", satisfaction = 4,
                text = "Refunds to closed cards bounce silently.",
                lessons = "Check the card on file before refunding." }
    return esc
end

-- The number of events refund_lifecycle records (open included).
M.REFUND_EVENTS = 27

return M
