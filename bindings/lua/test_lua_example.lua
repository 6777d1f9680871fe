-- test_lua_example.lua — runs examples/helpdesk_rule.lua in a second
-- interpreter, checks what it printed, then opens the database it left and
-- checks what the rule actually did there.
local t = require "lua_testlib"
local escalate = require "escalate"

local EXAMPLE = os.getenv("ESC_TEST_SRCDIR") .. "/../examples/helpdesk_rule.lua"

local function lines_matching(text, pattern)
    local found = {}
    for line in text:gmatch("[^\n]+") do
        if line:find(pattern) then found[#found + 1] = line end
    end
    return found
end

t.test("the VIP-waiting rule: output and database", function()
    local path = t.path("helpdesk")
    local run = assert(io.popen(("%q %q %q 2>&1"):format(arg[-1], EXAMPLE, path)))
    local output = run:read("a")
    local ok, how, code = run:close()
    t.ok(ok and how == "exit" and code == 0, "the example ran:\n" .. output)

    -- Two notifications, one per reason, both about the VIP.
    local notes = lines_matching(output, ">> to Dana Reyes:")
    t.eq(#notes, 2, "notifications")
    t.ok(notes[1]:find("VIP Northwind Traders (NW-5521) is waiting: on hold (third_party: " ..
                       "waiting for the carrier's damage report) since 09:40. Priority 3 -> 2; " ..
                       "you are now in the loop.", 1, true), "first notification: " .. notes[1])
    t.ok(notes[2]:find("we promised 11:00 and it is later. Priority 2 -> 1.", 1, true),
         "second notification: " .. notes[2])
    t.eq(#lines_matching(output, "Acme.*waiting"), 0, "no rule for a regular customer")
    t.eq(#lines_matching(output, "refreshed, done again"), 2, "the helpdesk refreshed after the rule")
    local queue = lines_matching(output, "^  %u%u%-%d+ +priority")
    t.eq(#queue, 2, "the open queue")
    t.ok(queue[1]:find("NW-5521  priority 1", 1, true) and queue[1]:find("watchers: Dana Reyes", 1, true),
         "the VIP first: " .. queue[1])
    t.ok(queue[2]:find("AC-1187  priority 4", 1, true), "the regular case unchanged: " .. queue[2])

    -- What the rule recorded, as events of its own actor.
    local db <close> = escalate.open(path, { readonly = true })
    local vip = db:get_by_ref("NW-5521")
    local by_rule = {}
    for ev in vip:history() do
        if ev.actor.id == "rule-vip-waiting" then by_rule[#by_rule + 1] = ev.action end
    end
    t.eq(table.concat(by_rule, ","), "reassess,loop_in,tag,reassess,tag", "the rule's steps")
    t.eq(vip.urgency, 4, "urgency raised twice")
    t.eq(vip.watchers[1].category, "duty_manager", "the manager's role")
    t.eq(db:get_by_ref("AC-1187").priority, 4, "the regular case")
    t.eq(db:verify().ok, true, "verify")
end)

t.run()
