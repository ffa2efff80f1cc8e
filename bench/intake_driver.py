#!/usr/bin/python3
"""Drives bench/intake: appends N emails (every other one with a ~1 MB photo) to an IMAP mailbox and
measures, from each APPEND's completion, how long until the daemon's post_requests row and its
content_queue rows exist (or, for the peer, its row). Prints JSON.

usage: intake_driver.py daemon|peer MAILBOX COUNT PHOTO"""
import base64
import email.utils
import imaplib
import json
import os
import sys
import time
import urllib.parse
import uuid

import psycopg2

mode, mailbox, count, photo_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
imap = urllib.parse.urlparse(os.environ["IMAP_URL"])
photo = open(photo_path, "rb").read()


def message(index):
    boundary = "=_bench_" + uuid.uuid4().hex[:8]
    headers = [
        "From: Aurora Lee <aurora@example.com>",
        "To: aurora-lee+post@dr-social.app",
        "Subject: bench %d #IG" % index,
        "Date: " + email.utils.formatdate(),
        "Message-ID: <%s@bench.example>" % uuid.uuid4(),
        "MIME-Version: 1.0",
    ]
    body = "Benchmark request %d, a short prompt." % index
    if index % 2 == 1:
        return ("\r\n".join(headers + ["Content-Type: text/plain; charset=utf-8", "", body, ""])).encode()
    encoded = base64.encodebytes(photo).decode().replace("\n", "\r\n")
    parts = headers + [
        'Content-Type: multipart/mixed; boundary="%s"' % boundary, "",
        "--" + boundary, "Content-Type: text/plain; charset=utf-8", "", body,
        "--" + boundary, "Content-Type: image/jpeg", "Content-Transfer-Encoding: base64",
        'Content-Disposition: attachment; filename="photo-%d.jpg"' % index, "", encoded,
        "--" + boundary + "--", "",
    ]
    return "\r\n".join(parts).encode()


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    index = min(len(values) - 1, max(0, int(-(-p / 100 * len(values) // 1)) - 1))
    return values[index]


messages = [message(i) for i in range(count)]
client = imaplib.IMAP4(imap.hostname, imap.port)
client.login(os.environ["IMAP_USER"], os.environ["IMAP_PASSWORD"])
if mailbox != "INBOX":
    client.create(mailbox)
appended = {}
for index, raw in enumerate(messages):
    typ, _ = client.append(mailbox, None, None, raw)
    assert typ == "OK", typ
    appended[index] = time.time()
client.logout()

db = psycopg2.connect(os.environ["DATABASE_URL"])
db.autocommit = True
cur = db.cursor()
deadline = time.time() + 600
rows = []
while time.time() < deadline:
    if mode == "daemon":
        cur.execute("""
            SELECT p.subject, extract(epoch FROM p.created_at), extract(epoch FROM min(q.created_at))
            FROM post_requests p LEFT JOIN content_queue q ON q.post_request_id = p.id
            WHERE p.source = 'email' AND p.subject LIKE 'bench %%' GROUP BY p.id""")
    else:
        cur.execute("SELECT subject, extract(epoch FROM created_at), NULL FROM peer_post_requests WHERE subject LIKE 'bench %%'")
    rows = cur.fetchall()
    if len(rows) >= count and all(r[2] is not None for r in rows if mode == "daemon"):
        break
    # Latencies come from the rows' own timestamps, so polling often only takes CPU from what is measured (the
    # daemon run's query joins the approval queue): twice a second is enough to see the end.
    time.sleep(0.5)

request_latency, queue_latency, with_photo, without_photo = [], [], [], []
last = 0.0
last_request = 0.0
for subject, created, queued in rows:
    index = int(subject.split()[1])
    request_latency.append(float(created) - appended[index])
    last_request = max(last_request, float(created))
    end = float(queued) if queued is not None else float(created)
    last = max(last, end)
    if queued is not None:
        latency = float(queued) - appended[index]
        queue_latency.append(latency)
        (with_photo if index % 2 == 0 else without_photo).append(latency)
first = min(appended.values())
result = {
    "messages": count, "completed": len(rows), "photo_bytes": len(photo),
    "wall_seconds": last - first, "messages_per_second": len(rows) / (last - first) if last > first else float("nan"),
    "append_seconds": max(appended.values()) - first,
    "requests_per_second": len(rows) / (last_request - first) if last_request > first else float("nan"),
    "request_p50_s": percentile(request_latency, 50), "request_p95_s": percentile(request_latency, 95),
    "request_max_s": max(request_latency) if request_latency else float("nan"),
}
if mode == "daemon":
    result.update(
        queue_p50_s=percentile(queue_latency, 50), queue_p95_s=percentile(queue_latency, 95),
        queue_max_s=max(queue_latency) if queue_latency else float("nan"),
        queue_photo_p50_s=percentile(with_photo, 50), queue_text_p50_s=percentile(without_photo, 50))
    # Where the pipeline's time went: each stage's count and summed wall time (stages may overlap).
    cur.execute("""
        SELECT s.stage, count(*), sum(s.duration_ms) / 1000, percentile_cont(0.5) WITHIN GROUP (ORDER BY s.duration_ms)
        FROM stage_runs s JOIN pipeline_runs r ON r.id = s.pipeline_run_id
        JOIN post_requests p ON p.id = r.post_request_id
        WHERE p.subject LIKE 'bench %%' AND s.status = 'succeeded' GROUP BY s.stage ORDER BY 3 DESC""")
    result["stages"] = {stage: {"runs": n, "seconds": float(total or 0), "p50_ms": float(p50 or 0)}
                        for stage, n, total, p50 in cur.fetchall()}
    for stage, figures in result["stages"].items():
        print("stage %-10s %4d runs, %7.1f s in all, p50 %6.0f ms" % (stage, figures["runs"], figures["seconds"], figures["p50_ms"]), file=sys.stderr)
print(json.dumps(result, sort_keys=True))
