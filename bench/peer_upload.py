"""The upload peer: a minimal FastAPI receiver (python-multipart) streaming each file part to disk.
Usage: peer_upload.py PORT   (files go to $PEER_DIR)"""
import os
import sys
import uuid

import uvicorn
from fastapi import FastAPI, File, Form, UploadFile

folder = os.environ.get("PEER_DIR", "/tmp/peer-upload")
os.makedirs(folder, exist_ok=True)
app = FastAPI()


@app.get("/healthz")
def health():
    return {"ok": True}


@app.post("/upload", status_code=201)
async def upload(prompt: str = Form(""), file: UploadFile = File(...)):
    path = os.path.join(folder, uuid.uuid4().hex)
    with open(path, "wb") as out:
        while chunk := await file.read(1 << 20):
            out.write(chunk)
    return {"stored": path}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
