"""End-to-end fixtures: a real recwatchd on temporary folders and free ports, and a real
ZeroMQ subscriber (pyzmq). Nothing is mocked."""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import jsonschema
import pytest
import zmq

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
CORPUS = os.path.abspath(os.path.join(ROOT, "..", "shared", "corpus"))
SEED = os.path.join(CORPUS, "seed-pillay-kazakhstan-2012.txt")
LEXICONS = os.path.join(ROOT, "config", "lexicon")
with open(os.path.join(ROOT, "schema", "recwatch-events.schema.json")) as _schema_file:
    SCHEMA = jsonschema.Draft202012Validator(json.load(_schema_file),
                                             format_checker=jsonschema.FormatChecker())
# RECWATCH_VALGRIND=1 runs every daemon under valgrind; any memory error or definite
# leak makes the daemon exit 99, which fails the test that stopped it.
VALGRIND = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
            "--errors-for-leak-kinds=definite", "--track-fds=no"] \
    if os.environ.get("RECWATCH_VALGRIND") else []
STARTUP_SECONDS = 60 if VALGRIND else 15


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    """One recwatchd with its own spool, state, config and ports."""

    def __init__(self, root, extra_config="", node="e2e-1"):
        self.root = root
        self.node = node
        for name in ("incoming", "done", "failed", "state"):
            os.makedirs(os.path.join(root, name), exist_ok=True)
        self.incoming = os.path.join(root, "incoming")
        self.done = os.path.join(root, "done")
        self.failed = os.path.join(root, "failed")
        self.state = os.path.join(root, "state")
        self.port = free_port()
        self.replay_port = free_port()
        self.endpoint = f"tcp://127.0.0.1:{self.port}"
        self.replay = f"tcp://127.0.0.1:{self.replay_port}"
        self.config = os.path.join(root, "recwatch.conf")
        self.log_path = os.path.join(root, "daemon.log")
        self.write_config(extra_config)
        self.process = None

    def write_config(self, extra="", publish_extra="", spool_extra="", extract_extra=""):
        with open(self.config, "w") as f:
            f.write(f"""node = "{self.node}";
spool: {{ incoming = "incoming"; done = "done"; failed = "failed"; {spool_extra} }};
state: {{ dir = "state"; }};
publish: {{ endpoints = [ "{self.endpoint}" ]; heartbeat_s = 1; {publish_extra} }};
replay: {{ endpoint = "{self.replay}"; }};
extract: {{ lexicons = "{LEXICONS}"; {extract_extra} }};
log: {{ level = "debug"; }};
{extra}
""")

    def start(self, wait=True):
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            VALGRIND + [os.path.join(BUILD, "recwatchd"), "-f", "-c", self.config],
            stdout=self.log, stderr=subprocess.STDOUT)
        if wait:
            self.wait_started()
        return self

    def wait_started(self, timeout=STARTUP_SECONDS):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"recwatchd exited {self.process.returncode}:\n{self.log_text()}")
            if "recwatchd started" in self.log_text():
                return
            time.sleep(0.02)
        raise AssertionError("recwatchd did not start:\n" + self.log_text())

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM, timeout=30 if VALGRIND else 10):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError("recwatchd did not stop within %ss" % timeout)
        if getattr(self, "log", None):
            self.log.close()
            self.log = None
        if VALGRIND and self.process and self.process.returncode == 99:
            raise AssertionError("valgrind found errors in recwatchd:\n" + self.log_text())
        return self.process.returncode if self.process else None

    def kill(self):
        self.process.kill()
        self.process.wait()
        self.log.close()
        self.log = None

    def drop(self, source, name=None, atomic=True):
        """Put a file into incoming/: by atomic rename (write elsewhere, then rename) or
        by a plain copy (open, write, close in place)."""
        name = name or os.path.basename(source)
        target = os.path.join(self.incoming, name)
        if atomic:
            temporary = os.path.join(self.root, ".drop-%d.tmp" % time.time_ns())
            shutil.copyfile(source, temporary)
            os.rename(temporary, target)
        else:
            shutil.copyfile(source, target)
        return target

    def drop_bytes(self, name, data, atomic=True):
        temporary = os.path.join(self.root, "source-" + str(time.time_ns()))
        with open(temporary, "wb") as f:
            f.write(data)
        try:
            return self.drop(temporary, name, atomic)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)

    def journal_events(self):
        events = []
        for name in sorted(os.listdir(self.state)):
            if name.startswith("journal-") and name.endswith(".jsonl"):
                with open(os.path.join(self.state, name)) as f:
                    for line in f:
                        if line.strip():
                            events.append(json.loads(line))
        return events


class Subscriber:
    """A plain pyzmq SUB socket that collects (topic, body) pairs."""

    def __init__(self, endpoint, topics=("",)):
        self.context = zmq.Context.instance()
        self.socket = self.context.socket(zmq.SUB)
        self.socket.setsockopt(zmq.LINGER, 0)
        for topic in topics:
            self.socket.setsockopt(zmq.SUBSCRIBE, topic.encode())
        self.socket.connect(endpoint)
        self.received = []

    def wait_connected(self, timeout=10):
        """Wait for the first heartbeat: the subscription is then in place."""
        self.wait_for(lambda events: any(e["type"] == "heartbeat" for _, e in events), timeout)

    def poll(self, timeout_ms):
        if self.socket.poll(timeout_ms):
            topic, body = self.socket.recv_multipart()
            event = json.loads(body)
            SCHEMA.validate(event)  # every event the daemon publishes follows the contract
            self.received.append((topic.decode(), event))
            return True
        return False

    def wait_for(self, predicate, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if predicate(self.received):
                return self.received
            self.poll(100)
        summary = [(t, e.get("type"), e.get("seq")) for t, e in self.received]
        raise AssertionError(f"timed out; received {len(summary)} event(s), the last: {summary[-20:]}")

    def drain(self, seconds):
        """Keep receiving for a while (to see that nothing more comes)."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            self.poll(50)
        return self.received

    def events(self, kind=None):
        return [e for _, e in self.received if kind is None or e["type"] == kind]

    def close(self):
        self.socket.close()


@pytest.fixture
def workdir():
    path = tempfile.mkdtemp(prefix="recwatch-e2e-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def daemon(workdir):
    d = Daemon(workdir)
    yield d
    d.stop()


def count_statements(subscriber, n):
    return lambda events: sum(1 for _, e in events if e["type"] == "statement") >= n


def statement_complete(subscriber, n=1):
    """n statements and all their recommendations received."""
    def done(events):
        statements = [e for _, e in events if e["type"] == "statement"]
        if len(statements) < n:
            return False
        wanted = sum(s["recommendations"] for s in statements)
        return sum(1 for _, e in events if e["type"] == "recommendation") >= wanted
    return done
