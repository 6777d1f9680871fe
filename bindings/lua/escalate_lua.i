/*
 * escalate_lua.i — the Lua block of escalate.i: failures raise error().
 */
%exception {
    escb_error_clear();
    $action
    if (escb_last_error.code != ESC_OK) {
        lua_pushstring(L, escb_last_error.message);
        SWIG_fail;
    }
}
