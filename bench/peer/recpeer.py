#!/usr/bin/python3
"""recpeer — the "afternoon" alternative to recwatchd that the benchmarks compare with.

What a user would write in an afternoon with Debian's Python: pyinotify watches a
folder, each new file is read, split into sentences with a regular expression, the
sentences with "recommend|urge|should|must|call on" are published as JSON on a ZeroMQ
PUB socket (same two-frame messages and topics as recwatchd: statement.XX then
recommendation.XX, plus a heartbeat every second), and the file is moved to done/.

It does less than recwatchd — no journal, no fsync, no HTML, no encodings other than
UTF-8, no fields beyond the sentence — so the speed ratios recwatch/peer are on the
generous side for the peer.

usage: recpeer.py --incoming DIR --done DIR --endpoint tcp://127.0.0.1:PORT
"""
import argparse
import hashlib
import json
import os
import re
import sys
import time

CUES = re.compile(r"\b(recommend\w*|urg(?:e|es|ed|ing)|should|must|call(?:s|ed|ing)? (?:on|upon))\b",
                  re.IGNORECASE)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'“(]?[A-Z0-9ÀÉÈÎÔÚÑ])|\n\s*\n")
SKIP_SUFFIXES = (".tmp", ".part", "~")


def extract(name, data, node="peer"):
    """One statement's bytes → (statement event, [recommendation events])."""
    text = data.decode("utf-8", errors="replace")
    statement_id = "sha256:" + hashlib.sha256(data).hexdigest()
    recommendations = []
    position = 0
    for piece in SENTENCE_END.split(text):
        if piece is None:
            continue
        start = text.find(piece, position)
        position = start + len(piece) if start >= 0 else position
        sentence = " ".join(piece.split())
        cues = [match.group(0) for match in CUES.finditer(sentence)]
        if cues:
            recommendations.append({
                "schema": 1, "type": "recommendation", "node": node,
                "statement": statement_id, "index": len(recommendations),
                "text": sentence, "span": [start, start + len(piece)], "cues": cues})
    statement = {"schema": 1, "type": "statement", "node": node, "id": statement_id,
                 "file": name, "bytes": len(data), "recommendations": len(recommendations)}
    return statement, recommendations


def serialise(statement, recommendations):
    """The messages as bytes, as they go on the wire."""
    messages = [(b"statement.XX", json.dumps(statement).encode())]
    messages += [(b"recommendation.XX", json.dumps(r).encode()) for r in recommendations]
    return messages


class Peer:
    def __init__(self, incoming, done, endpoint):
        import zmq
        self.incoming = incoming
        self.done = done
        self.context = zmq.Context.instance()
        self.socket = self.context.socket(zmq.PUB)
        self.socket.setsockopt(zmq.SNDHWM, 100000)
        self.socket.bind(endpoint)
        self.seq = 0
        self.statements = 0

    def handle(self, path):
        name = os.path.basename(path)
        if name.startswith(".") or name.endswith(SKIP_SUFFIXES) or not os.path.isfile(path):
            return
        with open(path, "rb") as f:
            data = f.read()
        statement, recommendations = extract(name, data)
        for topic, body in serialise(statement, recommendations):
            self.socket.send_multipart([topic, body])
        os.rename(path, os.path.join(self.done, name))
        self.statements += 1

    def heartbeat(self):
        body = {"schema": 1, "type": "heartbeat", "node": "peer", "statements": self.statements}
        self.socket.send_multipart([b"heartbeat", json.dumps(body).encode()])

    def run(self):
        import pyinotify
        peer = self

        class Handler(pyinotify.ProcessEvent):
            def process_IN_CLOSE_WRITE(self, event):
                peer.handle(event.pathname)

            def process_IN_MOVED_TO(self, event):
                peer.handle(event.pathname)

        manager = pyinotify.WatchManager()
        manager.add_watch(self.incoming, pyinotify.IN_CLOSE_WRITE | pyinotify.IN_MOVED_TO)
        notifier = pyinotify.Notifier(manager, Handler(), timeout=200)
        for name in sorted(os.listdir(self.incoming)):
            self.handle(os.path.join(self.incoming, name))
        print("recpeer started", flush=True)
        next_heartbeat = 0.0
        while True:
            if time.monotonic() >= next_heartbeat:
                self.heartbeat()
                next_heartbeat = time.monotonic() + 1.0
            notifier.process_events()
            if notifier.check_events():
                notifier.read_events()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incoming", required=True)
    parser.add_argument("--done", required=True)
    parser.add_argument("--endpoint", required=True)
    arguments = parser.parse_args()
    try:
        Peer(arguments.incoming, arguments.done, arguments.endpoint).run()
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
