"""Typed views of recwatch events (schema/recwatch-events.schema.json, version 1).

Subscriber yields plain dicts (the JSON bodies) by default; with typed=True, or
through Subscriber.typed(), it yields these dataclasses instead. Fields a later
daemon adds land in `extra`, so an old client keeps working. tests/ checks that
the fields here are exactly the schema's."""

from dataclasses import dataclass, field, fields
from typing import Any, Dict, List, Optional, Tuple


@dataclass(frozen=True)
class Event:
    schema: int
    type: str
    node: str
    seq: int
    extra: Dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def topic(self) -> str:
        return self.type


@dataclass(frozen=True)
class Statement(Event):
    id: str = ""
    file: str = ""
    received: str = ""
    bytes: int = 0
    language: Optional[str] = None
    title: Optional[str] = None
    date: Optional[str] = None
    place: Optional[str] = None
    speaker: Optional[str] = None
    role: Optional[str] = None
    countries: List[str] = field(default_factory=list)
    recommendations: int = 0

    @property
    def topic(self) -> str:
        return "statement." + (self.countries[0] if self.countries else "XX")


@dataclass(frozen=True)
class Recommendation(Event):
    statement: str = ""
    index: int = 0
    text: str = ""
    span: Tuple[int, int] = (0, 0)
    language: Optional[str] = None
    addressee: Optional[str] = None
    action: Optional[str] = None
    category: Optional[int] = None
    strength: Optional[str] = None
    themes: List[str] = field(default_factory=list)
    countries: List[str] = field(default_factory=list)
    confidence: float = 0.0
    cues: List[str] = field(default_factory=list)

    @property
    def topic(self) -> str:
        return "recommendation." + (self.countries[0] if self.countries else "XX")


@dataclass(frozen=True)
class Error(Event):
    file: Optional[str] = None
    reason: str = ""
    moved_to: Optional[str] = None


ErrorEvent = Error  # for code that would rather not shadow the word


@dataclass(frozen=True)
class Counters:
    files_seen: int = 0
    statements: int = 0
    recommendations: int = 0
    duplicates: int = 0
    errors: int = 0
    bytes: int = 0
    dropped: int = 0
    refused: int = 0
    extra: Dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Heartbeat(Event):
    uptime_s: float = 0
    counters: Counters = field(default_factory=Counters)
    queue: int = 0
    last_seq: int = 0
    replay: Optional[str] = None


TYPES = {"statement": Statement, "recommendation": Recommendation, "error": Error,
         "heartbeat": Heartbeat}


def _split(cls, body):
    """(known fields, extra fields) of body for dataclass cls."""
    names = {f.name for f in fields(cls)} - {"extra"}
    known = {k: v for k, v in body.items() if k in names}
    extra = {k: v for k, v in body.items() if k not in names}
    return known, extra


def from_dict(body):
    """The dataclass for an event body; a body of an unknown type comes back as is."""
    cls = TYPES.get(body.get("type"))
    if cls is None:
        return body
    known, extra = _split(cls, body)
    if cls is Recommendation and isinstance(known.get("span"), list):
        known["span"] = tuple(known["span"])
    if cls is Heartbeat and isinstance(known.get("counters"), dict):
        counter_known, counter_extra = _split(Counters, known["counters"])
        known["counters"] = Counters(**counter_known, extra=counter_extra)
    return cls(**known, extra=extra)


def to_dict(event):
    """The JSON body of a typed event (the inverse of from_dict)."""
    if isinstance(event, dict):
        return event
    body = {}
    for f in fields(event):
        if f.name == "extra":
            continue
        value = getattr(event, f.name)
        if isinstance(value, Counters):
            value = {**{g.name: getattr(value, g.name) for g in fields(value)
                        if g.name != "extra"}, **value.extra}
        elif isinstance(value, tuple):
            value = list(value)
        body[f.name] = value
    body.update(event.extra)
    return body
