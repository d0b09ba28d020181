#!/usr/bin/python3
"""bench.py — recwatch's benchmarks: figures for every speed and memory promise.

Started by bench/run (`make bench`), which has already built BUILD/extract_bench.
Prints a table (figure, value, target, ✓/✗) and appends it, dated, with the machine's
description, to bench/RESULTS.md. Benchmarks never fail the build: the exit status is
0 unless the harness itself could not run.

Environment: BUILD (default build), BENCH_QUICK=1 (smaller counts, said in the
output), BENCH_ONLY=extract,burst,... (run some sections only), BENCH_KEEP=1 (keep
the temporary folders), BENCH_RESULTS=FILE (where to append; default bench/RESULTS.md).
See bench/README.md for what each figure means and how it is measured.
"""
import datetime
import glob
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "peer"))
sys.path.insert(0, HERE)

import recpeer  # noqa: E402
from collector import Collector  # noqa: E402

BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
PYTHON = os.environ.get("PYTHON", "/usr/bin/python3")
CORPUS = os.path.abspath(os.path.join(ROOT, "..", "shared", "corpus"))
LEXICONS = os.path.join(ROOT, "config", "lexicon")
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
ONLY = set(filter(None, os.environ.get("BENCH_ONLY", "").split(",")))
KEEP = os.environ.get("BENCH_KEEP", "") not in ("", "0")
PROFILE = os.environ.get("BENCH_PROFILE", "") not in ("", "0")
RESULTS = os.environ.get("BENCH_RESULTS", os.path.join(HERE, "RESULTS.md"))

# Counts: full, and reduced for BENCH_QUICK=1.
FULL = dict(extract_bytes=50_000_000, callgrind_bytes=2_000_000, peer_extract_bytes=20_000_000,
            burst=10_000, peer_burst=10_000, latency_rate=200, latency_seconds=30,
            memory_statements=100_000, idle_seconds=30, profile_statements=300)
REDUCED = dict(extract_bytes=10_000_000, callgrind_bytes=1_000_000, peer_extract_bytes=5_000_000,
               burst=2_000, peer_burst=1_000, latency_rate=200, latency_seconds=10,
               memory_statements=20_000, idle_seconds=10, profile_statements=100)
COUNTS = REDUCED if QUICK else FULL

TARGETS = dict(extract_mb_s=100.0, burst_per_s=2000.0, latency_p99_ms=10.0, rss_mb=32.0,
               rss_growth_b=64.0, idle_cpu_percent=0.1, peer_ratio=20.0)

rows = []    # (section, figure, value text, target text, mark)
notes = []   # free text printed under the table


def row(section, figure, value, target="", ok=None):
    mark = "" if ok is None else ("✓" if ok else "✗")
    rows.append((section, figure, value, target, mark))
    print(f"  {section:8} {figure:44} {value:34} {target:14} {mark}", flush=True)


def note(text):
    notes.append(text)
    print("  note: " + text, flush=True)


def wanted(section):
    return not ONLY or section in ONLY


# ---- the corpus ---------------------------------------------------------------------

def corpus_by_language():
    """{language: [paths of .txt]} from the LANG: line of each .meta."""
    languages = {}
    for meta in sorted(glob.glob(os.path.join(CORPUS, "*.meta"))):
        text_path = meta[:-5] + ".txt"
        if not os.path.exists(text_path):
            continue
        with open(meta, encoding="utf-8") as f:
            match = re.search(r"^LANG:\s*(\S+)", f.read(), re.MULTILINE)
        languages.setdefault(match.group(1) if match else "unknown", []).append(text_path)
    return languages


def corpus_texts():
    texts = []
    for path in sorted(glob.glob(os.path.join(CORPUS, "*.txt"))):
        with open(path, "rb") as f:
            texts.append((os.path.basename(path), f.read()))
    return texts


def unique_statement(texts, i):
    """Statement i: a corpus text with a counter line appended, so its content id is new."""
    name, data = texts[i % len(texts)]
    return f"b{i:06d}-{name}", data + f"\n\nBench statement number {i}.\n".encode()


def small_statement(texts, i):
    """A small statement (the opening paragraphs of a corpus text, ≈1 kB), made unique."""
    name, data = texts[i % len(texts)]
    cut = data.find(b"\n\n", 800)
    head = data[:cut if 0 < cut < 2000 else 1000]
    return f"s{i:06d}-{name}", head + f"\n\nBench statement number {i}.\n".encode()


def loadable_languages():
    """The languages of en, fr, es whose lexicon folder is complete enough to load."""
    found = [lang for lang in ("en", "fr", "es")
             if os.path.exists(os.path.join(LEXICONS, lang, "cues.tsv"))]
    missing = [lang for lang in ("en", "fr", "es") if lang not in found]
    if missing:
        note(f"lexicon folders incomplete for {','.join(missing)}: loaded {','.join(found)} only")
    return found


# ---- processes ------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid, key):
    """A kB figure (VmHWM, VmRSS) or a count from /proc/PID/status."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def proc_cpu(pid):
    """(utime+stime in seconds from /proc/PID/stat, CPU seconds of every thread from
    schedstat, voluntary switches of the main thread, of all threads, involuntary of all)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])   # utime, stime (fields 14 and 15)
    run_ns = wait_ns = 0
    voluntary_all = involuntary_all = 0
    for task in glob.glob(f"/proc/{pid}/task/*"):
        try:
            with open(task + "/schedstat") as f:
                fields = f.read().split()
                run_ns += int(fields[0])
                wait_ns += int(fields[1])
            voluntary_all += proc_status_path(task + "/status", "voluntary_ctxt_switches")
            involuntary_all += proc_status_path(task + "/status", "nonvoluntary_ctxt_switches")
        except (OSError, ValueError):
            pass
    return dict(cpu_s=ticks / os.sysconf("SC_CLK_TCK"), run_s=run_ns / 1e9, wait_s=wait_ns / 1e9,
                voluntary_main=proc_status(pid, "voluntary_ctxt_switches"),
                voluntary_all=voluntary_all, involuntary_all=involuntary_all,
                threads=len(glob.glob(f"/proc/{pid}/task/*")))


def proc_status_path(path, key):
    with open(path) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def filesystem_type(path):
    best, kind = "", "?"
    with open("/proc/mounts") as f:
        for line in f:
            parts = line.split()
            mount = parts[1]
            if path.startswith(mount.rstrip("/") + "/") or path == mount:
                if len(mount) >= len(best):
                    best, kind = mount, parts[2]
    return kind


class Workdir:
    """A temporary folder on a disk file system (not tmpfs, so fsync means something)."""

    def __init__(self, prefix):
        base = "/var/tmp" if os.path.isdir("/var/tmp") else None
        self.path = tempfile.mkdtemp(prefix=prefix, dir=base)
        for name in ("incoming", "done", "failed", "state", "staging"):
            os.makedirs(os.path.join(self.path, name))
        self.incoming = os.path.join(self.path, "incoming")
        self.done = os.path.join(self.path, "done")
        self.staging = os.path.join(self.path, "staging")

    def stage(self, statements):
        """Write (name, bytes) into staging/ and flush them to disk before the clock starts."""
        names = []
        for name, data in statements:
            with open(os.path.join(self.staging, name), "wb") as f:
                f.write(data)
            names.append(name)
        os.sync()
        return names

    def remove(self):
        if KEEP:
            print(f"  (kept {self.path})")
        else:
            shutil.rmtree(self.path, ignore_errors=True)


class Daemon:
    """recwatchd on a Workdir, its own config and free ports."""

    def __init__(self, work, heartbeat_s=1, level="info", wrapper=(), start_timeout=30):
        self.work = work
        self.endpoint = f"tcp://127.0.0.1:{free_port()}"
        replay = f"tcp://127.0.0.1:{free_port()}"
        languages = ", ".join(f'"{lang}"' for lang in LANGUAGES)
        self.config = os.path.join(work.path, "recwatch.conf")
        with open(self.config, "w") as f:
            f.write(f"""node = "bench";
spool: {{ incoming = "incoming"; done = "done"; failed = "failed"; }};
state: {{ dir = "state"; }};
publish: {{ endpoints = [ "{self.endpoint}" ]; heartbeat_s = {heartbeat_s}; }};
replay: {{ endpoint = "{replay}"; }};
extract: {{ lexicons = "{LEXICONS}"; languages = [ {languages} ]; }};
log: {{ level = "{level}"; }};
""")
        self.log_path = os.path.join(work.path, "daemon.log")
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen([*wrapper, os.path.join(BUILD, "recwatchd"), "-f", "-c", self.config],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        self.pid = self.process.pid
        deadline = time.monotonic() + start_timeout
        while "recwatchd started" not in self.log_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("recwatchd did not start:\n" + self.log_text()[-2000:])
            time.sleep(0.02)

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, timeout=20):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class PeerProcess:
    """bench/peer/recpeer.py on a Workdir."""

    def __init__(self, work):
        self.endpoint = f"tcp://127.0.0.1:{free_port()}"
        self.process = subprocess.Popen(
            [PYTHON, os.path.join(HERE, "peer", "recpeer.py"), "--incoming", work.incoming,
             "--done", work.done, "--endpoint", self.endpoint],
            stdout=subprocess.PIPE, stderr=open(os.path.join(work.path, "peer.log"), "wb"))
        self.pid = self.process.pid
        line = self.process.stdout.readline()
        if b"recpeer started" not in line:
            raise RuntimeError("recpeer did not start: " + line.decode())

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def tear_down(work, daemon, process=None, subscriber=None):
    """End a section: its collector (a process, or a subscriber socket), its daemon (or
    peer), then its folder."""
    if process:
        process.kill()
        process.wait()
    if subscriber:
        subscriber.close()
    if daemon:
        daemon.stop()
    work.remove()


def start_collector(work, endpoint, expected, timeout_s):
    out = os.path.join(work.path, "collected.json")
    process = subprocess.Popen([PYTHON, os.path.join(HERE, "collector.py"), endpoint,
                                str(expected), out, str(timeout_s)], stdout=subprocess.PIPE)
    line = process.stdout.readline()
    if b"ready" not in line:
        process.kill()
        raise RuntimeError("the collector got no heartbeat from " + endpoint)
    return process, out


def finish_collector(process, out, wait_s):
    try:
        process.wait(wait_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return {"complete": {}, "messages": 0, "incomplete": -1}
    with open(out) as f:
        return json.load(f)


def percentile(values, p):
    """Nearest-rank percentile of sorted values."""
    if not values:
        return float("nan")
    rank = max(1, int(-(-p * len(values) // 100)))
    return values[min(rank, len(values)) - 1]


# ---- extract --------------------------------------------------------------------------

def extract_bench(mode, files, min_bytes, languages=None):
    command = [os.path.join(BUILD, "extract_bench"), "--lexicon", LEXICONS, "--mode", mode,
               "--languages", ",".join(languages or LANGUAGES), "--min-bytes", str(min_bytes)]
    output = subprocess.run(command + files, capture_output=True, text=True, check=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


EXTRACT_RUNS = 3


def extract_bench_median(mode, files, min_bytes):
    """The run with the median MB/s of EXTRACT_RUNS runs (one run on this shared VM
    moves by several percent), with the lowest and highest MB/s beside it."""
    runs = sorted((extract_bench(mode, files, min_bytes) for _ in range(EXTRACT_RUNS)),
                  key=lambda run: run["mb_per_s"])
    median = dict(runs[len(runs) // 2])
    median["mb_per_s_range"] = (runs[0]["mb_per_s"], runs[-1]["mb_per_s"])
    return median


def perf_instructions_work():
    try:
        output = subprocess.run(["perf", "stat", "-x,", "-e", "instructions", "true"],
                                capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return output.returncode == 0 and "not supported" not in output.stderr \
        and "not counted" not in output.stderr and re.search(r"^\d+,", output.stderr, re.M)


def instructions_perf(files, min_bytes):
    """Instructions per byte: perf stat of a run of min_bytes minus a run of one copy."""
    counts = []
    for size in (0, min_bytes):
        command = ["perf", "stat", "-x,", "-e", "instructions", os.path.join(BUILD, "extract_bench"),
                   "--lexicon", LEXICONS, "--mode", "extract", "--languages", ",".join(LANGUAGES),
                   "--min-bytes", str(size)] + files
        output = subprocess.run(command, capture_output=True, text=True, check=True)
        figures = json.loads(output.stdout.strip().splitlines()[-1])
        instructions = int(re.search(r"^(\d+),", output.stderr, re.M).group(1))
        counts.append((figures["bytes"], instructions))
    (bytes_1, instructions_1), (bytes_n, instructions_n) = counts
    return (instructions_n - instructions_1) / max(1, bytes_n - bytes_1)


def instructions_callgrind(files, min_bytes, work, label):
    """Instructions per byte of the measured loop only, from callgrind (and its profile)."""
    out = os.path.join(work, f"callgrind.{label}.out")
    command = ["valgrind", "--tool=callgrind", "--collect-atstart=no",
               "--toggle-collect=bench_measure", f"--callgrind-out-file={out}",
               os.path.join(BUILD, "extract_bench"), "--lexicon", LEXICONS, "--mode", "extract",
               "--languages", ",".join(LANGUAGES), "--min-bytes", str(min_bytes)] + files
    output = subprocess.run(command, capture_output=True, text=True, check=True)
    figures = json.loads(output.stdout.strip().splitlines()[-1])
    total = None
    with open(out) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                total = int(line.split()[1])
    profile = subprocess.run(["callgrind_annotate", "--inclusive=no", out],
                             capture_output=True, text=True).stdout
    return total / figures["bytes"], profile


def top_functions(profile, count=8):
    """[(percent, function)] from callgrind_annotate's exclusive listing."""
    found = []
    for line in profile.splitlines():
        match = re.match(r"\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+\S*?:?(\S+)\s", line + " ")
        if match and "PROGRAM TOTALS" not in line:
            function = line.split(":")[-1].split()[0] if ":" in line else match.group(3)
            found.append((float(match.group(2)), function))
        if len(found) >= count:
            break
    return found


def section_extract(by_language, work):
    print("extract — the extractor alone, one core, corpus replicated in memory", flush=True)
    figures = {}
    min_bytes = COUNTS["extract_bytes"]
    for language in ("en", "fr", "es"):
        files = by_language.get(language)
        if not files:
            continue
        for mode in ("extract", "pipeline"):
            result = extract_bench_median(mode, files, min_bytes)
            figures[(language, mode)] = result
            label = "ingest+extract" if mode == "extract" else "pipeline (+sha256, JSON)"
            target = "≥ 100 MB/s" if (language, mode) == ("en", "extract") else ""
            ok = result["mb_per_s"] >= TARGETS["extract_mb_s"] if target else None
            row("extract", f"{language} {label}",
                f"{result['mb_per_s']:.1f} MB/s, {result['statements_per_s']:.0f} st/s",
                target, ok)
    low, high = figures[('en', 'extract')]['mb_per_s_range']
    note(f"extract: {figures[('en', 'extract')]['bytes'] / 1e6:.0f} MB per run "
         f"({figures[('en', 'extract')]['copies']} copies of the {len(by_language['en'])} "
         f"English texts), CPU time of the measuring thread; each row is the median of "
         f"{EXTRACT_RUNS} runs (en ingest+extract: {low:.1f} to {high:.1f} MB/s)")

    if perf_instructions_work():
        for language in ("en", "fr", "es"):
            if by_language.get(language):
                per_byte = instructions_perf(by_language[language], min_bytes // 5)
                row("extract", f"{language} instructions/byte (perf stat)", f"{per_byte:.0f}")
    elif shutil.which("valgrind"):
        profile_en = ""
        for language in ("en", "fr", "es"):
            if by_language.get(language):
                per_byte, profile = instructions_callgrind(
                    by_language[language], COUNTS["callgrind_bytes"], work, language)
                if language == "en":
                    profile_en = profile
                row("extract", f"{language} instructions/byte (callgrind)", f"{per_byte:.0f}")
        note(f"perf stat -e instructions does not work here: instructions counted by callgrind "
             f"over a {COUNTS['callgrind_bytes'] / 1e6:.0f} MB replica")
        hot = top_functions(profile_en)
        if hot:
            note("extract en, where the instructions go (callgrind, self): " +
                 ", ".join(f"{name} {percent:.1f}%" for percent, name in hot))
    else:
        note("neither perf stat -e instructions nor valgrind works here: no instructions/byte")
    return figures


def section_peer_extract(by_language):
    print("peer extract — the Python peer's extract + JSON, one core, in memory", flush=True)
    figures = {}
    for language in ("en", "fr", "es"):
        paths = by_language.get(language)
        if not paths:
            continue
        originals = []
        for path in paths:
            with open(path, "rb") as f:
                originals.append((os.path.basename(path), f.read()))
        size = sum(len(data) for _, data in originals)
        copies = max(1, -(-COUNTS["peer_extract_bytes"] // size))
        replicas = [(name, bytes(bytearray(data))) for _ in range(copies) for name, data in originals]
        statements = total = 0
        started = time.process_time()
        for name, data in replicas:
            recpeer.serialise(*recpeer.extract(name, data))
            statements += 1
            total += len(data)
        cpu = time.process_time() - started
        figures[language] = dict(mb_per_s=total / 1e6 / cpu, statements_per_s=statements / cpu)
        row("peer", f"{language} extract + JSON (Python peer)",
            f"{total / 1e6 / cpu:.1f} MB/s, {statements / cpu:.0f} st/s")
    return figures


# ---- profiling (BENCH_PROFILE=1) -------------------------------------------------------

def start_profiler(pid, work):
    if not shutil.which("perf"):
        note("BENCH_PROFILE: perf is missing")
        return None
    out = os.path.join(work.path, "perf.data")
    process = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "1999", "-g",
                                "-p", str(pid), "-o", out],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return process, out


# The daemon's stages, for the inclusive profile.
STAGES = ("rw_spool_read", "rw_pipeline_run", "rw_event_content_id", "rw_ingest", "rw_extract",
          "build_events", "rw_journal_has_content", "rw_journal_append", "publish_event",
          "json_dumps", "rw_publish_send", "rw_spool_finish", "rw_spool_sync", "rw_log",
          "rw_watch_read", "fsync", "fdatasync")


def finish_profiler(profiler, label):
    process, out = profiler
    process.send_signal(signal.SIGINT)
    process.wait(30)
    report = subprocess.run(["perf", "report", "-i", out, "--no-children", "--stdio",
                             "--sort", "symbol", "--percent-limit", "1"],
                            capture_output=True, text=True).stdout
    hot = []
    for line in report.splitlines():
        match = re.match(r"\s+([\d.]+)%\s+\[[.k]\]\s+(\S+)", line)
        if match:
            hot.append(f"{match.group(2)} {match.group(1)}%")
    note(f"{label} profile (perf, daemon, self time): " + ", ".join(hot[:12]))
    inclusive = subprocess.run(["perf", "report", "-i", out, "--children", "--stdio",
                                "--sort", "symbol", "-g", "none"],
                               capture_output=True, text=True).stdout
    stages = {}
    for line in inclusive.splitlines():
        match = re.match(r"\s+([\d.]+)%\s+[\d.]+%\s+\[[.k]\]\s+(\S+)", line)
        if match and match.group(2) in STAGES:
            stages[match.group(2)] = max(stages.get(match.group(2), 0.0), float(match.group(1)))
    note(f"{label} profile (perf, daemon, inclusive): " +
         ", ".join(f"{name} {stages[name]:.1f}%" for name in STAGES if name in stages))
    by_thread = subprocess.run(["perf", "report", "-i", out, "--no-children", "--stdio",
                                "--sort", "comm,dso", "-g", "none", "--percent-limit", "2"],
                               capture_output=True, text=True).stdout
    threads = []
    for line in by_thread.splitlines():
        match = re.match(r"\s+([\d.]+)%\s+(\S+)\s+(\S+)", line)
        if match:
            threads.append(f"{match.group(2)}/{match.group(3)} {match.group(1)}%")
    note(f"{label} profile (perf, daemon, by thread/library): " + ", ".join(threads[:10]))
    report += "\n\n" + inclusive + "\n\n" + by_thread
    saved = os.path.join(tempfile.gettempdir(), f"recwatch-bench-{label}.perf.txt")
    with open(saved, "w") as f:
        f.write(report)
    note(f"{label} profile: full report in {saved}")


# ---- burst ------------------------------------------------------------------------------

def run_burst(kind, count):
    """count unique statements renamed into incoming/ at once; seconds until the last event."""
    work = Workdir(f"recwatch-bench-burst-{kind}-")
    server = None
    collector = None
    try:
        texts = corpus_texts()
        statements = [unique_statement(texts, i) for i in range(count)]
        total_bytes = sum(len(data) for _, data in statements)
        names = work.stage(statements)
        del statements
        server = Daemon(work) if kind == "recwatch" else PeerProcess(work)
        collector, out = start_collector(work, server.endpoint, count, 30)
        profiler = start_profiler(server.pid, work) if PROFILE and kind == "recwatch" else None
        cpu_before = proc_cpu(server.pid)
        started = time.monotonic()
        for name in names:
            os.rename(os.path.join(work.staging, name), os.path.join(work.incoming, name))
        renamed = time.monotonic() - started
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = finish_collector(collector, out, 3600)
        collector = None
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        collector_cpu = (children.ru_utime + children.ru_stime -
                         children_before.ru_utime - children_before.ru_stime)
        cpu_after = proc_cpu(server.pid)
        cpu = cpu_after["run_s"] - cpu_before["run_s"]
        runqueue = cpu_after["wait_s"] - cpu_before["wait_s"]
        if profiler:
            finish_profiler(profiler, "burst")
        hwm = proc_status(server.pid, "VmHWM")
        times = list(result["complete"].values())
        received = len(times)
        seconds = (max(times) - started) if times else float("nan")
        return dict(count=count, received=received, seconds=seconds, renamed_s=renamed, cpu_s=cpu,
                    collector_cpu_s=collector_cpu, runqueue_s=runqueue,
                    per_s=received / seconds if times else 0.0, hwm_kb=hwm, bytes=total_bytes,
                    messages=result["messages"], fs=filesystem_type(work.path))
    finally:
        tear_down(work, server, process=collector)


def section_burst():
    print("burst — statements renamed into incoming/ at once, daemon running", flush=True)
    result = run_burst("recwatch", COUNTS["burst"])
    complete = result["received"] == result["count"]
    row("burst", f"recwatch {result['count']} statements ({result['bytes'] / 1e6:.0f} MB)",
        f"{result['seconds']:.2f} s, {result['per_s']:.0f} st/s", "≥ 2000 st/s",
        complete and result["per_s"] >= TARGETS["burst_per_s"])
    row("burst", "recwatch statements per CPU second of the daemon",
        f"{result['received'] / max(result['cpu_s'], 1e-9):.0f} st/CPU-s", "")
    if not complete:
        note(f"burst: only {result['received']} of {result['count']} statements were complete "
             f"at the subscriber")
    note(f"burst: journal on {result['fs']} (fsync'd by the daemon), renames took "
         f"{result['renamed_s']:.2f} s, {result['messages']} messages received; the daemon used "
         f"{result['cpu_s']:.2f} s of CPU in {result['seconds']:.2f} s and waited "
         f"{result['runqueue_s']:.2f} s for a CPU (other load; summed over its threads), "
         f"the subscriber used {result['collector_cpu_s']:.2f} s")
    return result


def section_peer_burst():
    print("peer burst — the same for the Python peer", flush=True)
    result = run_burst("peer", COUNTS["peer_burst"])
    row("peer", f"burst {result['count']} statements",
        f"{result['seconds']:.2f} s, {result['per_s']:.0f} st/s")
    row("peer", "peer statements per CPU second",
        f"{result['received'] / max(result['cpu_s'], 1e-9):.0f} st/CPU-s", "")
    note(f"peer burst: the peer used {result['cpu_s']:.2f} s of CPU in {result['seconds']:.2f} s "
         f"(no journal, no fsync)")
    if result["received"] != result["count"]:
        note(f"peer burst: only {result['received']} of {result['count']} complete")
    return result


# ---- latency ------------------------------------------------------------------------------

def section_latency(no_fsync=False):
    """Rename → last event at a steady rate. no_fsync: a diagnostic run under eatmydata
    (fsync a no-op), to tell the disk's share of the latency from the daemon's."""
    rate, duration = COUNTS["latency_rate"], COUNTS["latency_seconds"]
    if no_fsync:
        duration = min(duration, 10)
    count = rate * duration
    print(f"latency — {rate} statements/s for {duration} s"
          f"{' without fsync (eatmydata; diagnostic)' if no_fsync else ''}", flush=True)
    work = Workdir("recwatch-bench-latency-")
    daemon = collector = None
    try:
        texts = corpus_texts()
        names = work.stage(unique_statement(texts, i) for i in range(count))
        daemon = Daemon(work, wrapper=("eatmydata",) if no_fsync else ())
        collector, out = start_collector(work, daemon.endpoint, count, 10)
        renamed_at = {}
        started = time.monotonic() + 0.1
        for i, name in enumerate(names):
            due = started + i / rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            renamed_at[name] = time.monotonic()
            os.rename(os.path.join(work.staging, name), os.path.join(work.incoming, name))
        late = time.monotonic() - (started + (count - 1) / rate)
        result = finish_collector(collector, out, 120)
        collector = None
        hwm = proc_status(daemon.pid, "VmHWM")
        latencies = sorted((result["complete"][name] - renamed_at[name]) * 1000
                           for name in names if name in result["complete"])
        p50, p95, p99 = (percentile(latencies, p) for p in (50, 95, 99))
        worst = latencies[-1] if latencies else float("nan")
        figures = f"p50 {p50:.1f} p95 {p95:.1f} p99 {p99:.1f} max {worst:.1f} ms"
        if no_fsync:
            row("latency", f"the same without fsync, {duration} s (diagnostic)", figures, "")
            return None
        row("latency", f"rename → last event, {rate}/s for {duration} s", figures, "p99 ≤ 10 ms",
            len(latencies) == count and p99 <= TARGETS["latency_p99_ms"])
        if len(latencies) != count:
            note(f"latency: {count - len(latencies)} of {count} statements never completed")
        if late > 0.05:
            note(f"latency: the producer fell {late:.2f} s behind its schedule")
        return dict(p50=p50, p95=p95, p99=p99, max=worst, hwm_kb=hwm)
    finally:
        tear_down(work, daemon, process=collector)


# ---- memory ----------------------------------------------------------------------------

def section_memory(burst, latency):
    print("memory — peak RSS, and RSS after many small statements", flush=True)
    for label, result in (("burst", burst), ("latency", latency)):
        if result and result.get("hwm_kb"):
            mb = result["hwm_kb"] / 1024
            row("memory", f"peak RSS (VmHWM) during {label}", f"{mb:.1f} MB", "≤ 32 MB",
                mb <= TARGETS["rss_mb"])
    total = COUNTS["memory_statements"]
    work = Workdir("recwatch-bench-memory-")
    daemon = collector = None
    try:
        texts = corpus_texts()
        daemon = Daemon(work, level="notice")
        collector = Collector(daemon.endpoint, topics=(b"statement", b"heartbeat"))
        if not collector.wait_connected():
            raise RuntimeError("no heartbeat from the daemon")
        chunk, sent, samples = 1000, 0, {}
        started = time.monotonic()
        while sent < total:
            batch = [small_statement(texts, i) for i in range(sent, min(total, sent + chunk))]
            names = work.stage(batch) if sent == 0 else stage_quietly(work, batch)
            for name in names:
                os.rename(os.path.join(work.staging, name), os.path.join(work.incoming, name))
            sent += len(names)
            deadline = time.monotonic() + 120
            while collector.messages - collector.heartbeats < sent and time.monotonic() < deadline:
                collector.poll(200)
            if sent == 1000 or sent % 10_000 == 0 or sent == total:
                time.sleep(0.2)
                samples[sent] = proc_status(daemon.pid, "VmRSS")
        elapsed = time.monotonic() - started
        received = collector.messages - collector.heartbeats
        first, last = samples[1000], samples[total]
        per_statement = (last - first) * 1024 / (total - 1000)
        row("memory", f"RSS after 1,000 → {total:,} small statements",
            f"{first / 1024:.1f} → {last / 1024:.1f} MB ({per_statement:+.0f} B/statement)",
            "≤ 64 B/st", received >= total and per_statement <= TARGETS["rss_growth_b"])
        note("memory: the journal keeps the sha256 of every statement it holds (32-byte digest "
             "+ hash slot, ≈ 40 B/statement by design, for \"never published twice\"), so "
             "\"no growth\" is judged as ≤ 64 B per statement; anything above is a leak or "
             "fragmentation")
        note("memory: VmRSS by statements processed: " +
             ", ".join(f"{n:,}: {kb / 1024:.1f} MB" for n, kb in sorted(samples.items())) +
             f" ({received:,} statement events received in {elapsed:.0f} s, "
             f"{received / elapsed:.0f} st/s for ≈1 kB statements)")
        row("memory", "peak RSS (VmHWM) during the small statements",
            f"{proc_status(daemon.pid, 'VmHWM') / 1024:.1f} MB", "≤ 32 MB",
            proc_status(daemon.pid, "VmHWM") / 1024 <= TARGETS["rss_mb"])
    finally:
        tear_down(work, daemon, subscriber=collector)


def stage_quietly(work, statements):
    """Like Workdir.stage without the sync: the memory run measures RSS, not latency."""
    names = []
    for name, data in statements:
        with open(os.path.join(work.staging, name), "wb") as f:
            f.write(data)
        names.append(name)
    return names


# ---- where the daemon's instructions go (callgrind) ----------------------------------------

# The daemon's stages, as callgrind names them (inclusive instructions).
DAEMON_STAGES = (("rw_pipeline_run", "pipeline"), ("rw_ingest", "ingest"),
                 ("rw_extract", "extract"), ("rw_event_content_id", "sha256"),
                 ("rw_event_recommendation", "recommendation events"),
                 ("rw_event_statement", "statement events"),
                 ("rw_journal_append", "journal append"), ("publish_event", "publish"),
                 ("json_dumps", "json_dumps (journal+publish)"), ("rw_spool_read", "spool read"),
                 ("rw_spool_finish", "spool finish"), ("rw_log", "log"))


def section_daemon_profile():
    """A small burst through the daemon under callgrind: instructions per byte of the
    whole daemon loop (rw_server_run) and the share of each stage."""
    if not shutil.which("valgrind") or not shutil.which("callgrind_annotate"):
        note("profile: valgrind is missing: no daemon profile")
        return None
    count = COUNTS["profile_statements"]
    print(f"profile — {count} statements through the daemon under callgrind", flush=True)
    work = Workdir("recwatch-bench-profile-")
    daemon = collector = None
    try:
        texts = corpus_texts()
        statements = [unique_statement(texts, i) for i in range(count)]
        total_bytes = sum(len(data) for _, data in statements)
        names = work.stage(statements)
        out = os.path.join(work.path, "callgrind.out")
        daemon = Daemon(work, wrapper=("valgrind", "--tool=callgrind", "--collect-atstart=no",
                                       "--toggle-collect=rw_server_run",
                                       f"--callgrind-out-file={out}"), start_timeout=120)
        collector = Collector(daemon.endpoint, topics=(b"statement", b"heartbeat"))
        collector.wait_connected(60)
        for name in names:
            os.rename(os.path.join(work.staging, name), os.path.join(work.incoming, name))
        deadline = time.monotonic() + 600
        while collector.messages - collector.heartbeats < count and time.monotonic() < deadline:
            collector.poll(500)
        daemon.stop(timeout=120)
        daemon = None
        annotated = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", out],
                                   capture_output=True, text=True).stdout
        totals = None
        shares = {}
        for line in annotated.splitlines():
            match = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)", line)
            if not match:
                continue
            instructions = int(match.group(1).replace(",", ""))
            if "PROGRAM TOTALS" in line:
                totals = instructions
                continue
            function = re.sub(r"\s*\[.*$", "", match.group(2)).split(":")[-1]
            shares[function] = max(shares.get(function, 0), instructions)
        if not totals:
            note("profile: callgrind gave no totals")
            return None
        row("profile", f"daemon instructions/byte ({count} statements, whole loop)",
            f"{totals / total_bytes:.0f}", "")
        parts = [f"{label} {shares[name] / totals * 100:.1f}%"
                 for name, label in DAEMON_STAGES if name in shares]
        note("profile: share of the daemon loop's instructions (callgrind, inclusive): " +
             ", ".join(parts))
        return shares
    finally:
        tear_down(work, daemon, subscriber=collector)


# ---- idle -------------------------------------------------------------------------------

def section_idle():
    seconds = COUNTS["idle_seconds"]
    print(f"idle — an idle daemon (default heartbeat_s = 5) for {seconds} s", flush=True)
    work = Workdir("recwatch-bench-idle-")
    daemon = collector = None
    try:
        daemon = Daemon(work, heartbeat_s=5)
        collector = Collector(daemon.endpoint, topics=(b"heartbeat",))
        collector.wait_connected(10)
        time.sleep(1)
        before = proc_cpu(daemon.pid)
        time.sleep(seconds)
        after = proc_cpu(daemon.pid)
        collector.poll(0)
        cpu_percent = (after["run_s"] - before["run_s"]) / seconds * 100
        ticks_percent = (after["cpu_s"] - before["cpu_s"]) / seconds * 100
        wakes_main = after["voluntary_main"] - before["voluntary_main"]
        wakes_all = after["voluntary_all"] - before["voluntary_all"]
        row("idle", f"CPU over {seconds} s (all {after['threads']} threads)",
            f"{cpu_percent:.4f} % ({ticks_percent:.3f} % by ticks)", "≤ 0.1 %",
            cpu_percent <= TARGETS["idle_cpu_percent"])
        row("idle", f"wake-ups over {seconds} s (heartbeats: {seconds // 5})",
            f"main thread {wakes_main}, all threads {wakes_all}", "")
    finally:
        tear_down(work, daemon, subscriber=collector)


# ---- systemd ----------------------------------------------------------------------------

def section_systemd():
    source = os.path.join(ROOT, "systemd", "recwatch.service.in")
    if not shutil.which("systemd-analyze") or not os.path.exists(source):
        note("systemd: systemd-analyze or systemd/recwatch.service.in missing: no exposure figure")
        return
    folder = tempfile.mkdtemp(prefix="recwatch-bench-unit-")
    try:
        unit = os.path.join(folder, "recwatch.service")
        with open(source) as f:
            text = f.read().replace("@SBINDIR@", "/usr/local/sbin").replace("@BINDIR@", "/usr/local/bin")
        with open(unit, "w") as f:
            f.write(text)
        output = subprocess.run(["systemd-analyze", "security", "--offline=yes", unit],
                                capture_output=True, text=True, timeout=60)
        match = re.search(r"Overall exposure level for \S+:\s*([\d.]+)\s*(\S+)", output.stdout)
        if match:
            row("systemd", "systemd-analyze security exposure (0 best, 10 worst)",
                f"{match.group(1)} {match.group(2)}", "")
        else:
            note("systemd: systemd-analyze security --offline=yes gave no figure: " +
                 (output.stderr.strip().splitlines() or ["(no message)"])[-1])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---- the report ---------------------------------------------------------------------------

def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return " ".join(platform.uname()), cpu, os.cpu_count()


def revision():
    """The git commit the figures belong to, with "+changes" when the tree is dirty."""
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (head or "unknown") + (" + uncommitted changes" if dirty else "")


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def write_results(started):
    uname, cpu, cores = machine()
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"## {stamp}{' — BENCH_QUICK=1 (reduced counts)' if QUICK else ''}", "",
             f"- machine: `{uname}`", f"- CPU: {cpu}, {cores} cores",
             f"- revision: {revision()}",
             f"- load average (1, 5, 15 min): {LOAD_AT_START} at the start, {load_average()} at the end",
             f"- counts: {', '.join(f'{k}={v}' for k, v in COUNTS.items())}",
             f"- duration of the run: {time.monotonic() - started:.0f} s", "",
             "| section | figure | value | target | |", "|---|---|---|---|---|"]
    for section, figure, value, target, mark in rows:
        lines.append(f"| {section} | {figure} | {value} | {target} | {mark} |")
    lines.append("")
    for text in notes:
        lines.append(f"- {text}")
    lines.append("")
    new = not os.path.exists(RESULTS)
    with open(RESULTS, "a", encoding="utf-8") as f:
        if new:
            f.write("# recwatch benchmark results\n\nAppended by `make bench` (bench/run); "
                    "newest last. See bench/README.md for what each figure means.\n\n")
        f.write("\n".join(lines) + "\n")


def interrupted(signum, frame):
    """SIGTERM/SIGHUP: unwind, so every finally stops its processes and removes its folders."""
    raise KeyboardInterrupt(f"signal {signum}")


def main():
    global LANGUAGES, LOAD_AT_START
    LOAD_AT_START = load_average()
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)
    started = time.monotonic()
    uname, cpu, cores = machine()
    print(f"recwatch bench — {uname}\n  CPU: {cpu}, {cores} cores, load average {LOAD_AT_START}"
          f"{'   [BENCH_QUICK=1: reduced counts]' if QUICK else ''}", flush=True)
    if QUICK:
        note("BENCH_QUICK=1: counts reduced (" +
             ", ".join(f"{k} {FULL[k]}→{REDUCED[k]}" for k in FULL if FULL[k] != REDUCED[k]) + ")")
    LANGUAGES = loadable_languages()
    by_language = corpus_by_language()
    scratch = tempfile.mkdtemp(prefix="recwatch-bench-")
    extract = peer_extract = burst = peer_burst = latency = None
    sections = [
        ("extract", lambda: section_extract(by_language, scratch)),
        ("peer", lambda: section_peer_extract(by_language)),
        ("burst", section_burst),
        ("peer", section_peer_burst),
        ("latency", section_latency),
        ("latency", lambda: section_latency(no_fsync=True) if shutil.which("eatmydata") else None),
        ("memory", lambda: section_memory(burst, latency)),
        ("profile", section_daemon_profile),
        ("idle", section_idle),
        ("systemd", section_systemd),
    ]
    results = {}
    try:
        for index, (name, run) in enumerate(sections):
            if not wanted(name):
                continue
            try:
                results[index] = run()
            except Exception as error:  # a benchmark that cannot run is reported, not fatal
                note(f"{name}: could not run: {type(error).__name__}: {error}")
            if index == 2:
                burst = results.get(2)
            if index == 4:
                latency = results.get(4)
        extract, peer_extract, burst, peer_burst = (results.get(i) for i in range(4))
        if extract and peer_extract and ("en", "pipeline") in extract and "en" in peer_extract:
            ratio = extract[("en", "pipeline")]["mb_per_s"] / peer_extract["en"]["mb_per_s"]
            row("peer", "ratio recwatch/peer, extract (en, pipeline)", f"{ratio:.1f}×", "≥ 20×",
                ratio >= TARGETS["peer_ratio"])
        if burst and peer_burst and peer_burst["per_s"] > 0:
            ratio = burst["per_s"] / peer_burst["per_s"]
            row("peer", "ratio recwatch/peer, burst", f"{ratio:.1f}×", "≥ 20×",
                ratio >= TARGETS["peer_ratio"])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    write_results(started)
    print(f"appended to {os.path.relpath(RESULTS, ROOT)} ({time.monotonic() - started:.0f} s)")
    return 0


LANGUAGES = ["en", "fr", "es"]
LOAD_AT_START = "?"

if __name__ == "__main__":
    sys.exit(main())
