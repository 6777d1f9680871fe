-- step_cost.lua — the cost of one lifecycle step through the Lua binding.
--
-- Walks escalations from open to close (the same 11 steps as step_cost.c,
-- one transaction per step, the library's defaults) and prints
--     lua_ns_per_step <nanoseconds>
-- Usage: lua5.4 step_cost.lua DB-PATH [ESCALATIONS]
-- os.clock() is CPU time; the wall clock comes from the database handle's
-- own system clock (ms), so the run is timed in wall time like the others.
local escalate = require "escalate"

local agent = { id = "agent-1", name = "Alex Agent", tier = 1 }

local function walk(db)
    local esc = db:open{ actor = agent, customer_id = "cust-42", impact = 2, urgency = 3,
                         summary = "Charged twice for the March invoice; the refund never arrived." }
    esc:note{ actor = agent, text = "I was charged twice and nobody calls me back.",
              customer_account = true }
    esc:advance{ actor = agent }
    esc:state_problem{ actor = agent, text = "A duplicate charge of 49.90 was not refunded." }
    esc:confirm_problem{ actor = agent, yes = true }
    esc:add_step{ actor = agent, text = "Refund the duplicate charge." }
    esc:promise{ actor = agent, at = db.now + 86400000 }
    esc:take_ownership{ actor = agent, person = agent }
    esc:record_resolution{ actor = agent, text = "Refunded 49.90." }
    esc:confirm_resolved{ actor = agent, yes = true }
    esc:close{ actor = agent, category = "billing",
               text = "Duplicate capture after a gateway timeout." }
    return 11
end

local path = assert(arg[1], "usage: step_cost.lua DB-PATH [ESCALATIONS]")
local escalations = tonumber(arg[2] or "200")
local db <close> = escalate.open(path, { create = true })
walk(db)  -- warm up, as the C baseline does
local steps = 0
local start = db.now
for _ = 1, escalations do
    steps = steps + walk(db)
end
local elapsed_ms = db.now - start
print(string.format("lua_ns_per_step %d", elapsed_ms * 1000000 // steps))
