"""Tests of schema/recwatch-events.schema.json itself: it is a valid 2020-12
schema, it accepts the documented samples (DESIGN.md) and it rejects what the
contract forbids. Run: /usr/bin/python3 -m pytest schema/tests"""

import copy
import json
import pathlib

import jsonschema
import pytest

HERE = pathlib.Path(__file__).resolve().parent
SCHEMA_PATH = HERE.parent / "recwatch-events.schema.json"
SAMPLES = HERE / "samples"
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def sample(name):
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def errors(event):
    return list(VALIDATOR.iter_errors(event))


def test_schema_is_a_valid_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("name", ["statement", "recommendation", "error", "heartbeat", "end"])
def test_documented_samples_are_valid(name):
    assert errors(sample(name)) == []


@pytest.mark.parametrize("name", ["statement", "recommendation", "error", "heartbeat"])
def test_every_event_has_the_envelope(name):
    for field in ("schema", "type", "node", "seq"):
        event = sample(name)
        del event[field]
        assert errors(event), f"{name} without {field} was accepted"


@pytest.mark.parametrize("name", ["statement", "recommendation", "error", "heartbeat"])
def test_every_documented_field_is_required(name):
    definition = SCHEMA["$defs"][name]
    for field in definition["required"]:
        event = sample(name)
        del event[field]
        assert errors(event), f"{name} without {field} was accepted"


def test_additional_properties_are_allowed_for_forward_compatibility():
    for name in ("statement", "recommendation", "error", "heartbeat", "end"):
        event = sample(name)
        event["added_in_a_later_version"] = {"anything": [1, 2]}
        assert errors(event) == []


def test_undetermined_fields_may_be_null():
    statement = sample("statement")
    for field in ("language", "title", "date", "place", "speaker", "role"):
        statement[field] = None
    statement["countries"] = []
    assert errors(statement) == []
    recommendation = sample("recommendation")
    for field in ("language", "addressee", "action", "category", "strength"):
        recommendation[field] = None
    recommendation["themes"] = []
    recommendation["countries"] = []
    recommendation["cues"] = []
    assert errors(recommendation) == []
    error = sample("error")
    error["file"] = None
    error["moved_to"] = None
    assert errors(error) == []
    heartbeat = sample("heartbeat")
    heartbeat["replay"] = None
    assert errors(heartbeat) == []


def test_unjournalled_events_may_carry_seq_0():
    # Heartbeats and transient errors carry the last journalled seq: 0 on a
    # node that has journalled nothing yet.
    assert errors(changed("heartbeat", seq=0, last_seq=0)) == []
    assert errors(changed("error", seq=0, transient=True)) == []


def test_journalled_events_start_at_seq_1():
    for name in ("statement", "recommendation", "error"):
        assert errors(changed(name, seq=0)), name
    assert errors(changed("error", seq=0, transient=False))


def changed(name, **fields):
    event = copy.deepcopy(sample(name))
    event.update(fields)
    return event


INVALID = [
    ("wrong schema version", changed("statement", schema=2)),
    ("seq 0", changed("statement", seq=0)),
    ("negative seq on a heartbeat", changed("heartbeat", seq=-1)),
    ("heartbeat time not UTC", changed("heartbeat", time="2026-11-29 11:00")),
    ("transient not a boolean", changed("error", transient="yes")),
    ("seq as string", changed("recommendation", seq="42")),
    ("node not a string", changed("heartbeat", node=7)),
    ("unknown type", changed("statement", type="statment")),
    ("id without sha256 prefix", changed("statement", id="3f0c" * 16)),
    ("id with upper-case hex", changed("statement", id="sha256:" + "AB" * 32)),
    ("id too short", changed("statement", id="sha256:abc")),
    ("received not UTC Z", changed("statement", received="2026-11-29T10:00:00+01:00")),
    ("received not a date-time", changed("statement", received="yesterday")),
    ("date with a time", changed("statement", date="2012-07-12T00:00:00Z")),
    ("date in another order", changed("statement", date="12/07/2012")),
    ("country lower case", changed("statement", countries=["kz"])),
    ("country alpha-3", changed("statement", countries=["KAZ"])),
    ("countries not a list", changed("statement", countries="KZ")),
    ("negative recommendations", changed("statement", recommendations=-1)),
    ("negative bytes", changed("statement", bytes=-5)),
    ("title a number", changed("statement", title=12)),
    ("negative index", changed("recommendation", index=-1)),
    ("span of one number", changed("recommendation", span=[10])),
    ("span of three numbers", changed("recommendation", span=[1, 2, 3])),
    ("span of strings", changed("recommendation", span=["1", "2"])),
    ("negative span", changed("recommendation", span=[-1, 2])),
    ("category 0", changed("recommendation", category=0)),
    ("category 6", changed("recommendation", category=6)),
    ("category as text", changed("recommendation", category="5")),
    ("unknown strength", changed("recommendation", strength="very strong")),
    ("confidence above 1", changed("recommendation", confidence=1.5)),
    ("confidence below 0", changed("recommendation", confidence=-0.1)),
    ("themes a string", changed("recommendation", themes="justice")),
    ("cues with a number", changed("recommendation", cues=[3])),
    ("statement id malformed", changed("recommendation", statement="kz-2012.txt")),
    ("reason null", changed("error", reason=None)),
    ("counters missing one", changed("heartbeat", counters={
        "files_seen": 1, "statements": 1, "recommendations": 1, "duplicates": 0,
        "errors": 0, "bytes": 1, "dropped": 0})),
    ("counter not an integer", changed("heartbeat", counters=dict(
        sample("heartbeat")["counters"], bytes=1.5))),
    ("queue negative", changed("heartbeat", queue=-1)),
    ("end without last_seq", {"type": "end"}),
    ("end with negative last_seq", {"type": "end", "last_seq": -1}),
    ("not an object", ["statement"]),
]


@pytest.mark.parametrize("why,event", INVALID, ids=[why for why, _ in INVALID])
def test_invalid_events_are_rejected(why, event):
    assert errors(event), f"accepted: {why}"


def test_replay_refusal_has_its_own_definition():
    refusal = {"type": "error", "reason": "malformed request: expected one frame \"SINCE <n>\""}
    # Not an event: the stream schema rejects it...
    assert errors(refusal)
    # ...its own definition accepts it.
    validator = jsonschema.Draft202012Validator(
        {"$ref": "#/$defs/replay_refusal", "$defs": SCHEMA["$defs"]})
    assert list(validator.iter_errors(refusal)) == []
    assert list(validator.iter_errors({"type": "error"}))


def test_span_order_is_documented_since_json_schema_cannot_check_it():
    # start <= end is a relation between two items; clients check it
    # (recwatch.schema.validate does). Keep the rule written in the schema.
    span = SCHEMA["$defs"]["recommendation"]["properties"]["span"]
    assert "start <= end" in span["description"]
