-- helpdesk_rule.lua — a helpdesk plugin rule written with the escalate Lua
-- module:
--
--     When a VIP customer is kept waiting (the case is on hold on our side,
--     or the time we promised has passed), raise the case's urgency and
--     loop in the duty manager, once per reason.
--
-- The first half is the plugin, as a helpdesk that embeds Lua would load it:
-- VipWaitingRule.attach() installs an event hook on the helpdesk's database
-- handle and judges every committed event.  A hook must not use the handle
-- that calls it, so the rule acts through a handle of its own; its steps
-- then make the helpdesk's snapshot stale, and the helpdesk refreshes on
-- ESC_ECONFLICT like any other concurrent writer.  The second half plays a
-- morning at the helpdesk, with an injected clock, so that the output is
-- the same on every run.
--
-- From the build tree (after make):
--   LUA_CPATH='_build/bindings/lua/.libs/?.so;;' LD_LIBRARY_PATH=_build/libescalate/.libs \
--     lua5.4 examples/helpdesk_rule.lua [database-file]
-- With escalate installed under PREFIX:
--   LUA_CPATH='PREFIX/lib/lua/5.4/?.so;;' LD_LIBRARY_PATH=PREFIX/lib \
--     lua5.4 examples/helpdesk_rule.lua [database-file]
-- The database (default: helpdesk-rule.db in the current directory) is
-- created afresh on each run and left for inspection.
local escalate = require "escalate"

---------------------------------------------------------------------------
-- The plugin
---------------------------------------------------------------------------

local VipWaitingRule = {}
VipWaitingRule.__index = VipWaitingRule

-- Why a VIP may be waiting.  Each reason fires once per escalation: the
-- rule tags the escalation, so the memory survives a restart of the
-- helpdesk.
local REASONS = {
    {
        tag = "vip-waiting:on-hold",
        applies = function(esc) return esc.on_hold == "third_party" or esc.on_hold == "internal" end,
        explain = function(esc, clock_text)
            return ("on hold (%s: %s) since %s"):format(esc.on_hold, esc.hold_reason,
                                                        clock_text(esc.hold_since))
        end,
    },
    {
        tag = "vip-waiting:overdue",
        applies = function(esc, now)
            return esc.promised_at ~= nil and now > esc.promised_at and esc.on_hold ~= "customer"
        end,
        explain = function(esc, clock_text)
            return ("we promised %s and it is later"):format(clock_text(esc.promised_at))
        end,
    },
}

--- Attach the rule to the helpdesk's database handle.
-- config: path (the database file), clock, bot (the rule's actor),
-- manager (the person to loop in), notify(person, message), clock_text(ms).
function VipWaitingRule.attach(helpdesk_db, config)
    local self = setmetatable({}, VipWaitingRule)
    self.config = config
    self.db = escalate.open(config.path, { clock = config.clock })
    helpdesk_db:set_event_hook(function(event) self:on_event(event) end)
    return self
end

function VipWaitingRule:close()
    self.db:close()
end
VipWaitingRule.__close = VipWaitingRule.close

local function has(items, matches)
    for _, item in ipairs(items) do
        if matches(item) then return true end
    end
    return false
end

function VipWaitingRule:on_event(event)
    local esc = self.db:get(event.escalation_id)
    if not (esc.vip and esc.is_open) then return end
    for _, reason in ipairs(REASONS) do
        local fired = has(esc.tags, function(tag) return tag.text == reason.tag end)
        if not fired and reason.applies(esc, event.at) then self:escalate(esc, reason) end
    end
end

-- One step more urgent, the duty manager in the loop, the reason tagged:
-- all in one batch, then one notification.
function VipWaitingRule:escalate(esc, reason)
    local config, before = self.config, esc.priority
    local watched = has(esc.watchers, function(w) return w.person.id == config.manager.id end)
    self.db:batch(function()
        if esc.urgency < 4 then
            esc:reassess { actor = config.bot, impact = esc.impact, urgency = esc.urgency + 1,
                           vip = esc.vip, churn_risk = esc.churn_risk }
        end
        if not watched then
            esc:loop_in { actor = config.bot, person = config.manager, category = "duty_manager" }
        end
        esc:tag { actor = config.bot, text = reason.tag }
    end)
    config.notify(config.manager, ("VIP %s (%s) is waiting: %s. Priority %d -> %d%s."):format(
        esc.customer_name, esc.external_ref, reason.explain(esc, config.clock_text),
        before, esc.priority, watched and "" or "; you are now in the loop"))
end

---------------------------------------------------------------------------
-- A morning at the helpdesk
---------------------------------------------------------------------------

local path = arg[1] or "helpdesk-rule.db"
for _, suffix in ipairs { "", "-wal", "-shm" } do os.remove(path .. suffix) end

local now = 1772442000000   -- 2026-03-02 09:00 UTC
local function clock() return now end
local function clock_text(ms) return os.date("!%H:%M", ms // 1000) end
local function at(hh, mm) now = 1772442000000 + ((hh - 9) * 60 + mm) * 60000 end

local AGENT = { id = "agt-311", name = "Sam Okafor", tier = 1 }
local DUTY_MANAGER = { id = "mgr-004", name = "Dana Reyes", tier = 3 }
local RULE_BOT = { id = "rule-vip-waiting", name = "VIP waiting rule", tier = 1 }

local db <close> = escalate.open(path, { create = true, clock = clock })
local rule <close> = VipWaitingRule.attach(db, {
    path = path, clock = clock, clock_text = clock_text,
    bot = RULE_BOT, manager = DUTY_MANAGER,
    notify = function(person, message)
        print(("        >> to %s: %s"):format(person.name, message))
    end,
})

-- The helpdesk's own step.  The rule may have changed the escalation since
-- the helpdesk last read it: refresh and do the step again.
local function step(esc, action, args)
    args.actor = args.actor or AGENT
    print(("[%s] %-8s %s"):format(clock_text(now), esc.external_ref, action))
    local ok, err = pcall(esc.apply, esc, action, args)
    if not ok and escalate.is_error(err) and err.name == "ESC_ECONFLICT" then
        print("        (changed by the rule meanwhile: refreshed, done again)")
        esc:refresh():apply(action, args)
    elseif not ok then
        error(err, 0)
    end
end

local function open(ref, customer, vip)
    local esc = db:open { actor = AGENT, external_ref = ref, customer_id = "cust-" .. ref,
                          customer_name = customer, summary = "A damaged delivery, second time this month.",
                          channel = "email", impact = 2, urgency = 2, vip = vip }
    print(("[%s] %-8s open (%s%s), priority %d"):format(clock_text(now), ref, customer,
                                                       vip and ", VIP" or "", esc.priority))
    return esc
end

local northwind = open("NW-5521", "Northwind Traders", true)
at(9, 5)
local acme = open("AC-1187", "Acme Bakery", false)

at(9, 10)
step(northwind, "note", { text = "The pallet arrived crushed again; we need it replaced by noon.",
                          customer_account = true })
step(northwind, "advance", {})
step(northwind, "state_problem", { text = "Second damaged pallet this month; replacement needed today." })
step(northwind, "confirm_problem", { yes = true })
step(northwind, "add_step", { text = "Carrier files the damage claim" })
step(northwind, "promise", { at = now + 110 * 60000 })   -- 11:00
step(northwind, "take_ownership", { person = AGENT })

at(9, 40)
step(northwind, "hold", { hold = "third_party", text = "waiting for the carrier's damage report" })

at(9, 45)
step(acme, "note", { text = "Two crates of flour were wet.", customer_account = true })
step(acme, "hold", { hold = "internal", text = "warehouse checks the stock" })

at(11, 30)
step(northwind, "resume", {})
step(northwind, "send_update", { text = "The carrier confirmed; a new pallet leaves at 13:00." })

at(12, 10)
step(northwind, "record_resolution", { text = "Replacement pallet delivered; carrier pays the claim." })

print("\nOpen escalations, most urgent first:")
for esc in db:each { open = true, order = "priority" } do
    local watchers = {}
    for _, w in ipairs(esc.watchers) do watchers[#watchers + 1] = w.person.name end
    local tags = {}
    for _, tag in ipairs(esc.tags) do tags[#tags + 1] = tag.text end
    print(("  %-8s priority %d  %-9s %-18s watchers: %s  tags: %s"):format(esc.external_ref,
          esc.priority, esc.state, esc.customer_name, #watchers > 0 and table.concat(watchers, ", ") or "-",
          #tags > 0 and table.concat(tags, ", ") or "-"))
end
