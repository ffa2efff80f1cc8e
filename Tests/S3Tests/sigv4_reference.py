"""Signs a fixed set of requests with botocore's own SigV4 signers and prints them as JSON, so that the Swift
tests (SigV4ReferenceTests) can sign the same requests with SigV4Signer and compare byte for byte.

Header authentication uses botocore.auth.S3SigV4Auth, presigned URLs botocore.auth.S3SigV4QueryAuth, both on
botocore.awsrequest.AWSRequest, with fixed credentials and a fixed clock. Paths are percent-encoded the way
botocore's S3 serializer encodes a key (botocore.utils.percent_encode, safe "/~"); query parameters go in
`params`, which botocore encodes itself.
"""

import datetime
import hashlib
import json
import sys

import botocore.auth
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.utils import percent_encode

WHEN = datetime.datetime(2026, 3, 14, 15, 9, 26, tzinfo=datetime.timezone.utc)
KEY = "AKIDEXAMPLE0000000001"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//token+with/slashes=="

CASES = [
    {
        "name": "GET object, query parameters that need encoding",
        "kind": "header", "method": "GET", "scheme": "https", "host": "s3.eu-west-1.amazonaws.com",
        "path": "/drsocial-media/photos/a b.jpg", "region": "eu-west-1",
        "query": [["prefix", "a b/c+d~e"], ["list-type", "2"], ["marker", "ü=&?*"], ["empty", ""]],
        "headers": [], "body": "",
    },
    {
        "name": "PUT object with a signed payload hash, non-default port, trimmed header values",
        "kind": "header", "method": "PUT", "scheme": "http", "host": "127.0.0.1:9000",
        "path": "/bucket/dir/file.bin", "region": "us-east-1", "query": [],
        "headers": [["Content-Type", "application/octet-stream"], ["x-amz-meta-note", "  spaced    out  value "]],
        "body": "hello world\n",
    },
    {
        "name": "keys with spaces, unicode, plus and tilde (virtual-hosted)",
        "kind": "header", "method": "GET", "scheme": "https", "host": "my-bucket.s3.us-east-1.amazonaws.com",
        "path": "/Fotos 2024/été+hiver~ü😀 (1).jpg", "region": "us-east-1", "query": [],
        "headers": [["Range", "bytes=0-99"]], "body": "",
    },
    {
        "name": "PUT with a session token",
        "kind": "header", "method": "PUT", "scheme": "https", "host": "s3.eu-central-1.amazonaws.com",
        "path": "/bucket/tenant/42/blob", "region": "eu-central-1", "query": [], "token": TOKEN,
        "headers": [["x-amz-checksum-sha256", "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="]],
        "body": "hello world",
    },
    {
        "name": "PUT with UNSIGNED-PAYLOAD",
        "kind": "header", "method": "PUT", "scheme": "https", "host": "s3.us-east-1.amazonaws.com",
        "path": "/bucket/streamed", "region": "us-east-1", "query": [], "unsigned": True,
        "headers": [], "body": "not hashed",
    },
    {
        "name": "create multipart upload (a parameter without a value)",
        "kind": "header", "method": "POST", "scheme": "http", "host": "localhost:4566",
        "path": "/bucket/big file.mp4", "region": "us-east-1", "query": [["uploads", ""]],
        "headers": [["x-amz-checksum-algorithm", "SHA256"]], "body": "",
    },
    {
        "name": "upload part (an upload id with / + =)",
        "kind": "header", "method": "PUT", "scheme": "http", "host": "localhost:4566",
        "path": "/bucket/big file.mp4", "region": "us-east-1",
        "query": [["uploadId", "2~abc/def+ghi=="], ["partNumber", "12"]],
        "headers": [], "body": "part bytes",
    },
    {
        "name": "presigned GET, key with spaces and unicode",
        "kind": "presign", "method": "GET", "scheme": "https", "host": "s3.eu-west-1.amazonaws.com",
        "path": "/drsocial-media/reels/été 2026/final cut+1.mp4", "region": "eu-west-1", "query": [],
        "headers": [], "expires": 300,
    },
    {
        "name": "presigned GET with a session token, non-default port",
        "kind": "presign", "method": "GET", "scheme": "http", "host": "127.0.0.1:9000",
        "path": "/bucket/k~1", "region": "us-east-1", "query": [], "token": TOKEN,
        "headers": [], "expires": 604800,
    },
]


def sign(case):
    botocore.auth.get_current_datetime = lambda: WHEN
    credentials = Credentials(KEY, SECRET, case.get("token"))
    url = f"{case['scheme']}://{case['host']}{percent_encode(case['path'], safe='/~')}"
    request = AWSRequest(
        method=case["method"], url=url, headers=dict(case["headers"]),
        data=case.get("body", "").encode("utf-8"), params=dict(case["query"]),
    )
    result = dict(case)
    result.update(access_key=KEY, secret_key=SECRET, epoch=int(WHEN.timestamp()))
    if case["kind"] == "presign":
        S3SigV4QueryAuth(credentials, "s3", case["region"], expires=case["expires"]).add_auth(request)
        result["expected_url"] = request.url
    else:
        if case.get("unsigned"):
            request.context["client_config"] = Config(s3={"payload_signing_enabled": False})
        S3SigV4Auth(credentials, "s3", case["region"]).add_auth(request)
        result["expected_authorization"] = request.headers["Authorization"]
        result["expected_payload_hash"] = request.headers["X-Amz-Content-SHA256"]
        result["expected_date"] = request.headers["X-Amz-Date"]
        if not case.get("unsigned"):
            assert result["expected_payload_hash"] == hashlib.sha256(case["body"].encode()).hexdigest()
    return result


if __name__ == "__main__":
    json.dump([sign(case) for case in CASES], sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
