"""The S3 side of bench/upload, with boto3 against the loopback store (moto_server).
  s3_store.py create-bucket ENDPOINT BUCKET
  s3_store.py ceiling ENDPOINT BUCKET BIG_FILE SMALL_FILE CONCURRENT   # prints JSON
`ceiling` measures what the store itself accepts, the rate no client of it can pass: BIG_FILE with boto3's
multipart upload (8 MiB parts as the daemon's) with one part in flight at a time (as the daemon's writer: it
sends a part while it fills the next, which takes a few milliseconds from a local client), then again with
boto3's default of 10 parts in flight, then its CopyObject to a second key and the delete of the first (what
the daemon's commit does for a blob the store does not hold yet); then CONCURRENT uploads of SMALL_FILE at
once, a thread each with one part in flight, then their copies and deletes, CONCURRENT at once. Uploads and
copies are timed apart. Any access key works: moto runs without IAM emulation here."""
import json
import sys
import threading
import time
import uuid

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

PART = 8 << 20


def client(endpoint):
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="AKIABENCHUPLOAD00000", aws_secret_access_key="bench-upload-secret",
        config=Config(s3={"addressing_style": "path"}, max_pool_connections=64,
                      retries={"max_attempts": 1}, read_timeout=3600),
    )


def main():
    command, endpoint, bucket = sys.argv[1:4]
    s3 = client(endpoint)
    if command == "create-bucket":
        s3.create_bucket(Bucket=bucket)
        return
    big, small, concurrent = sys.argv[4], sys.argv[5], int(sys.argv[6])
    results = {}

    key, final = "ceiling/incoming/" + uuid.uuid4().hex, "ceiling/" + uuid.uuid4().hex
    started = time.time()
    s3.upload_file(big, bucket, key, Config=TransferConfig(multipart_threshold=PART, multipart_chunksize=PART, max_concurrency=1))
    results["big_upload_one_in_flight_seconds"] = time.time() - started
    s3.delete_object(Bucket=bucket, Key=key)
    started = time.time()
    s3.upload_file(big, bucket, key, Config=TransferConfig(multipart_threshold=PART, multipart_chunksize=PART))
    uploaded = time.time()
    s3.copy_object(Bucket=bucket, Key=final, CopySource={"Bucket": bucket, "Key": key})
    s3.delete_object(Bucket=bucket, Key=key)
    results.update(big_upload_seconds=uploaded - started, big_copy_seconds=time.time() - uploaded)
    s3.delete_object(Bucket=bucket, Key=final)

    errors = []
    transfer = TransferConfig(multipart_threshold=PART, multipart_chunksize=PART, max_concurrency=1)
    keys = ["ceiling/incoming/" + uuid.uuid4().hex for _ in range(concurrent)]

    def at_once(action):
        def guarded(key):
            try:
                action(key)
            except Exception as error:  # noqa: BLE001 - counted and reported
                errors.append(repr(error))
        started = time.time()
        threads = [threading.Thread(target=guarded, args=(key,)) for key in keys]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.time() - started

    def copy(key):
        s3.copy_object(Bucket=bucket, Key=key.replace("incoming/", ""), CopySource={"Bucket": bucket, "Key": key})
        s3.delete_object(Bucket=bucket, Key=key)

    results["many_upload_seconds"] = at_once(lambda key: s3.upload_file(small, bucket, key, Config=transfer))
    results["many_copy_seconds"] = at_once(copy)
    results["many_errors"] = len(errors)
    for key in keys:
        s3.delete_object(Bucket=bucket, Key=key.replace("incoming/", ""))
    if errors:
        print(errors[0], file=sys.stderr)
    print(json.dumps(results, sort_keys=True))


if __name__ == "__main__":
    main()
