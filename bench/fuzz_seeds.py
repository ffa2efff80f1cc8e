#!/usr/bin/env python3
"""Writes bench/fuzz's seed corpus for one target into a folder.

    bench/fuzz_seeds.py TARGET OUT_DIR

Seeds come from testmedia/ and pipelines/ (the files the daemon really reads) plus small hand-written
inputs for what the repository holds no file of (IMAP replies, session tokens). The saved regression
inputs under Tests/Fuzz/regressions/TARGET/ are added too, so a fixed crash stays in the corpus.
"""
import base64, hashlib, hmac, json, os, pathlib, sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
BOUNDARY = "drsocialFuzzBoundary7"  # PortalFuzzing.boundary
SECRET = b"fuzzing-secret-fuzzing-secret-0123456789"  # PortalFuzzing.secret


def media_files():
    for path in sorted((ROOT / "testmedia").rglob("*")):
        if path.is_file() and path.suffix not in (".md", ".json", ".txt", ".eml") and path.name != "generate":
            yield path


def multipart(parts, chunk=0):
    body = b"preamble\r\n"
    for headers, content in parts:
        body += b"--" + BOUNDARY.encode() + b"\r\n" + b"".join(h.encode() + b"\r\n" for h in headers) + b"\r\n" + content + b"\r\n"
    return bytes([chunk]) + body + b"--" + BOUNDARY.encode() + b"--\r\nepilogue"


def seeds_multipart():
    yield multipart([(['Content-Disposition: form-data; name="prompt"'], b"Launch day! #ig")], chunk=0)
    yield multipart([(['Content-Disposition: form-data; name="account"'], b"instagram"), (['Content-Disposition: form-data; name="prompt"'], b"")], chunk=3)
    for index, path in enumerate(media_files()):
        head = path.read_bytes()[:1024]
        yield multipart([
            (['Content-Disposition: form-data; name="prompt"'], b"see \r\n--" + BOUNDARY.encode()[:5]),
            ([f'Content-Disposition: form-data; name="files"; filename="{path.name}"', "Content-Type: application/octet-stream"], head),
        ], chunk=index % 64 + 1)


def seeds_mime():
    for path in sorted((ROOT / "testmedia" / "mail").glob("*.eml")):
        yield path.read_bytes()[:48 << 10]
    yield (b"From: Aurora <aurora@example.com>\r\nTo: aurora-lee+post@in.drsocial.test\r\nSubject: =?UTF-8?B?SWRlYSDwn5iA?=\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nNew launch =F0=9F=98=80 #ig #tt\r\n\r\n-- \r\nsig\r\n")
    yield (b"From: a@example.com\r\nTo: team: x+post@in.drsocial.test, y@in.drsocial.test;\r\nCc: z+ask@in.drsocial.test\r\nSubject: Re: Fwd: hi\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: multipart/alternative; boundary=YY\r\n\r\n"
           b"--YY\r\nContent-Type: text/plain\r\n\r\nhello #li\r\n--YY\r\nContent-Type: text/html\r\n\r\n<p>hello<br>world</p>\r\n--YY--\r\n"
           b"--XX\r\nContent-Type: image/jpeg; name=a.jpg\r\nContent-Disposition: attachment; filename=\"../a.jpg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + base64.b64encode(bytes([0xFF, 0xD8, 0xFF, 0xE0]) + b"JFIF" * 8) + b"\r\n"
           b"--XX\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\nContent-Type: text/plain\r\n\r\nforwarded\r\n--XX--\r\n")
    yield (b"Delivered-To: aurora-lee+post@in.drsocial.test\r\nFrom: x@example.com\r\nSubject:\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n"
           b"On Mon, someone wrote:\r\n> quoted\r\nSent from my iPhone\r\n")


def seeds_imap():
    yield b"* CAPABILITY IMAP4rev1 MOVE UIDPLUS AUTH=PLAIN X-GM-EXT-1\r\nA001 OK done\r\n"
    yield b"* SEARCH 3 1 2 (MODSEQ 17)\r\nA002 OK SEARCH completed\r\n"
    yield b"* STATUS INBOX (MESSAGES 2 UIDNEXT 3 UIDVALIDITY 17)\r\n"
    yield b"* STATUS \"drsocial/ingested\" (UIDVALIDITY 4294967295 UIDNEXT 1)\r\n"
    yield b"* 1 FETCH (X-GM-MSGID 1278455344230334865 UID 7)\r\n* 2 FETCH (UID 8 RFC822.SIZE 1024)\r\n"
    yield b"* LIST (\\HasNoChildren) \"/\" \"INBOX\"\r\n* LIST () \"/\" drsocial/refused\r\nA5 OK\r\n"
    yield b"A005 NO [ALREADYEXISTS] Mailbox exists\r\n* BYE\r\n"


def seeds_yaml():
    for path in sorted((ROOT / "pipelines").rglob("*.yaml")):
        yield path.read_bytes()
    yield (b"name: fuzz\nstages:\n  - name: p\n    kind: produce\n    options: { threshold: 0.3, count: 2, label: x, tags: [a, b], enabled: true }\n"
           b"  - name: c\n    kind: consume\n    needs: [p]\n")
    yield b"name: loop\nstages:\n  - name: a\n    kind: produce\n    needs: [b]\n  - name: b\n    kind: produce\n    needs: [a]\n"
    yield b"a: &x [*x]\n"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def seeds_token():
    header = b'{"alg":"HS256","typ":"JWT"}'
    claims = (b'{"sub":"6f1c1a54-0b2c-4d3e-9f10-1a2b3c4d5e6f","tenant_id":"0b0c5d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e",'
              b'"role":"talent","exp":4102444800,"aud":"authenticated","iat":1700000000}')
    yield b"\x01" + header + b"\n" + claims
    yield b"\x01" + header + b"\n" + claims.replace(b'"talent"', b'"operator"').replace(b'"authenticated"', b'["authenticated","x"]')
    yield b"\x01" + b'{"alg":"none"}' + b"\n" + claims
    yield b"\x01" + header + b"\n" + b'{"sub":"x","exp":1}'
    signing = b64url(header) + b"." + b64url(claims)
    yield signing + b"." + b64url(hmac.new(SECRET, signing, hashlib.sha256).digest())
    yield signing + b"."
    yield b"a.b.c"


def seeds_sniff():
    for path in media_files():
        yield path.read_bytes()[:256]
    yield "../../etc/passwd".encode()
    yield ("a" + "\u0301" * 80 + ".jpg").encode()
    yield b"RIFF\x00\x00\x00\x00WEBPVP8 "
    yield b"\x00\x00\x00\x18ftypheic"


SEEDS = {
    "multipart": seeds_multipart, "mime": seeds_mime, "imap-response": seeds_imap,
    "pipeline-yaml": seeds_yaml, "session-token": seeds_token, "media-sniff": seeds_sniff,
}

if __name__ == "__main__":
    target, out = sys.argv[1], pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    inputs = list(SEEDS[target]())
    regressions = ROOT / "Tests" / "Fuzz" / "regressions" / target
    if regressions.is_dir():
        inputs += [path.read_bytes() for path in sorted(regressions.iterdir()) if path.is_file()]
    for data in inputs:
        (out / hashlib.sha1(data).hexdigest()).write_bytes(data)
        count += 1
    print(count)
