"""Many ingest nodes through forwarders (`recwatch proxy`), end to end, with real
processes: three recwatchd, each with its own spool, state and node name, publish
through one forwarder (or two, for availability) to a Python (pyzmq) subscriber and
to the C subscriber (`recwatch sub`). Every event must arrive exactly once with
per-node seq contiguous, also when one daemon is SIGKILLed and restarted mid-run:
its gap is filled by replay from the replay endpoint its heartbeats announce.

Where the machine allows it (root and `ip netns`), the daemons run as separate hosts:
one network namespace each, joined by veth pairs to a bridge in a "hub" namespace
(10.213.77.0/24, addresses only inside the test's namespaces), where the forwarders
and the subscribers run. Otherwise everything runs on loopback, and the test says so.

Run as a script (`test_proxy.py collect ...`) this file is the Python subscriber, so
that it can be started inside the hub namespace."""
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings

import pytest

from conftest import BUILD, CORPUS, LEXICONS, free_port

STATEMENTS = 300          # per daemon
SUBNET = "10.213.77"      # inside the test's own namespaces only
HUB_ADDRESS = SUBNET + ".1"
FRONTEND_PORT, BACKEND_PORT, CONTROL_PORT = 5570, 5571, 5572
SOURCES = sorted(os.path.join(CORPUS, name) for name in os.listdir(CORPUS)
                 if name.endswith(".txt") and os.path.getsize(os.path.join(CORPUS, name)) < 16000)


# --------------------------------------------------------------------------------------
# The network: namespaces when possible, loopback otherwise

class Network:
    """Where each process runs and which addresses it uses."""

    def __init__(self):
        self.namespaces = []
        self.tag = f"rwp{os.getpid() % 100000}"
        if os.environ.get("RECWATCH_E2E_LOOPBACK"):
            self.reason = "RECWATCH_E2E_LOOPBACK is set"
            self.isolated = False
        else:
            self.isolated = self._make_namespaces()

    def _run(self, *args):
        subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)

    def _make_namespaces(self):
        if os.geteuid() != 0 or not shutil.which("ip"):
            self.reason = "not root or no iproute2"
            return False
        hub = self.tag + "-hub"
        try:
            self._run("netns", "add", hub)
            self.namespaces.append(hub)
            self._run("-n", hub, "link", "set", "lo", "up")
            self._run("-n", hub, "link", "add", "br0", "type", "bridge")
            self._run("-n", hub, "addr", "add", HUB_ADDRESS + "/24", "dev", "br0")
            self._run("-n", hub, "link", "set", "br0", "up")
            for i in range(1, 4):
                node = f"{self.tag}-n{i}"
                self._run("netns", "add", node)
                self.namespaces.append(node)
                self._run("-n", hub, "link", "add", f"v{i}", "type", "veth",
                          "peer", "name", "eth0", "netns", node)
                self._run("-n", hub, "link", "set", f"v{i}", "master", "br0", "up")
                self._run("-n", node, "link", "set", "lo", "up")
                self._run("-n", node, "addr", "add", f"{SUBNET}.{10 + i}/24", "dev", "eth0")
                self._run("-n", node, "link", "set", "eth0", "up")
            return True
        except (subprocess.SubprocessError, OSError) as error:
            detail = getattr(error, "stderr", b"") or b""
            self.reason = f"ip netns failed: {error} {detail.decode(errors='replace').strip()}"
            self.destroy()
            return False

    def wrap(self, where, command):
        """command run in namespace where ("hub", "n1".. "n3")."""
        if not self.isolated:
            return command
        return ["ip", "netns", "exec", f"{self.tag}-{where}", *command]

    def hub_endpoint(self, port):
        return f"tcp://{HUB_ADDRESS if self.isolated else '127.0.0.1'}:{port}"

    def node_address(self, index):
        return f"{SUBNET}.{10 + index}" if self.isolated else "127.0.0.1"

    def port(self, fixed):
        return fixed if self.isolated else free_port()

    @property
    def cut_method(self):
        return "link down" if self.isolated else "restarted with an unreachable forwarder"

    def link(self, index, state):
        self._run("-n", f"{self.tag}-n{index}", "link", "set", "eth0", state)

    def destroy(self):
        for name in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=10)
        self.namespaces = []


# --------------------------------------------------------------------------------------
# Processes

class Process:
    """A child process logging to a file."""

    def __init__(self, command, log_path):
        self.command = command
        self.log_path = log_path
        self.process = None

    def start(self, started_text, timeout=15):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.command} exited {self.process.returncode}:\n"
                                     + self.log_text())
            if started_text in self.log_text():
                return self
            time.sleep(0.02)
        raise AssertionError(f"{self.command} did not start:\n" + self.log_text())

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, timeout=10):
        """SIGTERM, then the exit status (killed and failed when it hangs)."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError(f"{self.command} did not stop within {timeout}s")
        return self.process.returncode if self.process else None

    def kill(self):
        self.process.kill()
        self.process.wait()


class Node(Process):
    """One recwatchd, an ingest node: its own folders, name, and replay endpoint."""

    def __init__(self, network, root, index, forwarders):
        self.index = index
        self.name = f"ingest-{index}"
        self.root = root
        for folder in ("incoming", "done", "failed", "state"):
            os.makedirs(os.path.join(root, folder), exist_ok=True)
        address = network.node_address(index)
        self.replay = f"tcp://{address}:{network.port(5561)}"
        self.forwarders = forwarders
        self.config = os.path.join(root, "recwatch.conf")
        self.write_config(forwarders)
        super().__init__(network.wrap(f"n{index}", [os.path.join(BUILD, "recwatchd"), "-f",
                                                     "-c", self.config]),
                         os.path.join(root, "daemon.log"))

    def write_config(self, forwarders):
        connect = ", ".join(f'"{f}"' for f in forwarders)
        with open(self.config, "w") as f:
            f.write(f"""node = "{self.name}";
spool: {{ incoming = "incoming"; done = "done"; failed = "failed"; }};
state: {{ dir = "state"; }};
publish: {{ endpoints = [ ]; connect = [ {connect} ]; heartbeat_s = 1; }};
replay: {{ endpoint = "{self.replay}"; }};
extract: {{ lexicons = "{LEXICONS}"; }};
security: {{ allow_plain_remote = true; }};
log: {{ level = "info"; }};
""")

    def isolate(self, network):
        """Cut this (stopped) node off from the forwarders before it starts again: its
        link goes down (namespaces), or its config points to a closed port (loopback)."""
        if network.isolated:
            network.link(self.index, "down")
        else:
            self.write_config([f"tcp://127.0.0.1:{free_port()}"])

    def rejoin(self, network):
        """Reconnect it; on loopback, restart it with the real configuration."""
        if network.isolated:
            network.link(self.index, "up")
        else:
            assert self.stop() == 0
            self.write_config(self.forwarders)
            self.start()

    def start(self):
        return super().start("recwatchd started")

    def drop_statements(self, numbers):
        """Statements numbered numbers, each a corpus text made unique by a last line."""
        for i in numbers:
            source = SOURCES[(i + self.index) % len(SOURCES)]
            with open(source, "rb") as f:
                data = f.read()
            data += f"\n\nrecwatch e2e {self.name} statement {i}\n".encode()
            name = f"s{i:04d}.txt"
            temporary = os.path.join(self.root, "." + name)
            with open(temporary, "wb") as f:
                f.write(data)
            os.rename(temporary, os.path.join(self.root, "incoming", name))

    def done_count(self):
        return len(os.listdir(os.path.join(self.root, "done")))

    def journal(self):
        """{seq: (topic, event)} from the journal files."""
        events = {}
        state = os.path.join(self.root, "state")
        for name in sorted(os.listdir(state)):
            if name.startswith("journal-") and name.endswith(".jsonl"):
                with open(os.path.join(state, name)) as f:
                    for line in f:
                        if line.strip():
                            entry = json.loads(line)
                            events[entry["seq"]] = (entry["topic"], entry["event"])
        return events


def start_forwarder(network, root, number):
    config = os.path.join(root, f"proxy{number}.conf")
    with open(config, "w") as f:
        f.write('security: { allow_plain_remote = true; };\nlog: { level = "info"; };\n')
    frontend = network.hub_endpoint(network.port(FRONTEND_PORT + 10 * number))
    backend = network.hub_endpoint(network.port(BACKEND_PORT + 10 * number))
    control = network.hub_endpoint(network.port(CONTROL_PORT + 10 * number))
    process = Process(network.wrap("hub", [os.path.join(BUILD, "recwatch"), "proxy", "-c", config,
                                           "--frontend", frontend, "--backend", backend,
                                           "--control", control]),
                      os.path.join(root, f"proxy{number}.log"))
    process.start("recwatch proxy started")
    process.frontend, process.backend, process.control = frontend, backend, control
    return process


def read_lines(path):
    with open(path, "rb") as f:
        data = f.read().decode("utf-8", "replace")
    return [json.loads(line) for line in data.split("\n")[:-1] if line.strip()]


def proxy_statistics(log_text):
    match = re.search(r"proxy statistics \(at exit\): events in (\d+) \(\d+ bytes\), "
                      r"events out (\d+)", log_text)
    assert match, log_text[-2000:]
    return int(match.group(1)), int(match.group(2))


# --------------------------------------------------------------------------------------
# The Python subscriber (run as a script, possibly inside the hub namespace)

def collect(backends, nodes, results_path):
    """Subscribe to every backend; record every live event; announce readiness once
    every node's heartbeat came through; when told the last seq of each node (a line
    of JSON on stdin), wait for the missing ones a little, then replay what is still
    missing from each node's replay endpoint (learnt from its heartbeats), and write
    {"live": [[node, seq, topic, event]...], "replayed": [...]} to results_path."""
    import select
    import zmq
    context = zmq.Context()
    sub = context.socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.setsockopt(zmq.RCVHWM, 0)
    for backend in backends:
        sub.connect(backend)
    live, heartbeat_nodes, replay_endpoints = [], set(), {}
    have = {}
    expected = None
    ready = False
    settle_until = None
    poller = zmq.Poller()
    poller.register(sub, zmq.POLLIN)
    poller.register(sys.stdin.fileno(), zmq.POLLIN)
    while True:
        for socket, _ in poller.poll(100):
            if socket == sub:
                topic, body = sub.recv_multipart()
                event = json.loads(body)
                if event["type"] == "heartbeat":
                    heartbeat_nodes.add(event["node"])
                    if event.get("replay"):
                        replay_endpoints[event["node"]] = event["replay"]
                    continue
                live.append([event["node"], event["seq"], topic.decode(), event])
                have.setdefault(event["node"], set()).add(event["seq"])
            else:
                expected = json.loads(sys.stdin.readline())
                settle_until = time.time() + 4
        if not ready and heartbeat_nodes >= set(nodes):
            print("READY", flush=True)
            ready = True
        if expected is not None:
            complete = all(have.get(node, set()) >= set(range(1, last + 1))
                           for node, last in expected.items())
            if complete or time.time() > settle_until:
                break
    sub.close()
    replayed = []
    for node, last in expected.items():
        missing = set(range(1, last + 1)) - have.get(node, set())
        if not missing:
            continue
        dealer = context.socket(zmq.DEALER)
        dealer.setsockopt(zmq.LINGER, 0)
        dealer.connect(replay_endpoints[node])
        dealer.send(f"SINCE {min(missing)}".encode())
        while dealer.poll(5000):
            topic, body = dealer.recv_multipart()
            event = json.loads(body)
            if topic == b"end" or topic == b"error":
                break
            if event["seq"] in missing:
                replayed.append([node, event["seq"], topic.decode(), event])
        dealer.close()
    with open(results_path, "w") as f:
        json.dump({"live": live, "replayed": replayed,
                   "replay_endpoints": replay_endpoints}, f)
    context.term()


# --------------------------------------------------------------------------------------
# The test

@pytest.fixture
def network():
    net = Network()
    if not net.isolated:
        warnings.warn(f"network namespaces unavailable ({net.reason}): running on loopback")
        print(f"\nNOTE: network namespaces unavailable ({net.reason}): running on loopback")
    yield net
    net.destroy()


@pytest.fixture
def workdir():
    path = tempfile.mkdtemp(prefix="recwatch-proxy-e2e-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def wait_until(predicate, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def c_sub_events(path):
    return [e for e in read_lines(path) if e.get("type") != "heartbeat"]


@pytest.mark.parametrize("forwarder_count", [1, 2], ids=["one-forwarder", "two-forwarders"])
def test_three_nodes_through_forwarders(network, workdir, forwarder_count):
    started = time.time()
    where = "separate network namespaces" if network.isolated else "loopback"
    print(f"\n{forwarder_count} forwarder(s), 3 ingest nodes on {where}")
    processes = []
    try:
        forwarders = [start_forwarder(network, workdir, n) for n in range(forwarder_count)]
        processes += forwarders
        nodes = [Node(network, os.path.join(workdir, f"node{i}"), i,
                      [f.frontend for f in forwarders]) for i in (1, 2, 3)]
        for node in nodes:
            node.start()
            processes.append(node)
        names = [n.name for n in nodes]

        # the C subscriber, and the Python one (this file as a script)
        sub_config = os.path.join(workdir, "sub.conf")
        with open(sub_config, "w") as f:
            f.write('replay: { endpoint = ""; };\n')   # per node, from heartbeats
        c_output = os.path.join(workdir, "c-sub.jsonl")
        c_command = [os.path.join(BUILD, "recwatch"), "sub", "-c", sub_config]
        for forwarder in forwarders:
            c_command += ["-e", forwarder.backend]
        with open(c_output, "wb") as out, open(os.path.join(workdir, "c-sub.log"), "wb") as err:
            c_sub = subprocess.Popen(network.wrap("hub", c_command), stdout=out, stderr=err)
        results_path = os.path.join(workdir, "python-sub.json")
        python_sub = subprocess.Popen(
            network.wrap("hub", [sys.executable, os.path.abspath(__file__), "collect",
                                 json.dumps([f.backend for f in forwarders]),
                                 json.dumps(names), results_path]),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        # both subscribed through every forwarder before the first statement
        assert python_sub.stdout.readline().strip() == "READY"
        wait_until(lambda: {e["node"] for e in read_lines(c_output)
                            if e.get("type") == "heartbeat"} >= set(names), 15,
                   "the C subscriber to hear every node")

        nodes[0].drop_statements(range(STATEMENTS))
        stopped = None
        if forwarder_count == 2:
            # availability: one forwarder goes away; node 3's events still all arrive,
            # through the other, with no replay needed
            wait_until(lambda: nodes[0].done_count() == STATEMENTS, 60, "node 1's files")
            stopped = forwarders[0]
            assert stopped.stop() == 0
            stopped_statistics = proxy_statistics(stopped.log_text())
        nodes[2].drop_statements(range(STATEMENTS))
        # node 2 gets two thirds of its files and is killed while working on them
        victim = nodes[1]
        dropped = 2 * STATEMENTS // 3
        victim.drop_statements(range(dropped))
        deadline = time.time() + 60
        while victim.done_count() < STATEMENTS // 5:
            assert time.time() < deadline, "node 2 processed nothing"
            time.sleep(0.005)
        victim.kill()
        killed_at = victim.done_count()
        # it comes back cut off from the forwarders, so that the events it publishes
        # then are lost on the way: a gap its subscribers can only fill by replay
        victim.isolate(network)
        victim.start()
        victim.drop_statements(range(dropped, STATEMENTS))
        wait_until(lambda: victim.done_count() == STATEMENTS, 60, "node 2's files")
        victim.rejoin(network)
        print(f"{victim.name} killed (SIGKILL) after {killed_at} of {dropped} statements dropped, "
              f"restarted cut off from the forwarders ({network.cut_method}), reconnected")

        wait_until(lambda: all(n.done_count() == STATEMENTS for n in nodes), 90,
                   "every statement to be processed")
        journals = {n.name: n.journal() for n in nodes}
        last = {name: max(events) for name, events in journals.items()}
        for name, events in journals.items():
            assert sorted(events) == list(range(1, last[name] + 1)), name
            assert sum(1 for t, e in events.values() if e["type"] == "statement") == STATEMENTS

        # the C subscriber: every seq of every node, in order, exactly once
        def c_complete():
            per_node = {}
            for e in c_sub_events(c_output):
                per_node.setdefault(e["node"], []).append(e["seq"])
            return all(len(per_node.get(n, [])) >= last[n] for n in names)
        wait_until(c_complete, 30, "the C subscriber to have every event")
        time.sleep(0.5)   # anything extra (a duplicate) would show now
        c_sub.send_signal(signal.SIGTERM)
        assert c_sub.wait(10) == 0
        per_node = {}
        for e in c_sub_events(c_output):
            per_node.setdefault(e["node"], []).append(e)
        for name in names:
            seqs = [e["seq"] for e in per_node[name]]
            assert seqs == list(range(1, last[name] + 1)), \
                f"{name}: C subscriber seqs not contiguous/once: first differences " \
                f"{[(i + 1, s) for i, s in enumerate(seqs) if s != i + 1][:5]}"
            for e in per_node[name]:
                assert e == journals[name][e["seq"]][1]   # the journalled event, byte for byte

        # the Python subscriber: live events, then the gaps replayed
        python_sub.stdin.write(json.dumps(last) + "\n")
        python_sub.stdin.flush()
        assert python_sub.wait(30) == 0
        with open(results_path) as f:
            results = json.load(f)
        live_copies = {}
        for node, seq, topic, event in results["live"]:
            live_copies[(node, seq)] = live_copies.get((node, seq), 0) + 1
            assert (topic, event) == tuple(journals[node][seq])
        # each forwarder delivers an event at most once
        assert max(live_copies.values()) <= forwarder_count
        if forwarder_count == 2:
            # node 1 went through both forwarders, node 3 only through the one left
            first = [c for (node, _), c in live_copies.items() if node == names[0]]
            third = [c for (node, _), c in live_copies.items() if node == names[2]]
            assert len(first) == last[names[0]] and set(first) == {2}
            assert len(third) == last[names[2]] and set(third) == {1}
        replayed = {(node, seq) for node, seq, _, _ in results["replayed"]}
        for node, seq, topic, event in results["replayed"]:
            assert (topic, event) == tuple(journals[node][seq])
        for name in names:
            have = {seq for (node, seq) in live_copies if node == name} | \
                   {seq for (node, seq) in replayed if node == name}
            assert have == set(range(1, last[name] + 1)), name
        assert {n: results["replay_endpoints"][n] for n in names} == \
            {n.name: n.replay for n in nodes}
        # only the killed node needed replay, and it did: the gap was real
        assert all(node == victim.name for node, _ in replayed), sorted(replayed)[:5]
        assert len(replayed) > 0

        for node in nodes:
            assert node.stop() == 0
        statistics = []
        for forwarder in forwarders:
            if forwarder is not stopped:
                assert forwarder.stop() == 0
                statistics.append(proxy_statistics(forwarder.log_text()))
        total = sum(last.values())
        for events_in, events_out in statistics:   # the forwarder(s) up all along
            assert events_in >= total - len(replayed)
            assert events_out == events_in   # everything that came in went out
        if stopped:
            # the one stopped early saw node 1's events only, then nothing
            assert last[names[0]] <= stopped_statistics[0] < total - last[names[2]]
            statistics.append(stopped_statistics)
        print(f"events per node {last}; Python subscriber: {len(live_copies)} distinct live, "
              f"{len(replayed)} replayed; forwarder statistics (in, out) {statistics}; "
              f"{time.time() - started:.1f} s")
    finally:
        for process in processes:
            if process.process and process.process.poll() is None:
                process.kill()
        for name in ("c_sub", "python_sub"):
            child = locals().get(name)
            if child and child.poll() is None:
                child.kill()
                child.wait()


# --------------------------------------------------------------------------------------
# CURVE on both sides of the forwarder, and the forwarder as a command

def keygen(folder, name):
    subprocess.run([os.path.join(BUILD, "recwatch"), "keygen", "-d", folder, name], check=True,
                   capture_output=True)
    keys = {}
    with open(os.path.join(folder, name + ".key")) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                key, value = line.split("=", 1)
                keys[key.strip()] = value.strip()
    return keys["public-key"], keys["secret-key"]


def curve_subscriber(context, endpoint, server_public, pair):
    import zmq
    socket = context.socket(zmq.SUB)
    socket.setsockopt(zmq.LINGER, 0)
    socket.curve_serverkey = server_public.encode()
    socket.curve_publickey = pair[0].encode()
    socket.curve_secretkey = pair[1].encode()
    socket.setsockopt(zmq.SUBSCRIBE, b"")
    socket.connect(endpoint)
    return socket


def test_curve_daemon_to_forwarder_to_subscriber(workdir):
    """The daemon is a CURVE client of the forwarder (publish.forwarder_key), the
    forwarder a CURVE server on both sides with one allow-list: an authorized reader
    gets the events, a stranger gets nothing."""
    import zmq
    keys = os.path.join(workdir, "keys")
    authorized = os.path.join(workdir, "authorized")
    os.makedirs(keys)
    os.makedirs(authorized)
    proxy_pair = keygen(keys, "proxy")
    keygen(keys, "node")
    reader = keygen(keys, "reader")
    stranger = keygen(keys, "stranger")
    for name in ("node", "reader"):
        shutil.copyfile(os.path.join(keys, name + ".pub"), os.path.join(authorized, name + ".pub"))
    frontend, backend = f"tcp://127.0.0.1:{free_port()}", f"tcp://127.0.0.1:{free_port()}"
    proxy_config = os.path.join(workdir, "proxy.conf")
    with open(proxy_config, "w") as f:
        f.write(f"""security: {{ curve = true; secret_key_file = "keys/proxy.key";
            authorized_keys_dir = "authorized"; }};
log: {{ level = "info"; }};
""")
    proxy = Process([os.path.join(BUILD, "recwatch"), "proxy", "-c", proxy_config,
                     "--frontend", frontend, "--backend", backend],
                    os.path.join(workdir, "proxy.log"))
    node_root = os.path.join(workdir, "node")
    for folder in ("incoming", "done", "failed", "state", "authorized"):
        os.makedirs(os.path.join(node_root, folder))
    node_config = os.path.join(node_root, "recwatch.conf")
    with open(node_config, "w") as f:
        f.write(f"""node = "curve-node";
spool: {{ incoming = "incoming"; done = "done"; failed = "failed"; }};
state: {{ dir = "state"; }};
publish: {{ endpoints = [ ]; connect = [ "{frontend}" ]; heartbeat_s = 1;
            forwarder_key = "../keys/proxy.pub"; }};
replay: {{ endpoint = "tcp://127.0.0.1:{free_port()}"; }};
extract: {{ lexicons = "{LEXICONS}"; }};
security: {{ curve = true; secret_key_file = "../keys/node.key"; authorized_keys_dir = "authorized"; }};
log: {{ level = "info"; }};
""")
    daemon = Process([os.path.join(BUILD, "recwatchd"), "-f", "-c", node_config],
                     os.path.join(node_root, "daemon.log"))
    context = zmq.Context()
    try:
        proxy.start("recwatch proxy started")
        daemon.start("recwatchd started")
        good = curve_subscriber(context, backend, proxy_pair[0], reader)
        bad = curve_subscriber(context, backend, proxy_pair[0], stranger)
        assert good.poll(15000), "no heartbeat through the CURVE forwarder:\n" + daemon.log_text()
        shutil.copyfile(os.path.join(CORPUS, "seed-pillay-kazakhstan-2012.txt"),
                        os.path.join(node_root, "incoming", "kz.txt"))
        received = []
        deadline = time.time() + 15
        while time.time() < deadline and sum(e["type"] == "recommendation" for e in received) < 7:
            if good.poll(200):
                topic, body = good.recv_multipart()
                received.append(json.loads(body))
        statements = [e for e in received if e["type"] == "statement"]
        assert len(statements) == 1 and statements[0]["node"] == "curve-node"
        assert sum(e["type"] == "recommendation" for e in received) == 7
        assert not bad.poll(500), "a key not in the allow-list got events"
        assert "refused CURVE client" in proxy.log_text()
        good.close()
        bad.close()
        assert daemon.stop() == 0
        assert proxy.stop() == 0
    finally:
        for process in (daemon, proxy):
            if process.process and process.process.poll() is None:
                process.kill()
        context.destroy(linger=0)


def test_check_config_wants_forwarder_key_with_curve(workdir):
    config = os.path.join(workdir, "recwatch.conf")
    with open(config, "w") as f:
        f.write('publish: { connect = [ "tcp://127.0.0.1:5570" ]; };\n'
                'security: { curve = true; };\n')
    result = subprocess.run([os.path.join(BUILD, "recwatch"), "check-config", "-c", config],
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "publish.forwarder_key" in result.stderr + result.stdout


def test_proxy_command_signals_control_and_refusals(workdir):
    """SIGUSR1 logs statistics, the control endpoint refuses unknown commands and
    answers STATISTICS, SIGTERM stops it promptly with status 0; a plain endpoint
    other machines could reach is refused without allow_plain_remote."""
    import zmq
    config = os.path.join(workdir, "proxy.conf")
    with open(config, "w") as f:
        f.write('log: { level = "info"; };\n')
    refused = subprocess.run([os.path.join(BUILD, "recwatch"), "proxy", "-c", config,
                              "--frontend", "tcp://0.0.0.0:0", "--backend", "tcp://127.0.0.1:0"],
                             capture_output=True, text=True, timeout=10)
    assert refused.returncode == 1 and "allow_plain_remote" in refused.stderr
    bad_usage = subprocess.run([os.path.join(BUILD, "recwatch"), "proxy", "--hwm", "x"],
                               capture_output=True, text=True, timeout=10)
    assert bad_usage.returncode == 2

    control = f"tcp://127.0.0.1:{free_port()}"
    frontend, backend = f"tcp://127.0.0.1:{free_port()}", f"tcp://127.0.0.1:{free_port()}"
    proxy = Process([os.path.join(BUILD, "recwatch"), "proxy", "-c", config, "--frontend",
                     frontend, "--backend", backend, "--control", control],
                    os.path.join(workdir, "proxy.log"))
    context = zmq.Context()
    try:
        proxy.start("recwatch proxy started")
        publisher = context.socket(zmq.PUB)
        publisher.setsockopt(zmq.LINGER, 0)
        publisher.connect(frontend)
        sub = context.socket(zmq.SUB)
        sub.setsockopt(zmq.LINGER, 0)
        sub.setsockopt(zmq.SUBSCRIBE, b"")
        sub.connect(backend)
        for _ in range(100):
            publisher.send_multipart([b"heartbeat", b"{}"])
            if sub.poll(50):
                break
        assert sub.recv_multipart() == [b"heartbeat", b"{}"]
        request = context.socket(zmq.REQ)
        request.setsockopt(zmq.LINGER, 0)
        request.setsockopt(zmq.RCVTIMEO, 5000)
        request.connect(control)
        request.send(b"HELLO")
        assert request.recv() == b"ERROR unknown command"
        request.send(b"STATISTICS")
        frames = request.recv_multipart()
        assert len(frames) == 8 and all(len(frame) == 8 for frame in frames)
        assert int.from_bytes(frames[0], sys.byteorder) >= 1   # messages in at the frontend
        proxy.process.send_signal(signal.SIGUSR1)
        wait_until(lambda: "proxy statistics (SIGUSR1)" in proxy.log_text(), 5, "SIGUSR1 statistics")
        for socket in (publisher, sub, request):
            socket.close()
        started = time.time()
        assert proxy.stop(timeout=5) == 0
        assert time.time() - started < 2
        events_in, events_out = proxy_statistics(proxy.log_text())
        assert events_in >= 1 and events_out == events_in
    finally:
        if proxy.process and proxy.process.poll() is None:
            proxy.kill()
        context.destroy(linger=0)


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "collect":
    collect(json.loads(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4])
