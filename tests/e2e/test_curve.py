"""Only authorised subscribers: the daemon in CURVE mode, keys made by `recwatch keygen`,
an allow-list folder, and real clients with good, unknown, missing and revoked keys."""
import os
import shutil
import signal
import subprocess
import time

import pytest
import zmq

from conftest import BUILD, SEED, Daemon, statement_complete

RECWATCH = os.path.join(BUILD, "recwatch")


def keygen(folder, name):
    subprocess.run([RECWATCH, "keygen", "-d", folder, name], check=True, capture_output=True)
    pairs = {}
    with open(os.path.join(folder, name + ".key")) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                key, _, value = line.partition("=")
                pairs[key.strip()] = value.strip()
    return pairs["public-key"], pairs["secret-key"]


class CurveClient:
    def __init__(self, endpoint, server_public=None, keypair=None):
        self.socket = zmq.Context.instance().socket(zmq.SUB)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.setsockopt(zmq.RECONNECT_IVL, 100)
        if server_public:
            self.socket.curve_serverkey = server_public.encode()
            self.socket.curve_publickey = keypair[0].encode()
            self.socket.curve_secretkey = keypair[1].encode()
        self.socket.setsockopt(zmq.SUBSCRIBE, b"")
        self.socket.connect(endpoint)
        self.received = []

    def collect(self, seconds):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.socket.poll(50):
                self.received.append(self.socket.recv_multipart())
        return self.received

    def types(self):
        return [m[0].decode().split(".")[0] for m in self.received]


@pytest.fixture
def curve_daemon(workdir):
    keys = os.path.join(workdir, "keys")
    authorized = os.path.join(keys, "authorized")
    clients = os.path.join(workdir, "clients")
    os.makedirs(authorized)
    os.makedirs(clients)
    server_public, _ = keygen(keys, "server")
    people = {name: keygen(clients, name) for name in ("alice", "bob", "mallory")}
    for name in ("alice", "bob"):
        shutil.copy(os.path.join(clients, name + ".pub"), authorized)
    d = Daemon(workdir)
    d.write_config(extra='security: { curve = true; secret_key_file = "keys/server.key"; '
                         'authorized_keys_dir = "keys/authorized"; };')
    d.start()
    d.server_public = server_public
    d.people = people
    d.clients = clients
    d.authorized = authorized
    yield d
    d.stop()


def test_only_authorised_clients_receive(curve_daemon):
    d = curve_daemon
    alice = CurveClient(d.endpoint, d.server_public, d.people["alice"])
    mallory = CurveClient(d.endpoint, d.server_public, d.people["mallory"])
    plain = CurveClient(d.endpoint)
    wrong_server = CurveClient(d.endpoint, d.people["bob"][0], d.people["alice"])
    alice.collect(1.5)
    d.drop(SEED, "seed.txt")
    for client in (alice, mallory, plain, wrong_server):
        client.collect(2.0)
    assert "statement" in alice.types() and alice.types().count("recommendation") >= 7
    assert mallory.received == []
    assert plain.received == []
    assert wrong_server.received == []
    assert "unknown key" in d.log_text() or "refus" in d.log_text()
    beats = [m for m in alice.received if m[0] == b"heartbeat"]
    import json
    assert json.loads(beats[-1][1])["counters"]["refused"] >= 1


def test_recwatch_sub_with_keys(curve_daemon):
    d = curve_daemon
    sub = subprocess.Popen([RECWATCH, "sub", "-c", d.config, "--key",
                            os.path.join(d.clients, "alice.key"), "-t", "statement.",
                            "--count", "1", "--timeout", "20"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    d.drop(SEED, "seed.txt")
    out, err = sub.communicate(timeout=30)
    assert sub.returncode == 0, err
    assert '"type":"statement"' in out


def test_removed_key_gets_nothing_more(curve_daemon):
    d = curve_daemon
    alice = CurveClient(d.endpoint, d.server_public, d.people["alice"])
    bob = CurveClient(d.endpoint, d.server_public, d.people["bob"])
    alice.collect(1.5)
    bob.collect(0.5)
    assert "heartbeat" in bob.types()
    os.unlink(os.path.join(d.authorized, "bob.pub"))
    d.process.send_signal(signal.SIGHUP)
    deadline = time.time() + 5
    while time.time() < deadline and "configuration reloaded" not in d.log_text():
        time.sleep(0.05)
    alice.received.clear()
    bob.received.clear()
    alice.collect(1.5)  # alice reconnects by herself
    d.drop(SEED, "after-revoke.txt")
    alice.collect(2.5)
    bob.collect(2.5)
    assert "statement" in alice.types()
    assert bob.received == []


def test_secret_key_readable_by_others_is_refused(workdir):
    keys = os.path.join(workdir, "keys")
    os.makedirs(os.path.join(keys, "authorized"))
    keygen(keys, "server")
    os.chmod(os.path.join(keys, "server.key"), 0o644)
    d = Daemon(workdir)
    d.write_config(extra='security: { curve = true; };')
    d.start(wait=False)
    assert d.process.wait(10) == 1
    assert "chmod 600" in d.log_text()


def test_keygen_refuses_to_overwrite(workdir):
    keygen(workdir, "k")
    again = subprocess.run([RECWATCH, "keygen", "-d", workdir, "k"], capture_output=True, text=True)
    assert again.returncode == 1
    assert "k.key" in again.stderr


def test_recwatch_sub_with_an_unknown_key_says_so(curve_daemon):
    d = curve_daemon
    started = time.time()
    result = subprocess.run([RECWATCH, "sub", "-c", d.config, "--key",
                             os.path.join(d.clients, "mallory.key"), "--timeout", "20"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1, result.stderr
    assert "refused our CURVE key" in result.stderr
    assert result.stdout == ""
    assert time.time() - started < 15
