"""Fixtures for tests that run against a REAL recwatchd.

clients/run-tests starts the daemon and exports where it is:

  RECWATCH_ENDPOINTS  publish endpoints, space-separated (two: to test duplicates)
  RECWATCH_REPLAY     replay endpoint
  RECWATCH_INCOMING   the daemon's spool/incoming (tests drop statements there)
  RECWATCH_DONE       the daemon's spool/done
  RECWATCH_NODE       the daemon's node name
  RECWATCH_PID        its process id (to pause it and test heartbeat loss)
  RECWATCH_HEARTBEAT_S  its publish.heartbeat_s
  RECWATCH_SEED       the seed statement's file name, already processed
  RECWATCH_TOOL       build/recwatch (for keygen), optional

Without them the tests that need a daemon are skipped with a reason: run them
through clients/run-tests (or `make test-clients`)."""

import json
import os
import pathlib
import sys
import time
import uuid

import jsonschema
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "clients" / "python"))

SCHEMA = json.loads((ROOT / "schema" / "recwatch-events.schema.json").read_text("utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
SEED = ROOT.parent / "shared" / "corpus" / "seed-pillay-kazakhstan-2012.txt"


def check_event(event, topic=None):
    """Fail unless event is valid against the schema (and the rules the schema
    cannot say: span order, topic matching the body)."""
    problems = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in VALIDATOR.iter_errors(event)]
    assert not problems, f"event does not follow the schema: {problems}\n{event}"
    if event.get("type") == "recommendation":
        start, end = event["span"]
        assert start <= end, f"span {event['span']} has start > end"
    if topic is not None:
        kind = event["type"]
        if kind in ("statement", "recommendation"):
            country = event["countries"][0] if event["countries"] else "XX"
            # The topic names the statement's main country; a recommendation's own
            # countries may differ, so only the form is checked for those.
            assert topic.startswith(kind + "."), (topic, event)
            assert len(topic) == len(kind) + 3 and topic[-2:].isupper(), topic
            if kind == "statement":
                assert topic == f"statement.{country}", (topic, event)
        else:
            assert topic == kind, (topic, event)
    return event


class Daemon:
    def __init__(self):
        self.endpoints = os.environ["RECWATCH_ENDPOINTS"].split()
        self.endpoint = self.endpoints[0]
        self.replay = os.environ["RECWATCH_REPLAY"]
        self.incoming = pathlib.Path(os.environ["RECWATCH_INCOMING"])
        self.done = pathlib.Path(os.environ["RECWATCH_DONE"])
        self.node = os.environ["RECWATCH_NODE"]
        self.pid = int(os.environ["RECWATCH_PID"])
        self.heartbeat_s = float(os.environ.get("RECWATCH_HEARTBEAT_S", "1"))
        self.seed = os.environ.get("RECWATCH_SEED", SEED.name)
        self.tool = os.environ.get("RECWATCH_TOOL")

    def drop_statement(self, label=None):
        """Drop a new statement (the seed's text, made unique so it is not a
        duplicate) into the spool, the way a writer should: write a hidden
        temporary file, then rename it in. Returns its file name."""
        label = label or uuid.uuid4().hex[:12]
        name = f"test-{label}.txt"
        text = SEED.read_bytes() + f"\n\n(test copy {label})\n".encode()
        temporary = self.incoming / f".{name}.tmp"
        temporary.write_bytes(text)
        os.rename(temporary, self.incoming / name)
        return name

    def wait_done(self, name, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (self.done / name).exists():
                return
            time.sleep(0.05)
        raise AssertionError(f"{name} did not reach {self.done} in {timeout} s")


@pytest.fixture(scope="session")
def daemon():
    if "RECWATCH_ENDPOINTS" not in os.environ:
        pytest.skip("needs a running recwatchd: run clients/run-tests")
    return Daemon()


def collect(subscriber, until, timeout=20):
    """recv() events (checked against the schema) into a list until until(events)."""
    events = []
    deadline = time.monotonic() + timeout
    while not until(events):
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"timed out; got {[(e.get('type'), e.get('seq')) for e in events]}"
        event = subscriber.recv(timeout=remaining)
        if event is not None:
            events.append(check_event(event, subscriber.last_topic))
    return events
