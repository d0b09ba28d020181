"""A subscriber too slow to keep up: publish.sndhwm bounds the daemon's memory, the
daemon never waits for it, the messages it loses are counted in the heartbeat, and it
finds its gap by seq and fills it from the replay socket."""
import json
import os
import time

import zmq

from conftest import CORPUS, Daemon, Subscriber

STATEMENTS = 30


def test_slow_subscriber_loses_counted_messages_others_do_not(workdir):
    daemon = Daemon(workdir)
    daemon.write_config(publish_extra="sndhwm = 200;")
    daemon.start()
    context = zmq.Context.instance()
    slow = context.socket(zmq.SUB)
    slow.setsockopt(zmq.RCVHWM, 5)
    slow.setsockopt(zmq.RCVBUF, 4096)
    slow.setsockopt(zmq.SUBSCRIBE, b"recommendation.")
    slow.setsockopt(zmq.LINGER, 0)
    slow.connect(daemon.endpoint)
    probe = Subscriber(daemon.endpoint, topics=("heartbeat",))
    probe.wait_connected()
    seed = open(os.path.join(CORPUS, "024_upr-wg-report-iran-2010.txt"), "rb").read()
    for i in range(STATEMENTS):
        daemon.drop_bytes(f"burst-{i}.txt", seed + f"\n[copy {i}]\n".encode())
    deadline = time.time() + 60
    while time.time() < deadline and len(os.listdir(daemon.done)) < STATEMENTS:
        time.sleep(0.1)
    assert len(os.listdir(daemon.done)) == STATEMENTS, "a stalled subscriber must not stall the daemon"
    probe.wait_for(lambda ev: any(e["counters"]["dropped"] > 0 and
                                  e["counters"]["statements"] == STATEMENTS for _, e in ev),
                   timeout=15)
    dropped = max(e["counters"]["dropped"] for e in probe.events("heartbeat"))
    journalled = [e["seq"] for e in daemon.journal_events()]

    # the slow one now reads what it has: its seqs have holes...
    seen = []
    while slow.poll(300):
        seen.append(json.loads(slow.recv_multipart()[1])["seq"])
    wanted = [e["seq"] for e in daemon.journal_events() if e["event"]["type"] == "recommendation"]
    missing = sorted(set(wanted) - set(seen))
    assert missing, "the slow subscriber should have lost messages"
    # ...which the replay socket fills
    dealer = context.socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    dealer.connect(daemon.replay)
    dealer.send(f"SINCE {missing[0]}".encode())
    replayed = set()
    deadline = time.time() + 20
    while time.time() < deadline:
        if not dealer.poll(1000):
            continue
        topic, body = dealer.recv_multipart()
        if topic == b"end":
            break
        replayed.add(json.loads(body)["seq"])
    assert set(missing) <= replayed
    print(f"\nslow subscriber: sndhwm 200, {len(journalled)} events, {dropped} loss episode(s) "
          f"counted in the heartbeat, {len(missing)} recommendation(s) refilled by replay")
    slow.close()
    dealer.close()
    probe.close()
    daemon.stop()
