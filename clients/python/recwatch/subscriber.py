"""A subscriber to recwatchd's events that does not lose or repeat any.

What it does on top of a plain SUB socket:

* Clone pattern. It subscribes first, then (when `since` is given) asks the
  replay socket for every journalled event with seq >= since, yields them, and
  only then the live ones it queued meanwhile, dropping those the replay already
  gave: no gap, no duplicate.
* Gap filling. seq is per node and goes up by one. When a live event (or a
  heartbeat's last_seq) shows that events were skipped, it fetches them from the
  replay socket and yields the ones that match the topics, in order. With topic
  filters, skipped seqs are normal: the replay tells which of them we wanted.
* Duplicates. An event is yielded once per (node, seq), even when it arrives by
  two forwarders.
* Liveness. It always listens to heartbeats (yielding them only when asked to)
  and logs a warning on the "recwatch" logger when a node's heartbeats stop for
  three intervals, or when none arrive at all; ZeroMQ reconnects by itself.

Replay protocol (the daemon's ROUTER): send one frame "SINCE <n>"; receive
(topic, body) pairs, then topic "end" with {"type":"end","last_seq":M}."""

import collections
import json
import logging
import statistics
import time

import zmq

from . import events as _events
from .keys import keypair_from, server_key_from

log = logging.getLogger("recwatch")

DEFAULT_HEARTBEAT_S = 5.0   # publish.heartbeat_s's default in recwatchd
MISSED_HEARTBEATS = 3       # silence of this many intervals is reported
POLL_SLICE_S = 0.25         # how often a blocked recv() checks heartbeats


class ReplayError(RuntimeError):
    """The replay socket did not answer in time, or refused the request."""


def _as_list(value):
    if value is None:
        return []
    if isinstance(value, (str, bytes)):
        return [value]
    return list(value)


def _topic_matches(topic, prefixes):
    return not prefixes or any(topic.startswith(p) for p in prefixes)


class Subscriber:
    """Iterate over recwatch events.

        with Subscriber("tcp://127.0.0.1:5560", topics=["recommendation.KZ"]) as sub:
            for event in sub:
                print(event["text"])

    endpoint         one endpoint or a list (two forwarders: duplicates are dropped)
    topics           topic prefixes ("recommendation.", "statement.KZ", "error"); none: all
    replay_endpoint  the daemon's replay socket; needed for since and to fill gaps
                     (without it, the one a node advertises in its heartbeats is used)
    since            first seq wanted from the journal (needs a replay endpoint)
    server_key       server's CURVE public key: Z85 string or path of a NAME.pub file
    keypair          client keys: (public, secret) Z85 strings or path of a NAME.key
                     file; default a fresh pair when server_key is given
    typed            yield dataclasses (Statement, Recommendation, Error, Heartbeat)
    heartbeat_interval  seconds between heartbeats; default: learnt from them
    replay_timeout   seconds to wait for each replay message
    """

    def __init__(self, endpoint, topics=(), replay_endpoint=None, since=None,
                 server_key=None, keypair=None, *, typed=False, heartbeat_interval=None,
                 replay_timeout=5.0, context=None):
        self.endpoints = _as_list(endpoint)
        if not self.endpoints:
            raise ValueError("Subscriber needs at least one endpoint")
        self.topics = [t.decode() if isinstance(t, bytes) else t for t in _as_list(topics)]
        if "" in self.topics:
            self.topics = []
        self.replay_endpoint = replay_endpoint
        if since is not None and (not isinstance(since, int) or since < 0):
            raise ValueError("since must be an integer >= 0")
        if since is not None and not replay_endpoint:
            raise ValueError("since needs a replay_endpoint")
        self.since = since
        self.typed_events = typed
        self.heartbeat_interval = heartbeat_interval
        self.replay_timeout = replay_timeout
        self._curve = None
        if server_key is not None:
            public, secret = keypair_from(keypair)
            self._curve = (server_key_from(server_key), public, secret)

        self._own_context = context is None
        self._context = context or zmq.Context()
        self._socket = self._context.socket(zmq.SUB)
        self._configure(self._socket)
        self._socket.setsockopt(zmq.RECONNECT_IVL, 100)
        self._socket.setsockopt(zmq.RECONNECT_IVL_MAX, 5000)
        for prefix in self.topics or [""]:
            self._socket.setsockopt(zmq.SUBSCRIBE, prefix.encode())
        if self.topics and not _topic_matches("heartbeat", self.topics):
            # Heartbeats tell us that the node is alive and its last seq.
            self._socket.setsockopt(zmq.SUBSCRIBE, b"heartbeat")
        for address in self.endpoints:
            self._socket.connect(address)

        self._high = {}              # node -> highest seq accounted for
        self._pending = collections.deque()
        self._startup = since is not None
        self._floor = None           # last_seq of a replay that named no node
        self._advertised = {}        # node -> replay endpoint from its heartbeats
        self._beats = {}             # node -> monotonic time of its last heartbeat
        self._gaps_between = {}      # node -> recent intervals between heartbeats
        self._silent = set()
        self._recent = collections.deque(maxlen=256)  # keys of recent unsequenced events
        self._recent_keys = set()
        self._uptimes = {}           # node -> uptime_s of its last heartbeat
        self._started = time.monotonic()
        self._never_warned = True
        self.stats = collections.Counter()
        self.closed = False
        self.last_topic = None       # topic of the event recv() returned last

    # -- public API -----------------------------------------------------------

    def __iter__(self):
        while True:
            event = self.recv()
            if event is None:  # closed
                return
            yield event

    def typed(self):
        """Iterate over typed events (dataclasses) instead of dicts."""
        while True:
            event = self.recv()
            if event is None:
                return
            yield event if not isinstance(event, dict) else _events.from_dict(event)

    def recv(self, timeout=None):
        """The next event, or None when timeout (seconds) passes or after close()."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if self._startup:
            self._startup = False
            self._initial_replay()
        while not self.closed:
            if self._pending:
                return self._deliver(*self._pending.popleft())
            remaining = POLL_SLICE_S if deadline is None else min(
                POLL_SLICE_S, deadline - time.monotonic())
            if remaining <= 0:
                return None
            if self._socket.poll(int(remaining * 1000), zmq.POLLIN):
                frames = self._socket.recv_multipart()
                self._on_live(frames)
            self._check_heartbeats()
        return None

    @property
    def silent_nodes(self):
        """Nodes whose heartbeats stopped for 3 intervals (as of the last recv)."""
        return set(self._silent)

    def close(self):
        if self.closed:
            return
        self.closed = True
        self._socket.close(linger=0)
        if self._own_context:
            self._context.term()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- sockets --------------------------------------------------------------

    def _configure(self, socket):
        socket.setsockopt(zmq.LINGER, 0)
        if self._curve:
            server, public, secret = self._curve
            socket.setsockopt(zmq.CURVE_SERVERKEY, server.encode("ascii"))
            socket.setsockopt(zmq.CURVE_PUBLICKEY, public.encode("ascii"))
            socket.setsockopt(zmq.CURVE_SECRETKEY, secret.encode("ascii"))

    def _replay(self, endpoint, since):
        """Yield (topic, body) for every journalled event with seq >= since; then
        ("end", {"last_seq": M}). Raises ReplayError on silence or refusal."""
        socket = self._context.socket(zmq.DEALER)
        try:
            self._configure(socket)
            socket.setsockopt(zmq.RCVTIMEO, int(self.replay_timeout * 1000))
            socket.connect(endpoint)
            socket.send(f"SINCE {since}".encode("ascii"))
            while True:
                try:
                    frames = socket.recv_multipart()
                except zmq.Again:
                    raise ReplayError(f"{endpoint}: no answer to SINCE {since} in "
                                      f"{self.replay_timeout:g} s") from None
                topic, body = self._decode(frames)
                if body is None:
                    continue
                if topic == "end":
                    self.stats["replays"] += 1
                    yield topic, body
                    return
                if topic == "error" and "seq" not in body:
                    raise ReplayError(f"{endpoint}: refused SINCE {since}: "
                                      f"{body.get('reason', body)}")
                yield topic, body
        finally:
            socket.close(linger=0)

    @staticmethod
    def _decode(frames):
        if len(frames) != 2:
            log.warning("ignoring a message of %d frames (expected topic and body)", len(frames))
            return None, None
        try:
            topic = frames[0].decode("utf-8")
            body = json.loads(frames[1])
        except (UnicodeDecodeError, ValueError) as error:
            log.warning("ignoring a message that is not UTF-8 JSON: %s", error)
            return None, None
        if not isinstance(body, dict):
            log.warning("ignoring a message whose body is not a JSON object")
            return None, None
        return topic, body

    # -- sequencing -----------------------------------------------------------

    def _deliver(self, topic, body):
        self.stats["delivered"] += 1
        self.last_topic = topic
        return _events.from_dict(body) if self.typed_events else body

    def _wanted(self, topic, body):
        if body.get("type") == "heartbeat":
            return _topic_matches("heartbeat", self.topics)
        return _topic_matches(topic, self.topics)

    def _initial_replay(self):
        """Clone pattern, step 2: the live socket is subscribed and queueing;
        now stream the journal from since, then live events take over."""
        last_seq, node = 0, None
        for topic, body in self._replay(self.replay_endpoint, self.since):
            if topic == "end":
                last_seq = body.get("last_seq", 0)
                break
            node, seq = body.get("node"), body.get("seq")
            if not isinstance(seq, int):
                continue
            self._high[node] = max(self._high.get(node, 0), seq)
            self.stats["replayed"] += 1
            if self._wanted(topic, body):
                self._pending.append((topic, body))
        if node is not None:
            self._high[node] = max(self._high[node], last_seq)
        else:
            # Nothing at or after since: live events up to last_seq are older
            # than since, whatever node they come from first.
            self._floor = max(last_seq, self.since - 1)

    def _on_live(self, frames):
        topic, body = self._decode(frames)
        if body is None:
            return
        self.stats["received"] += 1
        node, seq = body.get("node"), body.get("seq")
        if body.get("type") == "heartbeat" or body.get("transient") or not isinstance(seq, int):
            self._on_unsequenced(topic, body)
            return
        high = self._high.get(node)
        if high is None:
            high = self._first_high(node, seq)
        if seq <= high:
            self.stats["duplicates"] += 1
            return
        if seq > high + 1:
            self._fill(node, high, seq, topic, body)
            return
        self._high[node] = seq
        if self._wanted(topic, body):
            self._pending.append((topic, body))

    def _on_unsequenced(self, topic, body):
        """Heartbeats and transient errors are not journalled: their seq is the
        node's last journalled one, so they are told apart by their content."""
        node = body.get("node")
        key = (node, body.get("type"), body.get("seq"), body.get("uptime_s"), body.get("time"),
               body.get("reason"))
        if key in self._recent_keys:
            self.stats["duplicates"] += 1
            return
        if len(self._recent) == self._recent.maxlen:
            self._recent_keys.discard(self._recent[0])
        self._recent.append(key)
        self._recent_keys.add(key)
        if self._wanted(topic, body):
            self._pending.append((topic, body))
        if body.get("type") != "heartbeat":
            return
        self._on_heartbeat(node, body)
        last_seq = body.get("last_seq")
        if not isinstance(last_seq, int):
            return
        high = self._high.get(node)
        if high is None:
            high = self._first_high(node, last_seq + 1)
        if last_seq > high:
            # Events were published that we did not get (dropped, or published
            # while we were away): fetch them now. They come before the heartbeat
            # only if we put them there; a heartbeat carries no event, so order
            # among them does not matter to the user.
            self._fill(node, high, None, None, None, upto=last_seq)

    def _first_high(self, node, seq):
        """The seq below which events of a node seen for the first time are old."""
        if self._floor is not None:
            floor, self._floor = self._floor, None
            if self.since is not None and seq <= floor:
                self._high[node] = floor
                return floor
            if self.since is not None and seq > floor + 1:
                self._high[node] = floor  # events between were missed: fill them
                return floor
        self._high[node] = seq - 1
        return seq - 1

    def _replay_endpoint_for(self, node):
        if self.replay_endpoint:
            return self.replay_endpoint
        advertised = self._advertised.get(node)
        if advertised and "*" not in advertised and "0.0.0.0" not in advertised:
            return advertised
        return None

    def _fill(self, node, high, seq, topic, body, upto=None):
        """Events high+1 .. seq-1 of node were not seen: fetch them from the
        replay socket, queue the wanted ones with the live event, in seq order."""
        endpoint = self._replay_endpoint_for(node)
        batch = {}
        replay_last = high
        if endpoint:
            try:
                for replay_topic, replay_body in self._replay(endpoint, high + 1):
                    if replay_topic == "end":
                        replay_last = max(replay_last, replay_body.get("last_seq", 0))
                        break
                    replay_seq = replay_body.get("seq")
                    if replay_body.get("node") != node or not isinstance(replay_seq, int):
                        continue
                    if replay_seq <= high:
                        continue
                    if self._wanted(replay_topic, replay_body):
                        batch[replay_seq] = (replay_topic, replay_body)
                    replay_last = max(replay_last, replay_seq)
                    self.stats["replayed"] += 1
            except ReplayError as error:
                log.warning("node %s: cannot fill the gap after seq %d: %s", node, high, error)
        if seq is not None:
            if self._wanted(topic, body):
                batch[seq] = (topic, body)
            replay_last = max(replay_last, seq)
        wanted_upto = seq - 1 if seq is not None else upto
        if replay_last < wanted_upto:
            missing = f"{replay_last + 1}..{wanted_upto}"
            if not self.topics:
                log.warning("node %s: lost events %s%s", node, missing,
                            "" if endpoint else " (no replay endpoint to fetch them from)")
            self.stats["lost"] += wanted_upto - replay_last
            replay_last = wanted_upto if seq is None else max(replay_last, seq)
        self.stats["gaps"] += 1
        for key in sorted(batch):
            self._pending.append(batch[key])
        self._high[node] = max(self._high.get(node, 0), replay_last)

    # -- liveness -------------------------------------------------------------

    def _on_heartbeat(self, node, body):
        now = time.monotonic()
        previous = self._beats.get(node)
        if previous is not None:
            intervals = self._gaps_between.setdefault(node, collections.deque(maxlen=5))
            intervals.append(now - previous)
        self._beats[node] = now
        if node in self._silent:
            self._silent.discard(node)
            log.info("node %s: heartbeats resumed after %.1f s", node, now - previous)
        replay = body.get("replay")
        if isinstance(replay, str) and replay:
            self._advertised[node] = replay
        # A node that restarted (its uptime went down) with a last seq below the
        # one we have passed lost its journal: follow its new sequence rather than
        # drop everything it sends as duplicates.
        last_seq, uptime = body.get("last_seq"), body.get("uptime_s")
        high = self._high.get(node)
        previous_uptime = self._uptimes.get(node)
        if isinstance(uptime, (int, float)):
            self._uptimes[node] = uptime
        if isinstance(last_seq, int) and high is not None and last_seq < high \
                and previous_uptime is not None and isinstance(uptime, (int, float)) \
                and uptime < previous_uptime:
            log.warning("node %s: restarted and its seq went back from %d to %d "
                        "(journal reset?); following the new sequence", node, high, last_seq)
            self._high[node] = last_seq

    def _interval(self, node):
        if self.heartbeat_interval:
            return self.heartbeat_interval
        intervals = self._gaps_between.get(node)
        if intervals:
            return statistics.median(intervals)
        return DEFAULT_HEARTBEAT_S

    def _check_heartbeats(self):
        now = time.monotonic()
        if not self._beats:
            limit = MISSED_HEARTBEATS * (self.heartbeat_interval or DEFAULT_HEARTBEAT_S)
            if self._never_warned and now - self._started > limit:
                self._never_warned = False
                log.warning("no heartbeat from %s in %.0f s: is recwatchd running there "
                            "(and are the endpoint and CURVE keys right)?",
                            ", ".join(self.endpoints), now - self._started)
            return
        for node, last in self._beats.items():
            silence = now - last
            if node not in self._silent and silence > MISSED_HEARTBEATS * self._interval(node):
                self._silent.add(node)
                log.warning("node %s: no heartbeat for %.1f s (%d intervals); "
                            "still waiting, ZeroMQ reconnects by itself",
                            node, silence, MISSED_HEARTBEATS)
