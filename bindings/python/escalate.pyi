# escalate.pyi — the type stub of the escalate Python module: its public
# surface only (the low-level esc_*/escb_*/ESC_* names SWIG also puts in the
# module are private).  Installed next to escalate.py.

import datetime
import enum
import os
from dataclasses import dataclass
from typing import (Any, Callable, ContextManager, Dict, Iterator, List, NamedTuple,
                    Optional, Sequence, Tuple, Union)

__version__: str

TimeLike = Union[datetime.datetime, int]
PersonLike = Union["Person", Tuple[str, str], Tuple[str, str, int]]

def library_version() -> str: ...
def to_ms(value: TimeLike, what: str = ...) -> int: ...
def to_datetime(ms: int) -> datetime.datetime: ...

# ---- enumerations ----

class _CEnum(enum.IntEnum):
    @classmethod
    def from_name(cls, name: str) -> Any: ...

class State(_CEnum):
    LISTEN = 0
    CLARIFY = 1
    PLAN = 2
    OWN = 3
    FOLLOW_UP = 4
    RESOLVED = 5
    CLOSED = 6

class Action(_CEnum):
    OPEN = 0
    NOTE = 1
    ACK_EMOTION = 2
    ADVANCE = 3
    STATE_PROBLEM = 4
    CONFIRM_PROBLEM = 5
    ADD_STEP = 6
    OFFER_OPTION = 7
    CHOOSE_OPTION = 8
    PROMISE = 9
    TAKE_OWNERSHIP = 10
    LOOP_IN = 11
    SEND_UPDATE = 12
    REQUEST_EXCEPTION = 13
    DECIDE_EXCEPTION = 14
    RECORD_RESOLUTION = 15
    SCHEDULE_FOLLOW_UP = 16
    COMPLETE_FOLLOW_UP = 17
    CONFIRM_RESOLVED = 18
    REOPEN = 19
    CLOSE = 20
    WITHDRAW = 21
    MOVE_TIER = 22
    HOLD = 23
    RESUME = 24
    REASSESS = 25
    TAG = 26
    TIMER_FIRED = 27

class Guard(_CEnum):
    NONE = 0
    STATE = 1
    CUSTOMER_NOTE = 2
    PROBLEM_STATEMENT = 3
    PLAN_STEP = 4
    PROMISED_TIME = 5
    OWNER = 6
    OPTION = 7
    FUTURE_TIME = 8
    PENDING_EXCEPTION = 9
    AUTHORITY = 10
    NO_PENDING_EXCEPTION = 11
    PENDING_FOLLOW_UP = 12
    CUSTOMER_CONFIRMED = 13
    ROOT_CAUSE = 14
    HANDOVER_BRIEF = 15
    OTHER_TIER = 16
    ON_HOLD = 17
    NOT_ON_HOLD = 18
    CONFIDENTIAL = 19
    @property
    def description(self) -> str: ...

class Channel(_CEnum):
    PHONE = 0
    EMAIL = 1
    CHAT = 2
    SOCIAL = 3
    IN_PERSON = 4

class Hold(_CEnum):
    NONE = 0
    CUSTOMER = 1
    THIRD_PARTY = 2
    INTERNAL = 3

class ItemKind(_CEnum):
    NOTE = 0
    EMOTION = 1
    STEP = 2
    OPTION = 3
    WATCHER = 4
    UPDATE = 5
    EXCEPTION = 6
    FOLLOW_UP = 7
    TAG = 8

class ItemStatus(_CEnum):
    OPEN = 0
    APPROVED = 1
    DENIED = 2
    DONE = 3

class Order(_CEnum):
    PRIORITY = 0
    DUE = 1
    CREATED = 2

class Journal(_CEnum):
    WAL = 0
    ROLLBACK = 1

class Sync(_CEnum):
    NORMAL = 0
    FULL = 1

class SlaTarget(_CEnum):
    FIRST_RESPONSE = 0
    UPDATE = 1
    RESOLUTION = 2

class SlaState(_CEnum):
    NONE = 0
    RUNNING = 1
    PAUSED = 2
    MET = 3
    STOPPED = 4

class Status(_CEnum):
    OK = 0
    EINVAL = -1
    ENOTFOUND = -2
    ETRANSITION = -3
    EGUARD = -4
    ECONFLICT = -5
    EBUSY = -6
    ECORRUPT = -7
    ENOTADB = -8
    ESCHEMA = -9
    EIO = -10
    EREADONLY = -11
    ENOMEM = -12
    EFULL = -13
    EAUTHORITY = -14
    EEXISTS = -15
    EINTERNAL = -16
    ECALLBACK = -17
    @property
    def description(self) -> str: ...

# ---- exceptions ----

class Error(Exception):
    code: Optional[int]
    guard: Optional[Guard]
    def __init__(self, message: str = ..., *, code: Optional[int] = ...,
                 guard: Optional[int] = ...) -> None: ...
    @property
    def message(self) -> str: ...
    @property
    def name(self) -> str: ...

class Refused(Error): ...
class InvalidArgument(Error, ValueError): ...
class NotFound(Error, LookupError): ...
class InvalidTransition(Refused): ...
class GuardNotMet(Refused): ...
class Conflict(Error): ...
class Busy(Error): ...
class Corrupt(Error): ...
class NotADatabase(Error): ...
class SchemaTooNew(Error): ...
class IOFailure(Error, OSError): ...
class ReadOnly(Error): ...
class OutOfMemory(Error, MemoryError): ...
class Full(Error): ...
class NotAuthorized(Refused): ...
class AlreadyExists(Error): ...
class InternalError(Error): ...
class CallbackError(Error): ...

# ---- records ----

class Person(NamedTuple):
    id: str
    name: str
    tier: int = ...

@dataclass(frozen=True)
class Note:
    number: int
    text: str
    customer_account: bool
    category: Optional[str]
    author_id: Optional[str]
    created_at: datetime.datetime

@dataclass(frozen=True)
class Emotion:
    number: int
    text: str
    created_at: datetime.datetime

@dataclass(frozen=True)
class Step:
    number: int
    text: str
    due: Optional[datetime.datetime]
    created_at: datetime.datetime

@dataclass(frozen=True)
class Option:
    number: int
    text: str
    chosen: bool
    created_at: datetime.datetime

@dataclass(frozen=True)
class Watcher:
    number: int
    person_id: str
    person_name: str
    tier: int
    role: Optional[str]
    created_at: datetime.datetime
    @property
    def person(self) -> Person: ...

@dataclass(frozen=True)
class Update:
    number: int
    text: str
    created_at: datetime.datetime

@dataclass(frozen=True)
class ExceptionRequest:
    number: int
    kind: str
    reason: str
    min_tier: int
    requested_by_id: str
    requested_by_name: str
    status: ItemStatus
    decision_note: Optional[str]
    decided_by: Optional[str]
    created_at: datetime.datetime
    @property
    def pending(self) -> bool: ...

@dataclass(frozen=True)
class FollowUp:
    number: int
    text: Optional[str]
    due: datetime.datetime
    status: ItemStatus
    reached: bool
    outcome: Optional[str]
    completed_by: Optional[str]
    created_at: datetime.datetime
    @property
    def pending(self) -> bool: ...

@dataclass(frozen=True)
class Tag:
    number: int
    text: str
    created_at: datetime.datetime

@dataclass(frozen=True)
class Event:
    escalation_id: str
    seq: int
    at: datetime.datetime
    action: Action
    actor: Person
    from_state: State
    to_state: State
    payload: Dict[str, Any]
    at_ms: int
    hash: Optional[str]

@dataclass(frozen=True)
class Mismatch:
    escalation_id: str
    what: str

class Calendar:
    """Working hours, holidays and a time zone, for business-time arithmetic."""
    def __init__(self, spec: str) -> None: ...
    @property
    def tz_name(self) -> str: ...
    @property
    def spec(self) -> str: ...
    def is_business(self, at: TimeLike) -> bool: ...
    def next_business(self, at: TimeLike) -> datetime.datetime: ...
    def add_business(self, start: TimeLike, duration: datetime.timedelta) -> datetime.datetime: ...
    def business_between(self, start: TimeLike, end: TimeLike) -> datetime.timedelta: ...

# ---- SLA policies, clocks and timers ----

@dataclass(frozen=True)
class Rule:
    target: SlaTarget = ...
    warning_percent: Optional[int] = ...
    tier: Optional[int] = ...
    after: datetime.timedelta = ...
    repeat: int = ...
    every: Optional[datetime.timedelta] = ...
    move_up: bool = ...
    raise_priority: bool = ...
    watcher_id: Optional[str] = ...

@dataclass(frozen=True)
class TargetClock:
    target: SlaTarget
    state: SlaState
    applies: bool
    duration: Optional[datetime.timedelta]
    deadline: Optional[datetime.datetime]
    paused: bool
    met: bool
    met_at: Optional[datetime.datetime]
    elapsed: datetime.timedelta
    margin: Optional[datetime.timedelta]
    breached: bool
    next_warning: Optional[datetime.datetime]
    next_warning_percent: Optional[int]

class Clocks:
    """The SLA clocks of one escalation at one instant."""
    now: datetime.datetime
    priority: int
    first_response: TargetClock
    update: TargetClock
    resolution: TargetClock
    def __getitem__(self, target: SlaTarget) -> TargetClock: ...
    def __iter__(self) -> Iterator[TargetClock]: ...
    @property
    def breached(self) -> bool: ...
    def warning_at(self, target: SlaTarget, index: int) -> Optional[datetime.datetime]: ...

class Policy:
    """An SLA policy: targets per priority, pauses, warnings, escalation rules."""
    def __init__(self, calendar: Union[Calendar, str, None] = ...) -> None: ...
    @classmethod
    def parse(cls, spec: str) -> Policy: ...
    def format(self) -> str: ...
    @property
    def spec(self) -> str: ...
    def copy(self) -> Policy: ...
    def __eq__(self, other: object) -> bool: ...
    @property
    def calendar(self) -> Optional[Calendar]: ...
    def target(self, priority: int, target: SlaTarget) -> Optional[datetime.timedelta]: ...
    def set_target(self, priority: int, target: SlaTarget,
                   duration: Optional[datetime.timedelta]) -> None: ...
    @property
    def targets(self) -> Dict[int, Dict[SlaTarget, datetime.timedelta]]: ...
    def pauses(self, kind: Hold) -> bool: ...
    def set_pause(self, kind: Hold, pauses: bool = ...) -> None: ...
    @property
    def warnings(self) -> Tuple[int, ...]: ...
    @warnings.setter
    def warnings(self, percentages: Sequence[int]) -> None: ...
    @property
    def rules(self) -> List[Rule]: ...
    def add_rule(self, rule: Optional[Rule] = ..., **fields: Any) -> Rule: ...
    def evaluate(self, escalation: Escalation, now: Optional[TimeLike] = ...) -> Clocks: ...

@dataclass(frozen=True)
class Definition:
    name: str
    version: int
    spec: str
    calendar: Optional[str]
    created_at: datetime.datetime
    created_at_ms: int

class SweepStats(NamedTuple):
    escalations: int
    firings: int
    warnings: int
    breaches: int
    reminders: int
    rules: int
    moves: int
    busy: int

@dataclass(frozen=True)
class OutboxEntry:
    id: int
    escalation_id: str
    seq: int
    kind: str
    due_at: datetime.datetime
    fired_at: datetime.datetime
    payload: Dict[str, Any]
    due_at_ms: int
    fired_at_ms: int


@dataclass(frozen=True)
class VerifyReport:
    escalations: int
    events: int
    mismatches: List[Mismatch]
    @property
    def ok(self) -> bool: ...

# ---- escalations ----

class Escalation:
    def __init__(self, database: Database, snapshot: Any) -> None: ...   # made by Database
    @property
    def database(self) -> Database: ...
    @property
    def id(self) -> str: ...
    @property
    def external_ref(self) -> Optional[str]: ...
    @property
    def version(self) -> int: ...
    @property
    def state(self) -> State: ...
    @property
    def is_open(self) -> bool: ...
    @property
    def summary(self) -> str: ...
    @property
    def customer_id(self) -> str: ...
    @property
    def customer_name(self) -> Optional[str]: ...
    @property
    def channel(self) -> Channel: ...
    @property
    def impact(self) -> int: ...
    @property
    def urgency(self) -> int: ...
    @property
    def priority(self) -> int: ...
    @property
    def vip(self) -> bool: ...
    @property
    def churn_risk(self) -> bool: ...
    @property
    def confidential(self) -> bool: ...
    @property
    def tier(self) -> int: ...
    @property
    def owner_id(self) -> Optional[str]: ...
    @property
    def owner_name(self) -> Optional[str]: ...
    @property
    def opened_by(self) -> str: ...
    @property
    def chain_head(self) -> Optional[str]: ...
    @property
    def problem(self) -> Optional[str]: ...
    @property
    def problem_confirmed(self) -> bool: ...
    @property
    def promised_at(self) -> Optional[datetime.datetime]: ...
    @property
    def promised_at_ms(self) -> int: ...
    @property
    def resolution(self) -> Optional[str]: ...
    @property
    def unconfirmed(self) -> bool: ...
    @property
    def withdrawn(self) -> bool: ...
    @property
    def hold_kind(self) -> Hold: ...
    @property
    def on_hold(self) -> bool: ...
    @property
    def hold_reason(self) -> Optional[str]: ...
    @property
    def hold_since(self) -> Optional[datetime.datetime]: ...
    @property
    def root_cause_category(self) -> Optional[str]: ...
    @property
    def root_cause(self) -> Optional[str]: ...
    @property
    def lessons(self) -> Optional[str]: ...
    @property
    def satisfaction(self) -> Optional[int]: ...
    @property
    def reopen_count(self) -> int: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def created_at_ms(self) -> int: ...
    @property
    def updated_at(self) -> datetime.datetime: ...
    @property
    def updated_at_ms(self) -> int: ...
    @property
    def due_at(self) -> Optional[datetime.datetime]: ...
    @property
    def due_at_ms(self) -> int: ...
    @property
    def sla_policy(self) -> Optional[str]: ...
    @property
    def next_timer_at(self) -> Optional[datetime.datetime]: ...
    @property
    def next_timer_at_ms(self) -> int: ...
    @property
    def notes(self) -> List[Note]: ...
    @property
    def emotions(self) -> List[Emotion]: ...
    @property
    def steps(self) -> List[Step]: ...
    @property
    def options(self) -> List[Option]: ...
    @property
    def watchers(self) -> List[Watcher]: ...
    @property
    def updates(self) -> List[Update]: ...
    @property
    def exceptions(self) -> List[ExceptionRequest]: ...
    @property
    def follow_ups(self) -> List[FollowUp]: ...
    @property
    def tags(self) -> List[Tag]: ...

    def apply(self, action: Action, actor: PersonLike, **fields: Any) -> None: ...
    def allowed(self, actor: Optional[PersonLike] = ...) -> Dict[Action, Optional[Guard]]: ...
    def refresh(self) -> None: ...
    def history(self) -> List[Event]: ...
    def sla(self, now: Optional[TimeLike] = ...) -> Clocks: ...
    def sla_deadline(self, target: SlaTarget = ...) -> Optional[datetime.datetime]: ...
    def sla_met_at(self, target: SlaTarget = ...) -> Optional[datetime.datetime]: ...
    def sla_margin(self, target: SlaTarget = ...) -> Optional[datetime.timedelta]: ...

    def note(self, actor: PersonLike, text: str, customer_account: bool = ...) -> None: ...
    def acknowledge_emotion(self, actor: PersonLike, emotion: str) -> None: ...
    def advance(self, actor: PersonLike) -> None: ...
    def state_problem(self, actor: PersonLike, statement: str) -> None: ...
    def confirm_problem(self, actor: PersonLike, yes: bool = ...,
                        correction: Optional[str] = ...) -> None: ...
    def add_step(self, actor: PersonLike, text: str, due: Optional[TimeLike] = ...) -> None: ...
    def offer_option(self, actor: PersonLike, text: str) -> None: ...
    def choose_option(self, actor: PersonLike, number: int) -> None: ...
    def promise(self, actor: PersonLike, when: TimeLike) -> None: ...
    def take_ownership(self, actor: PersonLike, owner: PersonLike) -> None: ...
    def loop_in(self, actor: PersonLike, person: PersonLike, role: str) -> None: ...
    def send_update(self, actor: PersonLike, text: str) -> None: ...
    def request_exception(self, actor: PersonLike, kind: str, reason: str,
                          min_tier: int) -> None: ...
    def decide_exception(self, actor: PersonLike, number: int, approve: bool,
                         note: Optional[str] = ...) -> None: ...
    def record_resolution(self, actor: PersonLike, text: str) -> None: ...
    def schedule_follow_up(self, actor: PersonLike, due: TimeLike,
                           text: Optional[str] = ...) -> None: ...
    def complete_follow_up(self, actor: PersonLike, number: int, reached: bool,
                           outcome: str) -> None: ...
    def confirm_resolved(self, actor: PersonLike, confirmed: bool = ...) -> None: ...
    def reopen(self, actor: PersonLike, reason: str) -> None: ...
    def close(self, actor: PersonLike, root_cause_category: str, root_cause: str,
              satisfaction: Optional[int] = ..., lessons: Optional[str] = ...) -> None: ...
    def withdraw(self, actor: PersonLike, reason: str) -> None: ...
    def move_tier(self, actor: PersonLike, tier: int, went_wrong: str, tried: str,
                  response: str, new_owner: Optional[PersonLike] = ...) -> None: ...
    def hold(self, actor: PersonLike, reason: str, kind: Hold = ...) -> None: ...
    def resume(self, actor: PersonLike) -> None: ...
    def reassess(self, actor: PersonLike, impact: int, urgency: int, vip: bool = ...,
                 churn_risk: bool = ...) -> None: ...
    def tag(self, actor: PersonLike, tag: str) -> None: ...

# ---- the database ----

class Database:
    path: str
    def __init__(self, path: Union[str, bytes, "os.PathLike[str]"], *, create: bool = ...,
                 readonly: bool = ..., busy_timeout: Union[float, datetime.timedelta] = ...,
                 file_mode: Optional[int] = ..., follow_up_attempts: Optional[int] = ...,
                 journal: Journal = ..., sync: Sync = ...,
                 clock: Optional[Callable[[], TimeLike]] = ...,
                 tiers: Optional[Sequence[str]] = ..., confidential_tier: Optional[int] = ...,
                 viewer: Optional[PersonLike] = ...) -> None: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    def __enter__(self) -> Database: ...
    def __exit__(self, *exc_info: Any) -> None: ...

    @property
    def now(self) -> datetime.datetime: ...
    @property
    def now_ms(self) -> int: ...
    @property
    def clock(self) -> Optional[Callable[[], TimeLike]]: ...
    @clock.setter
    def clock(self, clock: Optional[Callable[[], TimeLike]]) -> None: ...
    @property
    def on_event(self) -> Optional[Callable[[Event], Any]]: ...
    @on_event.setter
    def on_event(self, hook: Optional[Callable[[Event], Any]]) -> None: ...
    @property
    def schema_version(self) -> int: ...
    @property
    def viewer(self) -> Optional[Person]: ...
    @property
    def confidential_tier(self) -> int: ...
    @property
    def tiers(self) -> List[str]: ...
    @tiers.setter
    def tiers(self, names: Optional[Sequence[str]]) -> None: ...
    def priority(self, impact: int, urgency: int, vip: bool = ...,
                 churn_risk: bool = ...) -> int: ...
    @property
    def priority_matrix(self) -> Tuple[Tuple[int, ...], ...]: ...
    def set_priority_matrix(self, matrix: Optional[Sequence[Sequence[int]]]) -> None: ...
    def batch(self) -> ContextManager[Database]: ...

    def open(self, actor: PersonLike, summary: str, customer_id: str, *,
             customer_name: Optional[str] = ..., external_ref: Optional[str] = ...,
             channel: Channel = ..., impact: int = ..., urgency: int = ..., vip: bool = ...,
             churn_risk: bool = ..., confidential: bool = ...,
             sla_policy: Optional[str] = ...) -> Escalation: ...
    def get(self, escalation_id: str) -> Escalation: ...
    def get_by_ref(self, external_ref: str) -> Escalation: ...
    def list(self, *, state: Optional[State] = ..., owner: Union[str, PersonLike, None] = ...,
             tier: Optional[int] = ..., priority: Optional[int] = ..., tag: Optional[str] = ...,
             customer: Optional[str] = ..., open: Optional[bool] = ..., order: Order = ...,
             limit: int = ..., offset: int = ...) -> List[Escalation]: ...
    def iter_all(self, *, page_size: int = ..., state: Optional[State] = ...,
                 owner: Union[str, PersonLike, None] = ..., tier: Optional[int] = ...,
                 priority: Optional[int] = ..., tag: Optional[str] = ...,
                 customer: Optional[str] = ..., open: Optional[bool] = ...,
                 order: Order = ...) -> Iterator[Escalation]: ...
    def history(self, escalation: Union[Escalation, str]) -> List[Event]: ...
    def verify(self) -> VerifyReport: ...
    def rebuild(self) -> int: ...

    def calendar_put(self, name: str, calendar: Union[Calendar, str]) -> Definition: ...
    def calendar_get(self, name: str, version: Optional[int] = ...) -> Definition: ...
    def policy_put(self, name: str, policy: Union[Policy, str],
                   calendar: Optional[str] = ...) -> Definition: ...
    def policy_get(self, name: str, version: Optional[int] = ...) -> Definition: ...
    def policy_load(self, name: str) -> Policy: ...
    def sla(self, escalation: Union[Escalation, str], now: Optional[TimeLike] = ...) -> Clocks: ...
    def due(self, before: Optional[TimeLike] = ..., limit: int = ...) -> List[Escalation]: ...
    def sweep(self, now: Optional[TimeLike] = ...) -> SweepStats: ...
    def outbox(self, limit: int = ...) -> List[OutboxEntry]: ...
    def ack(self, entry: Union[OutboxEntry, int]) -> None: ...
