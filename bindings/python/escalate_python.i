/*
 * escalate_python.i — the Python block of escalate.i: failures become
 * escalate.Error subclasses.
 */
%{
static void escb_python_raise(void)
{
    PyErr_SetString(PyExc_RuntimeError, escb_last_error.message);
}
%}

%exception {
    escb_error_clear();
    $action
    if (escb_last_error.code != ESC_OK) {
        escb_python_raise();
        SWIG_fail;
    }
}
