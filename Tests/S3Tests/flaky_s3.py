"""A fake S3 endpoint that fails on purpose, for the client's retry tests (S3RetryTests): what moto cannot be
made to do. Prints "ready PORT" once it listens on 127.0.0.1 (a port of its own choosing).

  PUT  /b/slow             503 SlowDown twice, then 200 (the SHA-256 of each body it got is kept)
  GET  /b/dropped          the first connection is closed without an answer, then 200 "fine"
  POST /b/late?uploadId=u  200 with an <Error> InternalError body once, then a CompleteMultipartUploadResult
  POST /b/denied?uploadId=u  200 with an <Error> AccessDenied body, always
  POST /b/assembling?uploadId=u  a CompleteMultipartUploadResult after 3 s of silence (a large object assembled)
  GET  /b/missing          404 NoSuchKey
  GET  /_stats             what it saw, as JSON
Signatures are not checked (moto does that in the other suites).
"""

import hashlib
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
stats = {"slow": [], "dropped": 0, "late": 0, "denied": 0, "assembling": 0}


def error(code, message):
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>'.encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_PUT(self):
        data = self.body()
        if self.path.startswith("/b/slow"):
            with lock:
                stats["slow"].append(hashlib.sha256(data).hexdigest())
                attempt = len(stats["slow"])
            if attempt <= 2:
                return self.answer(503, error("SlowDown", "Please reduce your request rate."))
            return self.answer(200, headers=[("ETag", '"etag-slow"')])
        self.answer(404, error("NoSuchKey", "nothing here"))

    def do_GET(self):
        if self.path == "/_stats":
            with lock:
                return self.answer(200, json.dumps(stats).encode())
        if self.path.startswith("/b/dropped"):
            with lock:
                stats["dropped"] += 1
                attempt = stats["dropped"]
            if attempt == 1:
                self.close_connection = True
                self.connection.shutdown(2)
                return
            return self.answer(200, b"fine")
        self.answer(404, error("NoSuchKey", "The specified key does not exist."))

    def do_HEAD(self):
        self.answer(200, headers=[("ETag", '"etag-head"')])

    def do_POST(self):
        self.body()
        if self.path.startswith("/b/late"):
            with lock:
                stats["late"] += 1
                attempt = stats["late"]
            if attempt == 1:
                return self.answer(200, error("InternalError", "We encountered an internal error. Please try again."))
            done = b'<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUploadResult><ETag>"etag-late-1"</ETag></CompleteMultipartUploadResult>'
            return self.answer(200, done)
        if self.path.startswith("/b/assembling"):
            with lock:
                stats["assembling"] += 1
            time.sleep(3)
            done = b'<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUploadResult><ETag>"etag-assembled"</ETag></CompleteMultipartUploadResult>'
            return self.answer(200, done)
        if self.path.startswith("/b/denied"):
            with lock:
                stats["denied"] += 1
            return self.answer(200, error("AccessDenied", "Access Denied"))
        self.answer(404, error("NoSuchUpload", "no such upload"))


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"ready {server.server_address[1]}", flush=True)
    server.serve_forever()
