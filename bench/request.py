#!/usr/bin/python3
"""The driver of bench/request.
  request.py inputs            # makes the inputs into bench/out/request-inputs/ (once)
  request.py run MODE          # submits the three cases one after the other; prints one JSON line
  request.py report FILE       # the table from the JSON lines
Needs DATABASE_URL, STORAGE_DIR, DRSOCIAL_BIN and REQUEST_STATE (bench/request sets them)."""
import json
import resource
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg2

INPUTS = Path("bench/out/request-inputs")
TALENT = "aurora-lee"
# The reel templates' encoder settings (pipelines/reels/*.yaml): veryfast, CRF 21, High profile, 8 Mbit/s cap.
X264 = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "21", "-pix_fmt", "yuv420p", "-g", "60", "-threads", "0",
        "-profile:v", "high", "-maxrate", "8000k", "-bufsize", "16000k"]
AAC = ["-c:a", "aac", "-b:a", "160k"]
CASES = {
    "a": ("five stills and a voice memo", ["still-%d.jpg" % i for i in range(1, 6)] + ["memo.m4a"], None),
    "b": ("a 30 s 1080p video", ["video.mp4"], "Behind the scenes of the shoot"),
    "c": ("a photo and a prompt", ["photo.jpg"], "New collection drops Friday"),
}


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-y", *map(str, args)], check=True)


def make_inputs():
    INPUTS.mkdir(parents=True, exist_ok=True)
    sources = ["testsrc2=s=1080x1350", "mandelbrot=s=1080x1350", "cellauto=s=1080x1350:rule=30",
               "smptehdbars=s=1080x1350", "gradients=s=1080x1350:seed=7"]
    for index, source in enumerate(sources, 1):
        target = INPUTS / ("still-%d.jpg" % index)
        if not target.exists():
            ffmpeg("-f", "lavfi", "-i", source, "-frames:v", 1, "-q:v", 3, target)
    if not (INPUTS / "photo.jpg").exists():
        ffmpeg("-f", "lavfi", "-i", "testsrc2=s=1200x1500", "-frames:v", 1, "-q:v", 3, INPUTS / "photo.jpg")
    if not (INPUTS / "memo.m4a").exists():
        speech = "Hi, this is Aurora. Five pictures from my week: the studio, a fractal, the garden, the test card and the sunset."
        wav = INPUTS / "memo.wav"
        subprocess.run(["flite", "-t", speech, "-o", str(wav)], check=True)
        ffmpeg("-i", wav, "-c:a", "aac", "-b:a", "96k", INPUTS / "memo.m4a")
        wav.unlink()
    if not (INPUTS / "video.mp4").exists():
        # Three scenes (cuts at 10 s and 20 s) with a tone under them.
        parts = []
        for index, source in enumerate(["testsrc2", "smptehdbars", "rgbtestsrc"]):
            part = INPUTS / ("part-%d.mp4" % index)
            ffmpeg("-f", "lavfi", "-i", "%s=s=1920x1080:r=30" % source, "-f", "lavfi", "-i", "sine=f=%d" % (330 + 110 * index), "-t", 10,
                   "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-c:a", "aac", part)
            parts.append(part)
        listing = INPUTS / "parts.txt"
        listing.write_text("".join("file '%s'\n" % p.resolve() for p in parts))
        ffmpeg("-f", "concat", "-safe", 0, "-i", listing, "-c", "copy", INPUTS / "video.mp4")
        for part in parts:
            part.unlink()
        listing.unlink()


def submit(case):
    _, files, prompt = CASES[case]
    args = [os.environ["DRSOCIAL_BIN"], "submit", "--talent", TALENT, "--platforms", "IG,TT,LI", "--json"]
    if prompt:
        args += ["--prompt", prompt]
    for name in files:
        args += ["--file", str(INPUTS / name)]
    started = time.time()
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    receipt = json.loads(out[out.index("{"):])
    return receipt["post_request_id"], started


def wait_queued(cur, request_id):
    """Waits until the request is complete (every variant queued) or failed; returns the last queue row's time."""
    deadline = time.time() + 1800
    while time.time() < deadline:
        cur.execute("SELECT status, failure_reason FROM post_requests WHERE id = %s", (request_id,))
        status, reason = cur.fetchone()
        if status in ("complete", "failed"):
            if status == "failed":
                raise SystemExit("request %s failed: %s" % (request_id, reason))
            cur.execute("SELECT extract(epoch FROM max(created_at)), count(*) FROM content_queue WHERE post_request_id = %s", (request_id,))
            last, count = cur.fetchone()
            return float(last), count
        time.sleep(0.05)
    raise SystemExit("request %s did not complete in 30 min" % request_id)


def reels(cur, request_id):
    cur.execute("""SELECT DISTINCT c.asset_url FROM content_queue q JOIN content c ON c.id = q.content_id
                   WHERE q.post_request_id = %s AND c.type = 'reel'""", (request_id,))
    return [row[0] for row in cur.fetchall()]


def busy_cpu_seconds():
    """CPU seconds every core of the machine has spent on anything but idling, from /proc/stat."""
    with open("/proc/stat") as stat:
        ticks = [int(field) for field in stat.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (ticks + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def floor_seconds(paths):
    """The x264 + AAC encode alone of each distinct reel's decoded frames and sound (decoding untimed): its wall
    seconds and the CPU seconds the encodes used."""
    total = cpu = 0.0
    scratch = Path(os.environ["REQUEST_STATE"])
    for relative in paths:
        source = Path(os.environ["STORAGE_DIR"]) / relative
        info = json.loads(subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(source)],
                                         capture_output=True, text=True, check=True).stdout)["streams"]
        video = next(s for s in info if s["codec_type"] == "video")
        raw, pcm = scratch / "floor.yuv", scratch / "floor.wav"
        ffmpeg("-i", source, "-map", "0:v:0", "-f", "rawvideo", "-pix_fmt", "yuv420p", raw)
        ffmpeg("-i", source, "-map", "0:a:0", "-c:a", "pcm_s16le", pcm)
        started, cpu_started = time.time(), children_cpu_seconds()
        ffmpeg("-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", "%dx%d" % (video["width"], video["height"]),
               "-framerate", video["avg_frame_rate"], "-i", raw, "-i", pcm, "-map", "0:v", "-map", "1:a", *X264, *AAC,
               scratch / "floor.mp4")
        total += time.time() - started
        cpu += children_cpu_seconds() - cpu_started
        for path in (raw, pcm, scratch / "floor.mp4"):
            path.unlink(missing_ok=True)
    return total, cpu


def run(mode):
    db = psycopg2.connect(os.environ["DATABASE_URL"])
    db.autocommit = True
    cur = db.cursor()
    result = {"mode": mode, "cases": {}}
    for case in [case for case in CASES if case in os.environ.get("CASES", "".join(CASES))]:
        cpu_before = busy_cpu_seconds()
        request_id, started = submit(case)
        last, count = wait_queued(cur, request_id)
        # Everything the machine did meanwhile is the request's work: nothing else runs during the bench.
        cpu = busy_cpu_seconds() - cpu_before
        cur.execute("""SELECT s.stage, extract(epoch FROM s.started_at), extract(epoch FROM s.finished_at)
                       FROM stage_runs s JOIN pipeline_runs r ON r.id = s.pipeline_run_id WHERE r.post_request_id = %s
                       ORDER BY s.started_at""", (request_id,))
        spans = cur.fetchall()
        # The waterfall, seconds from `submit` starting: where the request's time went.
        for stage, start, end in spans:
            if start and end:
                print("    %-10s %6.2f → %6.2f s" % (stage, float(start) - started, float(end) - started), file=sys.stderr)
        busy = sum(float(end) - float(start) for _, start, end in spans if start and end)
        paths = reels(cur, request_id)
        floor, floor_cpu = floor_seconds(paths)
        result["cases"][case] = {"seconds": last - started, "variants": count, "reels": len(paths),
                                 "stage_seconds": busy, "floor_seconds": floor, "cpu_seconds": cpu,
                                 "floor_cpu_seconds": floor_cpu}
        print("[drsocial] %s (%s): %.1f s, %d variants, %d distinct reels" % (CASES[case][0], mode, last - started, count, len(paths)),
              file=sys.stderr)
    print(json.dumps(result))


def report(path):
    runs = [json.loads(line) for line in open(path) if line.strip()]
    med = lambda values: statistics.median(values) if values else float("nan")
    print("| case | graph + shared renders (s) | both off (s) | off ÷ on | floor: x264 of the distinct reels (s) | on ÷ floor | reels on / off |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for case, (label, _, _) in CASES.items():
        if not all(case in r["cases"] for r in runs):
            continue  # left out by CASES
        on = [r["cases"][case] for r in runs if r["mode"] == "on"]
        off = [r["cases"][case] for r in runs if r["mode"] == "off"]
        on_s, off_s = med([c["seconds"] for c in on]), med([c["seconds"] for c in off])
        floor = med([c["floor_seconds"] for c in on])
        print("| (%s) %s | %.1f | %.1f | %.2f× | %.1f | %.2f× | %d / %d |" % (
            case, label, on_s, off_s, off_s / on_s, floor, on_s / floor if floor else float("nan"),
            on[0]["reels"] if on else 0, off[0]["reels"] if off else 0))
    print()
    cores = os.cpu_count()
    print("What the request asked of the machine (graph + shared renders; %d cores): its CPU seconds, machine-wide, from"
          " `submit` to the last variant queued; the least wall time any schedule of that work could take (CPU ÷ cores);"
          " and the floor's own." % cores)
    print()
    print("| case | request CPU (s) | CPU ÷ cores (s) | request ÷ that | floor CPU (s) | floor wall (s) | 1.2 × floor (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for case, (label, _, _) in CASES.items():
        on = [r["cases"][case] for r in runs if r["mode"] == "on" and "cpu_seconds" in r["cases"].get(case, {})]
        if not on:
            continue
        cpu, wall = med([c["cpu_seconds"] for c in on]), med([c["seconds"] for c in on])
        floor, floor_cpu = med([c["floor_seconds"] for c in on]), med([c["floor_cpu_seconds"] for c in on])
        print("| (%s) %s | %.1f | %.1f | %.2f× | %.1f | %.1f | %.1f |" % (
            case, label, cpu, cpu / cores, wall / (cpu / cores), floor_cpu, floor, 1.2 * floor))
    print()
    print("Medians of %d rounds (the two modes alternate in order); seconds from `submit` starting to the last variant queued." % (len(runs) // 2))


if __name__ == "__main__":
    {"inputs": lambda: make_inputs(), "run": lambda: run(sys.argv[2]), "report": lambda: report(sys.argv[2])}[sys.argv[1]]()
