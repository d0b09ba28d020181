"""recwatch_feed: the Atom output (parsed with an XML parser) against a sample,
and the feed subscriber against a real recwatchd (clients/run-tests starts it)."""

import json
import os
import pathlib
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import jsonschema
import pytest
import zmq

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(HERE.parent))
import recwatch_feed  # noqa: E402

A = "{http://www.w3.org/2005/Atom}"
RW = "{urn:recwatch:atom:1}"
SCHEMA = json.loads((ROOT / "schema" / "recwatch-events.schema.json").read_text("utf-8"))
SAMPLE = [json.loads(line) for line in (HERE / "sample-events.jsonl").read_text("utf-8").splitlines()]
FEED = [sys.executable, str(HERE.parent / "recwatch_feed.py")]


def write_sample(out, **options):
    writer = recwatch_feed.FeedWriter(out, base_url="https://example.org/statements/",
                                      feed_url="https://example.org/feeds", **options)
    for event in SAMPLE:
        writer.add(event)
    writer.flush()
    return writer


def parse(path):
    return ET.parse(path).getroot()


def test_sample_events_follow_the_schema():
    for event in SAMPLE:
        jsonschema.validate(event, SCHEMA)


@pytest.mark.parametrize("feed", ["all", "country/KZ", "theme/torture",
                                  "theme/administration-of-justice"])
def test_output_matches_the_sample(tmp_path, feed):
    write_sample(tmp_path)
    produced = ET.canonicalize(from_file=tmp_path / f"{feed}.atom", strip_text=True)
    expected = ET.canonicalize(from_file=HERE / "expected" / f"{feed}.atom", strip_text=True)
    assert produced == expected


def test_the_feeds_written_are_all_and_one_per_country_and_theme(tmp_path):
    write_sample(tmp_path)
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.atom"))
    assert written == ["all.atom", "country/KZ.atom", "theme/administration-of-justice.atom",
                       "theme/torture.atom"]
    assert not list(tmp_path.rglob("*.tmp")), "a temporary file was left behind"


def test_atom_structure(tmp_path):
    write_sample(tmp_path)
    feed = parse(tmp_path / "all.atom")
    assert feed.tag == f"{A}feed"
    for name in ("id", "title", "updated", "author"):
        assert feed.find(f"{A}{name}") is not None, name
    entries = feed.findall(f"{A}entry")
    recommendations = [e for e in SAMPLE if e["type"] == "recommendation"]
    assert len(entries) == len(recommendations)
    # newest first
    assert [e.findtext(f"{RW}seq") for e in entries] == \
        [str(r["seq"]) for r in reversed(recommendations)]
    ids = [e.findtext(f"{A}id") for e in entries]
    assert len(set(ids)) == len(ids)
    for entry, recommendation in zip(entries, reversed(recommendations)):
        assert re.fullmatch(r"urn:recwatch:sha256:[0-9a-f]{64}:\d+", entry.findtext(f"{A}id"))
        assert entry.findtext(f"{A}id") == \
            f"urn:recwatch:{recommendation['statement']}:{recommendation['index']}"
        for name in ("title", "updated", "summary"):
            assert entry.findtext(f"{A}{name}"), name
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry.findtext(f"{A}updated"))
        link = entry.find(f"{A}link[@rel='alternate']").get("href")
        start, end = recommendation["span"]
        assert link.startswith("https://example.org/statements/") and \
            link.endswith(f"#bytes={start}-{end}")
        terms = {(c.get("scheme"), c.get("term")) for c in entry.findall(f"{A}category")}
        expected = {("urn:recwatch:country", c) for c in recommendation["countries"]} | \
                   {("urn:recwatch:theme", t) for t in recommendation["themes"]}
        if recommendation["strength"]:
            expected.add(("urn:recwatch:strength", recommendation["strength"]))
        if recommendation["category"]:
            expected.add(("urn:recwatch:category", str(recommendation["category"])))
        assert terms == expected
        content = entry.find(f"{A}content")
        assert content.get("type") == "xhtml"
        text = " ".join(content.itertext())
        for field in ("addressee", "action", "strength"):
            if recommendation[field]:
                assert recommendation[field] in text, field
        assert f"{recommendation['confidence']:.2f}" in text
        assert entry.findtext(f"{RW}confidence") == str(recommendation["confidence"])


def test_only_the_newest_entries_are_kept(tmp_path):
    write_sample(tmp_path, entries=2)
    feed = parse(tmp_path / "all.atom")
    seqs = [e.findtext(f"{RW}seq") for e in feed.findall(f"{A}entry")]
    assert seqs == ["5", "3"]


def test_rewrites_are_atomic_renames_and_state_survives_a_restart(tmp_path):
    writer = write_sample(tmp_path)
    before = (tmp_path / "all.atom").stat().st_ino
    again = recwatch_feed.FeedWriter(tmp_path)  # a restart: state comes back
    assert again.resume_seq() == 6  # the last seq seen was 5
    extra = dict(SAMPLE[1], seq=6, index=2, text="A new one.")
    again.add(extra)
    again.flush()
    assert (tmp_path / "all.atom").stat().st_ino != before, "not replaced by a rename"
    ids = [e.findtext(f"{A}id") for e in parse(tmp_path / "all.atom").findall(f"{A}entry")]
    assert len(ids) == 4 and ids[0].endswith(":2")
    assert writer.limit == 100


def test_the_same_recommendation_twice_is_one_entry(tmp_path):
    writer = write_sample(tmp_path)
    writer.add(SAMPLE[1])
    writer.flush()
    ids = [e.findtext(f"{A}id") for e in parse(tmp_path / "all.atom").findall(f"{A}entry")]
    assert len(ids) == len(set(ids)) == 3


# ---- against the real daemon --------------------------------------------------

def daemon_environment():
    if "RECWATCH_ENDPOINTS" not in os.environ:
        pytest.skip("needs a running recwatchd: run clients/run-tests")
    return os.environ["RECWATCH_ENDPOINTS"].split()[0], os.environ["RECWATCH_REPLAY"]


def journal(replay):
    """[(topic, body)] of every journalled event, by the replay protocol."""
    with zmq.Context() as context:
        dealer = context.socket(zmq.DEALER)
        dealer.setsockopt(zmq.RCVTIMEO, 5000)
        dealer.setsockopt(zmq.LINGER, 0)
        dealer.connect(replay)
        dealer.send(b"SINCE 1")
        messages = []
        while True:
            topic, body = dealer.recv_multipart()
            if topic == b"end":
                break
            messages.append((topic.decode(), json.loads(body)))
        dealer.close()
    return messages


def run_feed(out, endpoint, replay, *extra):
    result = subprocess.run(FEED + ["-e", endpoint, "-r", replay, "-o", str(out),
                                    "--idle-exit", "2", *extra],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


def test_feed_of_the_real_daemon_has_every_recommendation(tmp_path):
    endpoint, replay = daemon_environment()
    run_feed(tmp_path, endpoint, replay, "--since", "1", "--base-url", "http://localhost/s/")
    events = journal(replay)
    for _, body in events:
        jsonschema.validate(body, SCHEMA)
    recommendations = [b for _, b in events if b["type"] == "recommendation"]
    statements = {b["id"]: b for _, b in events if b["type"] == "statement"}
    assert recommendations, "the daemon journalled no recommendation"
    feed = parse(tmp_path / "all.atom")
    entries = {e.findtext(f"{A}id"): e for e in feed.findall(f"{A}entry")}
    newest = recommendations[-100:]
    assert len(entries) == len(newest)
    for recommendation in newest:
        entry = entries[f"urn:recwatch:{recommendation['statement']}:{recommendation['index']}"]
        file = statements[recommendation["statement"]]["file"]
        assert entry.find(f"{A}link").get("href").startswith(f"http://localhost/s/{file}")
        assert entry.findtext(f"{A}summary") == recommendation["text"]
        assert entry.findtext(f"{RW}seq") == str(recommendation["seq"])
        assert entry.findtext(f"{A}updated") == statements[recommendation["statement"]]["received"]
    for country in {c for r in newest for c in r["countries"]}:
        country_feed = parse(tmp_path / "country" / f"{country}.atom")
        expected = [r for r in newest if country in r["countries"]]
        assert len(country_feed.findall(f"{A}entry")) == len(expected)
    for theme in {t for r in newest for t in r["themes"]}:
        path = tmp_path / "theme" / f"{recwatch_feed.slug(theme)}.atom"
        assert path.exists(), theme


def test_feed_resumes_from_where_it_stopped(tmp_path):
    endpoint, replay = daemon_environment()
    run_feed(tmp_path, endpoint, replay, "--since", "1")
    first = {e.findtext(f"{A}id") for e in parse(tmp_path / "all.atom").findall(f"{A}entry")}
    # A new statement while the feed is not running...
    incoming = pathlib.Path(os.environ["RECWATCH_INCOMING"])
    done = pathlib.Path(os.environ["RECWATCH_DONE"])
    seed = ROOT.parent / "shared" / "corpus" / "seed-pillay-kazakhstan-2012.txt"
    name = f"feed-{os.getpid()}-{time.time_ns()}.txt"
    (incoming / f".{name}.tmp").write_bytes(seed.read_bytes() + f"\n({name})\n".encode())
    os.rename(incoming / f".{name}.tmp", incoming / name)
    deadline = time.monotonic() + 30
    while not (done / name).exists():
        assert time.monotonic() < deadline, f"{name} was not processed"
        time.sleep(0.05)
    # ...is picked up from the journal by the next run (no --since: the state says).
    result = run_feed(tmp_path, endpoint, replay)
    assert "replaying from seq" in result.stderr
    second = [e.findtext(f"{A}id") for e in parse(tmp_path / "all.atom").findall(f"{A}entry")]
    assert len(second) == len(set(second))
    assert first < set(second), "the new statement's recommendations are missing"
