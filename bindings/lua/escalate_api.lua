--- escalate: the customer-escalation lifecycle of libescalate, for Lua 5.4.
--
-- This file is the idiomatic layer of the Lua module.  It is compiled into
-- escalate.so (escalate_lua.i inserts it as %luacode and calls it with the
-- raw SWIG module), so `require "escalate"` needs nothing but LUA_CPATH
-- pointing at the installed escalate.so (`make install` puts it in
-- luaexecdir, by default ${libdir}/lua/5.4).  It owns the Lua API below:
-- tables for records, lists and events, named arguments, iterators,
-- callbacks, and the error convention.
--
--     local escalate = require "escalate"
--     local db <close> = escalate.open("helpdesk.db", { create = true })
--     local agent = { id = "agt-117", name = "Priya Natarajan", tier = 1 }
--     local esc = db:open{ actor = agent, customer_id = "cust-88412",
--                          summary = "Charged twice, refund never arrived.",
--                          impact = 1, urgency = 3, churn_risk = true }
--     esc:note{ actor = agent, text = "Refund went to my closed card.",
--               customer_account = true }
--     esc:advance{ actor = agent }
--     print(esc.state, esc.version, esc.priority)   --> clarify  3  3
--
-- ERRORS.  Every failure raises error() with an error value: a table
-- `{ code = -4, name = "ESC_EGUARD", message = "cannot advance: ...",
-- guard = "customer_note" }` (guard: the unmet guard's name, or nil), whose
-- shared metatable gives `tostring(err)` = "ESC_EGUARD: cannot advance: ...".
-- `escalate.is_error(v)` tells such a value from any other error, and
-- `escalate.status` maps every status name to its code
-- (`escalate.status.ESC_ECONFLICT` = -5).  Bad arguments detected by this
-- layer (wrong type, unknown name, a closed database) are ESC_EINVAL like
-- the library's own.  Nothing returns nil-and-message.
--
--     local ok, err = pcall(esc.advance, esc, { actor = agent })
--     if not ok and escalate.is_error(err) and err.name == "ESC_EGUARD" then
--         print("still missing: " .. err.guard)
--     end
--
-- DATABASES.  `escalate.open(path, options)` with options `create`,
-- `readonly` (booleans), `busy_timeout_ms` (default 5000), `file_mode`
-- (permission bits of a created file, default 0600), `follow_up_attempts`
-- (default 3), `journal` ("wal", the default, or "rollback"; a writable
-- handle sets it for the file), `sync` ("normal", the default, or "full":
-- every commit on the disk before the call returns), `tiers` (array of
-- tier names), `confidential_tier`, `viewer` (see ACCESS), `clock`,
-- `event_hook`.  A database is closed by `db:close()` (idempotent), by a
-- to-be-closed variable (`local db <close> = ...`) or when collected.
-- After close, every method raises ESC_EINVAL; records already read stay
-- readable.
--
--   db.now, db.schema_version, db.tiers        properties
--   db.viewer, db.confidential_tier            properties (see ACCESS)
--   db:open{actor=, summary=, customer_id=, customer_name=, external_ref=,
--           channel="phone"|"email"|"chat"|"social"|"in_person",
--           impact=1..4, urgency=1..4, vip=, churn_risk=, confidential=,
--           sla_policy="name of a stored policy"}
--   db:get(id), db:get_by_ref(ref)             an escalation (ESC_ENOTFOUND)
--   db:list{state=, owner=, tier=, priority=, tag=, customer=, open=true|false,
--           order="priority"|"due"|"created", limit=, offset=}
--                                              an array of escalations
--   db:each{...same filter...}                 iterator over every page (limit
--                                              is the page size; pages are
--                                              read as the loop goes on)
--   db:history(id_or_escalation)               iterator of event tables
--   db:batch(fn, ...)                          fn(...) in one transaction:
--                                              commit and return its results,
--                                              or roll back and re-raise
--   db:verify()                                {ok=, escalations=, events=,
--                                               mismatches={{id=, what=}...}}
--   db:rebuild()                               number of escalations rewritten
--   db:set_tiers{"frontline", ...} / db:set_tiers(nil) for the default ladder
--   db:priority{impact=, urgency=, vip=, churn_risk=}
--   db:set_priority{impact=, urgency=, priority=}, db:reset_priorities()
--   db:set_clock(fn|nil), db:set_event_hook(fn|nil)
--   db:calendar_put(name, cal), db:policy_put(name, pol, calendar_name),
--   db:calendar_get(name[, version]), db:policy_get(name[, version]),
--   db:policy_load(name), db:sla(esc, now), db:due{before=, limit=},
--   db:sweep(now), db:outbox(limit), db:ack(entry)   see SLA POLICIES below
--
-- ESCALATIONS.  A snapshot at one version; actions refresh it in place, and
-- `esc:refresh()` re-reads it.  Fields are properties named after the C
-- getters (esc_escalation_<name>): id, external_ref, version, state
-- ("listen" ... "closed"), is_open, summary, customer_id, customer_name,
-- channel, impact, urgency, priority, vip, churn_risk, confidential, tier,
-- owner_id, owner_name, opened_by (the id of who opened it), chain_head
-- (the hash of its latest event, or nil), problem,
-- problem_confirmed, promised_at,
-- resolution, unconfirmed, withdrawn, on_hold (the hold's reason kind:
-- "customer" | "third_party" | "internal", or nil), hold_reason,
-- hold_since, root_cause_category, root_cause, lessons, satisfaction,
-- reopen_count, created_at, updated_at, due_at, sla_policy (the stored
-- policy it was opened with), next_timer_at (when the sweep next has
-- something to fire for it).  Unset text, times and
-- scores are nil; flags are booleans; times are integer milliseconds since
-- the epoch (UTC).  Items are arrays of tables: notes, emotions, steps,
-- options, watchers, updates, exceptions, follow_ups, tags (each item has
-- number, and whichever of text, category, person, tier, at, status
-- ("pending" | "approved" | "denied" | "done"), decision, decided_by,
-- created_at, customer_account (notes), chosen (options), reached
-- (follow-ups) apply).  `esc:record()` gives all of it as one plain table,
-- `esc.db` the database.
--
-- ACCESS.  A database opened without `viewer` is the host's own and sees
-- everything.  `escalate.open(path, { viewer = person })` opens one that
-- acts for that person ({id=, name=, tier=}; the tier must be on the
-- ladder, so give `tiers` too for a ladder of more than four), for as long
-- as it is open: every action must name the viewer as its actor (same id
-- and tier), confidential escalations the viewer may not see are left out
-- of db:list, db:each and db:due and raise ESC_EAUTHORITY when read
-- (db:get, db:get_by_ref, db:history, db:sla), and the host's own
-- operations (db:verify, db:rebuild, db:sweep, db:outbox, db:ack,
-- db:calendar_put, db:policy_put) raise ESC_EAUTHORITY.  A confidential
-- escalation (db:open{confidential = true}) may be seen by its owner, its
-- opener, its watchers and anyone at `confidential_tier` or above (an open
-- option, default 2); an action on it by anyone else raises ESC_EAUTHORITY
-- with guard "confidential", on any database.  `db.viewer` is a copy of
-- the viewer's person table (nil for the host's own), `db.confidential_tier`
-- the tier.
--
-- ACTIONS are methods taking a table of named arguments, named as in the C
-- struct esc_action (README, "The lifecycle"): every one needs `actor`, a
-- person table `{ id =, name =, tier = }`.  Persons (actor, person) are
-- tables; `hold` is a name; booleans are booleans; times are integer ms.
--     esc:note{actor=, text=, customer_account=true}
--     esc:move_tier{actor=, tier=2, person=supervisor, brief_went_wrong=,
--                   brief_tried=, brief_response=}
--     esc:apply("take_ownership", {actor=, person=owner})   -- the same, by name
-- Each returns the escalation.  `escalate.actions` lists the names.
-- `esc:allowed(actor)` maps every action name to true or to the name of
-- the first unmet guard ("state" when the current state does not allow it);
-- without an actor, authority is not judged.
--
-- SLA POLICIES.  `escalate.policy(spec)` reads the one-line text form
-- ("p2 resolution=8h; warn=75; rule resolution breach move_up"; sla.h
-- documents it); `escalate.policy()` / `escalate.policy{calendar = cal}`
-- (a calendar object or spec) makes one without targets, in wall time or
-- in that calendar.  Targets are named "first_response", "update",
-- "resolution" (escalate.sla_targets); durations are integer ms.
--   pol.spec, tostring(pol), pol:format()   the canonical text (parsing it
--                                           gives an equal policy: pol1 == pol2)
--   pol.calendar                            a calendar object, or nil for wall time
--   pol:target(priority, target)            ms, or nil when none
--   pol:set_target(priority, target, ms)    nil or 0 removes it
--   pol.targets                             { [priority] = { resolution = ms, ... } }
--   pol:pauses(kind), pol:set_pause(kind, true|false)
--                                           kind "customer" | "third_party" | "internal"
--   pol.warnings, pol:set_warnings{75, 90}  percentages, ascending
--   pol.rules                               array of rule tables (below)
--   pol:add_rule{target=, warning_percent=, tier=, after_ms=, repeats=,
--                every_ms=, move_up=, raise_priority=, watcher_id=}
--       an escalation rule: at target's breach (warning_percent nil) or at
--       one of the policy's warnings; only at tier (nil: any); after_ms
--       late; `repeats` times (the C field and text form say repeat, a Lua
--       keyword) every_ms apart; moving up a tier, raising the priority
--       and/or adding watcher_id as a watcher (none of them: only notify)
--   pol:evaluate(esc, now)                  the clocks, from esc's history
--   pol:copy()
-- Setters return the policy.  CLOCKS (pol:evaluate, esc:sla(now),
-- db:sla(esc_or_id, now); now defaults to db.now) are tables: now,
-- priority, breached (any of the three), and per target (first_response,
-- update, resolution) a table: state ("none" | "running" | "paused" |
-- "met" | "stopped"), applies, target_ms, deadline, paused, met, met_at,
-- elapsed_ms, margin_ms (negative: late), breached, next_warning,
-- next_warning_percent (nil when not applicable);
-- clocks:warning_at(target, i) is the instant of pol.warnings[i].
--
-- TIMERS.  Calendars and policies are stored in the database by name;
-- every change is a new version (an unchanged one is not), and a policy
-- may count in a stored calendar.  An escalation opened with sla_policy=
-- carries its deadlines: esc.sla_policy, esc.next_timer_at,
-- esc:sla_deadline(target), esc:sla_met_at(target), esc:sla_margin(target)
-- (target defaults to "resolution"; nil when none / not met).
--   db:calendar_put(name, cal_or_spec)      -> definition
--   db:policy_put(name, pol_or_spec, calendar_name) -> definition
--   db:calendar_get(name[, version]), db:policy_get(name[, version])
--       definitions are tables {name=, version=, spec=, calendar=, created_at=}
--       (version nil: the latest; ESC_ENOTFOUND when there is none)
--   db:policy_load(name)                    the policy as in effect now
--   db:due{before=, limit=}                 array of escalations with something
--                                           due at or before `before` (default now)
--   db:sweep(now)                           fire what is due; {escalations=,
--       firings=, warnings=, breaches=, reminders=, rules=, moves=, busy=}
--       (each firing is a "timer_fired" event: the hook hears of it)
--   db:outbox(limit)                        array of unacknowledged entries
--       {id=, escalation_id=, seq=, kind=("sla_warning" | "sla_breach" |
--        "escalation_rule" | "promise_due" | "follow_up_due"), due_at=,
--        fired_at=, payload= (JSON text), details= (payload as a table)}
--   db:ack(entry_or_id)                     acknowledge (twice is fine)
-- A name or spec that is not text (nil included) is ESC_EINVAL, an unknown
-- policy or calendar name ESC_ENOTFOUND, a malformed spec ESC_EINVAL
-- naming the item and token.
--
-- EVENTS (history and hook) are tables: escalation_id, seq, at, action,
-- actor = {id=, name=, tier=}, from_state, to_state, payload (the JSON the
-- library stored), args (that payload as a table; person_* keys become
-- person = {id=, name=, tier=}, hold and channel become names) and hash
-- (the event's link in its escalation's hash chain: 64 lower-case hex
-- digits of SHA-256 over the previous event's hash and this event; nil for
-- events written before the chain existed; db:verify() checks the chain,
-- and a host that keeps the latest hash elsewhere can later prove that
-- nothing before it was changed).  Besides
-- the actions above, history holds "open" and "timer_fired" (recorded by
-- db:sweep(); its actor is the sweep), which are not methods.
--
-- CALLBACKS.  The clock returns "now" as integer ms; the event hook
-- receives each event table once it is committed (for a batch, when the
-- batch commits).  Both run on the coroutine that made the call that
-- needed them.  If the clock raises (or returns anything but an integer
-- >= 0), the call fails with ESC_ECALLBACK inside the library, changes
-- nothing, and the clock's ORIGINAL error is raised (for a bad value: an
-- ESC_ECALLBACK error value).  If the hook raises, the step stays
-- committed (and the escalation refreshed), the remaining events are still
-- delivered, and then the hook's first error is raised by the call (for
-- db:open{}, the escalation exists: find it with get_by_ref or list).  A
-- callback must not use the database that calls it (ESC_EINVAL): use
-- another handle.  Callbacks are held by the handle until replaced or the
-- handle is closed; they do not keep their database alive.
--
-- CONCURRENCY.  Coroutines may share a database object (a call never
-- yields half-way); a host running several Lua states in several OS
-- threads gives each its own handles.  Any number of handles and processes
-- may share one file.  A stale snapshot gives ESC_ECONFLICT: `esc:refresh()`
-- and retry; a lock held too long gives ESC_EBUSY.
--
-- `escalate.core` is the raw SWIG layer this file is built on (escalate.i);
-- it is there for tests and special cases, not a stable API.

local core, Error = ...
if type(core) ~= "table" or type(Error) ~= "table" then
    error("escalate_api.lua is built into escalate.so: load it with require \"escalate\"", 2)
end

local assert, error, getmetatable, ipairs, pairs, pcall, rawequal, setmetatable, tonumber, tostring, type =
      assert, error, getmetatable, ipairs, pairs, pcall, rawequal, setmetatable, tonumber, tostring, type
local tointeger, concat, pack, unpack, utf8char =
      math.tointeger, table.concat, table.pack, table.unpack, utf8.char

---------------------------------------------------------------------------
-- Status codes and the error convention
---------------------------------------------------------------------------

-- Every status name -> code, read from the library (the set only grows).
local status = {}
do
    local code = 0
    while core.esc_status_name(code) ~= "ESC_UNKNOWN" do
        status[core.esc_status_name(code)] = code
        code = code - 1
    end
end

-- Raise an error value of the given status for a failure found here.
local function raise(name, message, ...)
    error(core.new_error(status[name], message:format(...)))
end

local function describe(v)
    if type(v) == "string" then return ("%q"):format(v) end
    return type(v) == "number" and tostring(v) or type(v)
end

---------------------------------------------------------------------------
-- Enumerations: names both ways, from the library's own name functions
---------------------------------------------------------------------------

local function enumeration(name_of, count)
    local names, values = {}, {}
    for value = 0, count - 1 do
        local name = name_of(value)
        names[value], values[name] = name, value
    end
    return names, values
end

local state_names, state_values = enumeration(core.esc_state_name, core.ESC_STATE_COUNT)
local action_names, action_values = enumeration(core.esc_action_name, core.ESC_ACTION_COUNT)
local guard_names = enumeration(core.esc_guard_name, core.ESC_GUARD_COUNT)
local channel_names, channel_values = enumeration(core.esc_channel_name, core.ESC_CHANNEL_COUNT)
local hold_names, hold_values = enumeration(core.esc_hold_name, core.ESC_HOLD_COUNT)
local item_kind_names = enumeration(core.esc_item_kind_name, core.ESC_ITEM_KIND_COUNT)
local order_values = {
    priority = core.ESC_ORDER_PRIORITY, due = core.ESC_ORDER_DUE, created = core.ESC_ORDER_CREATED,
}
-- SLA targets and clock states, named as the policy text form names them.
local sla_target_names, sla_target_values =
    enumeration(core.esc_sla_target_name, core.ESC_SLA_TARGET_COUNT)
local sla_state_names = enumeration(core.esc_sla_state_name, core.ESC_SLA_STATE_COUNT)
-- Exception requests and follow-ups; ESC_ITEM_OPEN means still pending there.
local item_status_names = {
    [core.ESC_ITEM_OPEN] = "pending", [core.ESC_ITEM_APPROVED] = "approved",
    [core.ESC_ITEM_DENIED] = "denied", [core.ESC_ITEM_DONE] = "done",
}

---------------------------------------------------------------------------
-- Arguments
---------------------------------------------------------------------------

local INT_MIN, INT_MAX = -2147483648, 2147483647

local function integer(v, what, low, high)
    local n = tointeger(v)
    if n == nil then raise("ESC_EINVAL", "%s: %s is not an integer", what, describe(v)) end
    if (low and n < low) or (high and n > high) then
        raise("ESC_EINVAL", "%s is out of range (%d)", what, n)
    end
    return n
end

-- Text reaches C as a NUL-terminated string: a NUL would silently cut it.
local function text(v, what)
    if type(v) ~= "string" then raise("ESC_EINVAL", "%s must be text, got %s", what, describe(v)) end
    if v:find("\0", 1, true) then raise("ESC_EINVAL", "%s must not contain NUL bytes", what) end
    return v
end

local function boolean(v, what)
    if v ~= nil and type(v) ~= "boolean" then
        raise("ESC_EINVAL", "%s must be a boolean, got %s", what, describe(v))
    end
    return v == true
end

local function named_arguments(args, what, known)
    if args == nil then args = {} end
    if type(args) ~= "table" then raise("ESC_EINVAL", "%s takes a table of named arguments", what) end
    for key in pairs(args) do
        if type(key) ~= "string" or (known and not known[key]) then
            raise("ESC_EINVAL", "%s: unknown argument %s", what, describe(key))
        end
    end
    return args
end

-- A person table { id =, name =, tier = } as its three C fields.  Other
-- keys are left alone: hosts pass their own agent records.
local function person(p, what, default_tier)
    if type(p) ~= "table" then
        raise("ESC_EINVAL", "%s must be a person table {id=, name=, tier=}, got %s", what, describe(p))
    end
    local id = p.id ~= nil and text(p.id, what .. ".id") or nil
    local name = p.name ~= nil and text(p.name, what .. ".name") or nil
    local tier = p.tier == nil and default_tier or integer(p.tier, what .. ".tier", INT_MIN, INT_MAX)
    return id, name, tier
end

-- Builders (escb_action, escb_open_params, escb_filter) are filled from a
-- table of named arguments.  spec[key], when present, turns (key, value)
-- into the C field and value; otherwise the key is the C field.  The value
-- picks the setter: text, integer (booleans as 0/1), or person; the C side
-- refuses unknown fields and fields of another type (ESC_EINVAL).
local function set_field(builder, field, value, where)
    local kind = type(value)
    if kind == "string" then
        builder:set_string(field, text(value, where))
    elseif kind == "boolean" then
        builder:set_number(field, value and 1 or 0)
    elseif kind == "number" then
        builder:set_number(field, integer(value, where))
    elseif kind == "table" then
        builder:set_person(field, person(value, where, 0))
    else
        raise("ESC_EINVAL", "%s: expected text, an integer, a boolean or a person, got %s",
              where, describe(value))
    end
end

local function fill(builder, args, spec, what)
    for key, value in pairs(named_arguments(args, what)) do
        local field, where = key, what .. ": " .. key
        local convert = spec[key]
        if convert then field, value = convert(key, value, where) end
        local ok, err = pcall(set_field, builder, field, value, where)
        if not ok then
            -- The C side's messages ("unknown field x") do not say which call.
            if rawequal(getmetatable(err), Error) and err.message:sub(1, #what + 1) ~= what .. ":" then
                err.message = ("%s: %s%s"):format(what, err.message,
                              err.message:find(field, 1, true) and "" or " (" .. field .. ")")
            end
            error(err, 0)
        end
    end
    return builder
end

local function enum_argument(values, noun)
    return function(key, value, where)
        local n = type(value) == "string" and values[value]
        if not n then raise("ESC_EINVAL", "%s: unknown %s %s", where, noun, describe(value)) end
        return key, n
    end
end

-- The actor's tier defaults to 1, as in ESC_ACTION_INIT.
local function actor_argument(key, value, where)
    local id, name, tier = person(value, where, 1)
    return key, { id = id, name = name, tier = tier }
end

local function renamed(field, convert)
    return function(_, value, where)
        if convert then value = convert(value, where) end
        return field, value
    end
end

local action_spec = { actor = actor_argument, hold = enum_argument(hold_values, "hold reason") }
local open_spec = { actor = actor_argument, channel = enum_argument(channel_values, "channel") }
local filter_spec = {
    state = enum_argument(state_values, "state"),
    order = enum_argument(order_values, "order"),
    owner = renamed("owner_id", function(v) return type(v) == "table" and v.id or v end),
    customer = renamed("customer_id"),
    open = renamed("open", function(v, where)
        if type(v) ~= "boolean" then raise("ESC_EINVAL", "%s must be true or false", where) end
        return v and core.ESC_FILTER_OPEN or core.ESC_FILTER_CLOSED
    end),
}

---------------------------------------------------------------------------
-- Event payloads: libescalate writes one flat JSON object of strings,
-- integers, booleans and null (libescalate/json.h)
---------------------------------------------------------------------------

local json_escapes = {
    ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t",
}

-- The string starting at s[i] == '"': its value and the index after it,
-- or nil when malformed.
local function json_string(s, i)
    local parts, j = {}, i + 1
    while true do
        local k = s:find('["\\]', j)
        if k == nil then return nil end
        parts[#parts + 1] = s:sub(j, k - 1)
        if s:byte(k) == 34 then return concat(parts), k + 1 end
        local e = s:sub(k + 1, k + 1)
        if e == "u" then
            local code = tonumber(s:match("^%x%x%x%x", k + 2) or "", 16)
            if code == nil then return nil end
            j = k + 6
            local low = code >= 0xD800 and code <= 0xDBFF
                        and tonumber(s:match("^\\u(%x%x%x%x)", j) or "", 16)
            if low and low >= 0xDC00 and low <= 0xDFFF then
                code, j = 0x10000 + (code - 0xD800) * 0x400 + (low - 0xDC00), j + 6
            end
            parts[#parts + 1] = utf8char(code)
        elseif json_escapes[e] then
            parts[#parts + 1], j = json_escapes[e], k + 2
        else
            return nil
        end
    end
end

local JSON_NULL = {}
local json_literals = { ["true"] = true, ["false"] = false, null = JSON_NULL }

-- The payload as a table, or nil when it is not the flat object expected.
local function decode_payload(s)
    local object, i = {}, s:match("^%s*{%s*()")
    if i == nil then return nil end
    if s:match("^}%s*$", i) then return object end
    while true do
        if s:byte(i) ~= 34 then return nil end
        local key, value
        key, i = json_string(s, i)
        if key == nil then return nil end
        i = s:match("^%s*:%s*()", i)
        if i == nil then return nil end
        if s:byte(i) == 34 then
            value, i = json_string(s, i)
            if value == nil then return nil end
        else
            local token, after = s:match("^(%-?%d+)()", i)
            if token then
                value, i = tointeger(tonumber(token)), after
            else
                token, after = s:match("^(%a+)()", i)
                value, i = json_literals[token], after
                if value == nil then return nil end
                if value == JSON_NULL then value = nil end
            end
        end
        object[key] = value
        local separator, after = s:match("^%s*([,}])%s*()", i)
        if separator == nil then return nil end
        if separator == "}" then return after > #s and object or nil end
        i = after
    end
end

-- The action's arguments, shaped like the ones the action takes.
local function event_args(payload)
    local args = decode_payload(payload)
    if args == nil then return nil end
    if args.person_id ~= nil then
        args.person = { id = args.person_id, name = args.person_name, tier = args.person_tier }
        args.person_id, args.person_name, args.person_tier = nil, nil, nil
    end
    if args.hold ~= nil then args.hold = hold_names[args.hold] end
    if args.channel ~= nil then args.channel = channel_names[args.channel] end
    return args
end

-- The raw fields of an event: the hook's trampoline (escalate_lua.i) and
-- esc_event_list's text()/number() both give these.
local EVENT_TEXT = { "escalation_id", "actor_id", "actor_name", "payload", "hash" }
local EVENT_NUMBERS = { "seq", "at", "action", "actor_tier", "from_state", "to_state" }

local function to_event(raw)
    return {
        escalation_id = raw.escalation_id,
        seq = raw.seq,
        at = raw.at,
        action = action_names[raw.action],
        actor = { id = raw.actor_id, name = raw.actor_name, tier = raw.actor_tier },
        from_state = state_names[raw.from_state],
        to_state = state_names[raw.to_state],
        payload = raw.payload,
        args = event_args(raw.payload),
        hash = raw.hash ~= "" and raw.hash or nil,   -- "": written before the chain
    }
end

---------------------------------------------------------------------------
-- Escalations
---------------------------------------------------------------------------

local function as_text(s) if s ~= "" then return s end end           -- "" = unset
local function as_optional(n) if n ~= 0 then return n end end        -- 0 = none
local function as_boolean(n) return n ~= 0 end
local function as_name(names) return function(n) return names[n] end end

-- Property = { C getter esc_escalation_<getter>, conversion }.
local ESCALATION_FIELDS = {
    id = { "id", as_text },
    external_ref = { "external_ref", as_text },
    version = { "version" },
    state = { "state", as_name(state_names) },
    is_open = { "is_open", as_boolean },
    summary = { "summary", as_text },
    customer_id = { "customer_id", as_text },
    customer_name = { "customer_name", as_text },
    channel = { "channel", as_name(channel_names) },
    impact = { "impact" },
    urgency = { "urgency" },
    priority = { "priority" },
    vip = { "vip", as_boolean },
    churn_risk = { "churn_risk", as_boolean },
    confidential = { "confidential", as_boolean },
    tier = { "tier" },
    owner_id = { "owner_id", as_text },
    owner_name = { "owner_name", as_text },
    opened_by = { "opened_by", as_text },
    chain_head = { "chain_head", as_text },
    problem = { "problem", as_text },
    problem_confirmed = { "problem_confirmed", as_boolean },
    promised_at = { "promised_at", as_optional },
    resolution = { "resolution", as_text },
    unconfirmed = { "unconfirmed", as_boolean },
    withdrawn = { "withdrawn", as_boolean },
    -- "hold" is the action; the field says why it is on hold, if it is.
    on_hold = { "hold", function(h) if h ~= core.ESC_HOLD_NONE then return hold_names[h] end end },
    hold_reason = { "hold_reason", as_text },
    hold_since = { "hold_since", as_optional },
    root_cause_category = { "root_cause_category", as_text },
    root_cause = { "root_cause", as_text },
    lessons = { "lessons", as_text },
    satisfaction = { "satisfaction", as_optional },
    reopen_count = { "reopen_count" },
    created_at = { "created_at" },
    updated_at = { "updated_at" },
    due_at = { "due_at", as_optional },
    sla_policy = { "sla_policy", as_text },
    next_timer_at = { "next_timer_at", as_optional },
}

local field_getters = {}
for field, spec in pairs(ESCALATION_FIELDS) do
    local get, convert = core["esc_escalation_" .. spec[1]], spec[2]
    field_getters[field] = convert and function(c) return convert(get(c)) end or get
end

-- Items: the property is the kind's name + "s" (notes, follow_ups ...).
-- Item = { field, read with item_text or item_number, conversion }.
local ITEM_FIELDS = {
    { "number", "item_number" },
    { "text", "item_text", as_text },
    { "category", "item_text", as_text },
    { "tier", "item_number", as_optional },
    { "at", "item_number", as_optional },
    { "decision", "item_text", as_text },
    { "decided_by", "item_text", as_text },
    { "created_at", "item_number" },
}
-- What the flag means for the kinds that have one, and which kinds have a status.
local ITEM_FLAG = { note = "customer_account", option = "chosen", follow_up = "reached" }
local ITEM_HAS_STATUS = { exception = true, follow_up = true }

local item_kinds = {}   -- "notes" -> { kind number, kind name }
for kind, name in pairs(item_kind_names) do item_kinds[name .. "s"] = { kind, name } end

local function read_items(c, kind, kind_name)
    local items = {}
    for index = 0, core.esc_escalation_item_count(c, kind) - 1 do
        local item = {}
        for _, f in ipairs(ITEM_FIELDS) do
            local value = c[f[2]](c, kind, index, f[1])
            if f[3] then value = f[3](value) end
            item[f[1]] = value
        end
        local person_id = as_text(c:item_text(kind, index, "person_id"))
        if person_id then
            item.person = { id = person_id, name = as_text(c:item_text(kind, index, "person_name")) }
        end
        if ITEM_FLAG[kind_name] then
            item[ITEM_FLAG[kind_name]] = c:item_number(kind, index, "flag") ~= 0
        end
        if ITEM_HAS_STATUS[kind_name] then
            item.status = item_status_names[c:item_number(kind, index, "status")]
        end
        items[index + 1] = item
    end
    return items
end

-- Actions only the library records (db:open{}, db:sweep()): never applied,
-- never "allowed", no method.
local LIBRARY_ACTIONS = { [core.ESC_ACTION_OPEN] = true, [core.ESC_ACTION_TIMER_FIRED] = true }

local Escalation = {}        -- methods; the action methods are added below
local Database = {}          -- methods
local escalation_mt, database_mt

local function handle(db)
    if db._busy then
        raise("ESC_EINVAL", "a clock or event hook must not use the database that called it; use another handle")
    end
    local c = db._c
    if c:closed() then raise("ESC_EINVAL", "the database is closed") end
    return c
end

-- The escalation holds its database: actions need the handle, and the
-- database cannot be collected (and closed) while escalations of it live.
local function wrap(db, c)
    return setmetatable({ _c = c, db = db }, escalation_mt)
end

escalation_mt = {
    __name = "escalate.Escalation",
    __index = function(self, key)
        local method = Escalation[key]
        if method then return method end
        local get = field_getters[key]
        if get then return get(self._c) end
        local items = item_kinds[key]
        if items then return read_items(self._c, items[1], items[2]) end
        return nil
    end,
    __newindex = function(_, key)
        raise("ESC_EINVAL", "escalation fields are read-only (%s): change them with actions", describe(key))
    end,
    __tostring = function(self)
        return ("escalation %s (%s, version %d)"):format(self.id, self.state, self.version)
    end,
}

--- Perform the action called name with a table of named arguments; the
-- escalation is refreshed to the new version.  Returns the escalation.
function Escalation:apply(name, args)
    local kind = action_values[name]
    if kind == nil or LIBRARY_ACTIONS[kind] then
        raise("ESC_EINVAL", "unknown action %s", describe(name))
    end
    local c = handle(self.db)
    c:act(self._c, fill(core.escb_action(kind), args, action_spec, name))
    return self
end

--- Every action name -> true, or the name of its first unmet guard.
function Escalation:allowed(actor)
    local c = handle(self.db)
    local id, name, tier
    if actor ~= nil then
        id, name, tier = person(actor, "allowed: actor", 1)
        if id == nil then raise("ESC_EINVAL", "allowed: actor.id is required") end
    end
    local result = {}
    for kind = core.ESC_ACTION_OPEN + 1, core.ESC_ACTION_COUNT - 1 do
        if not LIBRARY_ACTIONS[kind] then
            local guard = c:allowed(self._c, kind, id, name, tier or 0)
            result[action_names[kind]] = guard == core.ESC_GUARD_NONE or guard_names[guard]
        end
    end
    return result
end

--- Re-read the escalation from the database (after ESC_ECONFLICT, or to
-- see another handle's steps).  Returns the escalation.
function Escalation:refresh()
    self._c = handle(self.db):get(self.id)
    return self
end

--- The whole record as a plain table: every field and every item list.
function Escalation:record()
    local record = {}
    for field, get in pairs(field_getters) do record[field] = get(self._c) end
    for plural, kind in pairs(item_kinds) do record[plural] = read_items(self._c, kind[1], kind[2]) end
    return record
end

--- Iterator over this escalation's events (see Database:history).
function Escalation:history()
    return self.db:history(self.id)
end

--- The SLA clocks at now (integer ms; default: the database's now) under
-- the policy it was opened with, as in effect now (see Database:sla).
function Escalation:sla(now)
    return self.db:sla(self, now)
end

-- A target's name; nil is "resolution" where a default makes sense.
local function sla_target_argument(target, what, required)
    if target == nil and not required then return core.ESC_SLA_RESOLUTION end
    local n = type(target) == "string" and sla_target_values[target]
    if not n then raise("ESC_EINVAL", "%s: unknown SLA target %s", what, describe(target)) end
    return n
end

--- The stored deadline of a target (default "resolution") as of the last
-- step or sweep; nil when it does not apply, is met or is paused.
function Escalation:sla_deadline(target)
    return as_optional(core.esc_escalation_sla_deadline(self._c, sla_target_argument(target, "sla_deadline")))
end

--- When a target was met, as recorded (nil: not met).
function Escalation:sla_met_at(target)
    return as_optional(core.esc_escalation_sla_met_at(self._c, sla_target_argument(target, "sla_met_at")))
end

--- The margin (ms) a met target was met with (negative: late); nil when not met.
function Escalation:sla_margin(target)
    target = sla_target_argument(target, "sla_margin")
    if core.esc_escalation_sla_met_at(self._c, target) == 0 then return nil end
    return core.esc_escalation_sla_margin_ms(self._c, target)
end

local escalation_actions = {}
for kind = core.ESC_ACTION_OPEN + 1, core.ESC_ACTION_COUNT - 1 do
    local name = action_names[kind]
    if not LIBRARY_ACTIONS[kind] then
        -- A new action must not hide a method or a field.
        assert(Escalation[name] == nil and field_getters[name] == nil and item_kinds[name] == nil,
               "action name clashes with the escalation API: " .. name)
        Escalation[name] = function(self, args) return self:apply(name, args) end
        escalation_actions[#escalation_actions + 1] = name
    end
end

---------------------------------------------------------------------------
-- Callbacks
---------------------------------------------------------------------------

local WEAK_VALUES = { __mode = "v" }

-- Call a host callback with the database marked busy, so that the callback
-- cannot use (or close) the handle libescalate is in the middle of using.
local function run_callback(db, fn, ...)
    local was = db._busy
    db._busy = true
    local ok, result = pcall(fn, ...)
    db._busy = was
    if not ok then error(result, 0) end   -- the original error, untouched
    return result
end

-- What libescalate calls (through the C trampolines) holds the database
-- weakly: the registry must not keep alive a database whose callback
-- refers to it.
local function clock_adapter(db)
    local ref = setmetatable({ db }, WEAK_VALUES)
    return function()
        local self = ref[1]
        if self == nil or not self._clock then return -1 end
        local now = run_callback(self, self._clock)
        local ms = tointeger(now)
        if ms == nil or ms < 0 then
            error(core.new_error(status.ESC_ECALLBACK, ("the clock returned %s: it must return " ..
                  "milliseconds since the epoch, an integer >= 0"):format(describe(now))))
        end
        return ms
    end
end

local function hook_adapter(db)
    local ref = setmetatable({ db }, WEAK_VALUES)
    return function(raw)
        local self = ref[1]
        if self ~= nil and self._event_hook then run_callback(self, self._event_hook, to_event(raw)) end
    end
end

local function callback(fn, what)
    if fn ~= nil and type(fn) ~= "function" then
        raise("ESC_EINVAL", "%s must be a function or nil, got %s", what, describe(fn))
    end
    return fn or false
end

-- CALENDARS.  escalate.calendar(spec) reads a business calendar
-- ("tz=Europe/Berlin; mon-fri 09:00-17:00; holiday 2026-12-25"); its
-- methods take and return integer ms: cal:is_business(at),
-- cal:next_business(at), cal:add_business(from, ms),
-- cal:business_between(from, to); cal.tz_name and cal.spec (canonical).
local Calendar = {}
Calendar.__index = function(self, key)
    if key == "tz_name" then return self.raw:zone() end
    if key == "spec" then return self.raw:spec() end
    return Calendar[key]
end
function Calendar:is_business(at) return self.raw:is_open(integer(at, "at")) end
function Calendar:next_business(at) return self.raw:next_open(integer(at, "at")) end
function Calendar:add_business(from, ms)
    return self.raw:after(integer(from, "from"), integer(ms, "ms"))
end
function Calendar:business_between(from, to)
    return self.raw:between(integer(from, "from"), integer(to, "to"))
end

local function calendar(spec)
    return setmetatable({ raw = core.esc_calendar(text(spec, "calendar spec")) }, Calendar)
end

---------------------------------------------------------------------------
-- SLA policies and clocks
---------------------------------------------------------------------------

local Policy = {}            -- methods
local POLICY_PROPERTIES      -- name -> function(policy) giving the property
local policy_mt = {
    __name = "escalate.Policy",
    __index = function(self, key)
        local method = Policy[key]
        if method then return method end
        local get = POLICY_PROPERTIES[key]
        if get then return get(self) end
        return nil
    end,
    __tostring = function(self) return self.raw:canonical() end,
    __eq = function(a, b) return a.raw:canonical() == b.raw:canonical() end,
}

local function wrap_policy(raw)
    return setmetatable({ raw = raw }, policy_mt)
end

local function priority_argument(priority, what)
    return integer(priority, what .. ": priority", INT_MIN, INT_MAX)
end

local function duration_argument(ms, what)
    if ms == nil then return 0 end
    return integer(ms, what)
end

local function hold_kind_argument(kind, what)
    local n = type(kind) == "string" and hold_values[kind]
    if not n or n == core.ESC_HOLD_NONE then
        raise("ESC_EINVAL", "%s: unknown hold kind %s (customer, third_party or internal)",
              what, describe(kind))
    end
    return n
end

--- The canonical text form (also tostring(policy) and policy.spec).
function Policy:format()
    return self.raw:canonical()
end

--- An independent copy.
function Policy:copy()
    return wrap_policy(core.escb_sla_policy_parse(self.raw:canonical()))
end

--- One target (ms) of one priority; nil when none.
function Policy:target(priority, target)
    return as_optional(self.raw:target_ms(priority_argument(priority, "target"),
                                          sla_target_argument(target, "target", true)))
end

--- Set one target of one priority (ms; nil or 0: none).  Returns the policy.
function Policy:set_target(priority, target, ms)
    self.raw:put_target(priority_argument(priority, "set_target"),
                        sla_target_argument(target, "set_target", true),
                        duration_argument(ms, "set_target: ms"))
    return self
end

--- Whether holds of kind ("customer", "third_party", "internal") pause the clocks.
function Policy:pauses(kind)
    return core.esc_sla_policy_pauses(self.raw, hold_kind_argument(kind, "pauses")) ~= 0
end

--- Make holds of kind pause the clocks (pauses true) or not.  Returns the policy.
function Policy:set_pause(kind, pauses)
    kind = hold_kind_argument(kind, "set_pause")
    if type(pauses) ~= "boolean" then
        raise("ESC_EINVAL", "set_pause: pauses must be true or false, got %s", describe(pauses))
    end
    self.raw:put_pause(kind, pauses)
    return self
end

--- Replace the warning percentages ({75, 90}; {} for none).  Returns the policy.
function Policy:set_warnings(percentages)
    if type(percentages) ~= "table" then
        raise("ESC_EINVAL", "set_warnings takes an array of percentages, got %s", describe(percentages))
    end
    local parts = {}
    for i, p in ipairs(percentages) do parts[i] = ("%d"):format(integer(p, "set_warnings: percentage")) end
    -- The core takes them as "75,90".
    self.raw:put_warnings(concat(parts, ","))
    return self
end

local RULE_ARGS = {
    target = true, warning_percent = true, tier = true, after_ms = true, repeats = true,
    every_ms = true, move_up = true, raise_priority = true, watcher_id = true,
}

--- Append an escalation rule: {target=, warning_percent=, tier=, after_ms=,
-- repeats=, every_ms=, move_up=, raise_priority=, watcher_id=} (see the
-- doc block).  Returns the policy.
function Policy:add_rule(args)
    args = named_arguments(args, "add_rule", RULE_ARGS)
    local rule = core.escb_sla_rule()
    rule:set_number("target", sla_target_argument(args.target, "add_rule: target"))
    rule:set_number("warning_percent", integer(args.warning_percent or 0, "add_rule: warning_percent",
                                               INT_MIN, INT_MAX))
    rule:set_number("tier", integer(args.tier or 0, "add_rule: tier", INT_MIN, INT_MAX))
    rule:set_number("after_ms", duration_argument(args.after_ms, "add_rule: after_ms"))
    rule:set_number("repeat", integer(args.repeats or 1, "add_rule: repeats", INT_MIN, INT_MAX))
    rule:set_number("every_ms", duration_argument(args.every_ms, "add_rule: every_ms"))
    rule:set_number("move_up", boolean(args.move_up, "add_rule: move_up") and 1 or 0)
    rule:set_number("raise_priority", boolean(args.raise_priority, "add_rule: raise_priority") and 1 or 0)
    if args.watcher_id ~= nil then rule:set_string("watcher_id", text(args.watcher_id, "add_rule: watcher_id")) end
    self.raw:append_rule(rule)
    return self
end

-- The clocks' fields, per target.
local function read_target_clock(c, target)
    local target_ms = core.esc_sla_clocks_target_ms(c, target)
    local met = core.esc_sla_clocks_met(c, target) ~= 0
    local next_warning = c:upcoming_warning(target)
    return {
        state = sla_state_names[core.esc_sla_clocks_state(c, target)],
        applies = core.esc_sla_clocks_applies(c, target) ~= 0,
        target_ms = as_optional(target_ms),
        deadline = as_optional(core.esc_sla_clocks_deadline(c, target)),
        paused = core.esc_sla_clocks_paused(c, target) ~= 0,
        met = met,
        met_at = as_optional(core.esc_sla_clocks_met_at(c, target)),
        elapsed_ms = core.esc_sla_clocks_elapsed_ms(c, target),
        margin_ms = (target_ms ~= 0 or met) and core.esc_sla_clocks_margin_ms(c, target) or nil,
        breached = core.esc_sla_clocks_breached(c, target) ~= 0,
        next_warning = as_optional(next_warning),
        next_warning_percent = next_warning ~= 0 and c:upcoming_warning_percent(target) or nil,
    }
end

local Clocks = {}
local clocks_mt = { __name = "escalate.Clocks", __index = Clocks }

--- The instant of the policy's i-th warning (as in policy.warnings[i]) for
-- target's current interval, past or future; nil when not known.
function Clocks:warning_at(target, i)
    i = integer(i, "warning_at: index")
    if i < 1 then return nil end
    return as_optional(core.esc_sla_clocks_warning_at(self._c, sla_target_argument(target, "warning_at", true), i - 1))
end

local function read_clocks(c)
    local clocks = { _c = c, now = core.esc_sla_clocks_now(c), priority = core.esc_sla_clocks_priority(c),
                     breached = false }
    for target, name in pairs(sla_target_names) do
        clocks[name] = read_target_clock(c, target)
        clocks.breached = clocks.breached or clocks[name].breached
    end
    return setmetatable(clocks, clocks_mt)
end

--- The clocks of an escalation at now (integer ms; default: its
-- database's now) under this policy, from its stored history.
function Policy:evaluate(esc, now)
    if getmetatable(esc) ~= escalation_mt then
        raise("ESC_EINVAL", "evaluate: expected an escalation, got %s", describe(esc))
    end
    local c = handle(esc.db)
    now = now == nil and c:now() or integer(now, "evaluate: now")
    return read_clocks(self.raw:evaluate(c:history(esc.id), now))
end

POLICY_PROPERTIES = {
    spec = function(self) return self.raw:canonical() end,
    calendar = function(self)
        local spec = self.raw:calendar_text()
        if spec then return calendar(spec) end
    end,
    targets = function(self)
        local targets = {}
        for priority = core.ESC_SLA_PRIORITY_MIN, core.ESC_SLA_PRIORITY_MAX do
            local row
            for target, name in pairs(sla_target_names) do
                local ms = self.raw:target_ms(priority, target)
                if ms ~= 0 then
                    row = row or {}
                    row[name] = ms
                end
            end
            targets[priority] = row
        end
        return targets
    end,
    warnings = function(self)
        local warnings = {}
        for i = 1, core.esc_sla_policy_warning_count(self.raw) do
            warnings[i] = core.esc_sla_policy_warning(self.raw, i - 1)
        end
        return warnings
    end,
    rules = function(self)
        local raw, rules = self.raw, {}
        for i = 0, core.esc_sla_policy_rule_count(raw) - 1 do
            local function number(field) return raw:rule_number(i, field) end
            rules[i + 1] = {
                target = sla_target_names[number("target")],
                warning_percent = as_optional(number("warning_percent")),
                tier = as_optional(number("tier")),
                after_ms = number("after_ms"),
                repeats = number("repeat"),
                every_ms = as_optional(number("every_ms")),
                move_up = number("move_up") ~= 0,
                raise_priority = number("raise_priority") ~= 0,
                watcher_id = raw:rule_watcher(i),
            }
        end
        return rules
    end,
}

--- escalate.policy(spec): the policy of a text form.
--- escalate.policy() / escalate.policy{calendar = cal or spec}: one without
-- targets, in wall time or counting in that calendar.
local function policy(spec)
    if type(spec) == "string" then
        return wrap_policy(core.escb_sla_policy_parse(text(spec, "policy spec")))
    end
    local args = named_arguments(spec, "policy", { calendar = true })
    local cal = args.calendar
    if getmetatable(cal) == Calendar then
        cal = cal.spec
    elseif cal ~= nil then
        cal = text(cal, "policy: calendar")
    end
    return wrap_policy(core.escb_sla_policy_new(cal))
end

-- A stored definition as a table.
local function to_definition(d)
    return {
        name = core.esc_definition_name(d),
        version = core.esc_definition_version(d),
        spec = core.esc_definition_spec(d),
        calendar = core.esc_definition_calendar(d),
        created_at = core.esc_definition_created_at(d),
    }
end

-- None of 0 (which C reads as "the latest") as a version: nil is the latest.
local function version_argument(version, what)
    if version == nil then return 0 end
    return integer(version, what .. ": version", 1)
end

---------------------------------------------------------------------------
-- Databases
---------------------------------------------------------------------------

-- Property = function(core handle, database).
local DATABASE_PROPERTIES = {
    now = function(c) return c:now() end,
    schema_version = function(c) return c:schema_version() end,
    confidential_tier = function(c) return c:confidential_tier() end,
    viewer = function(_, db)
        local v = db._viewer
        if v then return { id = v.id, name = v.name, tier = v.tier } end
    end,
    tiers = function(c)
        local names = {}
        for tier = 1, c:tier_count() do names[tier] = c:tier_name(tier) end
        return names
    end,
}

database_mt = {
    __name = "escalate.Database",
    __index = function(self, key)
        local method = Database[key]
        if method then return method end
        local get = DATABASE_PROPERTIES[key]
        if get then return get(handle(self), self) end
        return nil
    end,
    __newindex = function(_, key)
        raise("ESC_EINVAL", "database properties are read-only (%s)", describe(key))
    end,
    __tostring = function(self)
        return self._c:closed() and "escalate database (closed)" or "escalate database"
    end,
    __close = function(self) self:close() end,
    -- Runs before the core handle's own __gc in the same cycle: finalizers
    -- run in the reverse order of setmetatable, and this table got its
    -- metatable after the handle was created.
    __gc = function(self) self:close() end,
}

--- Close the database (idempotent).  Its callbacks are released.
function Database:close()
    if self._busy then
        raise("ESC_EINVAL", "a clock or event hook must not close the database that called it")
    end
    self._c:close()
    self._clock, self._event_hook = false, false
end

function Database:is_closed()
    return self._c:closed()
end

function Database:set_clock(fn)
    local c = handle(self)
    fn = callback(fn, "the clock")
    core.set_clock(c, fn and clock_adapter(self) or nil)
    self._clock = fn
end

function Database:set_event_hook(fn)
    local c = handle(self)
    fn = callback(fn, "the event hook")
    core.set_event_hook(c, fn and hook_adapter(self) or nil)
    self._event_hook = fn
end

--- Name this handle's tier ladder (tier 1 first); nil restores the default.
function Database:set_tiers(names)
    local c = handle(self)
    if names == nil then return c:set_tiers(nil) end
    if type(names) ~= "table" then raise("ESC_EINVAL", "set_tiers takes an array of names or nil") end
    for i, name in ipairs(names) do
        -- The core takes the names one per line.
        if text(name, "tier name " .. i):find("\n", 1, true) then
            raise("ESC_EINVAL", "tier name %d must not contain a newline", i)
        end
    end
    c:set_tiers(concat(names, "\n"))
end

local PRIORITY_ARGS = { impact = true, urgency = true, vip = true, churn_risk = true }

--- The priority this handle's matrix gives (1 highest .. 5).
function Database:priority(args)
    local c = handle(self)
    args = named_arguments(args, "priority", PRIORITY_ARGS)
    return c:priority(integer(args.impact, "priority: impact", INT_MIN, INT_MAX),
                      integer(args.urgency, "priority: urgency", INT_MIN, INT_MAX),
                      boolean(args.vip, "priority: vip"), boolean(args.churn_risk, "priority: churn_risk"))
end

local SET_PRIORITY_ARGS = { impact = true, urgency = true, priority = true }

--- Set one cell of this handle's priority matrix.
function Database:set_priority(args)
    local c = handle(self)
    args = named_arguments(args, "set_priority", SET_PRIORITY_ARGS)
    c:set_priority(integer(args.impact, "set_priority: impact", INT_MIN, INT_MAX),
                   integer(args.urgency, "set_priority: urgency", INT_MIN, INT_MAX),
                   integer(args.priority, "set_priority: priority", INT_MIN, INT_MAX))
end

function Database:reset_priorities()
    handle(self):reset_priorities()
end

--- Open a new escalation (in listen, at tier 1).
function Database:open(params)
    local c = handle(self)
    return wrap(self, c:open_escalation(fill(core.escb_open_params(), params, open_spec, "open")))
end

function Database:get(id)
    return wrap(self, handle(self):get(text(id, "get: id")))
end

function Database:get_by_ref(ref)
    return wrap(self, handle(self):get_by_ref(text(ref, "get_by_ref: ref")))
end

--- One page of escalations matching filter, as an array.
function Database:list(filter)
    local c = handle(self)
    local rows = c:query(fill(core.escb_filter(), filter, filter_spec, "list"))
    local list = {}
    for i = 0, rows:size() - 1 do list[i + 1] = wrap(self, rows:take(i)) end
    return list
end

--- Iterator over every escalation matching filter, page after page of
-- filter.limit (default 100).
function Database:each(filter)
    filter = named_arguments(filter, "each")
    local page_filter = {}
    for key, value in pairs(filter) do page_filter[key] = value end
    local page_size = integer(filter.limit or 100, "each: limit", 1, core.ESC_LIST_LIMIT_MAX)
    page_filter.limit = page_size
    page_filter.offset = integer(filter.offset or 0, "each: offset", 0)
    local page, index = nil, 0
    return function()
        if page == nil or index == #page then
            if page ~= nil and #page < page_size then return nil end
            page, index = self:list(page_filter), 0
            page_filter.offset = page_filter.offset + #page
        end
        index = index + 1
        return page[index]
    end
end

--- Iterator over the events of one escalation (an id or the escalation),
-- oldest first.
function Database:history(id)
    if getmetatable(id) == escalation_mt then id = id.id end
    local events = handle(self):history(text(id, "history: id"))
    local index, count = 0, events:size()
    return function()
        if index == count then return nil end
        local raw = {}
        for _, field in ipairs(EVENT_TEXT) do raw[field] = events:text(index, field) end
        for _, field in ipairs(EVENT_NUMBERS) do raw[field] = events:number(index, field) end
        index = index + 1
        return to_event(raw)
    end
end

--- Call fn(...) inside one transaction.  On success the batch is committed
-- (hooks see its events then) and fn's results are returned; if fn raises,
-- the batch is rolled back and the error re-raised.  Escalations refreshed
-- inside a rolled-back batch are ahead of the database: refresh them.
function Database:batch(fn, ...)
    local c = handle(self)
    if type(fn) ~= "function" then raise("ESC_EINVAL", "batch takes a function") end
    c:batch_begin()
    local results = pack(pcall(fn, ...))
    if not results[1] then
        -- A full disk or an I/O error may already have dropped the batch.
        if not c:closed() then pcall(c.batch_rollback, c) end
        error(results[2], 0)
    end
    c:batch_commit()
    return unpack(results, 2, results.n)
end

--- Replay every escalation's events and compare them with the stored rows.
function Database:verify()
    local report = handle(self):verify()
    local mismatches = {}
    for i = 0, core.esc_verify_report_mismatch_count(report) - 1 do
        mismatches[i + 1] = {
            id = core.esc_verify_report_mismatch_id(report, i),
            what = core.esc_verify_report_mismatch_what(report, i),
        }
    end
    return {
        ok = #mismatches == 0,
        escalations = core.esc_verify_report_escalations(report),
        events = core.esc_verify_report_events(report),
        mismatches = mismatches,
    }
end

--- Rewrite every current row from the events; the number rewritten.
function Database:rebuild()
    return handle(self):rebuild()
end

--- Store a calendar (a calendar object or its spec) under name: a new
-- version only when it differs from the latest.  The definition now current.
function Database:calendar_put(name, cal)
    local c = handle(self)
    name = text(name, "calendar_put: name")
    local spec = getmetatable(cal) == Calendar and cal.spec or text(cal, "calendar_put: calendar")
    return to_definition(c:calendar_get(name, c:calendar_put(name, spec)))
end

--- One stored version of a calendar (nil: the latest).
function Database:calendar_get(name, version)
    local c = handle(self)
    return to_definition(c:calendar_get(text(name, "calendar_get: name"),
                                        version_argument(version, "calendar_get")))
end

--- Store a policy (a policy object or its text form) under name, counting
-- in the stored calendar calendar_name (nil: none).  The definition now current.
function Database:policy_put(name, pol, calendar_name)
    local c = handle(self)
    name = text(name, "policy_put: name")
    local spec
    if getmetatable(pol) == policy_mt then
        spec = pol.raw:canonical()
        if calendar_name ~= nil and pol.raw:calendar_text() == nil then
            -- The canonical text always names its calendar, even wall
            -- time: leave that item out for a stored calendar.
            local items = {}
            for item in (spec .. ";"):gmatch("([^;]*);") do
                if item:gsub("%s", ""):lower() ~= "calendar=wall" then items[#items + 1] = item end
            end
            spec = concat(items, ";"):match("^%s*(.-)%s*$")
        end
    else
        spec = text(pol, "policy_put: policy")
    end
    if calendar_name ~= nil then calendar_name = text(calendar_name, "policy_put: calendar") end
    return to_definition(c:policy_get(name, c:policy_put(name, spec, calendar_name)))
end

--- One stored version of a policy (nil: the latest).
function Database:policy_get(name, version)
    local c = handle(self)
    return to_definition(c:policy_get(text(name, "policy_get: name"),
                                      version_argument(version, "policy_get")))
end

--- The stored policy called name as in effect now (a policy object).
function Database:policy_load(name)
    return wrap_policy(handle(self):policy_load(text(name, "policy_load: name")))
end

--- The SLA clocks of an escalation (or its id) at now (default: db.now),
-- under its policy as in effect now.
function Database:sla(esc, now)
    local c = handle(self)
    local snapshot
    if getmetatable(esc) == escalation_mt then
        snapshot = esc._c
    else
        snapshot = c:get(text(esc, "sla: escalation"))
    end
    now = now == nil and c:now() or integer(now, "sla: now")
    return read_clocks(c:sla(snapshot, now))
end

local DUE_ARGS = { before = true, limit = true }

--- The open escalations with something to fire at or before `before`
-- (default: now), earliest first, at most `limit` (default 100), as an array.
function Database:due(args)
    local c = handle(self)
    args = named_arguments(args, "due", DUE_ARGS)
    local before = args.before == nil and c:now() or integer(args.before, "due: before")
    local rows = c:due(before, integer(args.limit or 100, "due: limit"))
    local list = {}
    for i = 0, rows:size() - 1 do list[i + 1] = wrap(self, rows:take(i)) end
    return list
end

local SWEEP_FIELDS = { "escalations", "firings", "warnings", "breaches", "reminders", "rules",
                       "moves", "busy" }

--- Fire everything due at or before now (default: db.now); what it did.
function Database:sweep(now)
    local c = handle(self)
    now = now == nil and c:now() or integer(now, "sweep: now")
    local stats, result = c:sweep(now), {}
    for _, field in ipairs(SWEEP_FIELDS) do result[field] = stats[field] end
    return result
end

local OUTBOX_TEXT = { "escalation_id", "kind", "payload" }
local OUTBOX_NUMBERS = { "id", "seq", "due_at", "fired_at" }

--- The oldest unacknowledged outbox entries (at most limit, default 100),
-- oldest first, as an array of tables.
function Database:outbox(limit)
    local entries = handle(self):outbox(integer(limit or 100, "outbox: limit"))
    local list = {}
    for i = 0, entries:size() - 1 do
        local entry = {}
        for _, field in ipairs(OUTBOX_TEXT) do entry[field] = entries:text(i, field) end
        for _, field in ipairs(OUTBOX_NUMBERS) do entry[field] = entries:number(i, field) end
        entry.details = decode_payload(entry.payload)
        list[i + 1] = entry
    end
    return list
end

--- Acknowledge an outbox entry (the entry table or its id).
function Database:ack(entry)
    local c = handle(self)
    if type(entry) == "table" then entry = entry.id end
    c:ack(integer(entry, "ack: entry"))
end

---------------------------------------------------------------------------
-- The module
---------------------------------------------------------------------------

local OPEN_OPTIONS = {
    create = true, readonly = true, busy_timeout_ms = true, file_mode = true,
    follow_up_attempts = true, journal = true, sync = true, tiers = true,
    confidential_tier = true, viewer = true, clock = true, event_hook = true,
}
local journal_values = { wal = core.ESC_JOURNAL_WAL, rollback = core.ESC_JOURNAL_ROLLBACK }
local sync_values = { normal = core.ESC_SYNC_NORMAL, full = core.ESC_SYNC_FULL }

local function option_name(values, value, what, default)
    if value == nil then return default end
    local n = type(value) == "string" and values[value]
    if not n then
        local names = {}
        for name in pairs(values) do names[#names + 1] = ("%q"):format(name) end
        table.sort(names)
        raise("ESC_EINVAL", "%s: %s is not one of %s", what, describe(value), concat(names, ", "))
    end
    return n
end

--- Open (with create = true, create) the database at path (":memory:" for
-- a private in-memory one).
local function open(path, options)
    text(path, "open: path")
    options = named_arguments(options, "open", OPEN_OPTIONS)
    local flags = (boolean(options.create, "open: create") and core.ESC_OPEN_CREATE or 0)
                | (boolean(options.readonly, "open: readonly") and core.ESC_OPEN_READONLY or 0)
    local journal = option_name(journal_values, options.journal, "open: journal", core.ESC_JOURNAL_WAL)
    local sync = option_name(sync_values, options.sync, "open: sync", core.ESC_SYNC_NORMAL)
    local viewer
    if options.viewer ~= nil then
        local id, name, tier = person(options.viewer, "open: viewer", 1)
        viewer = { id = id, name = name, tier = tier }
    end
    local c = core.escb_db(path, flags,
        integer(options.busy_timeout_ms or 5000, "open: busy_timeout_ms", 0, INT_MAX),
        integer(options.file_mode or 0, "open: file_mode", 0, 4095),
        integer(options.follow_up_attempts or 0, "open: follow_up_attempts", 0, INT_MAX),
        journal, sync)
    -- Every field exists from the start (false = unset): __newindex refuses new ones.
    local db = setmetatable({ _c = c, _clock = false, _event_hook = false, _busy = false,
                              _viewer = false }, database_mt)
    local ok, err = pcall(function()
        if options.tiers ~= nil then db:set_tiers(options.tiers) end
        -- The ladder and the tier first: a viewer's handle never changes them.
        if options.confidential_tier ~= nil then
            c:set_confidential_tier(integer(options.confidential_tier, "open: confidential_tier",
                                            INT_MIN, INT_MAX))
        end
        if viewer ~= nil then
            c:set_viewer(viewer.id, viewer.name, viewer.tier)
            db._viewer = viewer
        end
        if options.clock ~= nil then db:set_clock(options.clock) end
        if options.event_hook ~= nil then db:set_event_hook(options.event_hook) end
    end)
    if not ok then
        db:close()
        error(err, 0)
    end
    return db
end

local guard_descriptions = {}
for guard = core.ESC_GUARD_NONE + 1, core.ESC_GUARD_COUNT - 1 do
    guard_descriptions[guard_names[guard]] = core.esc_guard_description(guard)
end

local states = {}
for state = 0, core.ESC_STATE_COUNT - 1 do states[state + 1] = state_names[state] end

return {
    version = core.esc_version_string(),
    open = open,
    calendar = calendar,
    policy = policy,
    sla_targets = { "first_response", "update", "resolution" },
    is_error = function(v) return rawequal(getmetatable(v), Error) end,
    status = status,
    states = states,
    actions = escalation_actions,
    guard_descriptions = guard_descriptions,
    core = core,
}
