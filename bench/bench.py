#!/usr/bin/env python3
"""Sluice's benchmarks, run by hand (never in CI): figures and ratios against the named peers, in one run.

    python3 bench/bench.py ingest      # 10,000 uploads into a running `watch` vs naive_peer.py and the C floor
    python3 bench/bench.py preload     # per-drop cost with 50,000 files already catalogued vs an empty catalogue
    python3 bench/bench.py latency     # one drop into an idle `watch` until its receipt: p50/p99 over 200 drops
    python3 bench/bench.py downloads   # 1,000 × 64 KiB and 1 × 1 GiB from a local nginx vs curl and aria2c
    python3 bench/bench.py idle        # RSS of an idle `sluice up`
    python3 bench/bench.py history     # per-drop cost of drops one by one into a long-running `watch`: after 0, 50,000, 200,000
    python3 bench/bench.py backlog     # 300 downloads from a server that answers in 3 s: CPU time of `sluice run` vs its wall time
    python3 bench/bench.py hostile     # request files of hostile shapes near 16 MiB: seconds until their receipts, and a drop behind each
    python3 bench/bench.py pets        # pet.create drops vs the peers, a 90,000-pet batch, /pets under wrk, export's RSS
    python3 bench/bench.py reader      # wrk on loopback: a static outbox JSON from `sluice serve` vs nginx, and /files?per_page=20
    python3 bench/bench.py thumbnails  # 100 JPEGs of 3000×2000 to 256-px thumbnails vs vipsthumbnail, ImageMagick, djpeg -scale 1/8
    SLUICE_BIN_BEFORE=/path/to/old/sluice python3 bench/bench.py compare
                                       # an older build against this one, alternating, for ingest and downloads on
                                       # tmpfs and on SLUICE_BENCH_BASE: per-round ratios, quartiles
    python3 bench/bench.py all

Needs a release build (`swift build -c release --product sluice`), gcc and libsqlite3-dev for the floor, and for
`downloads` nginx, curl and aria2c, for `pets` wrk (`apt-get install nginx-light curl aria2 wrk`), for `thumbnails`
vipsthumbnail, ImageMagick and djpeg (`apt-get install libvips-tools imagemagick libjpeg-turbo-progs`). The peers live in ../shared/bench/.
"""
import json
import os
import shutil
import sqlite3
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SLUICE = os.environ.get("SLUICE_BIN", os.path.join(REPO, ".build/release/sluice"))
PEERS = os.environ.get("SLUICE_PEERS", os.path.join(REPO, "..", "shared", "bench"))


def settle():
    """Flushes dirty pages and lets writeback finish: earlier runs' disk writes must not steal this run's CPU."""
    os.sync()
    time.sleep(2)


def fresh_root(base, label):
    root = tempfile.mkdtemp(prefix=f"sluice-bench-{label}-", dir=base)
    for d in ("inbox", "upload", "outbox"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    return root


def make_drops(folder, n, start=0, kind="upload"):
    """n drops in `folder`: plain files (uploads), or `pet.create` request files."""
    os.makedirs(folder, exist_ok=True)
    for i in range(start, start + n):
        if kind == "pet":
            with open(os.path.join(folder, f"pet-{i}.json"), "w") as f:
                f.write(f'{{"op": "pet.create", "name": "pet {i}", "age": {i % 101}, "type": "{"dog" if i % 2 else "cat"}"}}')
        else:
            with open(os.path.join(folder, f"drop-{i}.txt"), "w") as f:
                f.write(f"drop {i}\n")


def count(folder):
    try:
        return len(os.listdir(folder))
    except FileNotFoundError:
        return 0


def wait_for(predicate, timeout=600, step=0.005):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return False


def start_watch(root):
    p = subprocess.Popen([SLUICE, "watch", "--root", root, "--log-level", "warning"])
    wait_for(lambda: count(os.path.join(root, "inbox", ".work")) >= 1 and os.path.exists(os.path.join(root, ".sluice", "catalogue.sqlite")))
    time.sleep(0.3)
    return p


def stop(p):
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=30)


def published_requests(root):
    """How many requests are committed, and whether the outbox shows every committed change (receipts included).
    Read from the catalogue's clock: cheap, unlike listing a folder of tens of thousands of receipts."""
    db = sqlite3.connect(f"file:{root}/.sluice/catalogue.sqlite?mode=ro", uri=True)
    try:
        requests, version, published = db.execute(
            "SELECT (SELECT coalesce(max(rowid), 0) FROM requests), version, published FROM clock").fetchone()
        return requests, published >= version
    finally:
        db.close()


def sluice_ingest(root, n, start=0, receipts_before=0, kind="upload"):
    """Drops n files at once into a running watch (stopped while they land); seconds until the last receipt."""
    staging = os.path.join(root, "staging")
    make_drops(staging, n, start, kind)
    settle()
    watch = start_watch(root)
    watch.send_signal(signal.SIGSTOP)
    inbox = os.path.join(root, "inbox")
    for name in os.listdir(staging):
        os.rename(os.path.join(staging, name), os.path.join(inbox, name))
    receipts = os.path.join(root, "outbox", "receipts")
    t0 = time.monotonic()
    watch.send_signal(signal.SIGCONT)
    def done():
        requests, published = published_requests(root)
        return requests >= receipts_before + n and published
    ok = wait_for(done, step=0.005)
    elapsed = time.monotonic() - t0
    stop(watch)
    if not ok or count(receipts) < receipts_before + n:
        raise SystemExit(f"sluice handled only {count(receipts) - receipts_before} of {n} drops")
    return elapsed


def floor_ingest(base, n):
    exe = os.path.join(tempfile.gettempdir(), "sluice-bench-floor")
    if not os.path.exists(exe):
        subprocess.run(["gcc", "-O2", "-o", exe, os.path.join(PEERS, "floor.c"), "-lsqlite3"], check=True)
    root = fresh_root(base, "floor")
    make_drops(os.path.join(root, "inbox"), n)
    settle()
    out = subprocess.run([exe, root], check=True, capture_output=True, text=True).stdout
    return float(out.split("=")[1].split()[0])  # "N drops in S s = R drops/s"


def naive_ingest(base, n):
    root = fresh_root(base, "naive")
    make_drops(os.path.join(root, "inbox"), n)
    settle()
    t0 = time.monotonic()
    subprocess.run([sys.executable, os.path.join(PEERS, "naive_peer.py"), root, str(n)], check=True)
    return n / (time.monotonic() - t0)


def ingest(n=10_000, rounds=3):
    """Rounds rotate the order of the three, and nothing is deleted until the end: no one pays for another's
    deletions (see journal_warning). Ratios are taken within each round; the medians are printed."""
    for base, label in (("/dev/shm", "tmpfs"), (tempfile.gettempdir(), "disk")):
        work = tempfile.mkdtemp(prefix="sluice-bench-ingest-", dir=base)
        warning = journal_warning(work)
        if warning:
            print(warning)
        tools = [("sluice", lambda: n / sluice_ingest(fresh_root(work, "sluice"), n)),
                 ("naive", lambda: naive_ingest(work, n)),
                 ("floor", lambda: floor_ingest(work, n))]
        rates = {name: [] for name, _ in tools}
        try:
            for r in range(rounds):
                for name, run in tools[r % 3:] + tools[:r % 3]:
                    rates[name].append(run())
                print(f"  round {r + 1} on {label}: " + " | ".join(f"{k} {v[-1]:,.0f}/s" for k, v in rates.items()))
        finally:
            shutil.rmtree(work)
        per_naive = median([rates["sluice"][i] / rates["naive"][i] for i in range(rounds)])
        per_floor = median([rates["sluice"][i] / rates["floor"][i] for i in range(rounds)])
        print(f"ingest {n} uploads on {label} ({base}), medians of {rounds}: sluice {median(rates['sluice']):,.0f}/s "
              f"| naive_peer {median(rates['naive']):,.0f}/s | C floor {median(rates['floor']):,.0f}/s "
              f"| sluice/naive {per_naive:.2f}x | sluice/floor {per_floor:.2f}x (per round)")


def preload(n=10_000, catalogued=50_000, runs=3):
    """Per-drop cost of n drops into an empty catalogue vs one already holding `catalogued` files (median of runs)."""
    for base, label in (("/dev/shm", "tmpfs"), (tempfile.gettempdir(), "disk")):
        empties = []
        for _ in range(runs):
            root = fresh_root(base, "empty")
            empties.append(sluice_ingest(root, n) / n)
            shutil.rmtree(root)
        fulls = []
        for _ in range(runs):
            root = fresh_root(base, "full")
            sluice_ingest(root, catalogued)
            shutil.rmtree(os.path.join(root, "staging"))
            fulls.append(sluice_ingest(root, n, start=catalogued, receipts_before=catalogued) / n)
            shutil.rmtree(root)
        empty, full = sorted(empties)[runs // 2], sorted(fulls)[runs // 2]
        print(f"per-drop cost on {label}: empty catalogue {empty * 1e6:.0f} µs | with {catalogued:,} files catalogued "
              f"{full * 1e6:.0f} µs | ratio {full / empty:.2f}x (target ≤ 1.3x; medians of {runs})")


def latency(n=200, base=None):
    base = base or os.environ.get("SLUICE_BENCH_BASE", tempfile.gettempdir())
    root = fresh_root(base, "latency")
    settle()
    watch = start_watch(root)
    staging = os.path.join(root, "staging")
    os.makedirs(staging)
    samples = []
    for i in range(n):
        src = os.path.join(staging, f"l-{i}.txt")
        with open(src, "w") as f:
            f.write(f"latency {i}\n")
        receipt = os.path.join(root, "outbox", "receipts", f"l-{i}.txt.json")
        t0 = time.perf_counter()
        os.rename(src, os.path.join(root, "inbox", f"l-{i}.txt"))
        while not os.path.exists(receipt):
            time.sleep(0.00005)  # a busy spin would take one of the two cores from sluice
        samples.append(time.perf_counter() - t0)
        time.sleep(0.01)  # idle between drops
    stop(watch)
    shutil.rmtree(root)
    samples.sort()
    p50, p99 = samples[len(samples) // 2], samples[int(len(samples) * 0.99) - 1]
    print(f"latency drop→receipt over {n} drops in {base}: p50 {p50 * 1e3:.2f} ms (target ≤ 5) | "
          f"p99 {p99 * 1e3:.2f} ms (target ≤ 20) | max {samples[-1] * 1e3:.2f} ms")


def timed(argv, **kw):
    """Runs argv to completion: (seconds, peak RSS in MiB, CPU seconds user + system)."""
    log = tempfile.TemporaryFile()
    kw.setdefault("stdout", log)
    kw.setdefault("stderr", log)
    t0 = time.monotonic()
    p = subprocess.Popen(argv, **kw)
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        log.seek(0)
        raise SystemExit(f"{argv[0]} failed ({p.returncode}):\n{log.read().decode(errors='replace')[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def journal_warning(path):
    """ext4 without a journal keeps recently deleted inodes out of reuse, and every file creation then scans
    past them (the kernel's recently_deleted()): runs that create many files soon after deletions slow down by
    whatever the earlier runs deleted. Says so when `path` is on such a file system."""
    dev = os.stat(path).st_dev
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            major, minor = (int(x) for x in fields[2].split(":"))
            if os.makedev(major, minor) != dev:
                continue
            fstype = fields[fields.index("-") + 1]
            source = fields[fields.index("-") + 2]
            name = os.path.basename(os.path.realpath(source))
            if fstype == "ext4" and os.path.exists(f"/sys/fs/ext4/{name}/journal_task"):
                with open(f"/sys/fs/ext4/{name}/journal_task") as j:
                    if j.read().strip() == "<none>":
                        return (f"note: {path} is ext4 without a journal: file creation slows down after deletions "
                                "(see bench/README.md); compare ratios within a round, not across runs")
    return None


def median(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def downloads(count_small=1000, rounds=3, base=None):
    base = base or os.environ.get("SLUICE_BENCH_BASE") or tempfile.gettempdir()
    work = tempfile.mkdtemp(prefix="sluice-bench-dl-", dir=base)
    os.chmod(work, 0o755)  # nginx's workers (www-data) must read the site
    warning = journal_warning(work)
    if warning:
        print(warning)
    site = os.path.join(work, "site")
    os.makedirs(site)
    blob = os.urandom(64 * 1024)
    for i in range(count_small):
        with open(os.path.join(site, f"f{i}.bin"), "wb") as f:
            f.write(blob)
    with open(os.path.join(site, "big.bin"), "wb") as f:
        chunk = os.urandom(1 << 20)
        for _ in range(1024):
            f.write(chunk)
    port = 18090
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""worker_processes 1; daemon off; pid {work}/nginx.pid; error_log {work}/error.log;
events {{ worker_connections 1024; }}
http {{ access_log off; sendfile on; keepalive_requests 100000;
  server {{ listen 127.0.0.1:{port}; root {site}; }} }}""")
    nginx = subprocess.Popen(["nginx", "-c", conf, "-p", work])
    time.sleep(0.5)
    base_url = f"http://127.0.0.1:{port}"
    urls = [f"{base_url}/f{i}.bin" for i in range(count_small)]
    with open(os.path.join(work, "aria.txt"), "w") as f:
        f.write("\n".join(urls) + "\n")

    def run_curl(out):
        with open(os.path.join(work, "curl.cfg"), "w") as f:
            for i, u in enumerate(urls):
                f.write(f'url = "{u}"\noutput = "{out}/f{i}.bin"\n')
        return timed(["curl", "-s", "--fail", "--no-progress-meter", "--parallel", "--parallel-max", "16",
                      "-K", os.path.join(work, "curl.cfg")])

    def run_aria(out):
        return timed(["aria2c", "-j", "16", "-d", out, "-i", os.path.join(work, "aria.txt"),
                      "--allow-overwrite=true", "--auto-file-renaming=false", "--file-allocation=none"])

    def run_sluice(out):
        for d in ("inbox", "upload", "outbox"):
            os.makedirs(os.path.join(out, d))
        with open(os.path.join(out, "inbox", "many.json"), "w") as f:
            f.write('{"op": "download", "url_list": [' + ",".join(f'"{u}"' for u in urls) + "]}")
        result = timed([SLUICE, "run", "--root", out, "--max-urls", str(count_small), "--log-level", "warning"],
                       stdout=subprocess.DEVNULL)
        stored = len(os.listdir(os.path.join(out, "upload", "application")))
        if stored != count_small:
            raise SystemExit(f"sluice stored {stored} of {count_small} downloads")
        return result

    tools = [("sluice", run_sluice), ("curl", run_curl), ("aria2c", run_aria)]
    figures = {name: [] for name, _ in tools}
    try:
        # Rounds rotate the order, and nothing is deleted until the end: no tool pays for another's deletions.
        for r in range(rounds):
            for name, run in tools[r % len(tools):] + tools[:r % len(tools)]:
                out = os.path.join(work, f"{name}-{r}")
                os.makedirs(out)
                settle()
                figures[name].append(run(out))
            line = " | ".join(f"{n} {figures[n][-1][0]:.2f} s (CPU {figures[n][-1][2]:.2f} s)" for n, _ in tools)
            print(f"  round {r + 1}: {line} | sluice/curl {figures['sluice'][-1][0] / figures['curl'][-1][0]:.2f}x")
        t = {n: median([f[0] for f in figures[n]]) for n, _ in tools}
        cpu = {n: median([f[2] for f in figures[n]]) for n, _ in tools}
        ratios = [figures["sluice"][i][0] / figures["curl"][i][0] for i in range(rounds)]
        print(f"downloads {count_small} × 64 KiB, medians of {rounds}: sluice run {t['sluice']:.2f} s (CPU {cpu['sluice']:.2f} s) "
              f"| curl --parallel-max 16 {t['curl']:.2f} s (CPU {cpu['curl']:.2f} s) | aria2c -j 16 {t['aria2c']:.2f} s "
              f"| sluice/curl {median(ratios):.2f}x per round (target ≤ 1.5, issue 9) | sluice/aria2c {t['sluice'] / t['aria2c']:.2f}x (target < 1)")
        # one 1 GiB file
        settle()
        t_curl_big, _, _ = timed(["curl", "-s", "--fail", "-o", os.path.join(work, "big-curl.bin"), f"{base_url}/big.bin"])
        os.remove(os.path.join(work, "big-curl.bin"))
        root = fresh_root(work, "sluice-big")
        with open(os.path.join(root, "inbox", "big.json"), "w") as f:
            f.write(f'{{"op": "download", "url_list": ["{base_url}/big.bin"]}}')
        settle()
        t_big, rss, _ = timed([SLUICE, "run", "--root", root, "--log-level", "warning"], stdout=subprocess.DEVNULL)
        if len(os.listdir(os.path.join(root, "upload", "application"))) != 1:
            raise SystemExit("sluice did not store the 1 GiB download")
        print(f"download 1 GiB: sluice run {t_big:.2f} s, peak RSS {rss:.1f} MiB (target ≤ 64) | curl {t_curl_big:.2f} s "
              f"| sluice/curl {t_big / t_curl_big:.2f}x (target ≤ 1.1)")
    finally:
        nginx.terminate()
        nginx.wait()
        shutil.rmtree(work)


def history(batch=10_000, marks=(0, 50_000, 200_000), base="/dev/shm"):
    """Drops renamed one by one into one running `watch`, each receipt awaited with a stat (never a listing of a
    folder that grows to 200,000 entries): the cost of `batch` drops after each mark of earlier ones, in the same
    process, against the first batch. Nothing here may grow with history (target: each ratio ≤ 1.3)."""
    root = fresh_root(base, "history")
    staging = os.path.join(root, "staging")
    os.makedirs(staging)
    inbox = os.path.join(root, "inbox")
    receipts = os.path.join(root, "outbox", "receipts")
    settle()
    watch = start_watch(root)
    rss_start = rss_mib(watch.pid)
    done = 0
    costs = {}
    try:
        def drop_one(i):
            src = os.path.join(staging, f"h-{i}.txt")
            with open(src, "w") as f:
                f.write(f"history {i}\n")
            receipt = os.path.join(receipts, f"h-{i}.txt.json")
            os.rename(src, os.path.join(inbox, f"h-{i}.txt"))
            while not os.path.exists(receipt):
                time.sleep(0.00002)
        for mark in marks:
            while done < mark:
                drop_one(done)
                done += 1
                if done % 50_000 == 0:
                    print(f"  {done:,} drops so far, watch RSS {rss_mib(watch.pid):.1f} MiB", flush=True)
            t0 = time.monotonic()
            for _ in range(batch):
                drop_one(done)
                done += 1
            costs[mark] = (time.monotonic() - t0) / batch
            print(f"  {batch:,} drops after {mark:,}: {costs[mark] * 1e6:.0f} µs per drop", flush=True)
        rss_end = rss_mib(watch.pid)
    finally:
        stop(watch)
        shutil.rmtree(root)
    first = costs[marks[0]]
    ratios = " | ".join(f"after {m:,}: {costs[m] / first:.2f}x" for m in marks[1:])
    print(f"history on {base}: {batch:,} drops one by one cost {first * 1e6:.0f} µs each on a fresh root | {ratios} "
          f"(target ≤ 1.3x) | watch RSS {rss_start:.1f} → {rss_end:.1f} MiB")


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


SLOW_SERVER = """
import http.server, socketserver, sys, time
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        time.sleep(float(sys.argv[2]))
        body = b"x" * 100
        self.send_response(200); self.send_header("Content-Length", "100"); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 1024
S(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def backlog(n=300, delay=3.0):
    """One request of n URLs to a server that answers each after `delay` s (16 at a time per host): the run is
    almost all waiting, with more jobs due than it may start. Its CPU time must be a small fraction of its wall time."""
    port = 18091
    server = subprocess.Popen([sys.executable, "-c", SLOW_SERVER, str(port), str(delay)])
    time.sleep(0.5)
    root = fresh_root(tempfile.gettempdir(), "backlog")
    try:
        with open(os.path.join(root, "inbox", "backlog.json"), "w") as f:
            f.write('{"op": "download", "url_list": [' + ",".join(f'"http://127.0.0.1:{port}/{i}"' for i in range(n)) + "]}")
        wall, rss, cpu = timed([SLUICE, "run", "--root", root, "--log-level", "warning"], stdout=subprocess.DEVNULL)
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(root)
    print(f"backlog {n} downloads answered after {delay:.0f} s each: sluice run {wall:.1f} s wall, CPU {cpu:.2f} s "
          f"({100 * cpu / wall:.1f} % of wall), peak RSS {rss:.1f} MiB")


def hostile():
    """Request files shaped to make a parser or a validator slow, each near the 16 MiB cap, each followed by an upload:
    seconds from the start of `sluice run` until every receipt (the work must be linear in the input)."""
    uuid = "00000000-0000-4000-8000-000000000000"
    shapes = {
        "a million unknown keys": lambda f: (f.write('{"op": "download", "url_list": ["http://127.0.0.1:9/x"]'),
                                             f.write("".join(f',"k{i}":0' for i in range(1_000_000))), f.write("}")),
        "a million keys, the last repeated": lambda f: (f.write('{"op": "file.delete", "id": "' + uuid + '"'),
                                                        f.write("".join(f',"k{i}":0' for i in range(1_000_000))), f.write(',"k0":1}')),
        "a 16 MiB comment of \\u escapes": lambda f: (f.write('{"op": "file.update", "id": "' + uuid + '", "comment": "'),
                                                      f.write("\\u00e9" * 2_700_000), f.write('"}')),
        "a url_list of eight million numbers": lambda f: (f.write('{"op": "download", "url_list": ['),
                                                          f.write(",".join("7" for _ in range(8_000_000))), f.write("]}")),
        "a batch of 1000 requests of 1000 URLs": lambda f: f.write("[" + ",".join(
            '{"op": "download", "url_list": [' + ",".join(f'"http://a/{j}"' for j in range(1000)) + "]}"
            for _ in range(1000)) + "]"),
        "16 MiB of nested arrays": lambda f: f.write("[" * (16 << 20)),
    }
    for label, write in shapes.items():
        root = fresh_root("/dev/shm", "hostile")
        try:
            with open(os.path.join(root, "inbox", "hostile.json"), "w") as f:
                write(f)
            size = os.path.getsize(os.path.join(root, "inbox", "hostile.json"))
            with open(os.path.join(root, "inbox", "after.txt"), "w") as f:
                f.write("behind it\n")
            wall, rss, cpu = timed([SLUICE, "run", "--root", root, "--log-level", "warning"], stdout=subprocess.DEVNULL)
            with open(os.path.join(root, "outbox", "receipts", "hostile.json")) as f:
                status = f.read(300).split('"status":')[1].split(",")[0]
            behind = os.path.exists(os.path.join(root, "outbox", "receipts", "after.txt.json"))
        finally:
            shutil.rmtree(root)
        print(f"hostile request, {label} ({size / 1048576:.1f} MiB): receipt {status}, the drop behind it "
              f"{'handled' if behind else 'MISSING'}, in {wall:.2f} s (CPU {cpu:.2f} s, peak RSS {rss:.0f} MiB)", flush=True)


def compare(rounds=12):
    """Two builds, alternating in every round (so both see the same machine), on tmpfs and on SLUICE_BENCH_BASE
    (a journaled ext4 is the steady disk): 10,000 uploads into a watch, and `sluice run` over 1,000 × 64 KiB from
    a local nginx. Prints the median and quartiles of the per-round ratios new/old (below 1: the new one is faster,
    or uses less CPU). On this 2-core machine single runs swing ±30 %; only ratios within a round mean anything."""
    global SLUICE
    before = os.environ.get("SLUICE_BIN_BEFORE")
    if not before:
        raise SystemExit("set SLUICE_BIN_BEFORE to the older build's binary")
    builds = {"old": before, "new": SLUICE}
    bases = ["/dev/shm", os.environ.get("SLUICE_BENCH_BASE", tempfile.gettempdir())]

    def quartiles(ratios):
        ratios = sorted(ratios)
        return f"median {ratios[len(ratios) // 2]:.3f} (quartiles {ratios[len(ratios) // 4]:.3f}–{ratios[3 * len(ratios) // 4]:.3f})"

    try:
        for base in bases:
            work = tempfile.mkdtemp(prefix="sluice-bench-compare-", dir=base)
            os.chmod(work, 0o755)
            try:
                rates = {"old": [], "new": []}
                for r in range(rounds):
                    roots = []
                    for name in (["old", "new"] if r % 2 == 0 else ["new", "old"]):
                        SLUICE = builds[name]
                        roots.append(fresh_root(work, name))
                        rates[name].append(10_000 / sluice_ingest(roots[-1], 10_000))
                    for root in roots:  # both builds of a round saw the same; 24 roots would fill an 8 GiB file's inodes
                        shutil.rmtree(root)
                print(f"compare ingest on {base}: new/old drops per second, per round: "
                      f"{quartiles([n / o for n, o in zip(rates['new'], rates['old'])])}", flush=True)
                site = os.path.join(work, "site")
                os.makedirs(site)
                blob = os.urandom(64 * 1024)
                for i in range(1000):
                    with open(os.path.join(site, f"f{i}.bin"), "wb") as f:
                        f.write(blob)
                conf = os.path.join(work, "nginx.conf")
                with open(conf, "w") as f:
                    f.write(f"""worker_processes 1; daemon off; pid {work}/nginx.pid; error_log {work}/error.log;
events {{ worker_connections 1024; }}
http {{ access_log off; sendfile on; keepalive_requests 100000; server {{ listen 127.0.0.1:18096; root {site}; }} }}""")
                nginx = subprocess.Popen(["nginx", "-c", conf, "-p", work])
                time.sleep(0.5)
                request = '{"op": "download", "url_list": [' + ",".join(
                    f'"http://127.0.0.1:18096/f{i}.bin"' for i in range(1000)) + "]}"
                runs = {"old": [], "new": []}
                try:
                    for r in range(rounds):
                        for name in (["old", "new"] if r % 2 == 0 else ["new", "old"]):
                            out = fresh_root(work, f"dl-{name}")
                            with open(os.path.join(out, "inbox", "many.json"), "w") as f:
                                f.write(request)
                            settle()
                            runs[name].append(timed([builds[name], "run", "--root", out, "--log-level", "warning"],
                                                    stdout=subprocess.DEVNULL))
                            shutil.rmtree(out)
                finally:
                    nginx.terminate()
                    nginx.wait()
                walls = [n[0] / o[0] for n, o in zip(runs["new"], runs["old"])]
                cpus = [n[2] / o[2] for n, o in zip(runs["new"], runs["old"])]
                print(f"compare downloads on {base}: new/old wall {quartiles(walls)}; CPU {quartiles(cpus)}", flush=True)
            finally:
                shutil.rmtree(work)
    finally:
        SLUICE = builds["new"]


def pets(n=10_000, rounds=3, batch=90_000, listed=100_000):
    """Seed 004 at scale, on tmpfs:
    - `n` pet.create request files into a running watch, against naive_peer.py and the C floor on as many drops (their
      drops are plain files: the least work a drop can be), rounds rotating the order;
    - one request file holding a batch of `batch` pet.create: `sluice run`'s time and peak RSS, one receipt;
    - with `listed` pets, `GET /pets?has_photos=false&limit=20&offset=50000` under wrk: latency percentiles;
    - `sluice export pets` of those pets: time and peak RSS."""
    work = tempfile.mkdtemp(prefix="sluice-bench-pets-", dir="/dev/shm")
    try:
        tools = [("sluice", lambda: n / sluice_ingest(fresh_root(work, "sluice"), n, kind="pet")),
                 ("naive", lambda: naive_ingest(work, n)),
                 ("floor", lambda: floor_ingest(work, n))]
        rates = {name: [] for name, _ in tools}
        for r in range(rounds):
            for name, run in tools[r % 3:] + tools[:r % 3]:
                rates[name].append(run())
            print(f"  round {r + 1}: " + " | ".join(f"{k} {v[-1]:,.0f}/s" for k, v in rates.items()), flush=True)
        per_naive = median([rates["sluice"][i] / rates["naive"][i] for i in range(rounds)])
        per_floor = median([rates["sluice"][i] / rates["floor"][i] for i in range(rounds)])
        print(f"pets: {n:,} pet.create drops into a watch on tmpfs: sluice {median(rates['sluice']):,.0f}/s | naive_peer "
              f"{median(rates['naive']):,.0f}/s | C floor {median(rates['floor']):,.0f}/s | sluice/naive {per_naive:.2f}x "
              f"(target ≥ 3) | sluice/floor {per_floor:.2f}x (target ≥ 0.5)", flush=True)

        root = fresh_root(work, "batch")
        with open(os.path.join(root, "inbox", "many-pets.json"), "w") as f:
            f.write("[" + ",".join(f'{{"op": "pet.create", "name": "pet {i}", "age": {i % 101}, "type": "{"dog" if i % 2 else "cat"}"}}'
                                   for i in range(batch)) + "]")
        size = os.path.getsize(os.path.join(root, "inbox", "many-pets.json"))
        settle()
        wall, rss, cpu = timed([SLUICE, "run", "--root", root, "--log-level", "warning"], stdout=subprocess.DEVNULL)
        with open(os.path.join(root, "outbox", "receipts", "many-pets.json")) as f:
            results = f.read().count('"status":200')
        print(f"pets: a batch of {batch:,} pet.create in one file ({size / 1048576:.1f} MiB): sluice run {wall:.2f} s "
              f"(CPU {cpu:.2f} s), peak RSS {rss:.0f} MiB, {results:,} results of 200 in one receipt", flush=True)

        # Up to `listed` pets, then the reader under wrk.
        more = listed - batch
        with open(os.path.join(root, "inbox", "more-pets.json"), "w") as f:
            f.write("[" + ",".join(f'{{"op": "pet.create", "name": "more {i}", "age": 1, "type": "dog"}}' for i in range(more)) + "]")
        timed([SLUICE, "run", "--root", root, "--log-level", "warning"], stdout=subprocess.DEVNULL)
        port = 18097
        serve = subprocess.Popen([SLUICE, "serve", "--root", root, "--port", str(port), "--log-level", "warning"])
        try:
            wait_for(lambda: subprocess.run(["curl", "-sf", f"http://127.0.0.1:{port}/healthz"], capture_output=True).returncode == 0,
                     timeout=20, step=0.1)
            url = f"http://127.0.0.1:{port}/pets?has_photos=false&limit=20&offset=50000"
            check = subprocess.run(["curl", "-s", url], capture_output=True, text=True).stdout
            if '"count":' not in check:
                raise SystemExit(f"the reader did not list pets: {check[:300]}")
            out = subprocess.run(["wrk", "-t", "2", "-c", "8", "-d", "10s", "--latency", url],
                                 capture_output=True, text=True).stdout
            latency = {line.split()[0]: line.split()[1] for line in out.splitlines() if line.strip().startswith(("50%", "90%", "99%"))}
            rate = next((line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec")), "?")
            print(f"pets: GET /pets?has_photos=false&limit=20&offset=50000 with {listed:,} pets, wrk -t2 -c8 10 s: "
                  f"{rate} requests/s, p50 {latency.get('50%')}, p90 {latency.get('90%')}, p99 {latency.get('99%')} (target p99 ≤ 10 ms)",
                  flush=True)
        finally:
            serve.terminate()
            serve.wait()
        wall, rss, _ = timed([SLUICE, "export", "pets", "--root", root], stdout=subprocess.DEVNULL)
        print(f"pets: sluice export pets of {listed:,} pets: {wall:.2f} s, peak RSS {rss:.1f} MiB (target ≤ 50)", flush=True)

        # One pets.delete of 100,000 ids: half of them pets, half ids of none.
        db = sqlite3.connect(f"file:{root}/.sluice/catalogue.sqlite?mode=ro", uri=True)
        ids = [row[0] for row in db.execute("SELECT id FROM pets ORDER BY seq LIMIT 50000")]
        db.close()
        ids += [f"00000000-0000-4000-8000-{i:012x}" for i in range(100_000 - len(ids))]
        with open(os.path.join(root, "inbox", "bulk-delete.json"), "w") as f:
            json.dump({"op": "pets.delete", "ids": ids}, f)
        wall, rss, cpu = timed([SLUICE, "run", "--root", root, "--log-level", "warning"], stdout=subprocess.DEVNULL)
        with open(os.path.join(root, "outbox", "receipts", "bulk-delete.json")) as f:
            body = json.load(f)["body"]
        print(f"pets: one pets.delete of {len(ids):,} ids (50,000 pets, 50,000 of none): sluice run {wall:.2f} s (CPU {cpu:.2f} s), "
              f"peak RSS {rss:.0f} MiB, deleted {body['deleted']:,}, {len(body['errors']):,} errors", flush=True)
    finally:
        shutil.rmtree(work)


def wrk(url, seconds=5, connections=64):
    """wrk -t2 on `url`: (requests/s, p99 ms, non-2xx or socket errors)."""
    out = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rate = float(next(line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec")))
    p99 = next(line.split()[1] for line in out.splitlines() if line.strip().startswith("99%"))
    p99_ms = float(p99[:-2]) if p99.endswith("ms") else float(p99[:-2]) / 1000 if p99.endswith("us") else float(p99[:-1]) * 1000
    errors = sum(int(line.split()[-1]) for line in out.splitlines() if "Non-2xx" in line)
    return rate, p99_ms, errors


def reader(files=2000, rounds=3, base="/dev/shm"):
    """`sluice serve` against nginx on the same outbox, wrk -t2 -c64 on loopback, rounds alternating: a static
    outbox JSON (files/page-0.json, about 26 KB; and one object, about 260 bytes), and the catalogue route
    /files?per_page=20 (2,000 files)."""
    for tool in ("nginx", "wrk"):
        if not shutil.which(tool):
            raise SystemExit("reader needs nginx and wrk: apt-get install nginx-light wrk")
    work = tempfile.mkdtemp(prefix="sluice-reader-", dir=base)
    os.chmod(work, 0o755)
    try:
        root = fresh_root(work, "root")
        make_drops(os.path.join(root, "inbox"), files)
        timed([SLUICE, "run", "--root", root, "--log-level", "warning"], stdout=subprocess.DEVNULL)
        for folder, _, names in os.walk(root):
            os.chmod(folder, 0o755)
        conf = os.path.join(work, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""worker_processes 2; daemon off; pid {work}/nginx.pid; error_log {work}/error.log;
events {{ worker_connections 1024; }}
http {{ access_log off; sendfile on; keepalive_requests 1000000; types {{ application/json json; }}
  server {{ listen 127.0.0.1:18091; root {root}/outbox; }} }}""")
        nginx = subprocess.Popen(["nginx", "-c", conf, "-p", work])
        serve = subprocess.Popen([SLUICE, "serve", "--root", root, "--port", "18092", "--log-level", "warning"])
        time.sleep(1)
        try:
            # A listing page (about 26 KB) and one object (about 260 bytes), each from both servers.
            one = next(n for n in sorted(os.listdir(os.path.join(root, "outbox", "files"))) if not n.startswith("page-") and n != "index.json")
            figures = {"nginx static": [], "sluice static": [], "nginx object": [], "sluice object": [], "sluice /files": []}
            urls = {"nginx static": "http://127.0.0.1:18091/files/page-0.json", "sluice static": "http://127.0.0.1:18092/files/page-0.json",
                    "nginx object": f"http://127.0.0.1:18091/files/{one}", "sluice object": f"http://127.0.0.1:18092/files/{one}",
                    "sluice /files": "http://127.0.0.1:18092/files?per_page=20"}
            for r in range(rounds):
                for name in list(figures)[r % len(figures):] + list(figures)[:r % len(figures)]:
                    figures[name].append(wrk(urls[name]))
                print(f"reader round {r + 1}: " + " | ".join(f"{n} {figures[n][-1][0]:,.0f} req/s p99 {figures[n][-1][1]:.2f} ms" for n in figures), flush=True)
            m = {n: median([f[0] for f in v]) for n, v in figures.items()}
            p99 = {n: median([f[1] for f in v]) for n, v in figures.items()}
            errors = sum(f[2] for v in figures.values() for f in v)
            ratios = lambda a, b: " ".join(f"{x[0] / y[0]:.2f}" for x, y in zip(figures[a], figures[b]))
            print(f"reader: static JSON sluice {m['sluice static']:,.0f} req/s vs nginx {m['nginx static']:,.0f} = "
                  f"{m['sluice static'] / m['nginx static']:.2f}× (target ≥ 0.8; per round {ratios('sluice static', 'nginx static')}) | "
                  f"one object {m['sluice object']:,.0f} vs {m['nginx object']:,.0f} = {m['sluice object'] / m['nginx object']:.2f}× "
                  f"(per round {ratios('sluice object', 'nginx object')}) | /files?per_page=20 {m['sluice /files']:,.0f} req/s = "
                  f"{m['sluice /files'] / m['nginx static']:.2f}× nginx static (target ≥ 0.5), p99 {p99['sluice /files']:.2f} ms (target ≤ 10) | "
                  f"errors {errors}", flush=True)

            # Datasette over a copy of the same rows (`datasette` on PATH, from PyPI; skipped without it).
            datasette = shutil.which("datasette") or os.environ.get("DATASETTE")
            if datasette:
                copy = os.path.join(work, "files.db")
                src = sqlite3.connect(f"file:{root}/.sluice/catalogue.sqlite?mode=ro", uri=True)
                dst = sqlite3.connect(copy)
                src.backup(dst)
                src.close(); dst.close()
                ds = subprocess.Popen([datasette, "serve", copy, "--port", "18094", "--setting", "max_returned_rows", "100"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                try:
                    wait_for(lambda: subprocess.run(["curl", "-sf", "-o", "/dev/null", "http://127.0.0.1:18094/files/files.json"]).returncode == 0, timeout=30, step=0.2)
                    rate, ds_p99, ds_errors = wrk("http://127.0.0.1:18094/files/files.json?_size=20&_shape=objects")
                    print(f"reader: Datasette /files/files.json?_size=20&_shape=objects {rate:,.0f} req/s, p99 {ds_p99:.1f} ms, errors {ds_errors} → "
                          f"sluice /files is {m['sluice /files'] / rate:.0f}× Datasette (target ≥ 50)", flush=True)
                finally:
                    ds.terminate(); ds.wait()
            else:
                print("reader: no datasette on PATH (pip install datasette): Datasette comparison skipped")

            # /files under ingest: a watch takes 5,000 drops while wrk asks the listing.
            watch = subprocess.Popen([SLUICE, "watch", "--root", root, "--log-level", "warning"])
            try:
                time.sleep(1)
                incoming = os.path.join(work, "incoming")
                make_drops(incoming, 5000, start=files)
                loaded = {}
                def load():
                    loaded["figures"] = wrk(urls["sluice /files"], seconds=6)
                import threading
                t = threading.Thread(target=load)
                t.start()
                time.sleep(0.5)
                t0 = time.monotonic()
                for name in sorted(os.listdir(incoming)):
                    os.rename(os.path.join(incoming, name), os.path.join(root, "inbox", name))
                wait_for(lambda: len(os.listdir(os.path.join(root, "inbox"))) <= 3, timeout=120, step=0.05)
                ingest = time.monotonic() - t0
                t.join()
                rate, load_p99, load_errors = loaded["figures"]
                print(f"reader: /files?per_page=20 while a watch ingests 5,000 drops ({ingest:.1f} s): {rate:,.0f} req/s, "
                      f"p99 {load_p99:.2f} ms (target ≤ 10), errors {load_errors}", flush=True)
            finally:
                stop(watch)
        finally:
            serve.terminate(); serve.wait()
            nginx.terminate(); nginx.wait()
    finally:
        shutil.rmtree(work)


def hwm_mib(pid):
    """The most memory process `pid` has held (VmHWM), in MiB; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return next((int(line.split()[1]) for line in f if line.startswith("VmHWM")), 0) / 1024
    except OSError:
        return 0.0


def thumbnails(n=100, rounds=3, base="/dev/shm"):
    """n JPEGs of 3000×2000 made into 256-px thumbnails (`resize`, `fit: inside`) on both cores: one `image.job` of n
    files taken by `sluice run` (its two workers), against vipsthumbnail and ImageMagick's `convert -thumbnail` over
    the same files with two parallel jobs, and the floor: libjpeg-turbo's own decode at 1/8 (`djpeg -scale 1/8`).
    Rounds rotate the order; each tool's median, and the peak RSS of a worker."""
    convert = "/usr/bin/convert"
    for tool in ("vipsthumbnail", "djpeg", convert):
        if not shutil.which(tool):
            raise SystemExit(f"thumbnails needs {tool}: apt-get install libvips-tools imagemagick libjpeg-turbo-progs")
    work = tempfile.mkdtemp(prefix="sluice-thumbs-", dir=base)
    try:
        images = os.path.join(work, "images")
        os.makedirs(images)
        # Four photographic-looking sources (ImageMagick's plasma), each copied to n/4 names.
        for i in range(4):
            subprocess.run([convert, "-size", "3000x2000", "-seed", str(i + 1), "plasma:fractal", "-quality", "90",
                            os.path.join(images, f"source-{i}.jpg")], check=True)
        files = []
        for j in range(n):
            name = os.path.join(images, f"photo-{j:03}.jpg")
            shutil.copyfile(os.path.join(images, f"source-{j % 4}.jpg"), name)
            files.append(name)
        for i in range(4):
            os.remove(os.path.join(images, f"source-{i}.jpg"))
        half = (len(files) + 1) // 2

        def two_jobs(make_commands):
            """Two processes at once, each over half of the files (or one process per file, two at a time)."""
            commands = make_commands()
            t0 = time.monotonic()
            running = []
            for argv in commands:
                while len(running) >= 2:
                    running = [p for p in running if p.poll() is None] or []
                    if len(running) >= 2:
                        time.sleep(0.001)
                running.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            for p in running:
                p.wait()
            return time.monotonic() - t0

        out = os.path.join(work, "out")

        def vips():
            """A process per file, two at a time: how the issue measured it (5.2-5.3 s)."""
            os.makedirs(out, exist_ok=True)
            return two_jobs(lambda: [["vipsthumbnail", "-s", "256", "-o", os.path.join(out, "%s-vips.jpg"), f] for f in files])

        def vips_batched():
            """Two processes, each over half of the files: libvips without its start-up per file."""
            os.makedirs(out, exist_ok=True)
            return two_jobs(lambda: [["vipsthumbnail", "-s", "256", "-o", os.path.join(out, "%s-vips.jpg")] + files[:half],
                                     ["vipsthumbnail", "-s", "256", "-o", os.path.join(out, "%s-vips.jpg")] + files[half:]])

        def magick():
            os.makedirs(out, exist_ok=True)
            return two_jobs(lambda: [[convert, f, "-thumbnail", "256x256", os.path.join(out, os.path.basename(f) + "-im.jpg")] for f in files])

        def djpeg():
            return two_jobs(lambda: [["djpeg", "-scale", "1/8", "-outfile", "/dev/null", f] for f in files])

        root = fresh_root(work, "root")
        for f in files:
            os.link(f, os.path.join(root, "inbox", os.path.basename(f)))
        timed([SLUICE, "run", "--root", root, "--log-level", "warning"], stdout=subprocess.DEVNULL)
        db = sqlite3.connect(f"file:{root}/.sluice/catalogue.sqlite?mode=ro", uri=True)
        ids = [row[0] for row in db.execute("SELECT id FROM files ORDER BY seq")]
        db.close()
        peak = [0.0]

        def sluice():
            with open(os.path.join(root, "inbox", f"thumbs-{time.monotonic_ns()}.json"), "w") as f:
                json.dump({"op": "image.job", "file_ids": ids, "algorithm": "resize", "params": {"width": 256, "height": 256}}, f)
            done_before = len(os.listdir(os.path.join(root, "outbox", "results")))
            p = subprocess.Popen([SLUICE, "run", "--root", root, "--log-level", "warning", "--image-workers", "2"],
                                 stdout=subprocess.DEVNULL)
            t0 = time.monotonic()
            while p.poll() is None:
                for child in subprocess.run(["pgrep", "-P", str(p.pid)], capture_output=True, text=True).stdout.split():
                    peak[0] = max(peak[0], hwm_mib(int(child)))
                time.sleep(0.02)
            elapsed = time.monotonic() - t0
            finished = len(os.listdir(os.path.join(root, "outbox", "results"))) - done_before
            if p.returncode != 0 or finished != n:
                raise SystemExit(f"sluice run failed ({p.returncode}) or made {finished} of {n} thumbnails")
            return elapsed

        tools = {"sluice": sluice, "vipsthumbnail": vips, "vipsthumbnail batched": vips_batched, "convert -thumbnail": magick,
                 "djpeg -scale 1/8": djpeg}
        times = {name: [] for name in tools}
        settle()
        for r in range(rounds):
            order = list(tools)[r % len(tools):] + list(tools)[:r % len(tools)]
            for name in order:
                times[name].append(tools[name]())
            print(f"thumbnails round {r + 1}: " + " | ".join(f"{name} {times[name][-1]:.2f} s" for name in tools), flush=True)
        m = {name: median(values) for name, values in times.items()}
        print(f"thumbnails of {n} JPEGs 3000×2000 → 256 px, 2 jobs, {base}: " + ", ".join(f"{name} {m[name]:.2f} s" for name in tools))
        print(f"thumbnails: sluice / vipsthumbnail {m['sluice'] / m['vipsthumbnail']:.2f} (target ≤ 0.5) | "
              f"sluice / vipsthumbnail batched {m['sluice'] / m['vipsthumbnail batched']:.2f} | "
              f"sluice / djpeg floor {m['sluice'] / m['djpeg -scale 1/8']:.2f} (target ≤ 2) | "
              f"sluice / convert {m['sluice'] / m['convert -thumbnail']:.2f} | peak RSS of a worker {peak[0]:.1f} MiB", flush=True)
    finally:
        shutil.rmtree(work)


def idle():
    root = fresh_root(tempfile.gettempdir(), "idle")
    settle()
    p = subprocess.Popen([SLUICE, "up", "--root", root, "--port", "18095", "--log-level", "warning"])
    time.sleep(3)
    with open(f"/proc/{p.pid}/status") as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))
    stop(p)
    shutil.rmtree(root)
    print(f"idle sluice up: RSS {rss / 1024:.1f} MiB (target ≤ 30)")


if __name__ == "__main__":
    if not os.path.exists(SLUICE):
        raise SystemExit(f"no release build at {SLUICE}: run `swift build -c release --product sluice` first")
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    steps = {"ingest": ingest, "preload": preload, "latency": latency, "downloads": downloads, "idle": idle,
             "history": history, "backlog": backlog, "hostile": hostile, "pets": pets, "thumbnails": thumbnails, "reader": reader}
    if what == "compare":
        compare()
        raise SystemExit(0)
    for name, step in steps.items():
        if what in (name, "all"):
            step()
