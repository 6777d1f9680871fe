-- test_lua_calendar.lua — business calendars from Lua: the Friday 16:30
-- Berlin case over a weekend and a Monday holiday, the inverse arithmetic,
-- openings, the canonical spec, and the error convention for bad specs.
local t = require "lua_testlib"
local escalate = require "escalate"

local BERLIN = "tz=Europe/Berlin; mon-fri 09:00-17:00; holiday 2026-01-12"
local FRIDAY_1630 = 1767972600000      -- 2026-01-09T15:30:00Z (16:30 local)
local TUESDAY_1630 = 1768318200000     -- 2026-01-13T15:30:00Z
local SATURDAY = 1768035600000         -- 2026-01-10T09:00:00Z
local TUESDAY_0900 = 1768291200000     -- 2026-01-13T08:00:00Z

t.test("eight business hours over a weekend and a Monday holiday", function()
    local cal = escalate.calendar(BERLIN)
    t.eq(cal:add_business(FRIDAY_1630, 8 * t.HOUR), TUESDAY_1630, "deadline")
    t.eq(cal:business_between(FRIDAY_1630, TUESDAY_1630), 8 * t.HOUR, "between")
end)

t.test("openings", function()
    local cal = escalate.calendar(BERLIN)
    t.eq(cal:is_business(SATURDAY), false, "saturday")
    t.eq(cal:next_business(SATURDAY), TUESDAY_0900, "next opening")
end)

t.test("spec round trip", function()
    local cal = escalate.calendar(BERLIN)
    t.eq(cal.tz_name, "Europe/Berlin", "zone")
    t.eq(escalate.calendar(cal.spec).spec, cal.spec, "canonical spec")
end)

t.test("bad specs raise the error convention", function()
    t.raises("ESC_EINVAL", nil, escalate.calendar, "tz=Europe/Berlin; mon-fri 9-5pm")
    t.raises("ESC_ENOTFOUND", nil, escalate.calendar, "tz=Mars/Olympus_Mons; mon-fri 09:00-17:00")
    t.raises("ESC_EINVAL", nil, escalate.calendar, 42)
    local cal = escalate.calendar(BERLIN)
    t.raises("ESC_EINVAL", nil, cal.add_business, cal, "soon", t.HOUR)
end)

t.run()
