/*
 * escalate_lua.i — the Lua block of escalate.i.  It owns what only Lua needs:
 *
 *  - the error convention: every failure raises error() with a structured
 *    error value, a table { code, name, message, guard } whose metatable is
 *    registry["escalate.Error"] (its __tostring gives "ESC_EGUARD: ...");
 *  - call frames, so that a Lua clock or event hook runs on the thread that
 *    made the API call, under lua_pcall (a Lua error never unwinds through
 *    libescalate), and its error is raised when the call returns;
 *  - registry references to those callbacks, released exactly once;
 *  - Lua 5.4 integers for every integer (times are int64 milliseconds);
 *  - how the idiomatic layer (escalate_api.lua, embedded below as %luacode)
 *    becomes what require "escalate" returns.
 *
 * The raw SWIG module stays reachable as escalate.core.
 */

/* ---- integers ---------------------------------------------------------------- */

/* SWIG's Lua typemaps go through lua_Number: versions, counts and priorities
 * would come back as floats (3.0) and int64 times would round-trip through a
 * double.  Lua 5.4 has integers; use them. */
%typemap(out) int, short, long, long long, signed char,
              unsigned int, unsigned short, unsigned long, unsigned long long,
              unsigned char, size_t
%{ lua_pushinteger(L, (lua_Integer)$1); SWIG_arg++; %}
%typemap(out) enum SWIGTYPE
%{ lua_pushinteger(L, (lua_Integer)(int)($1)); SWIG_arg++; %}
%typemap(in, checkfn="lua_isinteger") int, short, long, long long, signed char
%{ $1 = ($type)lua_tointeger(L, $input); %}

%{
#include <lauxlib.h>

/* ---- the error value ---------------------------------------------------------- */

#define ESCB_LUA_ERROR_MT "escalate.Error"

static int escb_lua_error_tostring(lua_State *L)
{
    lua_getfield(L, 1, "name");
    lua_getfield(L, 1, "message");
    lua_pushfstring(L, "%s: %s", lua_isstring(L, -2) ? lua_tostring(L, -2) : "ESC_UNKNOWN",
                    lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
    return 1;
}

/* Push the metatable every error value shares (created on first use). */
static void escb_lua_push_error_mt(lua_State *L)
{
    if (luaL_newmetatable(L, ESCB_LUA_ERROR_MT)) {
        lua_pushcfunction(L, escb_lua_error_tostring);
        lua_setfield(L, -2, "__tostring");
    }
}

/* Push a new error value.  guard: a guard name, or NULL. */
static void escb_lua_push_error(lua_State *L, int code, const char *message, const char *guard)
{
    lua_createtable(L, 0, 4);
    lua_pushinteger(L, code);
    lua_setfield(L, -2, "code");
    lua_pushstring(L, esc_status_name(code));
    lua_setfield(L, -2, "name");
    lua_pushstring(L, message != NULL && message[0] != '\0' ? message : esc_status_string(code));
    lua_setfield(L, -2, "message");
    if (guard != NULL) {
        lua_pushstring(L, guard);
        lua_setfield(L, -2, "guard");
    }
    escb_lua_push_error_mt(L);
    lua_setmetatable(L, -2);
}

/* core.new_error(code, message [, guard]): the constructor the Lua layer uses
 * for the failures it detects itself, so that there is one shape. */
static int escb_lua_new_error(lua_State *L)
{
    lua_Integer code = luaL_checkinteger(L, 1);
    luaL_argcheck(L, code < 0 && code >= ESC_STATUS_MIN, 1, "not an ESC_E* status code");
    escb_lua_push_error(L, (int)code, luaL_optstring(L, 2, NULL), luaL_optstring(L, 3, NULL));
    return 1;
}

/* ---- call frames ---------------------------------------------------------------- */

/* One per wrapped call in progress on this OS thread, innermost first.  A
 * callback runs on the thread (coroutine) of the innermost call: the one
 * that made libescalate call back.  Calls nest when a callback calls the API
 * (on another handle). */
typedef struct escb_lua_frame {
    lua_State *L;
    int pending;                  /* stack index of the first callback error, 0 if none */
    struct escb_lua_frame *outer;
} escb_lua_frame;

static _Thread_local escb_lua_frame *escb_lua_frames;

static void escb_lua_enter(escb_lua_frame *frame, lua_State *L)
{
    frame->L = L;
    frame->pending = 0;
    frame->outer = escb_lua_frames;
    escb_lua_frames = frame;
    escb_error_clear();
}

/* End the call: 1 when it must raise, with the error value pushed.  A
 * callback's own error wins over the ESC_ECALLBACK it caused.  The failure
 * record is cleared so that a call made from a callback never leaves its
 * failure to the call it is nested in. */
static int escb_lua_leave(escb_lua_frame *frame)
{
    lua_State *L = frame->L;
    escb_lua_frames = frame->outer;
    if (frame->pending != 0) {
        lua_pushvalue(L, frame->pending);
        escb_error_clear();
        return 1;
    }
    if (escb_last_error.code != ESC_OK) {
        /* Taken out first: building the error table allocates, a garbage
         * collection may run a finalizer that calls into the library, and
         * that call would clear the record before its message was read. */
        escb_error failure = escb_last_error;
        escb_error_clear();
        const char *guard = failure.guard != ESC_GUARD_NONE
                                ? esc_guard_name((esc_guard)failure.guard) : NULL;
        escb_lua_push_error(L, failure.code, failure.message, guard);
        return 1;
    }
    return 0;
}

/* A callback raised: keep its error (the first one) on the caller's stack
 * until the call returns and re-raises it. */
static void escb_lua_keep_error(escb_lua_frame *frame)
{
    if (frame->pending == 0)
        frame->pending = lua_gettop(frame->L);
    else
        lua_pop(frame->L, 1);
}

/* ---- callbacks ---------------------------------------------------------------------- */

/* A Lua function held for libescalate: a registry reference, released with
 * the main thread (which lives as long as the state, unlike a coroutine). */
typedef struct escb_lua_ref {
    lua_State *main;
    int ref;
} escb_lua_ref;

static void escb_lua_unref(void **slot)
{
    escb_lua_ref *r = *slot;
    if (r == NULL)
        return;
    *slot = NULL;
    luaL_unref(r->main, LUA_REGISTRYINDEX, r->ref);
    free(r);
}

/* escb_db.release: the handle is closed, nothing can call back any more. */
static void escb_lua_release(escb_db *wrapper)
{
    escb_lua_unref(&wrapper->clock_target);
    escb_lua_unref(&wrapper->hook_target);
}

/* The clock: the function's integer, or -1 (ESC_ECALLBACK, nothing changes)
 * when it raised or returned something else. */
static int64_t escb_lua_clock(void *payload)
{
    const escb_lua_ref *cb = payload;
    escb_lua_frame *frame = escb_lua_frames;
    if (frame == NULL || !lua_checkstack(frame->L, 2))
        return -1;
    lua_State *L = frame->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, cb->ref);
    if (lua_pcall(L, 0, 1, 0) != LUA_OK) {
        escb_lua_keep_error(frame);
        return -1;
    }
    int is_integer = 0;
    lua_Integer ms = lua_tointegerx(L, -1, &is_integer);
    lua_pop(L, 1);
    return is_integer && ms >= 0 ? (int64_t)ms : -1;
}

/* Under lua_pcall (building the table allocates): the event as a table of
 * raw fields, the same ones esc_event_list's text()/number() give, passed to
 * the function at index 2. */
static int escb_lua_call_hook(lua_State *L)
{
    const esc_event *e = lua_touserdata(L, 1);
    lua_createtable(L, 0, 11);
    lua_pushstring(L, esc_event_escalation_id(e));
    lua_setfield(L, -2, "escalation_id");
    lua_pushstring(L, esc_event_actor_id(e));
    lua_setfield(L, -2, "actor_id");
    lua_pushstring(L, esc_event_actor_name(e));
    lua_setfield(L, -2, "actor_name");
    lua_pushstring(L, esc_event_payload(e));
    lua_setfield(L, -2, "payload");
    lua_pushstring(L, esc_event_hash(e));
    lua_setfield(L, -2, "hash");
    lua_pushinteger(L, (lua_Integer)esc_event_seq(e));
    lua_setfield(L, -2, "seq");
    lua_pushinteger(L, (lua_Integer)esc_event_at(e));
    lua_setfield(L, -2, "at");
    lua_pushinteger(L, (lua_Integer)esc_event_action(e));
    lua_setfield(L, -2, "action");
    lua_pushinteger(L, (lua_Integer)esc_event_actor_tier(e));
    lua_setfield(L, -2, "actor_tier");
    lua_pushinteger(L, (lua_Integer)esc_event_from_state(e));
    lua_setfield(L, -2, "from_state");
    lua_pushinteger(L, (lua_Integer)esc_event_to_state(e));
    lua_setfield(L, -2, "to_state");
    lua_call(L, 1, 0);
    return 0;
}

/* The event hook.  The step is already committed: an error is kept and
 * raised once the call returns; later events are still delivered. */
static void escb_lua_hook(const esc_event *event, void *payload)
{
    const escb_lua_ref *cb = payload;
    escb_lua_frame *frame = escb_lua_frames;
    if (frame == NULL || !lua_checkstack(frame->L, 3))
        return;
    lua_State *L = frame->L;
    lua_pushcfunction(L, escb_lua_call_hook);
    lua_pushlightuserdata(L, (void *)event);
    lua_rawgeti(L, LUA_REGISTRYINDEX, cb->ref);
    if (lua_pcall(L, 2, 0, 0) != LUA_OK)
        escb_lua_keep_error(frame);
}

/* Raise the structured error for a failure found here. */
static int escb_lua_raise(lua_State *L, int code, const char *message)
{
    escb_lua_push_error(L, code, message, NULL);
    return lua_error(L);
}

/* core.set_clock(db, fn|nil) and core.set_event_hook(db, fn|nil): hold fn
 * in the registry for the handle's C callback, dropping the one it
 * replaces. */
static int escb_lua_set_callback(lua_State *L, bool hook)
{
    escb_db *wrapper = NULL;
    if (!SWIG_IsOK(SWIG_ConvertPtr(L, 1, (void **)&wrapper, SWIGTYPE_p_escb_db, 0)) || wrapper == NULL)
        return escb_lua_raise(L, ESC_EINVAL, "expected a database");
    if (wrapper->db == NULL)
        return escb_lua_raise(L, ESC_EINVAL, "the database is closed");
    if (!lua_isnoneornil(L, 2) && !lua_isfunction(L, 2))
        return escb_lua_raise(L, ESC_EINVAL, hook ? "the event hook must be a function or nil"
                                                  : "the clock must be a function or nil");
    escb_lua_ref *fresh = NULL;
    if (lua_isfunction(L, 2)) {
        lua_settop(L, 2);
        int ref = luaL_ref(L, LUA_REGISTRYINDEX);   /* may raise: nothing to free yet */
        if ((fresh = malloc(sizeof *fresh)) == NULL) {
            luaL_unref(L, LUA_REGISTRYINDEX, ref);
            return escb_lua_raise(L, ESC_ENOMEM, NULL);
        }
        lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
        fresh->main = lua_tothread(L, -1);
        fresh->ref = ref;
        lua_pop(L, 1);
    }
    if (hook) {
        esc_db_set_event_hook(wrapper->db, fresh ? escb_lua_hook : NULL, fresh);
        escb_lua_unref(&wrapper->hook_target);
        wrapper->hook_target = fresh;
    } else {
        esc_db_set_clock(wrapper->db, fresh ? escb_lua_clock : NULL, fresh);
        escb_lua_unref(&wrapper->clock_target);
        wrapper->clock_target = fresh;
    }
    wrapper->release = escb_lua_release;
    return 0;
}

static int escb_lua_set_clock(lua_State *L) { return escb_lua_set_callback(L, false); }
static int escb_lua_set_event_hook(lua_State *L) { return escb_lua_set_callback(L, true); }

/* ---- the module ------------------------------------------------------------------- */

/* require returns the idiomatic layer, not the raw module: no global. */
#undef SWIG_LUA_MODULE_GLOBAL

/* SWIG also sets two globals of its own; a module loaded with require
 * should leave the global table alone. */
static void escb_lua_drop_swig_globals(lua_State *L)
{
    static const struct { const char *name; lua_CFunction fn; } globals[] = {
        { "swig_type", SWIG_Lua_type },
        { "swig_equals", SWIG_Lua_class_equal },
    };
    for (size_t i = 0; i < sizeof globals / sizeof globals[0]; i++) {
        lua_getglobal(L, globals[i].name);
        if (lua_tocfunction(L, -1) == globals[i].fn) {
            lua_pushnil(L);
            lua_setglobal(L, globals[i].name);
        }
        lua_pop(L, 1);
    }
}

/* SWIG ends luaopen_escalate by running the %luacode chunk through
 * SWIG_Lua_dostring(L, code): with no arguments, its result dropped, and
 * an error only printed.  The layer needs the raw module and must be what
 * require returns, so that one call is redirected here: the chunk is called
 * with the raw module (on top of the stack) and the error metatable, an
 * error propagates to require, and the chunk's result is left on top, which
 * is what luaopen_escalate returns. */
static int escb_lua_open_layer(lua_State *L, const char *code)
{
    int raw = lua_gettop(L);
    escb_lua_drop_swig_globals(L);
    if (luaL_loadbufferx(L, code, strlen(code), "=escalate", "t") != LUA_OK)
        return lua_error(L);
    lua_pushvalue(L, raw);
    escb_lua_push_error_mt(L);
    lua_call(L, 2, 1);
    return 0;
}
#define SWIG_Lua_dostring escb_lua_open_layer
%}

/* Every wrapped call runs in a frame; any failure raises the error value. */
%exception {
    escb_lua_frame escb_lua_frame_;
    escb_lua_enter(&escb_lua_frame_, L);
    $action
    if (escb_lua_leave(&escb_lua_frame_))
        SWIG_fail;
}

/* The one call that can succeed, return a new object and still raise: an
 * event hook that fails after db:open{} committed.  The snapshot is never
 * handed to Lua then, so it is freed here. */
%exception escb_db::open_escalation {
    escb_lua_frame escb_lua_frame_;
    escb_lua_enter(&escb_lua_frame_, L);
    $action
    if (escb_lua_leave(&escb_lua_frame_)) {
        esc_escalation_free(result);
        SWIG_fail;
    }
}

/* The sweep commits timer_fired events too: the same, for its stats. */
%exception escb_db::sweep {
    escb_lua_frame escb_lua_frame_;
    escb_lua_enter(&escb_lua_frame_, L);
    $action
    if (escb_lua_leave(&escb_lua_frame_)) {
        free(result);
        SWIG_fail;
    }
}

%native(new_error) int escb_lua_new_error(lua_State *L);
%native(set_clock) int escb_lua_set_clock(lua_State *L);
%native(set_event_hook) int escb_lua_set_event_hook(lua_State *L);

%insert("luacode") "lua/escalate_api.lua"
