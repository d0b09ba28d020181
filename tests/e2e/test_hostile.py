"""Hostile and broken input: each case ends in done/ or failed/ (with NAME.error.json and
an error event a person can act on), and the daemon keeps running."""
import json
import os
import subprocess
import time

import pytest

from conftest import SEED, Daemon, Subscriber, statement_complete


def wait_until(predicate, timeout=15, step=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def still_working(daemon, sub, name="alive-check.txt"):
    """The daemon still takes statements after the hostile input."""
    assert daemon.process.poll() is None
    before = len(sub.events("statement"))
    daemon.drop(SEED, name)
    sub.wait_for(lambda ev: sum(1 for _, e in ev if e["type"] == "statement") > before)


def expect_failed(daemon, sub, name, words):
    sub.wait_for(lambda ev: any(e["type"] == "error" and e.get("file") == name for _, e in ev))
    error = [e for e in sub.events("error") if e.get("file") == name][0]
    assert any(w in error["reason"] for w in words), error["reason"]
    assert error["moved_to"].startswith("failed/")
    moved = os.path.join(daemon.root, error["moved_to"])
    assert os.path.lexists(moved)
    with open(moved + ".error.json") as f:
        assert json.load(f)["reason"] == error["reason"]
    assert not os.path.lexists(os.path.join(daemon.incoming, name))
    return error


@pytest.fixture
def running(daemon):
    daemon.start()
    sub = Subscriber(daemon.endpoint)
    sub.wait_connected()
    yield daemon, sub
    sub.close()


@pytest.mark.parametrize("name,data,words", [
    ("empty.txt", b"", ["empty"]),
    ("blank.txt", b"   \n\n\t \n", ["empty"]),
    ("binary.txt", b"\x7fELF\x02\x01\x01" + b"\x00" * 4000, ["binary"]),
    ("utf16-broken.txt", b"\xff\xfe" + "ok".encode("utf-16-le") + b"\x00\xd8\x41\x00", ["UTF-16", "surrogate"]),
    ("utf16-odd.txt", b"\xff\xfe" + "text".encode("utf-16-le") + b"\x41", ["UTF-16", "odd"]),
])
def test_refused_content(running, name, data, words):
    daemon, sub = running
    daemon.drop_bytes(name, data)
    expect_failed(daemon, sub, name, words)
    still_working(daemon, sub)


def test_larger_than_max_bytes(workdir):
    daemon = Daemon(workdir)
    daemon.write_config(spool_extra="max_bytes = 4096;")
    daemon.start()
    sub = Subscriber(daemon.endpoint)
    sub.wait_connected()
    daemon.drop_bytes("big.txt", b"The Government should act. " * 1000)
    expect_failed(daemon, sub, "big.txt", ["too large", "max_bytes"])
    daemon.stop()


def test_ten_megabyte_line_and_deep_html(running):
    daemon, sub = running
    daemon.drop_bytes("long-line.txt", b"word " * (2 * 1024 * 1024))
    deep = b"<html><body>" + b"<div>" * 100000 + b"The State should ratify the Convention." + b"</div>" * 100000
    daemon.drop_bytes("deep.html", deep)
    assert wait_until(lambda: sorted(os.listdir(daemon.done)) == ["deep.html", "long-line.txt"], 60)
    still_working(daemon, sub)


def test_directory_symlink_and_fifo(running):
    daemon, sub = running
    outside = os.path.join(daemon.root, "secret.txt")
    with open(outside, "w") as f:
        f.write("The Government must not see this.")
    os.symlink(outside, os.path.join(daemon.incoming, "link.txt"))
    os.mkfifo(os.path.join(daemon.incoming, "pipe.txt"))
    os.mkdir(os.path.join(daemon.root, "folder.txt"))
    os.rename(os.path.join(daemon.root, "folder.txt"), os.path.join(daemon.incoming, "folder.txt"))
    # the FIFO and the symlink raise no inotify event of their own: a restart scan finds them
    daemon.stop()
    daemon.start()
    sub2 = Subscriber(daemon.endpoint)
    sub2.wait_connected()
    daemon.drop(SEED, "after.txt")
    sub2.wait_for(statement_complete(sub2))
    assert wait_until(lambda: sorted(os.listdir(daemon.incoming)) == [])
    failed = set(os.listdir(daemon.failed))
    assert {"link.txt", "pipe.txt", "folder.txt"} <= failed
    reasons = {n: json.load(open(os.path.join(daemon.failed, n + ".error.json")))["reason"]
               for n in ("link.txt", "pipe.txt", "folder.txt")}
    assert "symbolic link" in reasons["link.txt"]
    assert "FIFO" in reasons["pipe.txt"]
    assert "directory" in reasons["folder.txt"]
    assert os.path.exists(outside)  # the target was never touched
    sub2.close()


def test_files_deleted_before_they_are_read(running):
    daemon, sub = running
    for i in range(200):
        path = os.path.join(daemon.incoming, f"vanishing-{i}.txt")
        with open(path, "w") as f:
            f.write(f"The Government should act now ({i}).\n")
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass  # the daemon was quicker: it took the file whole
    still_working(daemon, sub)
    assert os.listdir(daemon.failed) == []
    assert sub.events("error") == []


def test_strange_names(running):
    daemon, sub = running
    names = ["with spaces in it.txt", "line\nbreak.txt", "x" * 251 + ".txt"]
    seed = open(SEED, "rb").read()
    for i, name in enumerate(names):
        daemon.drop_bytes(name, seed + f"\nversion {i}\n".encode())
        sub.wait_for(lambda ev, n=name: any(e["type"] == "statement" and e["file"] == n for _, e in ev))
    raw_name = b"caf\xe9-latin1.txt"
    data = open(SEED, "rb").read() + b"\nunique tail\n"
    temporary = os.path.join(daemon.root.encode(), b"tmp-raw")
    with open(temporary, "wb") as f:
        f.write(data)
    os.rename(temporary, os.path.join(daemon.incoming.encode(), raw_name))
    sub.wait_for(lambda ev: any(e["type"] == "statement" and e["file"] == "caf\\xE9-latin1.txt"
                                for _, e in ev))
    assert wait_until(lambda: os.path.exists(os.path.join(daemon.done.encode(), raw_name)))
    for name in names:
        assert os.path.exists(os.path.join(daemon.done, name))


def test_thousands_at_once_overflow_the_kernel_queue(workdir):
    limit_path = "/proc/sys/fs/inotify/max_queued_events"
    original = open(limit_path).read().strip()
    lowered = False
    daemon = Daemon(workdir)
    try:
        try:
            with open(limit_path, "w") as f:
                f.write("256")
            lowered = True
        except OSError:
            pass  # not root: thousands of files still test the burst, maybe not the overflow
        daemon.start()
        if lowered:
            with open(limit_path, "w") as f:
                f.write(original)
        sub = Subscriber(daemon.endpoint)
        sub.wait_connected()
        seed = open(SEED, "rb").read()
        staging = os.path.join(workdir, "staging")
        os.mkdir(staging)
        count = 3000
        for i in range(count):
            with open(os.path.join(staging, f"s{i:05d}.txt"), "wb") as f:
                f.write(seed + f"\ncopy {i}\n".encode())
        for i in range(count):
            os.rename(os.path.join(staging, f"s{i:05d}.txt"), os.path.join(daemon.incoming, f"s{i:05d}.txt"))
        assert wait_until(lambda: len(os.listdir(daemon.done)) == count, 180, 0.2), \
            f"{len(os.listdir(daemon.done))} of {count} done"
        assert os.listdir(daemon.incoming) == []
        statements = [e for e in daemon.journal_events() if e["event"]["type"] == "statement"]
        assert len(statements) == count
        if lowered:
            assert "overflowed" in daemon.log_text()
        sub.close()
    finally:
        if lowered:
            with open(limit_path, "w") as f:
                f.write(original)
        daemon.stop()


def test_state_disk_full_pauses_and_resumes(workdir):
    daemon = Daemon(workdir)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", daemon.state],
                             capture_output=True).returncode == 0
    if not mounted:
        pytest.skip("cannot mount a small tmpfs here (needs root): disk-full case not tested")
    try:
        daemon.start()
        sub = Subscriber(daemon.endpoint)
        sub.wait_connected()
        filler = os.path.join(daemon.state, "filler")
        with open(filler, "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * 4096)
            except OSError:
                pass
        daemon.drop(SEED, "during-full.txt")
        sub.wait_for(lambda ev: any(e["type"] == "error" and "journal" in e["reason"] for _, e in ev))
        error = [e for e in sub.events("error") if "journal" in e["reason"]][0]
        assert "No space left" in error["reason"]
        assert "No space left" in daemon.log_text()
        assert os.path.exists(os.path.join(daemon.incoming, "during-full.txt"))
        assert daemon.process.poll() is None
        os.unlink(filler)
        sub.wait_for(statement_complete(sub), timeout=20)
        assert sub.events("statement")[0]["file"] == "during-full.txt"
        assert wait_until(lambda: os.path.exists(os.path.join(daemon.done, "during-full.txt")))
        assert "taking files" in daemon.log_text()
        sub.close()
    finally:
        daemon.stop()
        subprocess.run(["umount", "-l", daemon.state])
