#!/usr/bin/python3
"""The peer for bench/intake: a minimal imaplib poller in the style of the seed design's gmail_imap.py.
Every POLL seconds it takes each message in MAILBOX: FETCH RFC822, parse with the `email` package,
write attachments to disk with their SHA-256, INSERT a row into peer_post_requests, then UID MOVE the
message to MAILBOX-done. No media pipeline, no dedup table, no routing: the least a poller must do.

usage: peer_intake.py MAILBOX STORAGE_DIR POLL_SECONDS"""
import email
import email.policy
import hashlib
import imaplib
import os
import sys
import time
import urllib.parse

import psycopg2

mailbox, storage, poll = sys.argv[1], sys.argv[2], float(sys.argv[3])
imap = urllib.parse.urlparse(os.environ["IMAP_URL"])
db = psycopg2.connect(os.environ["DATABASE_URL"])
db.autocommit = True
cur = db.cursor()
cur.execute("CREATE TABLE IF NOT EXISTS peer_post_requests (id bigserial PRIMARY KEY, subject text, sender text, "
            "prompt text, attachments int, created_at timestamptz NOT NULL DEFAULT now())")
os.makedirs(storage, exist_ok=True)
client = imaplib.IMAP4(imap.hostname, imap.port)
client.login(os.environ["IMAP_USER"], os.environ["IMAP_PASSWORD"])
client.create(mailbox)
client.create(mailbox + "-done")
while True:
    client.select(mailbox)
    typ, data = client.uid("SEARCH", None, "ALL")
    for uid in data[0].split():
        typ, fetched = client.uid("FETCH", uid, "(RFC822)")
        message = email.message_from_bytes(fetched[0][1], policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        attachments = 0
        for part in message.iter_attachments():
            payload = part.get_payload(decode=True) or b""
            digest = hashlib.sha256(payload).hexdigest()
            path = os.path.join(storage, digest)
            with open(path + ".part", "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(path + ".part", path)
            attachments += 1
        cur.execute("INSERT INTO peer_post_requests (subject, sender, prompt, attachments) VALUES (%s, %s, %s, %s)",
                    (str(message["subject"]), str(message["from"]), body.get_content() if body else "", attachments))
        client.uid("MOVE", uid, mailbox + "-done")
    time.sleep(poll)
