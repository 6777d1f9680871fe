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
-- (default 3), `tiers` (array of tier names), `clock`, `event_hook`.  A
-- database is closed by `db:close()` (idempotent), by a to-be-closed
-- variable (`local db <close> = ...`) or when collected.  After close,
-- every method raises ESC_EINVAL; records already read stay readable.
--
--   db.now, db.schema_version, db.tiers        properties
--   db:open{actor=, summary=, customer_id=, customer_name=, external_ref=,
--           channel="phone"|"email"|"chat"|"social"|"in_person",
--           impact=1..4, urgency=1..4, vip=, churn_risk=, confidential=}
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
--
-- ESCALATIONS.  A snapshot at one version; actions refresh it in place, and
-- `esc:refresh()` re-reads it.  Fields are properties named after the C
-- getters (esc_escalation_<name>): id, external_ref, version, state
-- ("listen" ... "closed"), is_open, summary, customer_id, customer_name,
-- channel, impact, urgency, priority, vip, churn_risk, confidential, tier,
-- owner_id, owner_name, problem, problem_confirmed, promised_at,
-- resolution, unconfirmed, withdrawn, on_hold (the hold's reason kind:
-- "customer" | "third_party" | "internal", or nil), hold_reason,
-- hold_since, root_cause_category, root_cause, lessons, satisfaction,
-- reopen_count, created_at, updated_at, due_at.  Unset text, times and
-- scores are nil; flags are booleans; times are integer milliseconds since
-- the epoch (UTC).  Items are arrays of tables: notes, emotions, steps,
-- options, watchers, updates, exceptions, follow_ups, tags (each item has
-- number, and whichever of text, category, person, tier, at, status
-- ("pending" | "approved" | "denied" | "done"), decision, decided_by,
-- created_at, customer_account (notes), chosen (options), reached
-- (follow-ups) apply).  `esc:record()` gives all of it as one plain table,
-- `esc.db` the database.
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
-- EVENTS (history and hook) are tables: escalation_id, seq, at, action,
-- actor = {id=, name=, tier=}, from_state, to_state, payload (the JSON the
-- library stored) and args (that payload as a table; person_* keys become
-- person = {id=, name=, tier=}, hold and channel become names).
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
local EVENT_TEXT = { "escalation_id", "actor_id", "actor_name", "payload" }
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
    if kind == nil or kind == core.ESC_ACTION_OPEN then
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
        local guard = c:allowed(self._c, kind, id, name, tier or 0)
        result[action_names[kind]] = guard == core.ESC_GUARD_NONE or guard_names[guard]
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

local escalation_actions = {}
for kind = core.ESC_ACTION_OPEN + 1, core.ESC_ACTION_COUNT - 1 do
    local name = action_names[kind]
    -- A new action must not hide a method or a field.
    assert(Escalation[name] == nil and field_getters[name] == nil and item_kinds[name] == nil,
           "action name clashes with the escalation API: " .. name)
    Escalation[name] = function(self, args) return self:apply(name, args) end
    escalation_actions[#escalation_actions + 1] = name
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

---------------------------------------------------------------------------
-- Databases
---------------------------------------------------------------------------

local DATABASE_PROPERTIES = {
    now = function(c) return c:now() end,
    schema_version = function(c) return c:schema_version() end,
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
        if get then return get(handle(self)) end
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

---------------------------------------------------------------------------
-- The module
---------------------------------------------------------------------------

local OPEN_OPTIONS = {
    create = true, readonly = true, busy_timeout_ms = true, file_mode = true,
    follow_up_attempts = true, tiers = true, clock = true, event_hook = true,
}

--- Open (with create = true, create) the database at path (":memory:" for
-- a private in-memory one).
local function open(path, options)
    text(path, "open: path")
    options = named_arguments(options, "open", OPEN_OPTIONS)
    local flags = (boolean(options.create, "open: create") and core.ESC_OPEN_CREATE or 0)
                | (boolean(options.readonly, "open: readonly") and core.ESC_OPEN_READONLY or 0)
    local c = core.escb_db(path, flags,
        integer(options.busy_timeout_ms or 5000, "open: busy_timeout_ms", 0, INT_MAX),
        integer(options.file_mode or 0, "open: file_mode", 0, 4095),
        integer(options.follow_up_attempts or 0, "open: follow_up_attempts", 0, INT_MAX))
    -- Every field exists from the start (false = unset): __newindex refuses new ones.
    local db = setmetatable({ _c = c, _clock = false, _event_hook = false, _busy = false }, database_mt)
    local ok, err = pcall(function()
        if options.tiers ~= nil then db:set_tiers(options.tiers) end
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

return {
    version = core.esc_version_string(),
    open = open,
    calendar = calendar,
    is_error = function(v) return rawequal(getmetatable(v), Error) end,
    status = status,
    states = states,
    actions = escalation_actions,
    guard_descriptions = guard_descriptions,
    core = core,
}
