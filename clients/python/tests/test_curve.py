"""CURVE against a real recwatchd with security.curve = true (clients/run-tests
starts it beside the plain one, with keys made by `recwatch keygen`)."""

import json
import logging
import os
import subprocess
import sys

import pytest

from conftest import ROOT, check_event
from recwatch import Subscriber, read_secret_key


@pytest.fixture(scope="module")
def curve():
    if "RECWATCH_CURVE_ENDPOINT" not in os.environ:
        pytest.skip("needs the CURVE recwatchd of clients/run-tests")
    return {name: os.environ[f"RECWATCH_CURVE_{name.upper()}"]
            for name in ("endpoint", "replay", "server_key", "client_key", "stranger_key")}


def first_heartbeat(sub, timeout):
    event = sub.recv(timeout=timeout)
    return check_event(event, sub.last_topic) if event is not None else None


def test_an_authorized_client_gets_events_and_replay(curve):
    with Subscriber(curve["endpoint"], topics=["heartbeat"], replay_endpoint=curve["replay"],
                    since=1, server_key=curve["server_key"], keypair=curve["client_key"]) as sub:
        heartbeat = first_heartbeat(sub, 10)
    assert heartbeat is not None and heartbeat["node"] == "curve-test"
    assert sub.stats["replays"] == 1  # the replay socket answered over CURVE too


def test_an_unauthorized_key_gets_nothing_and_is_told_why(curve, caplog):
    caplog.set_level(logging.WARNING, logger="recwatch")
    with Subscriber(curve["endpoint"], server_key=curve["server_key"],
                    keypair=curve["stranger_key"], heartbeat_interval=0.3) as sub:
        assert first_heartbeat(sub, 3) is None
    assert any("no heartbeat from" in r.getMessage() for r in caplog.records)


def test_a_plain_client_gets_nothing(curve):
    with Subscriber(curve["endpoint"]) as sub:
        assert sub.recv(timeout=2) is None


def test_a_wrong_server_key_gets_nothing(curve):
    # The client's own public key is not the server's: the handshake fails.
    with Subscriber(curve["endpoint"], server_key=read_secret_key(curve["client_key"])[0],
                    keypair=curve["client_key"]) as sub:
        assert sub.recv(timeout=2) is None


def test_cli_tail_with_key_files(curve):
    result = subprocess.run(
        [sys.executable, "-m", "recwatch", "tail", "-e", curve["endpoint"], "-t", "heartbeat",
         "--server-key", curve["server_key"], "--key", curve["client_key"], "-n", "1",
         "--timeout", "10"],
        cwd=ROOT / "clients" / "python", capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["node"] == "curve-test"
