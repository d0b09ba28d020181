#!/usr/bin/python3
"""collector — the benchmarks' subscriber: a plain pyzmq SUB socket that notes, per file,
the moment (time.monotonic, i.e. CLOCK_MONOTONIC, comparable across processes) when
the statement's last event arrived: the statement event itself when it has no
recommendations, else its last recommendation event.

Run as a separate process so that the process making files never competes with it
for Python's interpreter lock:

    collector.py ENDPOINT EXPECTED OUT.json [TIMEOUT_S]

It prints "ready" once the first heartbeat has arrived (the subscription is then in
place), and writes {"complete": {file: t}, "messages": n, ...} to OUT.json when
EXPECTED statements are complete or TIMEOUT_S have passed without a message.
"""
import json
import sys
import time

import zmq

STATEMENT_KEY = b'"statement":"'


class Collector:
    def __init__(self, endpoint, topics=(b"statement", b"recommendation", b"heartbeat")):
        self.context = zmq.Context.instance()
        self.socket = self.context.socket(zmq.SUB)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.setsockopt(zmq.RCVHWM, 0)
        for topic in topics:
            self.socket.setsockopt(zmq.SUBSCRIBE, topic)
        self.socket.connect(endpoint)
        self.pending = {}      # statement id -> [file, recommendations still to come]
        self.complete = {}     # file -> monotonic time of its last event
        self.messages = 0
        self.heartbeats = 0
        self.last_heartbeat = None

    def wait_connected(self, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.heartbeats == 0:
            self.poll(100)
        return self.heartbeats > 0

    def poll(self, timeout_ms):
        """Receive what is there (waiting up to timeout_ms for the first message)."""
        if not self.socket.poll(timeout_ms):
            return 0
        received = 0
        while True:
            try:
                topic, body = self.socket.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return received
            now = time.monotonic()
            received += 1
            self.messages += 1
            self.handle(topic, body, now)

    def handle(self, topic, body, now):
        if topic.startswith(b"recommendation"):
            at = body.find(STATEMENT_KEY)
            if at >= 0:
                start = at + len(STATEMENT_KEY)
                statement_id = body[start:body.index(b'"', start)].decode()
            else:
                statement_id = json.loads(body).get("statement")
            entry = self.pending.get(statement_id)
            if entry:
                entry[1] -= 1
                if entry[1] <= 0:
                    self.complete[entry[0]] = now
                    del self.pending[statement_id]
        elif topic.startswith(b"statement"):
            event = json.loads(body)
            if event.get("recommendations", 0) > 0:
                self.pending[event["id"]] = [event["file"], event["recommendations"]]
            else:
                self.complete[event["file"]] = now
        elif topic == b"heartbeat":
            self.heartbeats += 1
            self.last_heartbeat = json.loads(body)

    def close(self):
        self.socket.close()


def main():
    endpoint, expected, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 60.0
    collector = Collector(endpoint)
    if not collector.wait_connected():
        print("no heartbeat", flush=True)
        return 1
    print("ready", flush=True)
    last_message = time.monotonic()
    while len(collector.complete) < expected:
        before = collector.messages - collector.heartbeats
        collector.poll(200)
        if collector.messages - collector.heartbeats > before:
            last_message = time.monotonic()
        elif time.monotonic() - last_message > timeout:
            break
    with open(out, "w") as f:
        json.dump({"complete": collector.complete, "messages": collector.messages,
                   "incomplete": len(collector.pending)}, f)
    collector.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
