-- test_lua_errors.lua — the one error convention: every failure raises an
-- error value {code, name, message, guard} with a shared metatable.  Every
-- status code is checked for its shape, and every code that a test can
-- provoke for real is provoked through the API.
local t = require "lua_testlib"
local escalate = require "escalate"

local AGENT, SUPERVISOR = t.AGENT, t.SUPERVISOR

local function new_db(tag, options)
    options = options or {}
    options.create = true
    return escalate.open(t.path(tag), options)
end

local function new_escalation(db, ref)
    return db:open { actor = AGENT, customer_id = "cust-1", summary = "Charged twice", external_ref = ref }
end

-- sqlite3's command-line shell, when installed: it can damage a file the
-- way an outside tool would.
local function sqlite3(path, sql)
    if not os.execute("command -v sqlite3 >/dev/null 2>&1") then return false end
    return os.execute(("sqlite3 '%s' \"%s\""):format(path, sql)) == true
end

t.test("every status code has its own error value", function()
    local codes, names = {}, {}
    for name, code in pairs(escalate.status) do
        t.ok(not codes[code], "one name per code: " .. name)
        codes[code], names[#names + 1] = name, name
        t.eq(escalate.core.esc_status_name(code), name, "status table agrees with the library")
    end
    t.eq(#names, 18, "ESC_OK and the 17 failure codes")
    for code = -1, -17, -1 do
        local err = escalate.core.new_error(code, "details")
        t.ok(escalate.is_error(err), "is_error")
        t.eq(err.code, code, "code")
        t.eq(err.name, codes[code], "name")
        t.eq(err.message, "details", "message")
        t.eq(err.guard, nil, "no guard")
        t.eq(tostring(err), codes[code] .. ": details", "tostring")
        t.eq(getmetatable(err), getmetatable(escalate.core.new_error(-1)), "one shared metatable")
        -- Without a message, the library's description of the code.
        t.eq(escalate.core.new_error(code).message, escalate.core.esc_status_string(code), "default message")
    end
    t.eq(escalate.is_error("ESC_EINVAL: a string"), false, "a string is not an error value")
    t.eq(escalate.is_error({ code = -1, name = "ESC_EINVAL" }), false, "nor a look-alike table")
end)

-- Each code the API can be made to return, provoked for real.
local provoked = {}

local function provoke(name, guard, fn, ...)
    local err = t.raises(name, guard, fn, ...)
    t.ok(#err.message > 0, name .. " has a message")
    t.eq(tostring(err), name .. ": " .. err.message, name .. " tostring")
    provoked[name] = true
    return err
end

t.test("ESC_EINVAL: bad arguments, from the library and from the Lua layer", function()
    local db <close> = new_db("einval")
    provoke("ESC_EINVAL", nil, db.open, db, { actor = AGENT, customer_id = "c", summary = "" })
    provoke("ESC_EINVAL", nil, db.open, db, { actor = AGENT, customer_id = "c", summary = "\xff\xfe" })
    provoke("ESC_EINVAL", nil, db.open, db, { actor = AGENT, customer_id = ("x"):rep(257), summary = "s" })
    provoke("ESC_EINVAL", nil, db.open, db, { actor = AGENT, customer_id = "c", summary = "a\0b" })
    provoke("ESC_EINVAL", nil, db.open, db, { actor = AGENT, customer_id = "c", summary = "s", color = 1 })
    provoke("ESC_EINVAL", nil, db.open, db, { actor = AGENT, customer_id = "c", summary = 1.5 })
    provoke("ESC_EINVAL", nil, db.open, db, { actor = "agt-117", customer_id = "c", summary = "s" })
    provoke("ESC_EINVAL", nil, db.open, db, { actor = AGENT, customer_id = "c", summary = "s", channel = "fax" })
    provoke("ESC_EINVAL", nil, db.open, db, "not a table")
    local esc = new_escalation(db)
    provoke("ESC_EINVAL", nil, esc.note, esc, { actor = AGENT })                    -- no text
    provoke("ESC_EINVAL", nil, esc.note, esc, { actor = { id = "a", name = "A", tier = 9 }, text = "t" })
    provoke("ESC_EINVAL", nil, esc.apply, esc, "dance", { actor = AGENT })
    provoke("ESC_EINVAL", nil, esc.apply, esc, "open", { actor = AGENT })
    provoke("ESC_EINVAL", nil, esc.note, esc, { AGENT, "positional" })
    provoke("ESC_EINVAL", nil, esc.note, esc, { actor = AGENT, text = "t", item = 2 ^ 40 })
    provoke("ESC_EINVAL", nil, function() esc.state = "closed" end)
    provoke("ESC_EINVAL", nil, escalate.open, t.path("einval-options"), { create = true, colour = 1 })
    provoke("ESC_EINVAL", nil, db.set_clock, db, "noon")
    t.eq(esc.version, 1, "nothing changed")
    db:close()
    local err = provoke("ESC_EINVAL", nil, esc.note, esc, { actor = AGENT, text = "after close" })
    t.eq(err.message, "the database is closed", "closed database")
    provoke("ESC_EINVAL", nil, db.get, db, esc.id)
    provoke("ESC_EINVAL", nil, function() return db.now end)
end)

t.test("ESC_ENOTFOUND: unknown id, reference, file", function()
    local db <close> = new_db("enotfound")
    provoke("ESC_ENOTFOUND", nil, db.get, db, "00000000-0000-4000-8000-000000000000")
    provoke("ESC_ENOTFOUND", nil, db.get_by_ref, db, "CRM-404")
    provoke("ESC_ENOTFOUND", nil, escalate.open, t.path("enotfound-missing"))
end)

t.test("ESC_ETRANSITION, ESC_EGUARD, ESC_EAUTHORITY: refusals name their guard", function()
    local db <close> = new_db("refusals")
    local esc = new_escalation(db)
    provoke("ESC_ETRANSITION", "state", esc.confirm_resolved, esc, { actor = AGENT, yes = true })
    provoke("ESC_EGUARD", "customer_note", esc.advance, esc, { actor = AGENT })
    provoke("ESC_EGUARD", "on_hold", esc.resume, esc, { actor = AGENT })
    esc:move_tier { actor = AGENT, tier = 3, brief_went_wrong = "w", brief_tried = "t", brief_response = "r" }
    provoke("ESC_EAUTHORITY", "authority", esc.move_tier, esc,
            { actor = AGENT, tier = 1, brief_went_wrong = "w", brief_tried = "t", brief_response = "r" })
    esc:move_tier { actor = { id = "lead", name = "Lead", tier = 3 }, tier = 1,
                    brief_went_wrong = "w", brief_tried = "t", brief_response = "r" }
    t.eq(esc.tier, 1, "moved down by someone with the authority")
end)

t.test("ESC_ECONFLICT: a stale snapshot from another handle", function()
    local path = t.path("econflict")
    local a <close> = escalate.open(path, { create = true })
    local b <close> = escalate.open(path)
    local mine = new_escalation(a)
    local theirs = b:get(mine.id)
    theirs:note { actor = SUPERVISOR, text = "from the other handle" }
    provoke("ESC_ECONFLICT", nil, mine.note, mine, { actor = AGENT, text = "stale" })
    t.eq(mine.version, 1, "the stale snapshot is untouched")
    mine:refresh():note { actor = AGENT, text = "after refresh" }
    t.eq(mine.version, 3, "no update lost")
end)

t.test("ESC_EBUSY: another handle holds the write lock", function()
    local path = t.path("ebusy")
    local holder <close> = escalate.open(path, { create = true })
    local waiter <close> = escalate.open(path, { busy_timeout_ms = 20 })
    local esc = new_escalation(holder)
    local theirs = waiter:get(esc.id)
    holder:batch(function()
        esc:note { actor = AGENT, text = "inside the batch" }
        provoke("ESC_EBUSY", nil, theirs.note, theirs, { actor = SUPERVISOR, text = "blocked" })
    end)
    t.eq(waiter:get(esc.id).version, 2, "the batch committed, the blocked step did not happen")
end)

t.test("ESC_ENOTADB, ESC_EIO, ESC_ESCHEMA, ESC_ECORRUPT: files that are not right", function()
    local text_path = t.path("enotadb")
    local f = assert(io.open(text_path, "w"))
    f:write(("This is a helpdesk export, not a database.\n"):rep(200))
    f:close()
    provoke("ESC_ENOTADB", nil, escalate.open, text_path)

    local dir = t.path("eio") .. ".d"
    os.execute("mkdir -p '" .. dir .. "'")
    provoke("ESC_EIO", nil, escalate.open, dir)

    -- A database from a newer libescalate: user_version (big-endian, at
    -- offset 60 of SQLite's header) is beyond what this library knows.
    local newer = t.path("eschema")
    local db = escalate.open(newer, { create = true })
    local esc = new_escalation(db)
    db:close()   -- the last connection checkpoints the WAL into the file
    f = assert(io.open(newer, "r+b"))
    f:seek("set", 60)
    f:write(string.pack(">I4", 99))
    f:close()
    provoke("ESC_ESCHEMA", nil, escalate.open, newer)

    -- A current row that libescalate never wrote (needs the sqlite3 shell).
    local damaged = t.path("ecorrupt")
    db = escalate.open(damaged, { create = true })
    esc = new_escalation(db)
    db:close()
    if sqlite3(damaged, "UPDATE escalations SET state = 99") then
        local reopened <close> = escalate.open(damaged)
        provoke("ESC_ECORRUPT", nil, reopened.get, reopened, esc.id)
    else
        print("# sqlite3 shell not installed: ESC_ECORRUPT not provoked")
    end
end)

t.test("ESC_EREADONLY: a read-only handle", function()
    local path = t.path("ereadonly")
    local writer = escalate.open(path, { create = true })
    local id = new_escalation(writer).id
    writer:close()
    local reader <close> = escalate.open(path, { readonly = true })
    local esc = reader:get(id)
    provoke("ESC_EREADONLY", nil, esc.note, esc, { actor = AGENT, text = "no" })
    provoke("ESC_EREADONLY", nil, reader.open, reader, { actor = AGENT, customer_id = "c", summary = "s" })
    t.eq(reader:get(id).version, 1, "nothing written")
end)

t.test("ESC_EEXISTS: an external reference already used", function()
    local db <close> = new_db("eexists")
    new_escalation(db, "CRM-1")
    provoke("ESC_EEXISTS", nil, new_escalation, db, "CRM-1")
end)

t.test("ESC_ECALLBACK: a clock that returns something other than ms", function()
    local db <close> = new_db("ecallback")
    local esc = new_escalation(db)
    db:set_clock(function() return "half past ten" end)
    local err = provoke("ESC_ECALLBACK", nil, esc.note, esc, { actor = AGENT, text = "t" })
    t.ok(err.message:find('"half past ten"', 1, true), "the message shows what the clock returned")
    db:set_clock(function() return -5 end)
    provoke("ESC_ECALLBACK", nil, esc.note, esc, { actor = AGENT, text = "t" })
    db:set_clock(function() return 1.5 end)
    provoke("ESC_ECALLBACK", nil, esc.note, esc, { actor = AGENT, text = "t" })
    db:set_clock(nil)
    esc:note { actor = AGENT, text = "the system clock again" }
    t.eq(esc.version, 2, "only the last step happened")
end)

t.test("the codes the API cannot be made to return here", function()
    -- ESC_ENOMEM, ESC_EFULL, ESC_EINTERNAL: their shape is checked above
    -- over every code; this lists what was provoked for real.
    local missing = {}
    for name in pairs(escalate.status) do
        if name ~= "ESC_OK" and not provoked[name] then missing[#missing + 1] = name end
    end
    table.sort(missing)
    print("# provoked for real: every code but " .. table.concat(missing, ", "))
    for _, name in ipairs(missing) do
        t.ok(name == "ESC_ENOMEM" or name == "ESC_EFULL" or name == "ESC_EINTERNAL"
             or (name == "ESC_ECORRUPT" and not os.execute("command -v sqlite3 >/dev/null 2>&1")),
             "provoked " .. name)
    end
end)

t.run()
