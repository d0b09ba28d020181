"""recwatch.Subscriber against a real recwatchd (see conftest.py)."""

import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import time

import jsonschema
import pytest
import zmq

from conftest import ROOT, SCHEMA, check_event, collect
from recwatch import (Heartbeat, Recommendation, ReplayError, Statement, Subscriber,
                      from_dict, to_dict)


def statement_and_recommendations(events, name):
    """The statement event for file name and its recommendation events, once all arrived."""
    statement = next((e for e in events if e.get("type") == "statement" and e["file"] == name), None)
    if statement is None:
        return None, []
    recommendations = [e for e in events if e.get("type") == "recommendation"
                       and e["statement"] == statement["id"]]
    return statement, recommendations


def complete(name):
    def done(events):
        statement, recommendations = statement_and_recommendations(events, name)
        return statement is not None and len(recommendations) == statement["recommendations"]
    return done


def assert_published_together(events, name):
    """DESIGN.md: the statement, then its recommendations in text order, seq +1 each."""
    statement, recommendations = statement_and_recommendations(events, name)
    assert statement is not None
    assert statement["recommendations"] == len(recommendations)
    assert [r["index"] for r in recommendations] == list(range(len(recommendations)))
    assert [r["seq"] for r in recommendations] == \
        list(range(statement["seq"] + 1, statement["seq"] + 1 + len(recommendations)))
    spans = [r["span"] for r in recommendations]
    assert spans == sorted(spans), "recommendations are not in text order"
    return statement, recommendations


def journalled(events):
    return [e for e in events if e["type"] in ("statement", "recommendation", "error")
            and not e.get("transient")]


def test_live_statement_arrives_whole_and_valid(daemon):
    with Subscriber(daemon.endpoint) as sub:
        time.sleep(0.3)  # let the subscription reach the publisher
        name = daemon.drop_statement()
        events = collect(sub, complete(name))
    statement, recommendations = assert_published_together(events, name)
    assert statement["node"] == daemon.node
    data = (daemon.done / name).read_bytes()  # the file as received, moved to done/
    assert statement["bytes"] == len(data)
    assert statement["id"] == "sha256:" + hashlib.sha256(data).hexdigest()
    assert statement["countries"][:1] == ["KZ"], statement
    assert statement["recommendations"] >= 1
    for recommendation in recommendations:
        assert recommendation["statement"] == statement["id"]
        # span: byte offsets of the text in the file as received (plain text here,
        # so the same words)
        start, end = recommendation["span"]
        assert data[start:end].decode("utf-8").split() == recommendation["text"].split()


def test_since_replays_the_journal_then_goes_live_without_gap_or_duplicate(daemon):
    with Subscriber(daemon.endpoint, replay_endpoint=daemon.replay, since=1) as sub:
        # The seed statement was processed before any test: it comes from the journal.
        seed = collect(sub, complete(daemon.seed))
        assert_published_together(seed, daemon.seed)
        assert sub.stats["replayed"] >= len(journalled(seed))
        name = daemon.drop_statement()
        events = seed + collect(sub, complete(name))
    assert_published_together(events, name)
    seqs = [e["seq"] for e in journalled(events)]
    # Everything journalled since seq 1, each once, in order, no hole.
    assert seqs == list(range(1, len(seqs) + 1)), seqs


def test_since_in_the_middle_starts_there(daemon):
    with Subscriber(daemon.endpoint, replay_endpoint=daemon.replay, since=2,
                    topics=["statement.", "recommendation."]) as sub:
        first = collect(sub, lambda events: len(events) >= 1)[0]
    assert first["seq"] == 2


def raw_replay(endpoint, since=1):
    """[(topic, body)] of the journal from since, by the bare replay protocol."""
    with zmq.Context() as context:
        dealer = context.socket(zmq.DEALER)
        dealer.setsockopt(zmq.RCVTIMEO, 5000)
        dealer.setsockopt(zmq.LINGER, 0)
        dealer.connect(endpoint)
        dealer.send(f"SINCE {since}".encode())
        messages = []
        while True:
            topic, body = dealer.recv_multipart()
            messages.append((topic.decode(), json.loads(body)))
            if topic == b"end":
                break
        dealer.close()
    return messages


def test_topic_filter_with_replay_and_gaps_yields_exactly_the_matching_events(daemon):
    with Subscriber(daemon.endpoint, topics=["recommendation.KZ"],
                    replay_endpoint=daemon.replay, since=1) as sub:
        early = collect(sub, lambda evs: len(evs) >= 1)  # the replay has begun
        name = daemon.drop_statement()
        daemon.wait_done(name)
        journal = raw_replay(daemon.replay)[:-1]
        expected = [body["seq"] for topic, body in journal
                    if topic.startswith("recommendation.KZ")]
        events = early + collect(sub, lambda evs: len(evs) >= len(expected) - 1)
        assert sub.recv(timeout=2 * daemon.heartbeat_s) is None, "more than expected"
    assert [e["seq"] for e in events] == expected
    assert {e["type"] for e in events} == {"recommendation"}
    # The statements between were skipped seqs: the subscriber checked them in
    # the journal (gaps) and kept nothing else.
    assert sub.stats["gaps"] >= 1


def test_two_publish_endpoints_give_each_event_once(daemon):
    assert len(daemon.endpoints) >= 2, "run-tests binds two publish endpoints"
    with Subscriber(daemon.endpoints) as sub:
        time.sleep(0.3)
        name = daemon.drop_statement()
        events = collect(sub, complete(name))
        # and a couple of heartbeats, which come by both endpoints too
        events += collect(sub, lambda evs: sum(e["type"] == "heartbeat" for e in evs) >= 2,
                          timeout=5 * daemon.heartbeat_s + 5)
    keys = [(e["node"], e["seq"]) for e in journalled(events)]
    assert len(keys) == len(set(keys)), "an event was yielded twice"
    beats = [(e["node"], e["uptime_s"]) for e in events if e["type"] == "heartbeat"]
    assert len(beats) == len(set(beats)), "a heartbeat was yielded twice"
    assert sub.stats["duplicates"] > 0, "the second endpoint delivered nothing"
    assert_published_together(events, name)


class LossySubscriber(Subscriber):
    """Loses the live statement event of one file, as a network would."""

    def __init__(self, *args, lose_file, **kwargs):
        super().__init__(*args, **kwargs)
        self.lose_file = lose_file
        self.lost = []

    def _on_live(self, frames):
        body = json.loads(frames[1])
        if body.get("type") == "statement" and body.get("file") == self.lose_file[0]:
            self.lost.append(body["seq"])
            return
        super()._on_live(frames)


def test_a_lost_event_is_fetched_from_the_replay_socket(daemon):
    lose = [None]
    with LossySubscriber(daemon.endpoint, replay_endpoint=daemon.replay, lose_file=lose) as sub:
        # A subscriber knows where a node's sequence stands from its first
        # heartbeat (or from since): wait for one.
        collect(sub, lambda evs: any(e["type"] == "heartbeat" for e in evs),
                timeout=5 * daemon.heartbeat_s + 5)
        lose[0] = f"test-lossy-{os.getpid()}.txt"
        name = daemon.drop_statement(f"lossy-{os.getpid()}")
        assert name == lose[0]
        events = collect(sub, complete(name))
    assert sub.lost, "the statement was not lost: the test did not test anything"
    statement, _ = assert_published_together(events, name)
    assert statement["seq"] == sub.lost[0]
    assert sub.stats["gaps"] >= 1


def test_a_lost_last_event_is_found_by_the_heartbeat(daemon):
    """When the lost event is the last one, the next heartbeat's last_seq shows it."""

    class LoseLast(Subscriber):
        lost = []

        def _on_live(self, frames):
            body = json.loads(frames[1])
            if body.get("type") == "recommendation" and body["index"] == target["count"] - 1 \
                    and body.get("statement") == target["id"]:
                self.lost.append(body["seq"])
                return
            if body.get("type") == "statement" and body.get("file") == target["file"]:
                target["id"], target["count"] = body["id"], body["recommendations"]
            super()._on_live(frames)

    target = {"file": f"test-last-{os.getpid()}.txt", "id": None, "count": -1}
    with LoseLast(daemon.endpoint, replay_endpoint=daemon.replay, since=1,
                  topics=["statement.", "recommendation."]) as sub:
        collect(sub, complete(daemon.seed))
        daemon.drop_statement(f"last-{os.getpid()}")
        events = collect(sub, complete(target["file"]), timeout=10 * daemon.heartbeat_s + 10)
    assert LoseLast.lost, "nothing was lost: the test did not test anything"
    assert_published_together(events, target["file"])
    assert all(e["type"] != "heartbeat" for e in events), "heartbeats were not asked for"


def test_typed_events(daemon):
    with Subscriber(daemon.endpoint, replay_endpoint=daemon.replay, since=1, typed=True) as sub:
        events = []
        deadline = time.monotonic() + 20
        while not any(isinstance(e, Heartbeat) for e in events):
            assert time.monotonic() < deadline
            event = sub.recv(timeout=1)
            if event is not None:
                events.append(event)
    statements = [e for e in events if isinstance(e, Statement)]
    recommendations = [e for e in events if isinstance(e, Recommendation)]
    heartbeat = next(e for e in events if isinstance(e, Heartbeat))
    assert statements and recommendations
    assert statements[0].file == daemon.seed and statements[0].countries[0] == "KZ"
    assert statements[0].topic == "statement.KZ"
    assert isinstance(recommendations[0].span, tuple)
    assert heartbeat.node == daemon.node and heartbeat.counters.statements >= 1
    assert heartbeat.replay
    for event in events:  # typed -> dict gives back a valid body
        check_event(to_dict(event))
        assert from_dict(to_dict(event)) == event


def test_typed_iterator(daemon):
    with Subscriber(daemon.endpoint, replay_endpoint=daemon.replay, since=1,
                    topics=["statement."]) as sub:
        first = next(sub.typed())
    assert isinstance(first, Statement) and first.seq >= 1


def test_missing_heartbeats_are_reported_and_their_return_too(daemon, caplog):
    caplog.set_level(logging.INFO, logger="recwatch")
    with Subscriber(daemon.endpoint, topics=["heartbeat"]) as sub:
        collect(sub, lambda evs: len(evs) >= 3, timeout=10 * daemon.heartbeat_s + 5)
        assert not sub.silent_nodes
        os.kill(daemon.pid, signal.SIGSTOP)
        try:
            quiet = sub.recv(timeout=4 * daemon.heartbeat_s + 1)
            assert quiet is None or quiet["uptime_s"] >= 0  # at most one in flight
            if quiet is not None:
                sub.recv(timeout=4 * daemon.heartbeat_s + 1)
            assert daemon.node in sub.silent_nodes
        finally:
            os.kill(daemon.pid, signal.SIGCONT)
        collect(sub, lambda evs: len(evs) >= 1, timeout=5 * daemon.heartbeat_s + 5)
        assert not sub.silent_nodes
    messages = [r.getMessage() for r in caplog.records if r.name == "recwatch"]
    assert any("no heartbeat for" in m and daemon.node in m for m in messages), messages
    assert any("resumed" in m for m in messages), messages


def test_no_heartbeat_at_all_is_reported(caplog):
    caplog.set_level(logging.WARNING, logger="recwatch")
    with zmq.Context() as context:
        probe = context.socket(zmq.REP)
        port = probe.bind_to_random_port("tcp://127.0.0.1")
        probe.close()
    with Subscriber(f"tcp://127.0.0.1:{port}", heartbeat_interval=0.2) as sub:
        assert sub.recv(timeout=1.0) is None
    assert any("no heartbeat from" in r.getMessage() for r in caplog.records)


def test_replay_socket_refuses_a_malformed_request(daemon):
    with zmq.Context() as context:
        dealer = context.socket(zmq.DEALER)
        dealer.setsockopt(zmq.RCVTIMEO, 5000)
        dealer.setsockopt(zmq.LINGER, 0)
        dealer.connect(daemon.replay)
        dealer.send(b"GIVE ME EVERYTHING")
        topic, body = dealer.recv_multipart()
        dealer.close()
    assert topic == b"error"
    refusal = jsonschema.Draft202012Validator(
        {"$ref": "#/$defs/replay_refusal", "$defs": SCHEMA["$defs"]})
    assert list(refusal.iter_errors(json.loads(body))) == []


def test_replay_protocol_ends_with_the_end_marker(daemon):
    messages = raw_replay(daemon.replay)
    topic, end = messages[-1]
    assert topic == "end"
    check_event(end)
    seqs = [body["seq"] for _, body in messages[:-1]]
    assert seqs == list(range(1, len(seqs) + 1))
    assert end["type"] == "end" and end["last_seq"] == seqs[-1]
    for topic, body in messages[:-1]:
        check_event(body, topic)
    later = raw_replay(daemon.replay, since=end["last_seq"] + 1)
    assert [t for t, _ in later] == ["end"], "SINCE past the end gives only the end marker"


def test_unreachable_replay_is_an_error_not_a_hang():
    with zmq.Context() as context:
        probe = context.socket(zmq.REP)
        port = probe.bind_to_random_port("tcp://127.0.0.1")
        probe.close()
    sub = Subscriber(f"tcp://127.0.0.1:{port}", replay_endpoint=f"tcp://127.0.0.1:{port}",
                     since=1, replay_timeout=0.5)
    with sub, pytest.raises(ReplayError):
        sub.recv(timeout=2)


def test_since_needs_a_replay_endpoint():
    with pytest.raises(ValueError):
        Subscriber("tcp://127.0.0.1:1", since=3)


def test_cli_tail_prints_json_lines(daemon):
    result = subprocess.run(
        [sys.executable, "-m", "recwatch", "tail", "-e", daemon.endpoint, "-r", daemon.replay,
         "--since", "1", "-t", "statement.", "-n", "1"],
        cwd=ROOT / "clients" / "python", capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    event = check_event(json.loads(lines[0]))
    assert event["type"] == "statement" and event["file"] == daemon.seed


def test_cli_tail_timeout_exits_quietly(daemon):
    result = subprocess.run(
        [sys.executable, "-m", "recwatch", "tail", "-e", daemon.endpoint, "-t", "error.nothing",
         "--timeout", "0.5"],
        cwd=ROOT / "clients" / "python", capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_cli_refuses_since_without_replay():
    result = subprocess.run([sys.executable, "-m", "recwatch", "tail", "--since", "3"],
                            cwd=ROOT / "clients" / "python", capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 2 and "--since needs" in result.stderr
