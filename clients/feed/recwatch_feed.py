#!/usr/bin/python3
"""recwatch_feed — keep Atom 1.0 feeds of the recommendations recwatchd publishes.

    clients/feed/recwatch_feed.py -e tcp://127.0.0.1:5560 -r tcp://127.0.0.1:5561 \\
        -o /var/www/recwatch --base-url https://example.org/statements/

writes, in the output folder, the newest N entries (default 100) of:

    all.atom               every recommendation
    country/KZ.atom        one feed per country (ISO 3166-1 alpha-2) of a recommendation
    theme/torture.atom     one feed per theme (the theme's name, as a file-name slug)

Each feed is rewritten atomically (temporary file, fsync, rename), so a web server
never serves half a file. Each entry is one recommendation:

    id        urn:recwatch:sha256:<statement hash>:<index>  (stable across nodes and runs)
    link      the statement's file: --base-url + file name, or the bare file name,
              with #bytes=START-END (its span in the file)
    content   the text and its fields (addressee, action, strength, category, themes,
              countries, confidence, statement title, speaker, date) as XHTML
    category  one per country, theme, strength and category, each with its scheme
    rw:*      the same fields for programs, in the namespace urn:recwatch:atom:1

The folder also holds .recwatch-feed.json: the entries and the last seq seen, so
a restart (with -r) resumes from the journal where it stopped."""

import argparse
import datetime
import json
import logging
import os
import pathlib
import re
import sys
import tempfile
import time
import urllib.parse
import xml.etree.ElementTree as ET

try:
    import recwatch
except ImportError:  # run from the source tree
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "python"))
    import recwatch

ATOM = "http://www.w3.org/2005/Atom"
XHTML = "http://www.w3.org/1999/xhtml"
RW = "urn:recwatch:atom:1"
STATE_FILE = ".recwatch-feed.json"
STATEMENTS_KEPT = 2000  # statement details remembered for the entries of later recommendations

ET.register_namespace("", ATOM)
ET.register_namespace("rw", RW)
ET.register_namespace("xhtml", XHTML)

log = logging.getLogger("recwatch.feed")


def slug(text):
    """A file-name-safe form of a theme: 'administration of justice' -> 'administration-of-justice'."""
    value = re.sub(r"[^0-9a-z]+", "-", text.lower()).strip("-")
    return value or "unnamed"


def entry_id(statement_id, index):
    return f"urn:recwatch:{statement_id}:{index}"


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def shorten(text, limit=140):
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"


class FeedWriter:
    """Collects recommendation entries into feeds and writes them as Atom."""

    def __init__(self, out_dir, entries=100, base_url=None, feed_url=None, title="recwatch"):
        self.out_dir = pathlib.Path(out_dir)
        self.limit = entries
        self.base_url = base_url
        self.feed_url = feed_url.rstrip("/") + "/" if feed_url else None
        self.title = title
        self.feeds = {}        # feed path ("all", "country/KZ", "theme/torture") -> [entry dict], oldest first
        self.feed_titles = {}  # feed path -> title
        self.statements = {}   # statement id -> details kept for its recommendations
        self.last_seq = {}     # node -> last seq seen
        self.dirty = set()
        self._load_state()

    # -- events ---------------------------------------------------------------

    def add(self, event):
        """Take one event body (dict); statements are remembered, recommendations become entries."""
        if isinstance(event.get("seq"), int) and event.get("type") in ("statement", "recommendation",
                                                                       "error"):
            node = event.get("node", "")
            self.last_seq[node] = max(self.last_seq.get(node, 0), event["seq"])
        if event.get("type") == "statement":
            self.statements[event["id"]] = {
                key: event.get(key) for key in ("file", "received", "title", "date", "place",
                                                "speaker", "role", "countries", "language")}
            while len(self.statements) > STATEMENTS_KEPT:
                self.statements.pop(next(iter(self.statements)))
        elif event.get("type") == "recommendation":
            self._add_recommendation(event)

    def _add_recommendation(self, event):
        statement = self.statements.get(event["statement"], {})
        entry = {
            "id": entry_id(event["statement"], event["index"]),
            "statement": event["statement"], "index": event["index"], "node": event.get("node"),
            "seq": event.get("seq"), "text": event["text"], "span": event["span"],
            "language": event.get("language"), "addressee": event.get("addressee"),
            "action": event.get("action"), "category": event.get("category"),
            "strength": event.get("strength"), "themes": event.get("themes") or [],
            "countries": event.get("countries") or [], "confidence": event.get("confidence"),
            "cues": event.get("cues") or [],
            "file": statement.get("file"), "statement_title": statement.get("title"),
            "speaker": statement.get("speaker"), "role": statement.get("role"),
            "date": statement.get("date"), "place": statement.get("place"),
            "updated": statement.get("received") or now_utc(),
        }
        targets = [("all", f"{self.title}: all recommendations")]
        targets += [(f"country/{c}", f"{self.title}: recommendations on {c}")
                    for c in entry["countries"]]
        targets += [(f"theme/{slug(t)}", f"{self.title}: recommendations on {t}")
                    for t in entry["themes"]]
        for path, title in targets:
            entries = [e for e in self.feeds.get(path, []) if e["id"] != entry["id"]]
            entries.append(entry)
            self.feeds[path] = entries[-self.limit:]
            self.feed_titles[path] = title
            self.dirty.add(path)

    # -- output ---------------------------------------------------------------

    def flush(self):
        """Write every changed feed (atomically) and the state file."""
        for path in sorted(self.dirty):
            self._write_atomically(self.out_dir / f"{path}.atom", self.render(path))
        if self.dirty:
            self._save_state()
        written = len(self.dirty)
        self.dirty.clear()
        return written

    def render(self, path):
        """The Atom document (bytes) of one feed, newest entry first."""
        entries = list(reversed(self.feeds.get(path, [])))
        feed = ET.Element(f"{{{ATOM}}}feed")
        ET.SubElement(feed, f"{{{ATOM}}}id").text = f"urn:recwatch:feed:{path.replace('/', ':')}"
        ET.SubElement(feed, f"{{{ATOM}}}title").text = self.feed_titles.get(path, path)
        ET.SubElement(feed, f"{{{ATOM}}}updated").text = \
            max((e["updated"] for e in entries), default=None) or now_utc()
        author = ET.SubElement(feed, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = self.title
        generator = ET.SubElement(feed, f"{{{ATOM}}}generator", version=recwatch.__version__)
        generator.text = "recwatch feed"
        if self.feed_url:
            ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", type="application/atom+xml",
                          href=f"{self.feed_url}{path}.atom")
        for entry in entries:
            feed.append(self._entry_element(entry))
        ET.indent(feed)
        return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"

    def _link(self, entry):
        file = entry.get("file")
        if not file:
            return None
        quoted = urllib.parse.quote(file)
        start, end = entry["span"]
        return f"{self.base_url.rstrip('/')}/{quoted}#bytes={start}-{end}" if self.base_url \
            else f"{quoted}#bytes={start}-{end}"

    def _entry_element(self, entry):
        element = ET.Element(f"{{{ATOM}}}entry")
        ET.SubElement(element, f"{{{ATOM}}}id").text = entry["id"]
        ET.SubElement(element, f"{{{ATOM}}}title").text = shorten(entry["text"])
        ET.SubElement(element, f"{{{ATOM}}}updated").text = entry["updated"]
        ET.SubElement(element, f"{{{ATOM}}}published").text = entry["updated"]
        if entry.get("speaker"):
            author = ET.SubElement(element, f"{{{ATOM}}}author")
            ET.SubElement(author, f"{{{ATOM}}}name").text = entry["speaker"]
        link = self._link(entry)
        if link:
            ET.SubElement(element, f"{{{ATOM}}}link", rel="alternate", href=link)
        for scheme, terms in (("country", entry["countries"]), ("theme", entry["themes"]),
                              ("strength", [entry["strength"]] if entry["strength"] else []),
                              ("category", [str(entry["category"])] if entry["category"] else [])):
            for term in terms:
                ET.SubElement(element, f"{{{ATOM}}}category", term=term,
                              scheme=f"urn:recwatch:{scheme}", label=term)
        ET.SubElement(element, f"{{{ATOM}}}summary").text = entry["text"]
        content = ET.SubElement(element, f"{{{ATOM}}}content", type="xhtml")
        content.append(self._content_div(entry))
        for name in ("statement", "index", "node", "seq", "addressee", "action", "strength",
                     "category", "confidence", "language"):
            if entry.get(name) is not None:
                ET.SubElement(element, f"{{{RW}}}{name}").text = str(entry[name])
        ET.SubElement(element, f"{{{RW}}}span").text = f"{entry['span'][0]} {entry['span'][1]}"
        for name, values in (("theme", entry["themes"]), ("country", entry["countries"]),
                             ("cue", entry["cues"])):
            for value in values:
                ET.SubElement(element, f"{{{RW}}}{name}").text = value
        return element

    @staticmethod
    def _content_div(entry):
        div = ET.Element(f"{{{XHTML}}}div")
        ET.SubElement(div, f"{{{XHTML}}}p").text = entry["text"]
        fields = ET.SubElement(div, f"{{{XHTML}}}dl")
        confidence = entry.get("confidence")
        rows = [
            ("Addressee", entry.get("addressee")),
            ("Action", entry.get("action")),
            ("Strength", entry.get("strength")),
            ("Category", entry.get("category")),
            ("Themes", ", ".join(entry["themes"]) or None),
            ("Countries", ", ".join(entry["countries"]) or None),
            ("Confidence", f"{confidence:.2f}" if isinstance(confidence, (int, float)) else None),
            ("Statement", entry.get("statement_title")),
            ("Speaker", ", ".join(x for x in (entry.get("speaker"), entry.get("role")) if x) or None),
            ("Date", entry.get("date")),
            ("Place", entry.get("place")),
        ]
        for label, value in rows:
            if value is None:
                continue
            ET.SubElement(fields, f"{{{XHTML}}}dt").text = label
            ET.SubElement(fields, f"{{{XHTML}}}dd").text = str(value)
        return div

    @staticmethod
    def _write_atomically(path, data):
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                                 dir=path.parent)
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            try:
                os.unlink(temporary)
            except FileNotFoundError:
                pass
            raise

    # -- state ----------------------------------------------------------------

    def _load_state(self):
        path = self.out_dir / STATE_FILE
        try:
            state = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as error:
            log.warning("%s: %s; starting afresh", path, error)
            return
        self.feeds = {k: v[-self.limit:] for k, v in state.get("feeds", {}).items()}
        self.feed_titles = state.get("titles", {})
        self.statements = state.get("statements", {})
        self.last_seq = state.get("last_seq", {})

    def _save_state(self):
        state = {"version": 1, "last_seq": self.last_seq, "feeds": self.feeds,
                 "titles": self.feed_titles, "statements": self.statements}
        self._write_atomically(self.out_dir / STATE_FILE,
                               json.dumps(state, ensure_ascii=False).encode("utf-8"))

    def resume_seq(self):
        """The seq to replay from after a restart (one node: its last seq + 1)."""
        if len(self.last_seq) == 1:
            return next(iter(self.last_seq.values())) + 1
        return None


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description="Keep Atom feeds of recwatch recommendations.")
    parser.add_argument("-e", "--endpoint", action="append",
                        help="publisher endpoint (repeat; default tcp://127.0.0.1:5560)")
    parser.add_argument("-r", "--replay", help="replay endpoint: catch up after a restart, fill gaps")
    parser.add_argument("-o", "--output", required=True, help="folder of the feeds")
    parser.add_argument("-n", "--entries", type=int, default=100,
                        help="newest entries kept in each feed (default 100)")
    parser.add_argument("--base-url", help="URL of the folder where statement files are served; "
                                           "entries link to BASE-URL/FILE (default: the file name)")
    parser.add_argument("--feed-url", help="URL where the output folder is served (rel=self links)")
    parser.add_argument("--since", type=int, metavar="N",
                        help="replay from seq N (default: where the last run stopped)")
    parser.add_argument("--title", default="recwatch", help="feed title prefix and author")
    parser.add_argument("--server-key", metavar="FILE", help="server's CURVE public key (NAME.pub)")
    parser.add_argument("--key", metavar="FILE", help="our CURVE key pair (NAME.key)")
    parser.add_argument("--idle-exit", type=float, metavar="S",
                        help="write and exit after S seconds without a recommendation")
    arguments = parser.parse_args(argv)
    if arguments.since is not None and not arguments.replay:
        parser.error("--since needs -r/--replay")
    if arguments.entries < 1:
        parser.error("--entries must be at least 1")
    return arguments


def run(arguments):
    writer = FeedWriter(arguments.output, entries=arguments.entries, base_url=arguments.base_url,
                        feed_url=arguments.feed_url, title=arguments.title)
    since = arguments.since
    if since is None and arguments.replay:
        since = writer.resume_seq()
    subscriber = recwatch.Subscriber(arguments.endpoint or ["tcp://127.0.0.1:5560"],
                                     topics=["statement.", "recommendation."],
                                     replay_endpoint=arguments.replay, since=since,
                                     server_key=arguments.server_key, keypair=arguments.key)
    log.info("writing feeds to %s%s", arguments.output,
             f" (replaying from seq {since})" if since is not None else "")
    last_flush = time.monotonic()
    last_event = time.monotonic()
    with subscriber:
        while True:
            event = subscriber.recv(timeout=0.5)
            now = time.monotonic()
            if event is not None:
                writer.add(event)
                last_event = now
            # Write when the stream pauses, and at least every 2 s while it flows.
            if writer.dirty and (event is None or now - last_flush >= 2):
                writer.flush()
                last_flush = now
            if arguments.idle_exit is not None and now - last_event >= arguments.idle_exit:
                writer.flush()
                return 0


def main(argv=None):
    logging.basicConfig(level=logging.INFO, format="recwatch-feed: %(message)s", stream=sys.stderr)
    arguments = parse_arguments(argv)
    try:
        return run(arguments)
    except (recwatch.KeyFileError, recwatch.ReplayError, OSError) as error:
        print(f"recwatch-feed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
