#!/usr/bin/python3
"""Claims per second with one daemon and with two, for bench/queue: the same number of trivial jobs waiting
in one `jobs` table, drained by one process, then by two processes started together, each with the same
number of workers; for drsocial's bench binary (`drsocial-bench-queue --throughput-only`, the real JobQueue
and JobWorkerService) and for the psycopg2 peer (this file's `peer-process`, the loop and SQL of
bench/peer_queue.py), one after the other on the same PostgreSQL.

Every process is told one moment to start claiming (`--start-at`, a few seconds ahead, so that its own
start-up is not in the figure) and exits when no job of its kind is left pending or running. Jobs per second
come from the database: jobs succeeded / (last `finished_at` - the start moment), the window common to the
processes, as they drain one queue together. Also the CPU time PostgreSQL (the postmaster and its
backends, this machine's processes) and the claiming processes used per job. Each run starts from the same table: its jobs are inserted and
analysed before it, deleted and vacuumed after it. ROUNDS rounds, the second with two processes first, so
that drift on a shared machine does not always favour one of the two.
  queue_daemons.py SWIFT_BIN JOBS "1 2 4" ROUNDS ["1 2 4"]   # workers, rounds, processes; prints JSON
  queue_daemons.py peer-process KIND WORKERS START_AT  # one peer process (what the above starts)
Needs DATABASE_URL, with drsocial's migrations applied."""
import json
import os
import resource
import subprocess
import sys
import threading
import time
import uuid

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_queue import CLAIM, COMPLETE, URL  # noqa: E402 - the peer's own SQL

LEAD_SECONDS = 3.0
LEFT = """SELECT (SELECT count(*) FROM jobs WHERE status = 'pending' AND kind = %s)
              + (SELECT count(*) FROM jobs WHERE status = 'running' AND kind = %s)"""


def peer_worker(kind, stop, counts, index):
    conn = psycopg2.connect(URL)
    conn.autocommit = True
    cur = conn.cursor()
    name = "peer-" + uuid.uuid4().hex[:6]
    while not stop.is_set():
        cur.execute(CLAIM, ([kind], name))
        row = cur.fetchone()
        if row is None:
            time.sleep(0.2)  # the bench binary's poll interval; the jobs are all waiting from the start
            continue
        job_id, _, attempts = row
        cur.execute(COMPLETE, (job_id, attempts))
        counts[index] += 1
    conn.close()


def peer_process(kind, workers, start_at):
    ready = time.time()
    time.sleep(max(0.0, start_at - ready))
    started = time.time()
    stop, counts = threading.Event(), [0] * workers
    threads = [threading.Thread(target=peer_worker, args=(kind, stop, counts, i)) for i in range(workers)]
    for thread in threads:
        thread.start()
    admin = psycopg2.connect(URL)
    admin.autocommit = True
    cur = admin.cursor()
    left = 1
    while left > 0 and time.time() - started < 300:
        time.sleep(0.2)
        cur.execute(LEFT, (kind, kind))
        left = cur.fetchone()[0]
    stop.set()
    for thread in threads:
        thread.join()
    print(json.dumps({"handled": sum(counts), "ready_at": ready, "started_at": started, "left": left}))


def postgres_cpu_seconds(cur):
    """CPU time of the server our backend belongs to: the postmaster, the children it reaped, its live children."""
    cur.execute("SELECT pg_backend_pid()")
    postmaster = int(open("/proc/%d/stat" % cur.fetchone()[0]).read().rsplit(")", 1)[1].split()[1])
    ticks = os.sysconf("SC_CLK_TCK")

    def fields(pid):
        return open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()

    own = fields(postmaster)
    total = sum(int(own[i]) for i in (11, 12, 13, 14))  # utime, stime, cutime, cstime
    for child in open("/proc/%d/task/%d/children" % (postmaster, postmaster)).read().split():
        try:
            child_fields = fields(int(child))
        except OSError:
            continue  # ended meanwhile: counted in cutime from now on
        total += int(child_fields[11]) + int(child_fields[12])
    return total / ticks


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def drain(cur, command, kind, jobs, processes, workers):
    """Enqueues `jobs`, starts `processes` copies of `command` together; returns the rate and each one's share."""
    cur.execute("INSERT INTO jobs (kind, payload_json, max_attempts) SELECT %s, '{}'::jsonb, 3 FROM generate_series(1, %s)",
                (kind, jobs))
    cur.execute("ANALYZE jobs")
    start_at = time.time() + LEAD_SECONDS
    server_before, clients_before = postgres_cpu_seconds(cur), children_cpu_seconds()
    args = command(kind, workers, start_at)
    children = [subprocess.Popen(args, stdout=subprocess.PIPE, text=True) for _ in range(processes)]
    reports = []
    for child in children:
        out, _ = child.communicate()
        if child.returncode != 0:
            raise SystemExit("%s exited with %d" % (args[0], child.returncode))
        reports.append(json.loads(out))
    server_cpu, clients_cpu = postgres_cpu_seconds(cur) - server_before, children_cpu_seconds() - clients_before
    cur.execute("SELECT count(*), extract(epoch FROM max(finished_at)) FROM jobs WHERE kind = %s AND status = 'succeeded'", (kind,))
    done, last = cur.fetchone()
    cur.execute("DELETE FROM jobs WHERE kind = %s", (kind,))
    cur.execute("VACUUM ANALYZE jobs")
    late = max(report["started_at"] for report in reports) - start_at
    return {"per_second": done / (float(last) - start_at), "jobs": done, "seconds": float(last) - start_at,
            "handled": [report["handled"] for report in reports], "latest_start_ms": late * 1000,
            "postgres_cpu_ms_per_job": 1000 * server_cpu / max(done, 1), "clients_cpu_ms_per_job": 1000 * clients_cpu / max(done, 1),
            "spare_lead_ms": min(start_at - report["ready_at"] for report in reports) * 1000}


def main():
    if sys.argv[1] == "peer-process":
        peer_process(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
        return
    swift_bin, jobs, worker_counts = sys.argv[1], int(sys.argv[2]), [int(w) for w in sys.argv[3].split()]
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    process_counts = [int(p) for p in sys.argv[5].split()] if len(sys.argv) > 5 else [1, 2]
    sides = {
        "drsocial": lambda kind, workers, start_at: [swift_bin, "--throughput-only", "--kind", kind, "--workers", str(workers),
                                                     "--start-at", repr(start_at)],
        "peer": lambda kind, workers, start_at: [sys.executable, os.path.abspath(__file__), "peer-process", kind, str(workers),
                                                 repr(start_at)],
    }
    admin = psycopg2.connect(URL)
    admin.autocommit = True
    cur = admin.cursor()
    run = uuid.uuid4().hex[:8]
    results = {}
    for round_ in range(rounds):
        for workers in worker_counts:
            for side, command in sides.items():
                for processes in (process_counts if round_ % 2 == 0 else process_counts[::-1]):
                    kind = "bench.daemons.%s.%dx%d.%d.%s" % (side, processes, workers, round_, run)
                    result = drain(cur, command, kind, jobs, processes, workers)
                    results.setdefault("%s_%dx%d" % (side, processes, workers), []).append(result)
                    print("[drsocial] round %d: %s, %d process(es) × %d workers: %.1f claims/s" % (
                        round_ + 1, side, processes, workers, result["per_second"]), file=sys.stderr)
    print(json.dumps(results, sort_keys=True))


if __name__ == "__main__":
    main()
