-- outside.lua — a full lifecycle through the INSTALLED Lua module, run by
-- build-aux/check-installed with nothing but LUA_CPATH (the install's
-- luaexecdir) and LD_LIBRARY_PATH (its lib) set.  Usage: outside.lua DB
local escalate = require "escalate"

local agent = { id = "agent-1", name = "Alex Agent", tier = 1 }
local boss = { id = "sup-1", name = "Sam Supervisor", tier = 2 }

local function refused(expected, fn, ...)
    local ok, err = pcall(fn, ...)
    assert(not ok, "accepted what should be refused")
    assert(escalate.is_error(err) and err.name == expected, tostring(err))
end

local db <close> = escalate.open(assert(arg[1]), { create = true })
local esc = db:open{ actor = agent, customer_id = "cust-1", impact = 2, urgency = 3,
                     summary = "Charged twice; the refund never came." }
refused("ESC_EGUARD", esc.advance, esc, { actor = agent })
esc:note{ actor = agent, text = "I was charged twice.", customer_account = true }
esc:advance{ actor = agent }
esc:state_problem{ actor = agent, text = "A duplicate charge was not refunded." }
esc:confirm_problem{ actor = agent, yes = true }
esc:add_step{ actor = agent, text = "Refund the duplicate charge." }
esc:promise{ actor = agent, at = db.now + 86400000 }
esc:take_ownership{ actor = agent, person = agent }
esc:request_exception{ actor = agent, category = "refund_outside_policy",
                       text = "Past the refund window.", tier = 2 }
refused("ESC_EAUTHORITY", esc.decide_exception, esc, { actor = agent, item = 1, yes = true })
esc:decide_exception{ actor = boss, item = 1, yes = true, text = "Goodwill." }
esc:record_resolution{ actor = agent, text = "Refunded." }
esc:confirm_resolved{ actor = agent, yes = true }
esc:close{ actor = agent, category = "billing", text = "Duplicate capture.", satisfaction = 4 }
assert(esc.state == "closed", esc.state)
assert(db:verify().ok)
print("outside.lua: ok")
