"""recwatchd end to end: files in, events out, through a real ZeroMQ subscriber."""
import json
import os
import signal
import subprocess
import time

import pytest

from conftest import (BUILD, CORPUS, SEED, Daemon, Subscriber, statement_complete)

SEED_GOLD_ANCHORS = [line.split("\t", 1)[1].strip()
                     for line in open(SEED[:-4] + ".gold", encoding="utf-8")
                     if line.startswith("REC\t")]


def seed_bytes():
    with open(SEED, "rb") as f:
        return f.read()


def check_seed_events(sub, daemon, name):
    statements = sub.events("statement")
    recs = sub.events("recommendation")
    assert len(statements) == 1, statements
    st = statements[0]
    assert st["schema"] == 1 and st["node"] == daemon.node
    assert st["file"] == name
    assert st["bytes"] == os.path.getsize(SEED)
    assert st["id"].startswith("sha256:") and len(st["id"]) == 71
    assert st["language"] == "en"
    assert st["date"] == "2012-07-12"
    assert st["countries"][0] == "KZ"
    assert st["recommendations"] == 7 == len(recs)
    # topics carry the main country
    topics = [t for t, e in sub.received if e["type"] in ("statement", "recommendation")]
    assert topics == ["statement.KZ"] + ["recommendation.KZ"] * 7
    # one seq per event, contiguous, statement first, recommendations in text order
    seqs = [st["seq"]] + [r["seq"] for r in recs]
    assert seqs == list(range(seqs[0], seqs[0] + 8))
    assert [r["index"] for r in recs] == list(range(7))
    assert all(r["statement"] == st["id"] for r in recs)
    spans = [r["span"] for r in recs]
    assert spans == sorted(spans)
    raw = seed_bytes()
    for rec in recs:
        start, end = rec["span"]
        original = raw[start:end].decode("utf-8")
        assert " ".join(original.split()) == " ".join(rec["text"].split())
        assert 0 <= rec["confidence"] <= 1
        assert rec["strength"] in ("strong", "moderate", "weak", None)
    # every gold recommendation found, nothing else
    for anchor in SEED_GOLD_ANCHORS:
        assert sum(anchor in " ".join(r["text"].split()) for r in recs) == 1, anchor
    assert os.path.exists(os.path.join(daemon.done, name))
    assert not os.path.exists(os.path.join(daemon.incoming, name))


@pytest.mark.parametrize("atomic", [True, False], ids=["rename", "copy"])
def test_seed_statement_gives_its_seven_recommendations(daemon, atomic):
    daemon.start()
    sub = Subscriber(daemon.endpoint)
    sub.wait_connected()
    started = time.time()
    daemon.drop(SEED, "kz-2012.txt", atomic=atomic)
    sub.wait_for(statement_complete(sub))
    elapsed = time.time() - started
    check_seed_events(sub, daemon, "kz-2012.txt")
    assert elapsed < 5, elapsed  # generous: "within a second" on an idle machine
    sub.close()


def test_c_subscriber_recwatch_sub_prints_events(daemon):
    daemon.start()
    sub_process = subprocess.Popen(
        [os.path.join(BUILD, "recwatch"), "sub", "-c", daemon.config, "-t", "statement.",
         "-t", "recommendation.", "--count", "8", "--timeout", "20"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    probe = Subscriber(daemon.endpoint)
    probe.wait_connected()
    time.sleep(0.5)  # let recwatch sub connect and subscribe
    daemon.drop(SEED, "seed.txt")
    out, err = sub_process.communicate(timeout=30)
    assert sub_process.returncode == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert [e["type"] for e in events] == ["statement"] + ["recommendation"] * 7
    probe.close()


def test_topic_filter_by_country(daemon):
    daemon.start()
    kz = Subscriber(daemon.endpoint, topics=("recommendation.KZ",))
    other = Subscriber(daemon.endpoint, topics=("recommendation.FR", "heartbeat"))
    other.wait_connected()
    kz.drain(1.2)
    daemon.drop(SEED, "seed.txt")
    kz.wait_for(lambda ev: len(ev) >= 7)
    other.wait_for(lambda ev: len(ev) >= 3, timeout=5)
    assert all(e["type"] == "heartbeat" for e in other.events())
    assert all(t == "recommendation.KZ" for t, _ in kz.received)


def test_part_file_is_ignored_until_renamed(daemon):
    daemon.start()
    sub = Subscriber(daemon.endpoint)
    sub.wait_connected()
    part = os.path.join(daemon.incoming, "upload.txt.part")
    with open(part, "wb") as f:
        f.write(seed_bytes())
    sub.drain(1.5)
    assert sub.events("statement") == []
    assert os.path.exists(part)
    os.rename(part, os.path.join(daemon.incoming, "upload.txt"))
    sub.wait_for(statement_complete(sub))
    assert sub.events("statement")[0]["file"] == "upload.txt"


def test_file_written_slowly_is_processed_once_whole(daemon):
    daemon.start()
    sub = Subscriber(daemon.endpoint)
    sub.wait_connected()
    data = seed_bytes()
    path = os.path.join(daemon.incoming, "slow.txt")
    with open(path, "wb") as f:
        for i in range(0, len(data), 1500):
            f.write(data[i:i + 1500])
            f.flush()
            time.sleep(0.05)
    sub.wait_for(statement_complete(sub))
    sub.drain(1.5)
    statements = sub.events("statement")
    assert len(statements) == 1
    assert statements[0]["bytes"] == len(data)
    assert statements[0]["recommendations"] == 7


def test_files_dropped_while_down_are_processed_at_start(daemon):
    daemon.drop(SEED, "early.txt")
    daemon.drop(os.path.join(CORPUS, "003_hrw-tamils-detained-pta.txt"), "early2.txt")
    daemon.start()
    sub = Subscriber(daemon.endpoint)
    # they may be published before we connect: the journal has them, replay gets them
    deadline = time.time() + 10
    while time.time() < deadline and os.listdir(daemon.incoming):
        time.sleep(0.05)
    assert os.listdir(daemon.incoming) == []
    assert sorted(os.listdir(daemon.done)) == ["early.txt", "early2.txt"]
    types = [e["event"]["type"] for e in daemon.journal_events()]
    assert types.count("statement") == 2
    sub.close()


def test_sequence_continues_after_restart(daemon):
    daemon.start()
    sub = Subscriber(daemon.endpoint)
    sub.wait_connected()
    daemon.drop(SEED, "one.txt")
    sub.wait_for(statement_complete(sub))
    last = max(e["seq"] for e in sub.events() if e["type"] != "heartbeat")
    sub.close()
    assert daemon.stop() == 0
    daemon.start()
    sub = Subscriber(daemon.endpoint)
    sub.wait_connected()
    heartbeat = sub.events("heartbeat")[0]
    assert heartbeat["last_seq"] == last
    daemon.drop(os.path.join(CORPUS, "003_hrw-tamils-detained-pta.txt"), "two.txt")
    sub.wait_for(statement_complete(sub))
    assert sub.events("statement")[0]["seq"] == last + 1


def test_duplicate_content_is_not_published_twice(daemon):
    daemon.start()
    sub = Subscriber(daemon.endpoint)
    sub.wait_connected()
    daemon.drop(SEED, "a.txt")
    sub.wait_for(statement_complete(sub))
    daemon.drop(SEED, "b.txt")
    deadline = time.time() + 5
    while time.time() < deadline and not os.path.exists(os.path.join(daemon.done, "b.txt")):
        time.sleep(0.05)
    assert os.path.exists(os.path.join(daemon.done, "b.txt"))
    sub.wait_for(lambda ev: any(e["type"] == "heartbeat" and e["counters"]["duplicates"] == 1
                                for _, e in ev))
    assert len(sub.events("statement")) == 1


def test_name_clash_in_done_keeps_both(daemon):
    daemon.start()
    sub = Subscriber(daemon.endpoint)
    sub.wait_connected()
    daemon.drop(SEED, "same.txt")
    sub.wait_for(statement_complete(sub))
    deadline = time.time() + 5  # events go out before the file moves: wait for the move
    while time.time() < deadline and not os.path.exists(os.path.join(daemon.done, "same.txt")):
        time.sleep(0.05)
    daemon.drop(os.path.join(CORPUS, "003_hrw-tamils-detained-pta.txt"), "same.txt")
    sub.wait_for(statement_complete(sub, 2))
    deadline = time.time() + 5
    while time.time() < deadline and len(os.listdir(daemon.done)) < 2:
        time.sleep(0.05)
    assert sorted(os.listdir(daemon.done)) == ["same.1.txt", "same.txt"]


def test_unprocessable_file_goes_to_failed_with_error_event(daemon):
    daemon.start()
    sub = Subscriber(daemon.endpoint)
    sub.wait_connected()
    daemon.drop_bytes("binary.txt", b"\x00\x01\x02" * 1000)
    sub.wait_for(lambda ev: any(e["type"] == "error" for _, e in ev))
    error = sub.events("error")[0]
    assert error["file"] == "binary.txt"
    assert "binary" in error["reason"]
    assert error["moved_to"] == "failed/binary.txt"
    assert isinstance(error["seq"], int)
    assert os.path.exists(os.path.join(daemon.failed, "binary.txt"))
    with open(os.path.join(daemon.failed, "binary.txt.error.json")) as f:
        assert "binary" in json.load(f)["reason"]
    # the daemon keeps going
    daemon.drop(SEED, "seed.txt")
    sub.wait_for(statement_complete(sub))


def test_heartbeat_counts(daemon):
    daemon.start()
    sub = Subscriber(daemon.endpoint)
    sub.wait_connected()
    daemon.drop(SEED, "seed.txt")
    sub.wait_for(statement_complete(sub))
    sub.wait_for(lambda ev: any(e["type"] == "heartbeat" and e["counters"]["statements"] == 1
                                for _, e in ev))
    beat = [e for e in sub.events("heartbeat") if e["counters"]["statements"] == 1][0]
    assert beat["counters"]["recommendations"] == 7
    assert beat["counters"]["files_seen"] == 1
    assert beat["counters"]["bytes"] == os.path.getsize(SEED)
    assert beat["replay"] == daemon.replay
    assert beat["uptime_s"] >= 0


def test_sighup_with_broken_config_keeps_running(daemon):
    daemon.start()
    sub = Subscriber(daemon.endpoint)
    sub.wait_connected()
    with open(daemon.config, "a") as f:
        f.write("\nspool: { incomming = 1 };\n")
    daemon.process.send_signal(signal.SIGHUP)
    deadline = time.time() + 5
    while time.time() < deadline and "configuration not reloaded" not in daemon.log_text():
        time.sleep(0.05)
    assert "configuration not reloaded" in daemon.log_text()
    assert "recwatch.conf:" in daemon.log_text()  # the reason is logged, with file and line
    assert daemon.process.poll() is None
    daemon.drop(SEED, "after-hup.txt")
    sub.wait_for(statement_complete(sub))


def test_sighup_with_good_config_reloads(daemon):
    daemon.start()
    sub = Subscriber(daemon.endpoint)
    sub.wait_connected()
    daemon.write_config(spool_extra='patterns = [ "*.md" ];')
    daemon.process.send_signal(signal.SIGHUP)
    deadline = time.time() + 5
    while time.time() < deadline and "configuration reloaded" not in daemon.log_text():
        time.sleep(0.05)
    assert "configuration reloaded" in daemon.log_text()
    daemon.drop(SEED, "ignored-now.txt")
    sub.drain(1.5)
    assert sub.events("statement") == []
    daemon.drop(SEED, "taken.md")
    sub.wait_for(statement_complete(sub))
    assert sub.events("statement")[0]["file"] == "taken.md"


def test_sigterm_exits_zero_with_nothing_half_done(daemon):
    daemon.start()
    sub = Subscriber(daemon.endpoint)
    sub.wait_connected()
    names = []
    for entry in sorted(os.listdir(CORPUS)):
        if entry.endswith(".txt"):
            daemon.drop(os.path.join(CORPUS, entry), entry)
            names.append(entry)
    time.sleep(0.05)
    started = time.time()
    assert daemon.stop(signal.SIGTERM) == 0
    assert time.time() - started < 5
    # every file is either still waiting or fully journalled and moved: never both, never neither
    done = set(os.listdir(daemon.done))
    waiting = set(os.listdir(daemon.incoming))
    assert done | waiting == set(names) and not done & waiting
    journalled = [e["event"] for e in daemon.journal_events() if e["event"]["type"] == "statement"]
    assert sorted(e["file"] for e in journalled) == sorted(done)


def test_bad_config_refuses_to_start(workdir):
    d = Daemon(workdir)
    d.write_config(spool_extra="nonsense = 1;")
    d.start(wait=False)
    assert d.process.wait(10) == 1
    assert "unknown setting spool.nonsense" in d.log_text()
    assert "recwatch.conf:" in d.log_text()


def test_plain_remote_endpoint_is_refused(workdir):
    d = Daemon(workdir)
    d.write_config()
    text = open(d.config).read().replace(d.endpoint, "tcp://0.0.0.0:%d" % d.port)
    open(d.config, "w").write(text)
    d.start(wait=False)
    assert d.process.wait(10) == 1
    assert "allow_plain_remote" in d.log_text()


def test_check_config_prints_effective_settings(daemon):
    result = subprocess.run([os.path.join(BUILD, "recwatch"), "check-config", "-c", daemon.config],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert 'node = "e2e-1"' in result.stdout
    assert daemon.incoming in result.stdout
    with open(daemon.config, "a") as f:
        f.write("\npublish: { heartbeat_s = \"x\"; };\n")
    result = subprocess.run([os.path.join(BUILD, "recwatch"), "check-config", "-c", daemon.config],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "recwatch.conf:" in result.stderr


def test_stats_prints_heartbeat(daemon):
    daemon.start()
    table = subprocess.run([os.path.join(BUILD, "recwatch"), "stats", "-c", daemon.config],
                           capture_output=True, text=True, timeout=30)
    assert table.returncode == 0, table.stderr
    assert "statements" in table.stdout and "e2e-1" in table.stdout
    prom = subprocess.run([os.path.join(BUILD, "recwatch"), "stats", "-c", daemon.config,
                           "--prometheus"], capture_output=True, text=True, timeout=30)
    assert prom.returncode == 0, prom.stderr
    assert '# TYPE recwatch_statements_total counter' in prom.stdout
    assert 'recwatch_statements_total{node="e2e-1"} 0' in prom.stdout


def test_replay_gives_the_very_bodies_published_live(daemon):
    import zmq
    daemon.start()
    sub = Subscriber(daemon.endpoint)
    raw = zmq.Context.instance().socket(zmq.SUB)
    raw.setsockopt(zmq.SUBSCRIBE, b"")
    raw.setsockopt(zmq.LINGER, 0)
    raw.connect(daemon.endpoint)
    sub.wait_connected()
    daemon.drop(SEED, "seed.txt")
    sub.wait_for(statement_complete(sub))
    live = {}
    while raw.poll(500):
        topic, body = raw.recv_multipart()
        if topic != b"heartbeat":
            live[json.loads(body)["seq"]] = (topic, body)
    dealer = zmq.Context.instance().socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    dealer.connect(daemon.replay)
    dealer.send(b"SINCE 1")
    replayed = {}
    while dealer.poll(5000):
        topic, body = dealer.recv_multipart()
        if topic == b"end":
            assert json.loads(body)["last_seq"] == max(live)
            break
        replayed[json.loads(body)["seq"]] = (topic, body)
    assert replayed == live  # same topics, same bytes
    assert b'"confidence":0.' in live[2][1] and b"0000000" not in live[2][1]
    raw.close()
    dealer.close()


def test_heartbeat_names_the_advertised_replay_endpoint(workdir):
    d = Daemon(workdir)
    text = open(d.config).read().replace(
        f'replay: {{ endpoint = "{d.replay}"; }};',
        f'replay: {{ endpoint = "{d.replay}"; advertise = "tcp://replay.example.org:5561"; }};')
    open(d.config, "w").write(text)
    d.start()
    sub = Subscriber(d.endpoint)
    sub.wait_connected()
    assert sub.events("heartbeat")[0]["replay"] == "tcp://replay.example.org:5561"
    sub.close()
    d.stop()
