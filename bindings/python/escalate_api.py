# escalate_api.py — the idiomatic Python layer of the escalate module.
#
# SWIG inserts this file into the generated escalate.py (escalate_python.i:
# %pythoncode), right after the C extension `_escalate` is imported and
# before SWIG's own low-level proxy classes (escb_db, escb_action,
# esc_escalation ...) are defined.  Code that runs at import therefore uses
# `_escalate` directly; the proxy classes are looked up when called.
#
# It owns everything a Python user sees: Database, Escalation, the records
# (Person, Event, items, VerifyReport), the enumerations and the exception
# classes.  The low-level names (esc_*, escb_*, ESC_*) stay in the module
# because SWIG puts them there, but they are not part of the public API
# (see __all__ and escalate.pyi).

__doc__ = """Customer escalations as a state machine persisted in SQLite.

    import datetime, escalate

    agent = escalate.Person("agt-117", "Priya Natarajan", 1)
    with escalate.Database("helpdesk.db", create=True) as db:
        esc = db.open(agent, "You took $89.99 twice.", "cust-88412", urgency=3)
        try:
            esc.advance(agent)
        except escalate.GuardNotMet as refused:
            print(refused.guard, refused)       # customer_note: cannot advance ...
        esc.note(agent, "The refund went to my closed card.", customer_account=True)
        esc.advance(agent)
        print(esc.state, esc.version)           # clarify 3

Every failure raises a subclass of escalate.Error carrying the C status
code (.code, .name) and, for refused actions, the unmet guard (.guard).
Times are timezone-aware datetimes in UTC (an int is taken as milliseconds
since the Unix epoch); naive datetimes are refused.  Give each thread its
own Database.
"""

import contextlib as _contextlib
import dataclasses as _dataclasses
import datetime as _datetime
import enum as _enum
import json as _json
import operator as _operator
import os as _os
import typing as _typing
import weakref as _weakref

__all__ = [
    "Calendar",
    # SLA policies, clocks and timers
    "Policy", "Rule", "Clocks", "TargetClock", "SlaTarget", "SlaState", "Definition",
    "SweepStats", "OutboxEntry",
    # the database and its records
    "Database", "Escalation", "Person", "Event", "VerifyReport", "Mismatch",
    "Note", "Emotion", "Step", "Option", "Watcher", "Update", "ExceptionRequest",
    "FollowUp", "Tag",
    # enumerations
    "State", "Action", "Guard", "Channel", "Hold", "ItemKind", "ItemStatus",
    "Order", "Journal", "Sync", "Status",
    # exceptions
    "Error", "Refused", "InvalidArgument", "NotFound", "InvalidTransition",
    "GuardNotMet", "Conflict", "Busy", "Corrupt", "NotADatabase", "SchemaTooNew",
    "IOFailure", "ReadOnly", "OutOfMemory", "Full", "NotAuthorized",
    "AlreadyExists", "InternalError", "CallbackError",
    # helpers
    "library_version", "to_datetime", "to_ms",
]

#: The version of libescalate this module was built for ("1.0.0").
__version__ = _escalate.ESC_VERSION_STRING


def library_version() -> str:
    """The version of the libescalate shared library loaded at run time."""
    return _escalate.esc_version_string()


# ---- enumerations -------------------------------------------------------------
#
# Values come from the C headers; the members are spelled out here so that
# editors and readers see them.  str() gives the C library's own name
# ("take_ownership", "in_person"); the test suite checks both stay in step.


class _CEnum(_enum.IntEnum):
    def __str__(self) -> str:
        return self.name.lower()

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    @classmethod
    def from_name(cls, name: str):
        """The member called name, as the C library names it ("follow_up")."""
        try:
            return cls[name.upper()]
        except KeyError:
            raise InvalidArgument(f"no {cls.__name__} is called {name!r}") from None


class State(_CEnum):
    """Lifecycle states, in order.  Every state but CLOSED is open."""
    LISTEN = _escalate.ESC_STATE_LISTEN
    CLARIFY = _escalate.ESC_STATE_CLARIFY
    PLAN = _escalate.ESC_STATE_PLAN
    OWN = _escalate.ESC_STATE_OWN
    FOLLOW_UP = _escalate.ESC_STATE_FOLLOW_UP
    RESOLVED = _escalate.ESC_STATE_RESOLVED
    CLOSED = _escalate.ESC_STATE_CLOSED


class Action(_CEnum):
    """Every lifecycle action (OPEN is recorded by Database.open,
    TIMER_FIRED by Database.sweep)."""
    OPEN = _escalate.ESC_ACTION_OPEN
    NOTE = _escalate.ESC_ACTION_NOTE
    ACK_EMOTION = _escalate.ESC_ACTION_ACK_EMOTION
    ADVANCE = _escalate.ESC_ACTION_ADVANCE
    STATE_PROBLEM = _escalate.ESC_ACTION_STATE_PROBLEM
    CONFIRM_PROBLEM = _escalate.ESC_ACTION_CONFIRM_PROBLEM
    ADD_STEP = _escalate.ESC_ACTION_ADD_STEP
    OFFER_OPTION = _escalate.ESC_ACTION_OFFER_OPTION
    CHOOSE_OPTION = _escalate.ESC_ACTION_CHOOSE_OPTION
    PROMISE = _escalate.ESC_ACTION_PROMISE
    TAKE_OWNERSHIP = _escalate.ESC_ACTION_TAKE_OWNERSHIP
    LOOP_IN = _escalate.ESC_ACTION_LOOP_IN
    SEND_UPDATE = _escalate.ESC_ACTION_SEND_UPDATE
    REQUEST_EXCEPTION = _escalate.ESC_ACTION_REQUEST_EXCEPTION
    DECIDE_EXCEPTION = _escalate.ESC_ACTION_DECIDE_EXCEPTION
    RECORD_RESOLUTION = _escalate.ESC_ACTION_RECORD_RESOLUTION
    SCHEDULE_FOLLOW_UP = _escalate.ESC_ACTION_SCHEDULE_FOLLOW_UP
    COMPLETE_FOLLOW_UP = _escalate.ESC_ACTION_COMPLETE_FOLLOW_UP
    CONFIRM_RESOLVED = _escalate.ESC_ACTION_CONFIRM_RESOLVED
    REOPEN = _escalate.ESC_ACTION_REOPEN
    CLOSE = _escalate.ESC_ACTION_CLOSE
    WITHDRAW = _escalate.ESC_ACTION_WITHDRAW
    MOVE_TIER = _escalate.ESC_ACTION_MOVE_TIER
    HOLD = _escalate.ESC_ACTION_HOLD
    RESUME = _escalate.ESC_ACTION_RESUME
    REASSESS = _escalate.ESC_ACTION_REASSESS
    TAG = _escalate.ESC_ACTION_TAG
    TIMER_FIRED = _escalate.ESC_ACTION_TIMER_FIRED   # recorded by Database.sweep only


class Guard(_CEnum):
    """The conditions an action may need; .description says it in words."""
    NONE = _escalate.ESC_GUARD_NONE
    STATE = _escalate.ESC_GUARD_STATE
    CUSTOMER_NOTE = _escalate.ESC_GUARD_CUSTOMER_NOTE
    PROBLEM_STATEMENT = _escalate.ESC_GUARD_PROBLEM_STATEMENT
    PLAN_STEP = _escalate.ESC_GUARD_PLAN_STEP
    PROMISED_TIME = _escalate.ESC_GUARD_PROMISED_TIME
    OWNER = _escalate.ESC_GUARD_OWNER
    OPTION = _escalate.ESC_GUARD_OPTION
    FUTURE_TIME = _escalate.ESC_GUARD_FUTURE_TIME
    PENDING_EXCEPTION = _escalate.ESC_GUARD_PENDING_EXCEPTION
    AUTHORITY = _escalate.ESC_GUARD_AUTHORITY
    NO_PENDING_EXCEPTION = _escalate.ESC_GUARD_NO_PENDING_EXCEPTION
    PENDING_FOLLOW_UP = _escalate.ESC_GUARD_PENDING_FOLLOW_UP
    CUSTOMER_CONFIRMED = _escalate.ESC_GUARD_CUSTOMER_CONFIRMED
    ROOT_CAUSE = _escalate.ESC_GUARD_ROOT_CAUSE
    HANDOVER_BRIEF = _escalate.ESC_GUARD_HANDOVER_BRIEF
    OTHER_TIER = _escalate.ESC_GUARD_OTHER_TIER
    ON_HOLD = _escalate.ESC_GUARD_ON_HOLD
    NOT_ON_HOLD = _escalate.ESC_GUARD_NOT_ON_HOLD
    CONFIDENTIAL = _escalate.ESC_GUARD_CONFIDENTIAL   # with NotAuthorized

    @property
    def description(self) -> str:
        """What the guard requires, in a sentence."""
        return _escalate.esc_guard_description(self)


class Channel(_CEnum):
    """How the customer reached us."""
    PHONE = _escalate.ESC_CHANNEL_PHONE
    EMAIL = _escalate.ESC_CHANNEL_EMAIL
    CHAT = _escalate.ESC_CHANNEL_CHAT
    SOCIAL = _escalate.ESC_CHANNEL_SOCIAL
    IN_PERSON = _escalate.ESC_CHANNEL_IN_PERSON


class Hold(_CEnum):
    """Why an escalation is on hold (NONE: it is not)."""
    NONE = _escalate.ESC_HOLD_NONE
    CUSTOMER = _escalate.ESC_HOLD_CUSTOMER
    THIRD_PARTY = _escalate.ESC_HOLD_THIRD_PARTY
    INTERNAL = _escalate.ESC_HOLD_INTERNAL


class ItemKind(_CEnum):
    """The kinds of item an escalation carries."""
    NOTE = _escalate.ESC_ITEM_NOTE
    EMOTION = _escalate.ESC_ITEM_EMOTION
    STEP = _escalate.ESC_ITEM_STEP
    OPTION = _escalate.ESC_ITEM_OPTION
    WATCHER = _escalate.ESC_ITEM_WATCHER
    UPDATE = _escalate.ESC_ITEM_UPDATE
    EXCEPTION = _escalate.ESC_ITEM_EXCEPTION
    FOLLOW_UP = _escalate.ESC_ITEM_FOLLOW_UP
    TAG = _escalate.ESC_ITEM_TAG


class ItemStatus(_CEnum):
    """Status of an exception request or a follow-up."""
    OPEN = _escalate.ESC_ITEM_OPEN          # pending
    APPROVED = _escalate.ESC_ITEM_APPROVED
    DENIED = _escalate.ESC_ITEM_DENIED
    DONE = _escalate.ESC_ITEM_DONE


class Order(_CEnum):
    """How Database.list orders escalations."""
    PRIORITY = _escalate.ESC_ORDER_PRIORITY  # highest first, then oldest
    DUE = _escalate.ESC_ORDER_DUE            # earliest due first, nothing due last
    CREATED = _escalate.ESC_ORDER_CREATED    # oldest first


class Journal(_CEnum):
    """How a commit is made atomic (Database(journal=...)); a writable
    Database sets it for the file."""
    WAL = _escalate.ESC_JOURNAL_WAL              # default: readers go on while one writer commits
    ROLLBACK = _escalate.ESC_JOURNAL_ROLLBACK    # a writer excludes readers while it commits


class Sync(_CEnum):
    """How much a commit waits for the disk (Database(sync=...)), for that
    Database's commits."""
    NORMAL = _escalate.ESC_SYNC_NORMAL   # default: survives a crash of the process; with WAL,
                                         # a power loss may undo the last commits
    FULL = _escalate.ESC_SYNC_FULL       # every commit is on the disk before the call returns


class SlaTarget(_CEnum):
    """The targets of an SLA policy; str() gives the text form's name
    ("first_response")."""
    FIRST_RESPONSE = _escalate.ESC_SLA_FIRST_RESPONSE   # until the first send_update
    UPDATE = _escalate.ESC_SLA_UPDATE                   # from one send_update to the next
    RESOLUTION = _escalate.ESC_SLA_RESOLUTION           # until record_resolution


class SlaState(_CEnum):
    """Where one SLA clock stands."""
    NONE = _escalate.ESC_SLA_NONE         # no target at this priority, or not started
    RUNNING = _escalate.ESC_SLA_RUNNING
    PAUSED = _escalate.ESC_SLA_PAUSED     # on a pausing hold
    MET = _escalate.ESC_SLA_MET
    STOPPED = _escalate.ESC_SLA_STOPPED   # ended without being met


class Status(_CEnum):
    """The C library's status codes; str() gives the C name ("ESC_EGUARD")."""
    OK = _escalate.ESC_OK
    EINVAL = _escalate.ESC_EINVAL
    ENOTFOUND = _escalate.ESC_ENOTFOUND
    ETRANSITION = _escalate.ESC_ETRANSITION
    EGUARD = _escalate.ESC_EGUARD
    ECONFLICT = _escalate.ESC_ECONFLICT
    EBUSY = _escalate.ESC_EBUSY
    ECORRUPT = _escalate.ESC_ECORRUPT
    ENOTADB = _escalate.ESC_ENOTADB
    ESCHEMA = _escalate.ESC_ESCHEMA
    EIO = _escalate.ESC_EIO
    EREADONLY = _escalate.ESC_EREADONLY
    ENOMEM = _escalate.ESC_ENOMEM
    EFULL = _escalate.ESC_EFULL
    EAUTHORITY = _escalate.ESC_EAUTHORITY
    EEXISTS = _escalate.ESC_EEXISTS
    EINTERNAL = _escalate.ESC_EINTERNAL
    ECALLBACK = _escalate.ESC_ECALLBACK

    def __str__(self) -> str:
        return _escalate.esc_status_name(self)

    @property
    def description(self) -> str:
        """The C library's short description of the code."""
        return _escalate.esc_status_string(self)


# ---- exceptions ---------------------------------------------------------------

_ERROR_CLASSES = {}   # status code -> the class raised for it


def _rebuild_error(cls, message, code, guard):
    return cls(message, code=code, guard=guard)


class Error(Exception):
    """Every failure of libescalate.

    .code is the C status code (an int, see Status), .name its C name
    ("ESC_EGUARD"), .guard the unmet Guard when an action was refused
    (else None), and str(error) the library's message.  Each code has its
    own subclass; catch Error for all of them.
    """

    code: _typing.Optional[int] = None
    guard = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__:
            _ERROR_CLASSES.setdefault(cls.code, cls)

    def __init__(self, message: str = "", *, code: _typing.Optional[int] = None, guard: _typing.Optional[int] = None):
        super().__init__(message)
        if code is not None:
            self.code = int(code)
        if guard:
            try:
                self.guard = Guard(guard)
            except ValueError:
                self.guard = int(guard)

    @property
    def message(self) -> str:
        """The library's message (also str(error))."""
        return self.args[0] if self.args else ""

    @property
    def name(self) -> str:
        """The C name of the status code, e.g. "ESC_EGUARD"."""
        return "ESC_UNKNOWN" if self.code is None else _escalate.esc_status_name(self.code)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):
        # Exceptions cross process boundaries (multiprocessing) by pickle.
        return (_rebuild_error, (type(self), self.message, self.code,
                                 int(self.guard) if self.guard else None))


class Refused(Error):
    """The lifecycle refused the action (see .guard); nothing changed."""


class InvalidArgument(Error, ValueError):
    """An argument is missing, out of range, empty, too long or not valid
    text; also raised for a closed database."""
    code = _escalate.ESC_EINVAL


class NotFound(Error, LookupError):
    """No escalation (or item) with that id or reference."""
    code = _escalate.ESC_ENOTFOUND


class InvalidTransition(Refused):
    """The action is not allowed in the escalation's current state."""
    code = _escalate.ESC_ETRANSITION


class GuardNotMet(Refused):
    """The state allows the action but a condition (.guard) is not met."""
    code = _escalate.ESC_EGUARD


class Conflict(Error):
    """The escalation changed since it was read: refresh() and retry."""
    code = _escalate.ESC_ECONFLICT


class Busy(Error):
    """The database stayed locked for longer than the busy timeout."""
    code = _escalate.ESC_EBUSY


class Corrupt(Error):
    """The database file is damaged."""
    code = _escalate.ESC_ECORRUPT


class NotADatabase(Error):
    """The file is not an escalate database."""
    code = _escalate.ESC_ENOTADB


class SchemaTooNew(Error):
    """The database was written by a newer libescalate."""
    code = _escalate.ESC_ESCHEMA


class IOFailure(Error, OSError):
    """An operating-system I/O error."""
    code = _escalate.ESC_EIO


class ReadOnly(Error):
    """The database (or the Database object) is read-only."""
    code = _escalate.ESC_EREADONLY


class OutOfMemory(Error, MemoryError):
    """Memory ran out."""
    code = _escalate.ESC_ENOMEM


class Full(Error):
    """The disk (or the database size limit) is full."""
    code = _escalate.ESC_EFULL


class NotAuthorized(Refused):
    """The acting person may not do or see this: their tier is too low for
    the action, the escalation is confidential (.guard is
    Guard.CONFIDENTIAL when a step was refused for that), or a Database
    opened with viewer= was asked to act as someone else, to read what its
    viewer may not see, or to do the host's own work (verify, rebuild,
    sweep, outbox, ack, calendar_put, policy_put)."""
    code = _escalate.ESC_EAUTHORITY


class AlreadyExists(Error):
    """The external reference is already used by another escalation."""
    code = _escalate.ESC_EEXISTS


class InternalError(Error):
    """A bug in libescalate: please report it."""
    code = _escalate.ESC_EINTERNAL


class CallbackError(Error):
    """A callback reported a failure without a Python exception to show.

    When a Python clock or event hook raises, its own exception is raised
    instead (see Database.clock and Database.on_event).
    """
    code = _escalate.ESC_ECALLBACK


def _error_from_status(code: int, guard: int, message: str) -> Error:
    """Called by the C glue: the exception for a failed call."""
    return _ERROR_CLASSES.get(code, Error)(message, code=code, guard=guard)


_escalate.escb_python_set_error_factory(_error_from_status)


# ---- values in and out --------------------------------------------------------

_EPOCH = _datetime.datetime(1970, 1, 1, tzinfo=_datetime.timezone.utc)
_ONE_MS = _datetime.timedelta(milliseconds=1)

TimeLike = _typing.Union[_datetime.datetime, int]


def to_ms(value: TimeLike, what: str = "time") -> int:
    """Milliseconds since the Unix epoch from an aware datetime (or an int,
    returned as is).  A naive datetime is refused: InvalidArgument."""
    if isinstance(value, _datetime.datetime):
        if value.utcoffset() is None:
            raise InvalidArgument(
                f"{what}: {value!r} is a naive datetime; give it a time zone "
                "(e.g. tzinfo=datetime.timezone.utc)")
        return (value - _EPOCH) // _ONE_MS
    if isinstance(value, (bool, _datetime.date)):
        raise TypeError(f"{what} must be an aware datetime or int milliseconds, "
                        f"not {type(value).__name__}")
    try:
        return _operator.index(value)
    except TypeError:
        raise TypeError(f"{what} must be an aware datetime or int milliseconds, "
                        f"not {type(value).__name__}") from None


def to_datetime(ms: int) -> _datetime.datetime:
    """The aware UTC datetime of a time in milliseconds since the epoch."""
    return _EPOCH + _datetime.timedelta(milliseconds=ms)


def _time_or_none(ms: int):
    # The C API says 0 for "no time".
    return to_datetime(ms) if ms else None


def _text_or_none(text: str):
    # The C API says "" for "not set"; required text is never empty.
    return text or None


def _text(value, what: str) -> str:
    """Check text on its way in: str, no NUL (C would cut it there), and
    encodable as UTF-8 (lone surrogates are not)."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be str, not {type(value).__name__}")
    if "\0" in value:
        raise InvalidArgument(f"{what} contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidArgument(f"{what} is not valid text: {error.reason}") from None
    return value


def _integer(value, what: str) -> int:
    if isinstance(value, bool):
        return int(value)
    try:
        return _operator.index(value)
    except TypeError:
        raise TypeError(f"{what} must be an int, not {type(value).__name__}") from None


def _flag(value, what: str) -> int:
    if not isinstance(value, int):
        raise TypeError(f"{what} must be a bool, not {type(value).__name__}")
    return 1 if value else 0


class Person(_typing.NamedTuple):
    """Someone who acts, owns or watches: an id, a name and a tier on the
    ladder (1 = the lowest; ignored for watchers).  Plain tuples
    (id, name[, tier]) are accepted wherever a Person is."""
    id: str
    name: str
    tier: int = 1


#: What a parameter taking a person accepts.
PersonLike = _typing.Union[Person, _typing.Tuple[str, str], _typing.Tuple[str, str, int]]


def _person(value, what: str) -> Person:
    if isinstance(value, Person):
        return value
    if isinstance(value, tuple) and len(value) in (2, 3):
        return Person(*value)
    raise TypeError(f"{what} must be a Person or an (id, name, tier) tuple, "
                    f"not {type(value).__name__}")


# Builders (escb_action, escb_open_params, escb_filter) are filled by C
# field name; each field's Python value goes through one of these.

def _set_text(builder, field, value):
    builder.set_string(field, _text(value, field))


def _set_integer(builder, field, value):
    builder.set_number(field, _integer(value, field))


def _set_flag(builder, field, value):
    builder.set_number(field, _flag(value, field))


def _set_time(builder, field, value):
    builder.set_number(field, to_ms(value, field))


def _set_person(builder, field, value):
    person = _person(value, field)
    builder.set_person(field, _text(person.id, f"{field}.id"),
                       _text(person.name, f"{field}.name"),
                       _integer(person.tier, f"{field}.tier"))


_TEXT_FIELDS = ("text", "category", "lessons", "brief_went_wrong", "brief_tried",
                "brief_response", "summary", "customer_id", "customer_name",
                "external_ref", "owner_id", "tag", "sla_policy")
_INTEGER_FIELDS = ("item", "tier", "hold", "impact", "urgency", "satisfaction",
                   "channel", "state", "priority", "open", "order", "limit", "offset")
_FLAG_FIELDS = ("yes", "customer_account", "vip", "churn_risk", "confidential")

_FIELD_SETTERS = {
    **{name: _set_text for name in _TEXT_FIELDS},
    **{name: _set_integer for name in _INTEGER_FIELDS},
    **{name: _set_flag for name in _FLAG_FIELDS},
    "at": _set_time,
    "actor": _set_person,
    "person": _set_person,
}


def _fill(builder, fields: dict):
    """Set every field that is not None; unknown names are a TypeError (the
    C builder would say InvalidArgument, but it is a programming error)."""
    for name, value in fields.items():
        if value is None:
            continue
        setter = _FIELD_SETTERS.get(name)
        if setter is None:
            raise TypeError(f"unknown field {name!r}")
        setter(builder, name, value)
    return builder


# ---- records ------------------------------------------------------------------

def _item_field(source: str, convert=None):
    """A record field read from the C item field `source`."""
    return _dataclasses.field(metadata={"source": source, "convert": convert})


_ITEM_TEXT_SOURCES = frozenset({"text", "category", "person_id", "person_name",
                                "decision", "decided_by"})


@_dataclasses.dataclass(frozen=True)
class Note:
    """A note.  customer_account: the customer's own account of the problem;
    category: "correction" (the customer corrected the problem statement),
    "handover" (a tier move's brief) or None."""
    number: int = _item_field("number")
    text: str = _item_field("text")
    customer_account: bool = _item_field("flag", bool)
    category: _typing.Optional[str] = _item_field("category", _text_or_none)
    author_id: _typing.Optional[str] = _item_field("person_id", _text_or_none)
    created_at: _datetime.datetime = _item_field("created_at", to_datetime)


@_dataclasses.dataclass(frozen=True)
class Emotion:
    """An acknowledged emotion ("frustrated")."""
    number: int = _item_field("number")
    text: str = _item_field("text")
    created_at: _datetime.datetime = _item_field("created_at", to_datetime)


@_dataclasses.dataclass(frozen=True)
class Step:
    """A step of the plan, with the time promised for it (or None)."""
    number: int = _item_field("number")
    text: str = _item_field("text")
    due: _typing.Optional[_datetime.datetime] = _item_field("at", _time_or_none)
    created_at: _datetime.datetime = _item_field("created_at", to_datetime)


@_dataclasses.dataclass(frozen=True)
class Option:
    """An alternative offered to the customer; chosen: the customer's choice."""
    number: int = _item_field("number")
    text: str = _item_field("text")
    chosen: bool = _item_field("flag", bool)
    created_at: _datetime.datetime = _item_field("created_at", to_datetime)


@_dataclasses.dataclass(frozen=True)
class Watcher:
    """A person kept in the loop, and their role ("billing")."""
    number: int = _item_field("number")
    person_id: str = _item_field("person_id")
    person_name: str = _item_field("person_name")
    tier: int = _item_field("tier")
    role: _typing.Optional[str] = _item_field("category", _text_or_none)
    created_at: _datetime.datetime = _item_field("created_at", to_datetime)

    @property
    def person(self) -> Person:
        return Person(self.person_id, self.person_name, self.tier)


@_dataclasses.dataclass(frozen=True)
class Update:
    """An update sent to the customer."""
    number: int = _item_field("number")
    text: str = _item_field("text")
    created_at: _datetime.datetime = _item_field("created_at", to_datetime)


@_dataclasses.dataclass(frozen=True)
class ExceptionRequest:
    """A request for an exception to policy, and its decision."""
    number: int = _item_field("number")
    kind: str = _item_field("category")
    reason: str = _item_field("text")
    min_tier: int = _item_field("tier")
    requested_by_id: str = _item_field("person_id")
    requested_by_name: str = _item_field("person_name")
    status: ItemStatus = _item_field("status", ItemStatus)
    decision_note: _typing.Optional[str] = _item_field("decision", _text_or_none)
    decided_by: _typing.Optional[str] = _item_field("decided_by", _text_or_none)
    created_at: _datetime.datetime = _item_field("created_at", to_datetime)

    @property
    def pending(self) -> bool:
        return self.status == ItemStatus.OPEN


@_dataclasses.dataclass(frozen=True)
class FollowUp:
    """A promised callback: due, done or not, reached or not, the outcome."""
    number: int = _item_field("number")
    text: _typing.Optional[str] = _item_field("text", _text_or_none)
    due: _datetime.datetime = _item_field("at", to_datetime)
    status: ItemStatus = _item_field("status", ItemStatus)
    reached: bool = _item_field("flag", bool)
    outcome: _typing.Optional[str] = _item_field("decision", _text_or_none)
    completed_by: _typing.Optional[str] = _item_field("decided_by", _text_or_none)
    created_at: _datetime.datetime = _item_field("created_at", to_datetime)

    @property
    def pending(self) -> bool:
        return self.status == ItemStatus.OPEN


@_dataclasses.dataclass(frozen=True)
class Tag:
    """A tag."""
    number: int = _item_field("number")
    text: str = _item_field("text")
    created_at: _datetime.datetime = _item_field("created_at", to_datetime)


# (kind, Escalation attribute, record class)
_ITEM_KINDS = (
    (ItemKind.NOTE, "notes", Note),
    (ItemKind.EMOTION, "emotions", Emotion),
    (ItemKind.STEP, "steps", Step),
    (ItemKind.OPTION, "options", Option),
    (ItemKind.WATCHER, "watchers", Watcher),
    (ItemKind.UPDATE, "updates", Update),
    (ItemKind.EXCEPTION, "exceptions", ExceptionRequest),
    (ItemKind.FOLLOW_UP, "follow_ups", FollowUp),
    (ItemKind.TAG, "tags", Tag),
)

# record class -> ((attribute, C source, is text, convert), ...)
_ITEM_PLANS = {
    record: tuple((f.name, f.metadata["source"], f.metadata["source"] in _ITEM_TEXT_SOURCES,
                   f.metadata["convert"]) for f in _dataclasses.fields(record))
    for _, _, record in _ITEM_KINDS
}


def _read_items(snapshot, kind: ItemKind, record):
    plan = _ITEM_PLANS[record]
    items = []
    for index in range(_escalate.esc_escalation_item_count(snapshot, kind)):
        values = {}
        for name, source, is_text, convert in plan:
            raw = (snapshot.item_text(kind, index, source) if is_text
                   else snapshot.item_number(kind, index, source))
            values[name] = convert(raw) if convert else raw
        items.append(record(**values))
    return items


@_dataclasses.dataclass(frozen=True)
class Event:
    """One step of an escalation's history (immutable, numbered 1, 2, 3 ...
    per escalation: seq equals the version it produced).  payload holds the
    action's arguments as recorded (parsed from the stored JSON).  hash is
    the event's link in its escalation's hash chain: 64 lower-case hex
    digits of SHA-256 over the previous event's hash and this event's
    fields (None for events written before the chain existed).
    Database.verify() checks the chain; a host that keeps the latest hash
    elsewhere can later prove that nothing before it was changed."""
    escalation_id: str
    seq: int
    at: _datetime.datetime
    action: Action
    actor: Person
    from_state: State
    to_state: State
    payload: dict
    at_ms: int
    hash: _typing.Optional[str]

    @classmethod
    def _from_c(cls, escalation_id, seq, at, action, actor_id, actor_name, actor_tier,
                from_state, to_state, payload, hash):
        return cls(escalation_id, seq, to_datetime(at), Action(action),
                   Person(actor_id, actor_name, actor_tier), State(from_state),
                   State(to_state), _json.loads(payload) if payload else {}, at,
                   _text_or_none(hash))


# The C fields in the order Event._from_c takes them (escalate_python.i's
# event hook passes the same ones).
_EVENT_FIELDS = (("escalation_id", True), ("seq", False), ("at", False), ("action", False),
                 ("actor_id", True), ("actor_name", True), ("actor_tier", False),
                 ("from_state", False), ("to_state", False), ("payload", True),
                 ("hash", True))


@_dataclasses.dataclass(frozen=True)
class Mismatch:
    """One difference verify() found between a stored row and its replay."""
    escalation_id: str
    what: str


@_dataclasses.dataclass(frozen=True)
class VerifyReport:
    """What Database.verify() found: how many escalations and events were
    replayed, and every mismatch (none: .ok)."""
    escalations: int
    events: int
    mismatches: _typing.List[Mismatch]

    @property
    def ok(self) -> bool:
        return not self.mismatches


# ---- escalations ---------------------------------------------------------------

# Actions only the library records: never applied, never "allowed".
_LIBRARY_ACTIONS = frozenset({Action.OPEN, Action.TIMER_FIRED})


class Escalation:
    """One escalation, as a snapshot at one version.

    Read its fields as properties (times as aware UTC datetimes; *_ms
    variants in milliseconds; unset text and times are None) and its items
    as lists of records (notes, steps, follow_ups ...).  The action methods
    perform one lifecycle step each; on success the object is refreshed in
    place (version, state, items ...), on failure an Error is raised and
    nothing changed.  An Escalation keeps its Database alive; once the
    Database is closed its fields stay readable and actions raise
    InvalidArgument.
    """

    __slots__ = ("_database", "_snapshot", "__weakref__")

    def __init__(self, database: "Database", snapshot):
        # Made by Database (open, get, list); not meant to be called directly.
        self._database = database
        self._snapshot = snapshot

    @property
    def database(self) -> "Database":
        """The Database this escalation was read from and acts through."""
        return self._database

    @property
    def on_hold(self) -> bool:
        """Whether the escalation is on hold (see hold_kind, hold_reason)."""
        return self.hold_kind != Hold.NONE

    def __repr__(self) -> str:
        ref = f" {self.external_ref}" if self.external_ref else ""
        return (f"<escalate.Escalation {self.id}{ref} {self.state} v{self.version} "
                f"priority {self.priority} tier {self.tier}>")

    # -- generic ------------------------------------------------------------

    def apply(self, action: Action, actor, **fields) -> None:
        """Perform one action, given as the Action and the C API's esc_action
        fields by name (text, category, person, at, item, yes, tier,
        customer_account, hold, impact, urgency, vip, churn_risk,
        satisfaction, lessons, brief_went_wrong, brief_tried,
        brief_response); None leaves a field unset.  The named methods
        (note, advance ...) are the friendlier spelling of the same thing.

        Raises InvalidTransition, GuardNotMet or NotAuthorized (with .guard)
        when the lifecycle refuses, Conflict when someone else changed the
        escalation since it was read (refresh() and retry), InvalidArgument
        for bad arguments.
        """
        builder = _fill(escb_action(_integer(action, "action")), fields)
        _set_person(builder, "actor", actor)
        database = self._database
        handle = database._handle()
        database._remember_for_batch(self)
        handle.act(self._snapshot, builder)

    def allowed(self, actor=None) -> _typing.Dict[Action, _typing.Optional[Guard]]:
        """What can be done now: every action (but OPEN and TIMER_FIRED,
        which only the library records) mapped to None when allowed, or to
        the first unmet Guard (Guard.STATE: not in this state).  Guards
        that depend on an action's own arguments are taken as met;
        authority is judged only when actor is given."""
        handle = self._database._handle()
        if actor is None:
            who = (None, None, 0)
        else:
            person = _person(actor, "actor")
            who = (_text(person.id, "actor.id"), _text(person.name, "actor.name"),
                   _integer(person.tier, "actor.tier"))
        answers = {}
        for action in Action:
            if action in _LIBRARY_ACTIONS:
                continue
            guard = handle.allowed(self._snapshot, action, *who)
            answers[action] = Guard(guard) if guard else None
        return answers

    def refresh(self) -> None:
        """Read the escalation's current version from the database."""
        self._snapshot = self._database._handle().get(self.id)

    def history(self) -> _typing.List[Event]:
        """The escalation's events, oldest first (Database.history)."""
        return self._database.history(self.id)

    # -- SLA ------------------------------------------------------------------

    def sla(self, now: _typing.Optional[TimeLike] = None) -> "Clocks":
        """The SLA clocks at now (default: the database's now) under the
        policy the escalation was opened with, as that policy is in effect
        (Database.sla)."""
        return self._database.sla(self, now)

    def sla_deadline(self, target: SlaTarget = SlaTarget.RESOLUTION) -> _typing.Optional[_datetime.datetime]:
        """The stored deadline of a target as of the last step or sweep;
        None when it does not apply, is met, or is paused."""
        return _time_or_none(_escalate.esc_escalation_sla_deadline(
            self._snapshot, _integer(target, "target")))

    def sla_met_at(self, target: SlaTarget = SlaTarget.RESOLUTION) -> _typing.Optional[_datetime.datetime]:
        """When a target was met, as recorded (None: not met).  For UPDATE:
        the last interval met."""
        return _time_or_none(_escalate.esc_escalation_sla_met_at(
            self._snapshot, _integer(target, "target")))

    def sla_margin(self, target: SlaTarget = SlaTarget.RESOLUTION) -> _typing.Optional[_datetime.timedelta]:
        """The margin a met target was met with (target - elapsed business
        time; negative: late), as recorded; None when not met."""
        target = _integer(target, "target")
        if not _escalate.esc_escalation_sla_met_at(self._snapshot, target):
            return None
        return _datetime.timedelta(
            milliseconds=_escalate.esc_escalation_sla_margin_ms(self._snapshot, target))

    # -- listen ---------------------------------------------------------------

    def note(self, actor, text: str, customer_account: bool = False) -> None:
        """Record a note; customer_account=True when it is the customer's own
        account (what listen needs before advance)."""
        self.apply(Action.NOTE, actor, text=text, customer_account=customer_account)

    def acknowledge_emotion(self, actor, emotion: str) -> None:
        """Record that the customer's emotion ("frustrated") was acknowledged."""
        self.apply(Action.ACK_EMOTION, actor, text=emotion)

    def advance(self, actor) -> None:
        """listen -> clarify; needs a customer-account note since this handler
        began listening (Guard.CUSTOMER_NOTE)."""
        self.apply(Action.ADVANCE, actor)

    # -- clarify --------------------------------------------------------------

    def state_problem(self, actor, statement: str) -> None:
        """Restate the problem in plain words (clears an earlier confirmation)."""
        self.apply(Action.STATE_PROBLEM, actor, text=statement)

    def confirm_problem(self, actor, yes: bool = True, correction: _typing.Optional[str] = None) -> None:
        """The customer's answer to the problem statement: yes moves to plan;
        no (with the customer's correction, kept as their own account)
        stays in clarify."""
        self.apply(Action.CONFIRM_PROBLEM, actor, yes=yes, text=correction)

    # -- plan -----------------------------------------------------------------

    def add_step(self, actor, text: str, due: _typing.Optional[TimeLike] = None) -> None:
        """Add a step to the plan, optionally with the time promised for it."""
        self.apply(Action.ADD_STEP, actor, text=text, at=due)

    def offer_option(self, actor, text: str) -> None:
        """Offer the customer an alternative."""
        self.apply(Action.OFFER_OPTION, actor, text=text)

    def choose_option(self, actor, number: int) -> None:
        """Record the customer's choice among the options (by number)."""
        self.apply(Action.CHOOSE_OPTION, actor, item=number)

    def promise(self, actor, when: TimeLike) -> None:
        """Promise the customer a time (it must lie in the future)."""
        self.apply(Action.PROMISE, actor, at=when)

    def take_ownership(self, actor, owner) -> None:
        """plan -> own: one named person owns the escalation; needs a plan step
        and a promised time."""
        self.apply(Action.TAKE_OWNERSHIP, actor, person=owner)

    # -- own ------------------------------------------------------------------

    def loop_in(self, actor, person, role: str) -> None:
        """Keep a person in the loop, in a role ("billing", "legal")."""
        self.apply(Action.LOOP_IN, actor, person=person, category=role)

    def send_update(self, actor, text: str) -> None:
        """Record an update sent to the customer."""
        self.apply(Action.SEND_UPDATE, actor, text=text)

    def request_exception(self, actor, kind: str, reason: str, min_tier: int) -> None:
        """Ask for an exception to policy that someone at min_tier or above
        decides."""
        self.apply(Action.REQUEST_EXCEPTION, actor, category=kind, text=reason,
                   tier=min_tier)

    def decide_exception(self, actor, number: int, approve: bool, note: _typing.Optional[str] = None) -> None:
        """Approve or deny exception request number; the actor needs its tier
        (NotAuthorized otherwise)."""
        self.apply(Action.DECIDE_EXCEPTION, actor, item=number, yes=approve, text=note)

    def record_resolution(self, actor, text: str) -> None:
        """own -> follow_up: what was done; no exception may be pending."""
        self.apply(Action.RECORD_RESOLUTION, actor, text=text)

    # -- follow up ------------------------------------------------------------

    def schedule_follow_up(self, actor, due: TimeLike, text: _typing.Optional[str] = None) -> None:
        """Promise a callback at due (in the future)."""
        self.apply(Action.SCHEDULE_FOLLOW_UP, actor, at=due, text=text)

    def complete_follow_up(self, actor, number: int, reached: bool, outcome: str) -> None:
        """Record a follow-up attempt: whether the customer was reached, and
        the outcome."""
        self.apply(Action.COMPLETE_FOLLOW_UP, actor, item=number, yes=reached,
                   text=outcome)

    def confirm_resolved(self, actor, confirmed: bool = True) -> None:
        """follow_up -> resolved: the customer confirmed (confirmed=False only
        once the agreed follow-up attempts are used up, and only by someone
        at tier 2 or above: NotAuthorized otherwise)."""
        self.apply(Action.CONFIRM_RESOLVED, actor, yes=confirmed)

    def reopen(self, actor, reason: str) -> None:
        """follow_up or resolved -> clarify: the resolution did not hold."""
        self.apply(Action.REOPEN, actor, text=reason)

    def close(self, actor, root_cause_category: str, root_cause: str,
              satisfaction: _typing.Optional[int] = None, lessons: _typing.Optional[str] = None) -> None:
        """resolved -> closed, with the root cause, the customer's
        satisfaction (1..5) and the lessons learnt."""
        self.apply(Action.CLOSE, actor, category=root_cause_category, text=root_cause,
                   satisfaction=satisfaction, lessons=lessons)

    # -- any open state -------------------------------------------------------

    def withdraw(self, actor, reason: str) -> None:
        """Close the escalation without resolving it (flagged withdrawn)."""
        self.apply(Action.WITHDRAW, actor, text=reason)

    def move_tier(self, actor, tier: int, went_wrong: str, tried: str, response: str,
                  new_owner=None) -> None:
        """Move to another tier with a handover brief (what went wrong, what
        was tried, how the customer responded); the new handler listens
        again.  Moving down needs the current tier's authority."""
        self.apply(Action.MOVE_TIER, actor, tier=tier, brief_went_wrong=went_wrong,
                   brief_tried=tried, brief_response=response, person=new_owner)

    def hold(self, actor, reason: str, kind: Hold = Hold.CUSTOMER) -> None:
        """Put the escalation on hold (waiting on the customer, a third party
        or another team)."""
        self.apply(Action.HOLD, actor, hold=kind, text=reason)

    def resume(self, actor) -> None:
        """Take the escalation off hold."""
        self.apply(Action.RESUME, actor)

    def reassess(self, actor, impact: int, urgency: int, vip: bool = False,
                 churn_risk: bool = False) -> None:
        """Set impact, urgency, VIP and churn risk anew (the priority follows)."""
        self.apply(Action.REASSESS, actor, impact=impact, urgency=urgency, vip=vip,
                   churn_risk=churn_risk)

    def tag(self, actor, tag: str) -> None:
        """Add a tag."""
        self.apply(Action.TAG, actor, text=tag)


# (property, C getter, conversion, docstring): the snapshot's fields.
_ESCALATION_FIELDS = (
    ("id", _escalate.esc_escalation_id, str, "The id: a lower-case UUID."),
    ("external_ref", _escalate.esc_escalation_external_ref, _text_or_none,
     "The host's own ticket reference, or None."),
    ("version", _escalate.esc_escalation_version, int,
     "The version: 1 when opened, one more per step."),
    ("state", _escalate.esc_escalation_state, State, "The lifecycle State."),
    ("is_open", _escalate.esc_escalation_is_open, bool, "True in every state but CLOSED."),
    ("summary", _escalate.esc_escalation_summary, str, "The customer's own words."),
    ("customer_id", _escalate.esc_escalation_customer_id, str, "The customer's id."),
    ("customer_name", _escalate.esc_escalation_customer_name, _text_or_none,
     "The customer's name, or None."),
    ("channel", _escalate.esc_escalation_channel, Channel, "How the customer reached us."),
    ("impact", _escalate.esc_escalation_impact, int, "1 one customer .. 4 business-wide."),
    ("urgency", _escalate.esc_escalation_urgency, int, "1 can wait .. 4 now."),
    ("priority", _escalate.esc_escalation_priority, int, "1 highest .. 5."),
    ("vip", _escalate.esc_escalation_vip, bool, "A VIP account."),
    ("churn_risk", _escalate.esc_escalation_churn_risk, bool,
     "The customer threatens to leave."),
    ("confidential", _escalate.esc_escalation_confidential, bool,
     "Sensitive: only its owner, its opener, its watchers and people at the "
     "confidential tier or above may see it (Database(viewer=...))."),
    ("tier", _escalate.esc_escalation_tier, int, "The tier it sits at (1 = the lowest)."),
    ("owner_id", _escalate.esc_escalation_owner_id, _text_or_none, "The owner's id, or None."),
    ("owner_name", _escalate.esc_escalation_owner_name, _text_or_none,
     "The owner's name, or None."),
    ("opened_by", _escalate.esc_escalation_opened_by, str,
     "The id of the person who opened it (who may always see it)."),
    ("chain_head", _escalate.esc_escalation_chain_head, _text_or_none,
     "The hash of its latest event (the head of its tamper-evident history), or None."),
    ("problem", _escalate.esc_escalation_problem, _text_or_none,
     "The problem statement, or None."),
    ("problem_confirmed", _escalate.esc_escalation_problem_confirmed, bool,
     "The customer confirmed the problem statement."),
    ("promised_at", _escalate.esc_escalation_promised_at, _time_or_none,
     "The time promised to the customer, or None."),
    ("promised_at_ms", _escalate.esc_escalation_promised_at, int,
     "promised_at in ms since the epoch (0: none)."),
    ("resolution", _escalate.esc_escalation_resolution, _text_or_none,
     "The recorded resolution (or a withdrawal's reason), or None."),
    ("unconfirmed", _escalate.esc_escalation_unconfirmed, bool,
     "Resolved without the customer's confirmation (attempts used up)."),
    ("withdrawn", _escalate.esc_escalation_withdrawn, bool, "Closed by withdraw()."),
    ("hold_kind", _escalate.esc_escalation_hold, Hold,
     "Why it is on hold (Hold.NONE: it is not)."),
    ("hold_reason", _escalate.esc_escalation_hold_reason, _text_or_none,
     "The reason given for the hold, or None."),
    ("hold_since", _escalate.esc_escalation_hold_since, _time_or_none,
     "Since when it is on hold, or None."),
    ("root_cause_category", _escalate.esc_escalation_root_cause_category, _text_or_none,
     "The root cause's category (given on close), or None."),
    ("root_cause", _escalate.esc_escalation_root_cause, _text_or_none,
     "The root cause (given on close), or None."),
    ("lessons", _escalate.esc_escalation_lessons, _text_or_none,
     "The lessons learnt (given on close), or None."),
    ("satisfaction", _escalate.esc_escalation_satisfaction, lambda score: score or None,
     "The customer's satisfaction 1..5 (given on close), or None."),
    ("reopen_count", _escalate.esc_escalation_reopen_count, int, "How often it was reopened."),
    ("created_at", _escalate.esc_escalation_created_at, to_datetime, "When it was opened."),
    ("created_at_ms", _escalate.esc_escalation_created_at, int, "created_at in ms."),
    ("updated_at", _escalate.esc_escalation_updated_at, to_datetime, "The time of the last step."),
    ("updated_at_ms", _escalate.esc_escalation_updated_at, int, "updated_at in ms."),
    ("due_at", _escalate.esc_escalation_due_at, _time_or_none,
     "The earliest pending promise (promised time or follow-up), or None."),
    ("due_at_ms", _escalate.esc_escalation_due_at, int, "due_at in ms (0: nothing due)."),
    ("sla_policy", _escalate.esc_escalation_sla_policy, _text_or_none,
     "The name of the stored SLA policy it was opened with, or None."),
    ("next_timer_at", _escalate.esc_escalation_next_timer_at, _time_or_none,
     "When the sweep next has something to fire for it (a warning, a breach, "
     "a rule, a promise, a follow-up), or None."),
    ("next_timer_at_ms", _escalate.esc_escalation_next_timer_at, int,
     "next_timer_at in ms (0: nothing pending)."),
)


def _snapshot_property(getter, convert, doc):
    return property(lambda self: convert(getter(self._snapshot)), doc=doc)


def _items_property(kind, record):
    return property(lambda self: _read_items(self._snapshot, kind, record),
                    doc=f"The {kind} items, oldest first, as {record.__name__} records.")


def _add_property(name, prop):
    if hasattr(Escalation, name):      # a field must never hide an action method
        raise AssertionError(f"Escalation.{name} is defined twice")
    setattr(Escalation, name, prop)


for _name, _getter, _convert, _doc in _ESCALATION_FIELDS:
    _add_property(_name, _snapshot_property(_getter, _convert, _doc))
for _kind, _name, _record in _ITEM_KINDS:
    _add_property(_name, _items_property(_kind, _record))
del _name, _getter, _convert, _doc, _kind, _record


# ---- callbacks ----------------------------------------------------------------
#
# The C glue keeps a strong reference to an adapter, which keeps the user's
# callable; the adapter reaches its Database only through a weak reference,
# or the Database could never be collected (the C reference is invisible
# to the garbage collector).

def _clock_adapter(database_ref, clock):
    def adapter():
        database = database_ref()
        if database is not None:
            database._in_callback += 1
        try:
            value = clock()
        finally:
            if database is not None:
                database._in_callback -= 1
        if isinstance(value, bool) or not isinstance(value, (int, _datetime.datetime)):
            raise TypeError("the clock must return an aware datetime or int milliseconds, "
                            f"not {type(value).__name__}")
        ms = to_ms(value, "the clock's time")
        if ms < 0:
            raise InvalidArgument(f"the clock returned a time before 1970 ({ms} ms)")
        return ms
    return adapter


def _hook_adapter(database_ref, hook):
    def adapter(*fields):
        database = database_ref()
        if database is not None:
            database._in_callback += 1
        try:
            hook(Event._from_c(*fields))
        except BaseException:
            if database is not None:
                database._hook_failed = True
            raise
        finally:
            if database is not None:
                database._in_callback -= 1
    return adapter


# ---- business calendars -----------------------------------------------------------

class Calendar:
    """Working hours, holidays and a time zone, for business-time arithmetic.

    Calendar("tz=Europe/Berlin; mon-fri 09:00-17:00; holiday 2026-12-25")
    (the spec format of esc_calendar_parse(); InvalidArgument names the bad
    token, NotFound an unknown zone).  Times in are aware datetimes or int
    ms; times out are aware UTC datetimes, durations timedeltas.
    """

    def __init__(self, spec: str):
        self._raw = esc_calendar(_text(spec, "calendar spec"))

    @property
    def tz_name(self) -> str:
        """The IANA time zone."""
        return self._raw.zone()

    @property
    def spec(self) -> str:
        """The canonical spec: Calendar(cal.spec) is an equal calendar."""
        return self._raw.spec()

    def is_business(self, at: TimeLike) -> bool:
        """Whether at falls inside working hours."""
        return self._raw.is_open(to_ms(at, "at"))

    def next_business(self, at: TimeLike) -> _datetime.datetime:
        """at itself inside working hours, else the next opening."""
        return to_datetime(self._raw.next_open(to_ms(at, "at")))

    def add_business(self, start: TimeLike, duration: _datetime.timedelta) -> _datetime.datetime:
        """When duration of working time has passed after start."""
        return to_datetime(self._raw.after(to_ms(start, "start"),
                                                  _milliseconds_exact(duration, "duration")))

    def business_between(self, start: TimeLike, end: TimeLike) -> _datetime.timedelta:
        """The working time between start and end."""
        ms = self._raw.between(to_ms(start, "start"), to_ms(end, "end"))
        return _datetime.timedelta(milliseconds=ms)

    def __repr__(self) -> str:
        return f"Calendar({self.spec!r})"


def _milliseconds_exact(value, what: str) -> int:
    if isinstance(value, _datetime.timedelta):
        return value // _ONE_MS
    raise TypeError(f"{what} must be a timedelta")


# ---- SLA policies and clocks ------------------------------------------------------

def _duration_or_none(ms: int):
    # The C API says 0 for "no target" / "no delay".
    return _datetime.timedelta(milliseconds=ms) if ms else None


def _duration_ms(value, what: str) -> int:
    """A duration on its way in: a timedelta (None: 0, i.e. none)."""
    if value is None:
        return 0
    return _milliseconds_exact(value, what)


@_dataclasses.dataclass(frozen=True)
class Rule:
    """An escalation rule of a Policy: what happens on its own when a clock
    reaches one of the policy's warnings (warning_percent) or, with
    warning_percent None, its breach.  tier None: at any tier; after: a
    delay counted like the targets; repeat (1..10) firings every `every`
    apart; move_up (one tier up, with a generated handover brief),
    raise_priority (one step), watcher_id (a person added as a watcher).
    A rule with none of the three only notifies."""
    target: SlaTarget = SlaTarget.RESOLUTION
    warning_percent: _typing.Optional[int] = None
    tier: _typing.Optional[int] = None
    after: _datetime.timedelta = _datetime.timedelta(0)
    repeat: int = 1
    every: _typing.Optional[_datetime.timedelta] = None
    move_up: bool = False
    raise_priority: bool = False
    watcher_id: _typing.Optional[str] = None


@_dataclasses.dataclass(frozen=True)
class TargetClock:
    """One SLA clock of an escalation at one instant (see Clocks).

    target: which one; state: a SlaState; applies: the current priority has
    a target and the clock has started; duration: the target at the current
    priority (None: none); deadline: when the counted time reaches it (None
    when it does not apply, is met or paused); elapsed: counted time, pauses
    excluded; margin: duration - elapsed (at met_at when met; negative:
    late; None without a target); next_warning and next_warning_percent:
    the next warning after now (None: none left, paused, met or stopped).
    """
    target: SlaTarget
    state: SlaState
    applies: bool
    duration: _typing.Optional[_datetime.timedelta]
    deadline: _typing.Optional[_datetime.datetime]
    paused: bool
    met: bool
    met_at: _typing.Optional[_datetime.datetime]
    elapsed: _datetime.timedelta
    margin: _typing.Optional[_datetime.timedelta]
    breached: bool
    next_warning: _typing.Optional[_datetime.datetime]
    next_warning_percent: _typing.Optional[int]


def _read_target_clock(raw, target: SlaTarget) -> TargetClock:
    low = _escalate
    state = SlaState(low.esc_sla_clocks_state(raw, target))
    duration_ms = low.esc_sla_clocks_target_ms(raw, target)
    met = bool(low.esc_sla_clocks_met(raw, target))
    next_warning = raw.upcoming_warning(target)
    return TargetClock(
        target=target,
        state=state,
        applies=bool(low.esc_sla_clocks_applies(raw, target)),
        duration=_duration_or_none(duration_ms),
        deadline=_time_or_none(low.esc_sla_clocks_deadline(raw, target)),
        paused=bool(low.esc_sla_clocks_paused(raw, target)),
        met=met,
        met_at=_time_or_none(low.esc_sla_clocks_met_at(raw, target)),
        elapsed=_datetime.timedelta(milliseconds=low.esc_sla_clocks_elapsed_ms(raw, target)),
        margin=(_datetime.timedelta(milliseconds=low.esc_sla_clocks_margin_ms(raw, target))
                if duration_ms or met else None),
        breached=bool(low.esc_sla_clocks_breached(raw, target)),
        next_warning=_time_or_none(next_warning),
        next_warning_percent=raw.upcoming_warning_percent(target) if next_warning else None,
    )


class Clocks:
    """The SLA clocks of one escalation at one instant: .now, .priority
    (the escalation's priority then) and one TargetClock per target, as
    attributes (.first_response, .update, .resolution) or by index
    (clocks[SlaTarget.RESOLUTION]); iterating gives the three in order.
    Read once: it does not change."""

    __slots__ = ("_raw", "now", "priority", "first_response", "update", "resolution")

    def __init__(self, raw):
        # Made by Policy.evaluate and Database.sla.
        self._raw = raw
        self.now = to_datetime(_escalate.esc_sla_clocks_now(raw))
        self.priority = _escalate.esc_sla_clocks_priority(raw)
        self.first_response = _read_target_clock(raw, SlaTarget.FIRST_RESPONSE)
        self.update = _read_target_clock(raw, SlaTarget.UPDATE)
        self.resolution = _read_target_clock(raw, SlaTarget.RESOLUTION)

    def __getitem__(self, target: SlaTarget) -> TargetClock:
        return getattr(self, str(SlaTarget(_integer(target, "target"))))

    def __iter__(self) -> _typing.Iterator[TargetClock]:
        return iter((self.first_response, self.update, self.resolution))

    @property
    def breached(self) -> bool:
        """Whether any of the three clocks is breached."""
        return any(clock.breached for clock in self)

    def warning_at(self, target: SlaTarget, index: int) -> _typing.Optional[_datetime.datetime]:
        """The instant of the policy's index-th warning (Policy.warnings)
        for target's current interval, past or future; None when it is
        not known (paused or ended before it, no target)."""
        index = _integer(index, "index")
        if index < 0:
            return None
        return _time_or_none(_escalate.esc_sla_clocks_warning_at(
            self._raw, _integer(target, "target"), index))

    def __repr__(self) -> str:
        states = ", ".join(f"{clock.target}={clock.state}" for clock in self)
        return f"<escalate.Clocks at {self.now.isoformat()} priority {self.priority}: {states}>"


class Policy:
    """An SLA policy: per priority (1..5) up to three targets (SlaTarget),
    counted in business time of its calendar (or in wall time), which hold
    kinds pause the clocks, warning percentages, and escalation rules.

    Policy.parse("p2 resolution=8h; warn=75; rule resolution breach move_up")
    reads the one-line text form (InvalidArgument names the bad item and
    token; NotFound: unknown time zone); Policy(calendar) makes one without
    targets (calendar: a Calendar, its spec, or None for wall time).
    str(policy) / policy.format() is the canonical text:
    Policy.parse(policy.format()) == policy.  Durations are timedeltas.
    """

    __slots__ = ("_raw",)

    def __init__(self, calendar=None):
        if isinstance(calendar, Calendar):
            spec = calendar.spec
        elif calendar is not None:
            spec = _text(calendar, "calendar")
        else:
            spec = None
        self._raw = escb_sla_policy_new(spec)

    @classmethod
    def parse(cls, spec: str) -> "Policy":
        """The policy of a text form (see the class docstring)."""
        return cls._from_raw(escb_sla_policy_parse(_text(spec, "policy spec")))

    @classmethod
    def _from_raw(cls, raw) -> "Policy":
        policy = cls.__new__(cls)
        policy._raw = raw
        return policy

    def format(self) -> str:
        """The canonical text form."""
        return self._raw.canonical()

    __str__ = format

    @property
    def spec(self) -> str:
        """The canonical text form (as format())."""
        return self.format()

    def __repr__(self) -> str:
        return f"Policy.parse({self.format()!r})"

    def __eq__(self, other) -> bool:
        if not isinstance(other, Policy):
            return NotImplemented
        return self.format() == other.format()

    __hash__ = None     # mutable

    def copy(self) -> "Policy":
        """An independent copy."""
        return Policy.parse(self.format())

    @property
    def calendar(self) -> _typing.Optional[Calendar]:
        """A copy of the policy's Calendar, or None for wall time."""
        spec = self._raw.calendar_text()
        return Calendar(spec) if spec else None

    # -- targets ----------------------------------------------------------------

    def target(self, priority: int, target: SlaTarget) -> _typing.Optional[_datetime.timedelta]:
        """One target of one priority, None when there is none."""
        return _duration_or_none(self._raw.target_ms(_integer(priority, "priority"),
                                                     _integer(target, "target")))

    def set_target(self, priority: int, target: SlaTarget,
                   duration: _typing.Optional[_datetime.timedelta]) -> None:
        """Set one target of one priority (None or timedelta(0): none)."""
        self._raw.put_target(_integer(priority, "priority"), _integer(target, "target"),
                             _duration_ms(duration, "duration"))

    @property
    def targets(self) -> _typing.Dict[int, _typing.Dict[SlaTarget, _datetime.timedelta]]:
        """Every target: {priority: {SlaTarget: duration}}, for the
        priorities that have any."""
        result = {}
        for priority in range(_escalate.ESC_SLA_PRIORITY_MIN, _escalate.ESC_SLA_PRIORITY_MAX + 1):
            row = {}
            for target in SlaTarget:
                duration = self.target(priority, target)
                if duration is not None:
                    row[target] = duration
            if row:
                result[priority] = row
        return result

    # -- pauses and warnings -------------------------------------------------------

    def pauses(self, kind: Hold) -> bool:
        """Whether holds of kind (CUSTOMER, THIRD_PARTY, INTERNAL) pause the clocks."""
        return bool(_escalate.esc_sla_policy_pauses(self._raw, _integer(kind, "kind")))

    def set_pause(self, kind: Hold, pauses: bool = True) -> None:
        """Make holds of kind pause the clocks (or not)."""
        self._raw.put_pause(_integer(kind, "kind"), bool(_flag(pauses, "pauses")))

    @property
    def warnings(self) -> _typing.Tuple[int, ...]:
        """The warning percentages, ascending (the same for every target).
        Assign a sequence of 0..8 percentages, each 1..99, ascending."""
        return tuple(_escalate.esc_sla_policy_warning(self._raw, index)
                     for index in range(_escalate.esc_sla_policy_warning_count(self._raw)))

    @warnings.setter
    def warnings(self, percentages) -> None:
        if percentages is None:
            raise TypeError("warnings must be a sequence of ints (() for none), not None")
        # The C glue takes them as "75,90".
        self._raw.put_warnings(",".join(str(_integer(p, "warning percentage"))
                                        for p in percentages))

    # -- escalation rules ------------------------------------------------------------

    @property
    def rules(self) -> _typing.List[Rule]:
        """The escalation rules, in the order added."""
        raw, rules = self._raw, []
        for index in range(_escalate.esc_sla_policy_rule_count(raw)):
            def number(field):
                return raw.rule_number(index, field)
            rules.append(Rule(
                target=SlaTarget(number("target")),
                warning_percent=number("warning_percent") or None,
                tier=number("tier") or None,
                after=_datetime.timedelta(milliseconds=number("after_ms")),
                repeat=number("repeat"),
                every=_duration_or_none(number("every_ms")),
                move_up=bool(number("move_up")),
                raise_priority=bool(number("raise_priority")),
                watcher_id=raw.rule_watcher(index),
            ))
        return rules

    def add_rule(self, rule: _typing.Optional[Rule] = None, **fields) -> Rule:
        """Append an escalation rule: a Rule, or Rule's fields by name
        (add_rule(target=SlaTarget.RESOLUTION, tier=1, move_up=True)).
        A warning_percent must be one of the policy's warnings.  Returns
        the Rule added."""
        if rule is None:
            rule = Rule(**fields)
        elif fields:
            raise TypeError("add_rule takes a Rule or its fields by name, not both")
        elif not isinstance(rule, Rule):
            raise TypeError(f"rule must be a Rule, not {type(rule).__name__}")
        builder = escb_sla_rule()
        builder.set_number("target", _integer(rule.target, "target"))
        builder.set_number("warning_percent", _integer(rule.warning_percent or 0, "warning_percent"))
        builder.set_number("tier", _integer(rule.tier or 0, "tier"))
        builder.set_number("after_ms", _duration_ms(rule.after, "after"))
        builder.set_number("repeat", _integer(rule.repeat, "repeat"))
        builder.set_number("every_ms", _duration_ms(rule.every, "every"))
        builder.set_number("move_up", _flag(rule.move_up, "move_up"))
        builder.set_number("raise_priority", _flag(rule.raise_priority, "raise_priority"))
        if rule.watcher_id is not None:
            builder.set_string("watcher_id", _text(rule.watcher_id, "watcher_id"))
        self._raw.append_rule(builder)
        return rule

    # -- clocks ----------------------------------------------------------------------

    def evaluate(self, escalation: "Escalation", now: _typing.Optional[TimeLike] = None) -> Clocks:
        """The clocks of an escalation at now (default: its database's now)
        under this policy, from the escalation's stored history (whatever
        policy it was opened with, if any)."""
        if not isinstance(escalation, Escalation):
            raise TypeError(f"escalation must be an Escalation, not {type(escalation).__name__}")
        database = escalation.database
        handle = database._handle()
        when = database.now_ms if now is None else to_ms(now, "now")
        return Clocks(self._raw.evaluate(handle.history(escalation.id), when))


@_dataclasses.dataclass(frozen=True)
class Definition:
    """One stored version of a calendar or an SLA policy
    (Database.calendar_put, policy_get ...): its spec as stored, and for a
    policy the stored calendar it counts in (None: none)."""
    name: str
    version: int
    spec: str
    calendar: _typing.Optional[str]
    created_at: _datetime.datetime
    created_at_ms: int

    @classmethod
    def _from_c(cls, raw) -> "Definition":
        low = _escalate
        created = low.esc_definition_created_at(raw)
        return cls(low.esc_definition_name(raw), low.esc_definition_version(raw),
                   low.esc_definition_spec(raw), low.esc_definition_calendar(raw) or None,
                   to_datetime(created), created)


class SweepStats(_typing.NamedTuple):
    """What one Database.sweep() did.  firings = warnings + breaches +
    reminders + rules; busy: escalations another writer held (left for the
    next sweep)."""
    escalations: int
    firings: int
    warnings: int
    breaches: int
    reminders: int
    rules: int
    moves: int
    busy: int


@_dataclasses.dataclass(frozen=True)
class OutboxEntry:
    """One unacknowledged notification of the outbox (Database.outbox):
    kind is "sla_warning", "sla_breach", "escalation_rule", "promise_due"
    or "follow_up_due"; seq the timer_fired event it reports; payload its
    details (parsed from the stored JSON).  Acknowledge it with
    Database.ack(entry)."""
    id: int
    escalation_id: str
    seq: int
    kind: str
    due_at: _datetime.datetime
    fired_at: _datetime.datetime
    payload: dict
    due_at_ms: int
    fired_at_ms: int

    @classmethod
    def _from_c(cls, entries, index) -> "OutboxEntry":
        payload = entries.text(index, "payload")
        due, fired = entries.number(index, "due_at"), entries.number(index, "fired_at")
        return cls(entries.number(index, "id"), entries.text(index, "escalation_id"),
                   entries.number(index, "seq"), entries.text(index, "kind"),
                   to_datetime(due), to_datetime(fired),
                   _json.loads(payload) if payload else {}, due, fired)


# ---- the database -------------------------------------------------------------

def _milliseconds(value, what: str) -> int:
    if isinstance(value, _datetime.timedelta):
        return value // _ONE_MS
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{what} must be seconds (int or float) or a timedelta")
    return int(value * 1000)


class Database:
    """An escalate database (one SQLite file, or ":memory:").

    Database(path, create=True) creates the file (mode 0600 unless
    file_mode says otherwise) and its schema when missing; readonly=True
    never writes.  busy_timeout is how long to wait for another writer's
    lock before Busy, in seconds (or a timedelta).  follow_up_attempts is
    the agreed number of unanswered follow-ups after which a resolution may
    be confirmed without the customer (default 3).  journal (a Journal:
    WAL, the default, or ROLLBACK; a writable Database sets it for the
    file) and sync (a Sync: NORMAL, the default, or FULL for every commit
    on the disk before the call returns) choose durability.  clock: see the
    clock property; tiers: see the tiers property.

    viewer (a Person) makes this Database act for that one person, for its
    whole life: every step must name the viewer as its actor (same id and
    tier), confidential escalations the viewer may not see are left out of
    lists and due() and raise NotAuthorized when read (get, get_by_ref,
    history, sla), and the host's own operations (verify, rebuild, sweep,
    outbox, ack, calendar_put, policy_put) raise NotAuthorized.  Without a
    viewer, a Database is the host's own and sees everything.
    confidential_tier (1..16, default 2) is the tier from which people see
    every confidential escalation; below it, only the escalation's owner,
    opener and watchers do.  The viewer's tier must be on the ladder: give
    tiers= for a ladder of more than four.

    Use it as a context manager (closed on exit) or call close(); closing
    twice is fine.  Escalations, events and reports read from it stay
    readable after it is closed.  Calls hold the GIL, so two threads never
    enter one Database at once; still, give each thread its own (a batch
    belongs to its Database).  Any number of Database objects, in any
    threads and processes, may share one file.
    """

    def __init__(self, path, *, create: bool = False, readonly: bool = False,
                 busy_timeout=5.0, file_mode: _typing.Optional[int] = None, follow_up_attempts: _typing.Optional[int] = None,
                 journal: Journal = Journal.WAL, sync: Sync = Sync.NORMAL,
                 clock=None, tiers=None, confidential_tier: _typing.Optional[int] = None,
                 viewer=None):
        self._low = None
        self._clock = None
        self._hook = None
        self._in_callback = 0
        self._hook_failed = False
        self._batch = None
        self._viewer = None
        self.path = _text(_os.fsdecode(path), "path")
        flags = ((_escalate.ESC_OPEN_CREATE if create else 0)
                 | (_escalate.ESC_OPEN_READONLY if readonly else 0))
        timeout = _milliseconds(busy_timeout, "busy_timeout")
        if timeout < 0:
            raise InvalidArgument("busy_timeout must not be negative")
        mode = _integer(file_mode, "file_mode") if file_mode is not None else 0
        if not 0 <= mode <= 0o7777:
            raise InvalidArgument(f"file_mode {mode:#o} is not a permission mode")
        attempts = (_integer(follow_up_attempts, "follow_up_attempts")
                    if follow_up_attempts is not None else 0)
        journal = _choice(Journal, journal, "journal")
        sync = _choice(Sync, sync, "sync")
        if viewer is not None:
            viewer = _person(viewer, "viewer")
            who = (_text(viewer.id, "viewer.id"), _text(viewer.name, "viewer.name"),
                   _integer(viewer.tier, "viewer.tier"))
        self._low = escb_db(self.path, flags, timeout, mode, attempts, journal, sync)
        try:
            if tiers is not None:
                self.tiers = tiers
            # The tier and the ladder first: a viewer's handle never changes them.
            if confidential_tier is not None:
                self._low.set_confidential_tier(_integer(confidential_tier, "confidential_tier"))
            if viewer is not None:
                self._low.set_viewer(*who)
                self._viewer = viewer
            if clock is not None:
                self.clock = clock
        except BaseException:
            self.close()
            raise

    # -- life ---------------------------------------------------------------

    def close(self) -> None:
        """Close the database (an open batch is rolled back).  Idempotent."""
        if self._low is None:
            return
        if self._in_callback:
            raise InvalidArgument("the clock and the event hook must not close the "
                                  "database that calls them")
        low, self._low = self._low, None
        if self._batch is not None:
            self._restore_batch()
        low.close()           # drops the C side's callback references
        self._clock = self._hook = None

    @property
    def closed(self) -> bool:
        """Whether close() was called."""
        return self._low is None

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<escalate.Database {self.path!r}{' closed' if self.closed else ''}>"

    def _handle(self):
        """The low-level handle, for one call."""
        if self._low is None:
            raise InvalidArgument("the database is closed")
        if self._in_callback:
            raise InvalidArgument("the clock and the event hook must not use the "
                                  "database that calls them")
        return self._low

    # -- settings -----------------------------------------------------------

    @property
    def now(self) -> _datetime.datetime:
        """"Now" as this database's clock tells it (aware, UTC)."""
        return to_datetime(self.now_ms)

    @property
    def now_ms(self) -> int:
        """"Now" in milliseconds since the epoch."""
        return self._handle().now()

    @property
    def clock(self):
        """The callable this database reads "now" from, or None for the
        system clock.  It takes no argument and returns an aware datetime
        or int milliseconds since the epoch.

        If it raises, the step that needed the time fails, changes nothing,
        and its caller sees the clock's own exception.  It must not use this
        Database (InvalidArgument).  The Database keeps it alive until it is
        replaced or the Database is closed.
        """
        return self._clock

    @clock.setter
    def clock(self, clock) -> None:
        if clock is not None and not callable(clock):
            raise TypeError("clock must be callable or None")
        adapter = _clock_adapter(_weakref.ref(self), clock) if clock is not None else None
        self._handle().set_clock(adapter)
        self._clock = clock

    @property
    def on_event(self):
        """The event hook: a callable taking an Event, called once for every
        committed step (for a batch, when it commits), or None.

        The step is committed before the hook runs: if the hook raises, the
        action that triggered it has taken effect (and the Escalation is
        refreshed) and then the hook's exception propagates to its caller.
        When several events are delivered at once (a batch), the first
        exception propagates and later ones go to sys.unraisablehook.  The
        hook must not use this Database (InvalidArgument); use another one.
        """
        return self._hook

    @on_event.setter
    def on_event(self, hook) -> None:
        if hook is not None and not callable(hook):
            raise TypeError("on_event must be callable or None")
        adapter = _hook_adapter(_weakref.ref(self), hook) if hook is not None else None
        self._handle().set_event_hook(adapter)
        self._hook = hook

    @property
    def schema_version(self) -> int:
        """The schema version of the open file."""
        return self._handle().schema_version()

    @property
    def viewer(self) -> _typing.Optional[Person]:
        """The person this Database acts for (Database(viewer=...)), or None
        for the host's own Database, which sees everything."""
        return self._viewer

    @property
    def confidential_tier(self) -> int:
        """The tier from which people see every confidential escalation
        (Database(confidential_tier=...); default 2)."""
        return self._handle().confidential_tier()

    @property
    def tiers(self) -> _typing.List[str]:
        """The tier ladder of this Database, lowest first (default:
        frontline, supervisor, specialist, leadership).  Assign a list of
        1..16 names, or None for the default.  A setting of this object,
        not of the file: every Database on a file should set the same."""
        handle = self._handle()
        return [handle.tier_name(tier) for tier in range(1, handle.tier_count() + 1)]

    @tiers.setter
    def tiers(self, names) -> None:
        handle = self._handle()
        if names is None:
            handle.set_tiers(None)
            return
        names = [_text(name, "tier name") for name in names]
        if not 1 <= len(names) <= _escalate.ESC_TIER_MAX:
            raise InvalidArgument(f"a ladder has 1..{_escalate.ESC_TIER_MAX} tiers, "
                                  f"not {len(names)}")
        if any("\n" in name for name in names):
            # The C glue passes the names one per line.
            raise InvalidArgument("a tier name cannot contain a newline")
        handle.set_tiers("\n".join(names))

    def priority(self, impact: int, urgency: int, vip: bool = False,
                 churn_risk: bool = False) -> int:
        """The priority (1 highest .. 5) this database's matrix gives."""
        return self._handle().priority(_integer(impact, "impact"), _integer(urgency, "urgency"),
                                       bool(vip), bool(churn_risk))

    @property
    def priority_matrix(self) -> _typing.Tuple[_typing.Tuple[int, ...], ...]:
        """The matrix as 4 rows (impact 1..4) of 4 priorities (urgency 1..4)."""
        return tuple(tuple(self.priority(impact, urgency) for urgency in range(1, 5))
                     for impact in range(1, 5))

    def set_priority_matrix(self, matrix) -> None:
        """Replace the priority matrix: 4 rows (impact 1..4) of 4 priorities
        (urgency 1..4), each 1..5; None restores the default.  Affects
        escalations opened or reassessed afterwards through this object."""
        handle = self._handle()
        if matrix is None:
            handle.reset_priorities()
            return
        rows = [list(row) for row in matrix]
        if len(rows) != 4 or any(len(row) != 4 for row in rows):
            raise InvalidArgument("the priority matrix is 4 rows of 4 priorities")
        cells = [[_integer(p, "priority") for p in row] for row in rows]
        if any(not 1 <= p <= 5 for row in cells for p in row):
            raise InvalidArgument("priorities run from 1 to 5")
        # Checked whole first: the cells are set one by one.
        for impact, row in enumerate(cells, 1):
            for urgency, p in enumerate(row, 1):
                handle.set_priority(impact, urgency, p)

    # -- batches --------------------------------------------------------------

    @_contextlib.contextmanager
    def batch(self):
        """Commit many steps at once: `with db.batch(): ...` commits on
        success and rolls back when the block raises.  Other connections see
        nothing until the commit; the event hook hears of the steps then.
        After a rollback (or a failed commit) the Escalation objects the
        batch changed are put back as they were; escalations opened inside
        it no longer exist.  Batches do not nest."""
        handle = self._handle()
        handle.batch_begin()
        self._batch = {}
        try:
            yield self
        except BaseException:
            self._restore_batch()
            with _contextlib.suppress(Error):
                # The library may already have dropped a batch it could not
                # keep (a full disk): the block's own exception matters more.
                handle.batch_rollback()
            raise
        self._hook_failed = False
        try:
            handle.batch_commit()
        except BaseException:
            if self._hook_failed:      # committed; the hook raised after
                self._batch = None
            else:                      # the library rolled the batch back
                self._restore_batch()
            raise
        self._batch = None

    def _remember_for_batch(self, escalation: Escalation) -> None:
        # The snapshot as it was before the batch touched it.
        if self._batch is not None and id(escalation) not in self._batch:
            self._batch[id(escalation)] = (escalation, escalation._snapshot.copy())

    def _restore_batch(self) -> None:
        touched, self._batch = self._batch or {}, None
        for escalation, snapshot in touched.values():
            escalation._snapshot = snapshot

    # -- escalations ----------------------------------------------------------

    def open(self, actor, summary: str, customer_id: str, *, customer_name: _typing.Optional[str] = None,
             external_ref: _typing.Optional[str] = None, channel: Channel = Channel.PHONE, impact: int = 1,
             urgency: int = 1, vip: bool = False, churn_risk: bool = False,
             confidential: bool = False, sla_policy: _typing.Optional[str] = None) -> Escalation:
        """Open a new escalation (in listen, at tier 1, priority from the
        matrix).  summary is the customer's own words; external_ref is the
        host's ticket reference (unique: AlreadyExists).  sla_policy names
        a stored policy (policy_put) whose clocks and deadlines it then
        carries (NotFound: no such policy)."""
        params = _fill(escb_open_params(), {
            "actor": actor, "summary": summary, "customer_id": customer_id,
            "customer_name": customer_name, "external_ref": external_ref,
            "channel": channel, "impact": impact, "urgency": urgency, "vip": vip,
            "churn_risk": churn_risk, "confidential": confidential,
            "sla_policy": sla_policy,
        })
        return Escalation(self, self._handle().open_escalation(params))

    def get(self, escalation_id: str) -> Escalation:
        """The escalation with this id (NotFound when there is none)."""
        return Escalation(self, self._handle().get(_text(escalation_id, "escalation_id")))

    def get_by_ref(self, external_ref: str) -> Escalation:
        """The escalation with this external reference (NotFound)."""
        return Escalation(self, self._handle().get_by_ref(_text(external_ref, "external_ref")))

    def list(self, *, state: _typing.Optional[State] = None, owner=None, tier: _typing.Optional[int] = None,
             priority: _typing.Optional[int] = None, tag: _typing.Optional[str] = None, customer: _typing.Optional[str] = None,
             open: _typing.Optional[bool] = None, order: Order = Order.PRIORITY, limit: int = 100,
             offset: int = 0) -> _typing.List[Escalation]:
        """Escalations matching every criterion given (owner: an id or a
        Person; open: True for open ones, False for closed ones), ordered,
        one page of at most limit (1..1000) from offset.  iter_all() pages
        through all of them."""
        if isinstance(owner, tuple):
            owner = _person(owner, "owner").id
        open_filter = (_escalate.ESC_FILTER_ANY if open is None else
                       _escalate.ESC_FILTER_OPEN if open else _escalate.ESC_FILTER_CLOSED)
        criteria = _fill(escb_filter(), {
            "state": state, "owner_id": owner, "tier": tier, "priority": priority,
            "tag": tag, "customer_id": customer, "open": open_filter, "order": order,
            "limit": limit, "offset": offset,
        })
        rows = self._handle().query(criteria)
        return [Escalation(self, rows.take(index)) for index in range(rows.size())]

    def iter_all(self, *, page_size: int = 100, state: _typing.Optional[State] = None, owner=None,
                 tier: _typing.Optional[int] = None, priority: _typing.Optional[int] = None, tag: _typing.Optional[str] = None,
                 customer: _typing.Optional[str] = None, open: _typing.Optional[bool] = None,
                 order: Order = Order.PRIORITY) -> _typing.Iterator[Escalation]:
        """Every escalation matching the criteria of list(), page by page.
        Pages are read as the iteration goes: changes made meanwhile may
        shift rows between pages."""
        criteria = dict(state=state, owner=owner, tier=tier, priority=priority, tag=tag,
                        customer=customer, open=open, order=order)
        offset = 0
        while True:
            page = self.list(limit=page_size, offset=offset, **criteria)
            yield from page
            if len(page) < page_size:
                return
            offset += len(page)

    def history(self, escalation) -> _typing.List[Event]:
        """The events of an escalation (an Escalation or its id), oldest first."""
        escalation_id = escalation.id if isinstance(escalation, Escalation) else escalation
        events = self._handle().history(_text(escalation_id, "escalation_id"))
        return [Event._from_c(*[events.text(index, name) if is_text else events.number(index, name)
                                for name, is_text in _EVENT_FIELDS])
                for index in range(events.size())]

    # -- the log --------------------------------------------------------------

    def verify(self) -> VerifyReport:
        """Replay every escalation's events and compare with the stored rows
        (read-only)."""
        report = self._handle().verify()
        mismatches = [Mismatch(_escalate.esc_verify_report_mismatch_id(report, index),
                               _escalate.esc_verify_report_mismatch_what(report, index))
                      for index in range(_escalate.esc_verify_report_mismatch_count(report))]
        return VerifyReport(_escalate.esc_verify_report_escalations(report),
                            _escalate.esc_verify_report_events(report), mismatches)

    def rebuild(self) -> int:
        """Rewrite every stored row from the events, in one transaction;
        returns how many escalations were rewritten."""
        return self._handle().rebuild()

    # -- stored calendars and SLA policies -----------------------------------------

    def _when(self, value, what: str) -> int:
        return self.now_ms if value is None else to_ms(value, what)

    def calendar_put(self, name: str, calendar) -> Definition:
        """Store a calendar (a Calendar or its spec; it needs working hours)
        under name (1..64 letters, digits, - _ .).  A new version is
        stored only when it differs from the latest one (and the deadlines
        of open escalations using it are recomputed); returns the version
        now current."""
        spec = calendar.spec if isinstance(calendar, Calendar) else _text(calendar, "calendar")
        handle = self._handle()
        name = _text(name, "name")
        return Definition._from_c(handle.calendar_get(name, handle.calendar_put(name, spec)))

    def calendar_get(self, name: str, version: _typing.Optional[int] = None) -> Definition:
        """One stored version of a calendar (None: the latest); NotFound."""
        return Definition._from_c(self._handle().calendar_get(
            _text(name, "name"), _version(version)))

    def policy_put(self, name: str, policy, calendar: _typing.Optional[str] = None) -> Definition:
        """Store an SLA policy (a Policy or its text form) under name, as
        calendar_put does.  calendar names a stored calendar the policy
        then always counts in (its latest version; NotFound when there is
        none); the policy must then count in wall time (no calendar= item of
        its own).  Returns the version now current."""
        if isinstance(policy, Policy):
            spec = policy.format()
            if calendar is not None and policy.calendar is None:
                # The canonical text always names its calendar, even wall
                # time: leave that item out for a stored calendar.
                spec = _without_wall_calendar(spec)
        else:
            spec = _text(policy, "policy")
        handle = self._handle()
        name = _text(name, "name")
        calendar_name = None if calendar is None else _text(calendar, "calendar")
        version = handle.policy_put(name, spec, calendar_name)
        return Definition._from_c(handle.policy_get(name, version))

    def policy_get(self, name: str, version: _typing.Optional[int] = None) -> Definition:
        """One stored version of a policy (None: the latest); NotFound."""
        return Definition._from_c(self._handle().policy_get(_text(name, "name"),
                                                            _version(version)))

    def policy_load(self, name: str) -> Policy:
        """The stored policy called name as it is in effect now: its latest
        version, counting in its stored calendar's latest version."""
        return Policy._from_raw(self._handle().policy_load(_text(name, "name")))

    # -- deadlines, the sweep, the outbox -----------------------------------------

    def sla(self, escalation, now: _typing.Optional[TimeLike] = None) -> Clocks:
        """The SLA clocks of an escalation (an Escalation or its id) at now
        (default: this database's now), under its policy as in effect now,
        from its stored history.  NotFound when it was opened without a
        policy; InvalidArgument when now is before its last event."""
        handle = self._handle()
        if isinstance(escalation, Escalation):
            snapshot = escalation._snapshot
        else:
            snapshot = handle.get(_text(escalation, "escalation"))
        return Clocks(handle.sla(snapshot, self._when(now, "now")))

    def due(self, before: _typing.Optional[TimeLike] = None, limit: int = 100) -> _typing.List[Escalation]:
        """The open escalations with something to fire at or before before
        (default: now), earliest first, at most limit of them."""
        handle = self._handle()
        rows = handle.due(self._when(before, "before"), _integer(limit, "limit"))
        return [Escalation(self, rows.take(index)) for index in range(rows.size())]

    def sweep(self, now: _typing.Optional[TimeLike] = None) -> SweepStats:
        """Fire everything due at or before now (default: this database's
        now): SLA warnings and breaches, escalation rules, promised
        callbacks and follow-ups.  Each firing is a timer_fired event (the
        event hook hears of it) and an outbox entry; nothing fires twice.
        Escalation objects read before are not refreshed: refresh() them."""
        stats = self._handle().sweep(self._when(now, "now"))
        return SweepStats(stats.escalations, stats.firings, stats.warnings, stats.breaches,
                          stats.reminders, stats.rules, stats.moves, stats.busy)

    def outbox(self, limit: int = 100) -> _typing.List[OutboxEntry]:
        """The oldest unacknowledged outbox entries, oldest first, at most
        limit of them.  An entry stays until ack()."""
        entries = self._handle().outbox(_integer(limit, "limit"))
        return [OutboxEntry._from_c(entries, index) for index in range(entries.size())]

    def ack(self, entry) -> None:
        """Acknowledge an outbox entry (an OutboxEntry or its id): it is not
        fetched again.  Twice is fine; NotFound for no such entry."""
        entry_id = entry.id if isinstance(entry, OutboxEntry) else _integer(entry, "entry")
        self._handle().ack(entry_id)


def _choice(enum, value, what: str):
    """A member of enum (an int of its values is taken too)."""
    if isinstance(value, str) or isinstance(value, bool):
        raise TypeError(f"{what} must be a {enum.__name__} (e.g. {enum.__name__}."
                        f"{next(iter(enum)).name}), not {type(value).__name__}")
    try:
        return enum(_integer(value, what))
    except ValueError:
        raise InvalidArgument(f"{what} {value!r} is not a {enum.__name__}") from None


def _version(version) -> int:
    # None: the latest (0 in C); 0 itself would mean the same, so refuse it.
    if version is None:
        return 0
    version = _integer(version, "version")
    if version < 1:
        raise InvalidArgument(f"versions start at 1, not {version}")
    return version


def _without_wall_calendar(spec: str) -> str:
    items = [item for item in spec.split(";")
             if item.strip().lower().replace(" ", "") != "calendar=wall"]
    return ";".join(items).strip()
