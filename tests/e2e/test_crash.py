"""The crash test: thousands of statements (real, varied, some duplicated) dropped while
the daemon is killed with SIGKILL at random moments and restarted. Nothing may be lost,
nothing published twice, and a subscriber that comes back with --since after each kill
sees every event exactly once."""
import json
import os
import random
import subprocess
import threading
import time

from conftest import BUILD, CORPUS, Daemon

STATEMENTS = int(os.environ.get("CRASH_STATEMENTS", "2000"))
KILLS = int(os.environ.get("CRASH_KILLS", "10"))


def corpus_texts():
    texts = []
    for name in sorted(os.listdir(CORPUS)):
        if name.endswith(".txt"):
            with open(os.path.join(CORPUS, name), "rb") as f:
                texts.append(f.read())
    return texts


def make_files(staging, count):
    """count files; about one in ten repeats the content of an earlier one."""
    texts = corpus_texts()
    rng = random.Random(1)
    contents, names = [], []
    for i in range(count):
        if contents and rng.random() < 0.1:
            data = rng.choice(contents)
        else:
            data = texts[i % len(texts)] + f"\n[copy {i}]\n".encode()
        contents.append(data)
        name = f"st{i:05d}.txt"
        with open(os.path.join(staging, name), "wb") as f:
            f.write(data)
        names.append(name)
    return names, len(set(contents))


class Reader:
    """`recwatch sub --since N`, restarted after each kill; collects every body."""

    def __init__(self, daemon):
        self.daemon = daemon
        self.events = []
        self.process = None
        self.thread = None

    def start(self, since):
        self.process = subprocess.Popen(
            [os.path.join(BUILD, "recwatch"), "sub", "-c", self.daemon.config, "--since", str(since)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.thread = threading.Thread(target=self._read, args=(self.process,), daemon=True)
        self.thread.start()

    def _read(self, process):
        for line in process.stdout:
            event = json.loads(line)
            if event["type"] != "heartbeat":
                self.events.append(event)

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(10)
            self.thread.join(10)

    def next_since(self):
        return max((e["seq"] for e in self.events), default=0) + 1


def test_kill_nine_at_random_moments(workdir):
    daemon = Daemon(workdir)
    staging = os.path.join(workdir, "staging")
    os.mkdir(staging)
    names, distinct = make_files(staging, STATEMENTS)

    def feed():
        for name in names:
            os.rename(os.path.join(staging, name), os.path.join(daemon.incoming, name))
            time.sleep(0.001)

    daemon.start()
    reader = Reader(daemon)
    reader.start(1)
    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    rng = random.Random(2)
    kills = 0
    while kills < KILLS:
        time.sleep(rng.uniform(0.05, 0.6))
        daemon.kill()
        kills += 1
        reader.stop()
        daemon.start()
        reader.start(reader.next_since())
    feeder.join()

    deadline = time.time() + 120
    while time.time() < deadline and os.listdir(daemon.incoming):
        time.sleep(0.1)
    time.sleep(2)  # the last events reach the reader
    reader.stop()
    assert daemon.stop() == 0

    assert os.listdir(daemon.incoming) == []
    done, failed = os.listdir(daemon.done), [n for n in os.listdir(daemon.failed)
                                              if not n.endswith(".error.json")]
    assert len(done) + len(failed) == STATEMENTS

    journal = daemon.journal_events()
    seqs = [e["seq"] for e in journal]
    assert seqs == list(range(1, len(seqs) + 1)), "seq must run from 1 without a gap"
    statements = [e["event"] for e in journal if e["event"]["type"] == "statement"]
    ids = [s["id"] for s in statements]
    assert len(ids) == len(set(ids)) == distinct

    seen = [e["seq"] for e in reader.events]
    duplicates = len(seen) - len(set(seen))
    missing = set(seqs) - set(seen)
    print(f"\ncrash test: {STATEMENTS} files, {distinct} distinct contents, {kills} SIGKILLs, "
          f"{len(journal)} journalled events, {len(statements)} statements, "
          f"{len(done)} in done/, {len(failed)} in failed/, subscriber saw {len(seen)} events, "
          f"{duplicates} twice, {len(missing)} missing")
    assert duplicates == 0
    assert not missing
