/*
 * escalate_python.i — the Python block of escalate.i.  It owns:
 *
 *  - the %exception that turns escb_last_error into an escalate.Error
 *    subclass (the class is chosen on the Python side: escalate_api.py
 *    registers a factory at import), or re-raises the exception a Python
 *    callback raised during the call;
 *  - the C trampolines behind Database.clock and Database.on_event, and
 *    the references they keep (released by escb_db.release on close or
 *    destruction, and on replacement);
 *  - the idiomatic layer itself, escalate_api.py, inserted into the
 *    generated escalate.py.
 *
 * The GIL is held during every call into libescalate (SWIG is run without
 * -threads): a Database used from several Python threads is thereby
 * serialised, which the C handle requires.
 */
%{
/* ---- Python exceptions as values (3.12 replaced the Fetch/Restore API) --- */

/* Take the raised exception out of the interpreter (NULL when none), with
 * its traceback attached so that it still says where it came from. */
static PyObject *escb_python_take_exception(void)
{
#if PY_VERSION_HEX >= 0x030C0000
    return PyErr_GetRaisedException();
#else
    PyObject *type = NULL, *value = NULL, *traceback = NULL;
    PyErr_Fetch(&type, &value, &traceback);
    if (type == NULL)
        return NULL;
    PyErr_NormalizeException(&type, &value, &traceback);
    if (traceback != NULL && value != NULL)
        PyException_SetTraceback(value, traceback);
    Py_XDECREF(type);
    Py_XDECREF(traceback);
    return value;
#endif
}

/* Raise exception (a reference is stolen) as if it had just been raised. */
static void escb_python_restore_exception(PyObject *exception)
{
#if PY_VERSION_HEX >= 0x030C0000
    PyErr_SetRaisedException(exception);
#else
    PyObject *type = (PyObject *)Py_TYPE(exception);
    Py_INCREF(type);
    PyErr_Restore(type, exception, PyException_GetTraceback(exception));
#endif
}

/* ---- callback failures ------------------------------------------------- */

/* A callback raised: keep its exception for the API call that triggered
 * it, which re-raises it once libescalate has returned (the C library
 * cannot carry a Python exception through).  The first one wins; any later
 * one in the same call (a batch commit delivers many events) goes to
 * sys.unraisablehook rather than vanishing. */
static void escb_python_stash(PyObject *callback)
{
    PyObject *exception = escb_python_take_exception();
    if (exception == NULL)
        return;
    if (escb_last_error.callback_error == NULL) {
        escb_last_error.callback_error = exception;
        return;
    }
    escb_python_restore_exception(exception);
    PyErr_WriteUnraisable(callback);
}

static void escb_python_drop_pending(void)
{
    PyObject *pending = (PyObject *)escb_last_error.callback_error;
    escb_last_error.callback_error = NULL;
    Py_XDECREF(pending);
}

/* Calls made by a callback into the binding (another Database, an enum's
 * name ...) go through %exception too and would overwrite the outer call's
 * last error: each callback runs with that state set aside, and restored. */
typedef struct escb_python_frame {
    escb_error saved;
} escb_python_frame;

static void escb_python_enter(escb_python_frame *frame)
{
    frame->saved = escb_last_error;
    escb_last_error.callback_error = NULL;   /* owned by frame->saved now */
    escb_error_clear();
}

static void escb_python_leave(escb_python_frame *frame, PyObject *callback)
{
    escb_python_drop_pending();              /* nothing should be left; be safe */
    escb_last_error = frame->saved;
    if (PyErr_Occurred())
        escb_python_stash(callback);
}

/* ---- the trampolines --------------------------------------------------- */

/* The clock: the Python side installs an adapter that returns a
 * non-negative int (ms) or raises.  A negative value tells libescalate the
 * clock failed: the step fails with ESC_ECALLBACK and changes nothing. */
static int64_t escb_python_clock(void *payload)
{
    escb_db *wrapper = payload;
    PyGILState_STATE gil = PyGILState_Ensure();
    escb_python_frame frame;
    int64_t now = -1;
    PyObject *callback = (PyObject *)wrapper->clock_target;
    escb_python_enter(&frame);
    if (callback != NULL) {
        Py_INCREF(callback);   /* it may replace itself while running */
        PyObject *result = PyObject_CallObject(callback, NULL);
        if (result != NULL) {
            now = PyLong_AsLongLong(result);
            if (now < 0 && !PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "the clock returned a negative time");
            Py_DECREF(result);
        }
        if (PyErr_Occurred())
            now = -1;
        escb_python_leave(&frame, callback);
        Py_DECREF(callback);
    } else {
        escb_python_leave(&frame, NULL);
    }
    PyGILState_Release(gil);
    return now;
}

/* The event hook: the event's fields, in the order Event._from_c takes
 * them, are handed to the Python adapter. */
static void escb_python_hook(const esc_event *event, void *payload)
{
    escb_db *wrapper = payload;
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *callback = (PyObject *)wrapper->hook_target;
    if (callback != NULL) {
        escb_python_frame frame;
        escb_python_enter(&frame);
        Py_INCREF(callback);
        PyObject *result = PyObject_CallFunction(
            callback, "sLLissiiiss", esc_event_escalation_id(event),
            (long long)esc_event_seq(event), (long long)esc_event_at(event),
            (int)esc_event_action(event), esc_event_actor_id(event),
            esc_event_actor_name(event), esc_event_actor_tier(event),
            (int)esc_event_from_state(event), (int)esc_event_to_state(event),
            esc_event_payload(event), esc_event_hash(event));
        Py_XDECREF(result);
        escb_python_leave(&frame, callback);
        Py_DECREF(callback);
    }
    PyGILState_Release(gil);
}

/* escb_db.release: the handle is closed (or being destroyed), so no
 * callback can run any more; drop the references.  Runs on close and
 * again on destruction: the second time there is nothing left to drop. */
static void escb_python_release(escb_db *wrapper)
{
    PyObject *clock = (PyObject *)wrapper->clock_target;
    PyObject *hook = (PyObject *)wrapper->hook_target;
    wrapper->clock_target = wrapper->hook_target = NULL;
    Py_XDECREF(clock);
    Py_XDECREF(hook);
}

/* Store callable (None: no callable) in *slot, dropping the previous one
 * only after the new one is in place: dropping it may run arbitrary code. */
static void escb_python_replace(void **slot, PyObject *callable)
{
    PyObject *old = (PyObject *)*slot;
    if (callable == Py_None)
        callable = NULL;
    Py_XINCREF(callable);
    *slot = callable;
    Py_XDECREF(old);
}

/* ---- raising ------------------------------------------------------------ */

/* escalate_api._error_from_status(code, guard, message) -> exception */
static PyObject *escb_python_error_factory;

static void escb_python_raise(void)
{
    PyObject *pending = (PyObject *)escb_last_error.callback_error;
    if (pending != NULL) {
        /* A callback raised: that is the error to report, as it was raised. */
        escb_last_error.callback_error = NULL;
        escb_python_restore_exception(pending);
        return;
    }
    /* Copied before anything can allocate: an allocation may run the
     * garbage collector, and a finalizer may call into the binding. */
    escb_error failure = escb_last_error;
    PyObject *message = PyUnicode_DecodeUTF8(failure.message, (Py_ssize_t)strlen(failure.message),
                                             "replace");
    if (message == NULL)
        return;
    if (escb_python_error_factory == NULL) {
        /* Only while escalate.py itself is being imported. */
        PyErr_SetObject(PyExc_RuntimeError, message);
    } else {
        PyObject *error = PyObject_CallFunction(escb_python_error_factory, "iiO", failure.code,
                                                failure.guard, message);
        if (error != NULL) {
            PyErr_SetObject((PyObject *)Py_TYPE(error), error);
            Py_DECREF(error);
        }
    }
    Py_DECREF(message);
}

#define ESCB_PYTHON_FAILED() \
    (escb_last_error.code != ESC_OK || escb_last_error.callback_error != NULL)
%}

%exception {
    escb_python_drop_pending();
    escb_error_clear();
    $action
    if (ESCB_PYTHON_FAILED()) {
        escb_python_raise();
        SWIG_fail;
    }
}

/* Destructors cannot fail, and may run at any allocation (the garbage
 * collector), even between a failed call and its raise: they must leave
 * escb_last_error alone. */
%noexception escb_db::~escb_db;
%noexception escb_action::~escb_action;
%noexception escb_open_params::~escb_open_params;
%noexception escb_filter::~escb_filter;
%noexception esc_escalation::~esc_escalation;
%noexception esc_escalation_list::~esc_escalation_list;
%noexception esc_event_list::~esc_event_list;
%noexception esc_verify_report::~esc_verify_report;
%noexception escb_sla_rule::~escb_sla_rule;
%noexception esc_calendar::~esc_calendar;
%noexception esc_sla_policy::~esc_sla_policy;
%noexception esc_sla_clocks::~esc_sla_clocks;
%noexception esc_definition::~esc_definition;
%noexception esc_outbox_list::~esc_outbox_list;
%noexception esc_sweep_stats::~esc_sweep_stats;

/* The one call that both commits an event (so the hook may raise after
 * the commit) and returns a new object: free that object when raising. */
%exception escb_db::open_escalation {
    escb_python_drop_pending();
    escb_error_clear();
    $action
    if (ESCB_PYTHON_FAILED()) {
        esc_escalation_free(result);
        escb_python_raise();
        SWIG_fail;
    }
}

/* The sweep commits timer_fired events too (the hook may raise after it):
 * its stats are freed when raising. */
%exception escb_db::sweep {
    escb_python_drop_pending();
    escb_error_clear();
    $action
    if (ESCB_PYTHON_FAILED()) {
        free(result);
        escb_python_raise();
        SWIG_fail;
    }
}

%extend escb_db {
    /* Install the clock adapter (None: the system clock). */
    void set_clock(PyObject *clock) {
        esc_db *db = escb_db_handle($self);
        if (db == NULL)
            return;
        $self->release = escb_python_release;
        escb_python_replace(&$self->clock_target, clock);
        if ($self->clock_target != NULL)
            esc_db_set_clock(db, escb_python_clock, $self);
        else
            esc_db_set_clock(db, NULL, NULL);
    }
    /* Install the event hook adapter (None: no hook). */
    void set_event_hook(PyObject *hook) {
        esc_db *db = escb_db_handle($self);
        if (db == NULL)
            return;
        $self->release = escb_python_release;
        escb_python_replace(&$self->hook_target, hook);
        if ($self->hook_target != NULL)
            esc_db_set_event_hook(db, escb_python_hook, $self);
        else
            esc_db_set_event_hook(db, NULL, NULL);
    }
}

%inline %{
/* Called once by escalate_api.py at import. */
static void escb_python_set_error_factory(PyObject *factory)
{
    PyObject *old = escb_python_error_factory;
    Py_INCREF(factory);
    escb_python_error_factory = factory;
    Py_XDECREF(old);
}

/* Raise the error the C glue would raise for a failure with this code:
 * lets the test suite check the mapping of every status code, including
 * those no test can provoke (ESC_ENOMEM, ESC_EIO, ESC_EINTERNAL ...). */
static void escb_python_fail(int code, int guard, const char *message)
{
    escb_fail(code, message);
    escb_last_error.guard = guard;
}
%}

%pythoncode "python/escalate_api.py"
