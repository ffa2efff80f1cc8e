#!/usr/bin/python3
"""The peer for bench/queue: a minimal Python SKIP LOCKED worker pool in the style of the peer design
(psycopg2, one connection per worker thread, LISTEN for a doorbell), claiming from the same `jobs` table
with the same claim and completion SQL as drsocial's JobQueue. Prints JSON."""
import json
import os
import select
import sys
import threading
import time
import uuid

import psycopg2

URL = os.environ["DATABASE_URL"]
CLAIM = """
WITH next AS (
    SELECT id FROM jobs
    WHERE kind = ANY(%s)
      AND ((status = 'pending' AND run_after <= now())
           OR (status = 'running' AND lease_expires_at < now() AND attempts < max_attempts))
    ORDER BY priority DESC, run_after, id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
)
UPDATE jobs SET status = 'running', attempts = jobs.attempts + 1, lease_owner = %s,
       lease_expires_at = now() + make_interval(secs => 30), updated_at = now()
FROM next WHERE jobs.id = next.id
RETURNING jobs.id, jobs.payload_json, jobs.attempts
"""
COMPLETE = """
UPDATE jobs SET status = 'succeeded', finished_at = now(), updated_at = now(),
       lease_owner = NULL, lease_expires_at = NULL
WHERE id = %s AND attempts = %s AND status = 'running'
"""


def worker(kind, stop, latencies, lock, poll_seconds):
    conn = psycopg2.connect(URL)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("LISTEN drsocial_jobs")
    name = "peer-" + uuid.uuid4().hex[:6]
    while not stop.is_set():
        cur.execute(CLAIM, ([kind], name))
        row = cur.fetchone()
        if row is None:
            if select.select([conn], [], [], poll_seconds) != ([], [], []):
                conn.poll()
                conn.notifies.clear()
            continue
        job_id, payload, attempts = row
        sent = payload.get("t") if isinstance(payload, dict) else None
        if sent is not None:
            with lock:
                latencies.append(time.time() - float(sent))
        cur.execute(COMPLETE, (job_id, attempts))
    conn.close()


def run_pool(kind, workers, poll_seconds):
    stop = threading.Event()
    latencies, lock = [], threading.Lock()
    threads = [threading.Thread(target=worker, args=(kind, stop, latencies, lock, poll_seconds)) for _ in range(workers)]
    for thread in threads:
        thread.start()
    return stop, threads, latencies


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    index = min(len(values) - 1, max(0, int(-(-p / 100 * len(values) // 1)) - 1))
    return values[index]


def main():
    latency_jobs = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    throughput_jobs = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    gap = float(sys.argv[3]) / 1000 if len(sys.argv) > 3 else 0.02
    run = uuid.uuid4().hex[:8]
    results = {}
    admin = psycopg2.connect(URL)
    admin.autocommit = True
    cur = admin.cursor()

    kind = "peer.latency." + run
    stop, threads, latencies = run_pool(kind, 2, 5.0)
    time.sleep(0.5)
    for _ in range(latency_jobs):
        cur.execute("INSERT INTO jobs (kind, payload_json) VALUES (%s, %s::jsonb)", (kind, json.dumps({"t": str(time.time())})))
        time.sleep(gap)
    deadline = time.time() + 60
    while len(latencies) < latency_jobs and time.time() < deadline:
        time.sleep(0.002)
    stop.set()
    for thread in threads:
        thread.join()
    ms = [value * 1000 for value in latencies]
    results.update(latency_jobs=len(ms), latency_p50_ms=percentile(ms, 50), latency_p95_ms=percentile(ms, 95),
                   latency_p99_ms=percentile(ms, 99), latency_max_ms=max(ms) if ms else float("nan"))

    for workers in (1, 4):
        kind = "peer.throughput.%d.%s" % (workers, run)
        cur.execute("INSERT INTO jobs (kind, payload_json, max_attempts) SELECT %s, '{}'::jsonb, 3 FROM generate_series(1, %s)",
                    (kind, throughput_jobs))
        started = time.time()
        stop, threads, _ = run_pool(kind, workers, 0.2)
        done = 0
        while done < throughput_jobs and time.time() - started < 300:
            time.sleep(0.02)
            cur.execute("SELECT count(*) FROM jobs WHERE kind = %s AND status = 'succeeded'", (kind,))
            done = cur.fetchone()[0]
        elapsed = time.time() - started
        stop.set()
        for thread in threads:
            thread.join()
        results["throughput_%dw_jobs" % workers] = done
        results["throughput_%dw_seconds" % workers] = elapsed
        results["throughput_%dw_per_second" % workers] = done / elapsed
    print(json.dumps(results, sort_keys=True))


if __name__ == "__main__":
    main()
