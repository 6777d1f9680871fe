-- test_lua_concurrency.lua — two processes on one database file: this
-- script starts a second lua5.4 running itself as a worker, and both add
-- notes to the same escalation at the same time, retrying on ESC_ECONFLICT
-- (refresh, then again) and ESC_EBUSY.  No update may be lost: the final
-- version is 1 + every success of both, and every note is there.  How many
-- conflicts occur depends on scheduling; it is printed, never asserted.
local t = require "lua_testlib"
local escalate = require "escalate"

local NOTES_EACH = 1000
local RETRYABLE = { ESC_ECONFLICT = true, ESC_EBUSY = true }

-- Add n notes as who, retrying every refused attempt that another process
-- caused.  Returns the number of notes added, of conflicts and of busy waits.
local function add_notes(db, id, who, n)
    local esc, added, refused = nil, 0, { ESC_ECONFLICT = 0, ESC_EBUSY = 0 }
    local function attempt(fn, ...)
        local ok, err = pcall(fn, ...)
        if ok then return true end
        if not (escalate.is_error(err) and RETRYABLE[err.name]) then error(err, 0) end
        refused[err.name] = refused[err.name] + 1
        return false
    end
    while esc == nil do attempt(function() esc = db:get(id) end) end
    while added < n do
        if attempt(esc.note, esc, { actor = who, text = ("%s note %d"):format(who.id, added + 1) }) then
            added = added + 1
        else
            repeat until attempt(esc.refresh, esc)
        end
    end
    return added, refused.ESC_ECONFLICT, refused.ESC_EBUSY
end

if arg[1] == "--worker" then
    local path, id = arg[2], arg[3]
    local db <close> = escalate.open(path)
    local added, conflicts, busy = add_notes(db, id, t.SUPERVISOR, NOTES_EACH)
    io.write(("%d %d %d\n"):format(added, conflicts, busy))
    os.exit(0)
end

t.test("two processes, one escalation, no lost update", function()
    local path = t.path("shared")
    local db <close> = escalate.open(path, { create = true })
    local esc = db:open { actor = t.AGENT, customer_id = "cust-1", summary = "Both teams reply at once" }

    local worker = assert(io.popen(("%q %q --worker %q %q"):format(arg[-1], arg[0], path, esc.id)))
    local added, conflicts, busy = add_notes(db, esc.id, t.AGENT, NOTES_EACH)
    local report = worker:read("a")
    local ok, how, code = worker:close()
    t.ok(ok and how == "exit" and code == 0, "the worker succeeded: " .. tostring(report))
    local w_added, w_conflicts, w_busy = report:match("^(%d+) (%d+) (%d+)")
    w_added, w_conflicts, w_busy = tonumber(w_added), tonumber(w_conflicts), tonumber(w_busy)
    print(("# this process: %d notes, %d conflicts, %d busy; worker: %d notes, %d conflicts, %d busy")
          :format(added, conflicts, busy, w_added, w_conflicts, w_busy))

    esc:refresh()
    t.eq(esc.version, 1 + added + w_added, "final version = 1 + successes")
    local notes, seen = esc.notes, {}
    t.eq(#notes, 2 * NOTES_EACH, "every note is there")
    for _, note in ipairs(notes) do
        t.ok(not seen[note.text], "no note twice: " .. note.text)
        seen[note.text] = true
    end
    for i = 1, NOTES_EACH do
        t.ok(seen[("%s note %d"):format(t.AGENT.id, i)], "this process's note " .. i)
        t.ok(seen[("%s note %d"):format(t.SUPERVISOR.id, i)], "the worker's note " .. i)
    end
    local seq = 0
    for ev in db:history(esc) do
        seq = seq + 1
        t.eq(ev.seq, seq, "events numbered without gaps")
    end
    t.eq(seq, esc.version, "one event per version")
    t.eq(db:verify().ok, true, "verify")
end)

t.run()
