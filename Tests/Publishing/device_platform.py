#!/usr/bin/env python3
"""A stand-in for Instagram's and TikTok's upload screens, for the device channel's tests.

    python device_platform.py RECORD_FILE

Serves on http://127.0.0.1:PORT (a free port; PORT is the first line on stdout, and nothing else goes there)
one page per platform, /instagram and /tiktok, that imitates the app's upload screens with the Android-style
attributes the shipped flows (pipelines/publish/instagram.yaml, tiktok.yaml) locate: `content-desc` on
buttons, `resource-id` on the file input, the caption and the result labels. The same XPath therefore finds
them here in chromium (through chromedriver) and in the app on Appium UiAutomator2.

  Instagram: "New post" opens the composer (file input, caption, "Share").
  TikTok:    "Create", then "Upload" (file input, "Next"), then the caption screen with "Post".

The publishing button sends the files and the caption as multipart/form-data to POST /<platform>/posts, which
appends one JSON line {"platform", "id", "url", "caption", "files": [{"name", "size", "sha256"}]} to RECORD_FILE
(flushed at once) and answers {"id", "url"}; the page then shows the id and the address in the result labels.
Ids count per platform: ig_1, ig_2, ... and tt_1, ...

Switches in the caption, read by the page as it is typed:
  [broken]      the publishing button goes away (a screen the flow no longer knows);
  [restricted]  the publishing button goes away and the page says "Your account has been restricted".

GET /posts answers every recorded post as a JSON list, oldest first.
"""

from __future__ import annotations

import hashlib
import html
import json
import sys
import threading
from email.parser import BytesParser
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# What each platform's screens carry. `screens` are shown one at a time; a button's `next` names the screen it
# opens; the `publish` button sends the post.
PLATFORMS: dict[str, dict[str, Any]] = {
    "instagram": {
        "package": "com.instagram.android",
        "prefix": "ig",
        "post_url": "https://www.instagram.com/p/{id}/",
        "screens": [
            ("home", [("button", "New post", "composer")]),
            ("composer", [("file", "gallery_file_input"), ("caption", "caption_input_text_view"), ("publish", "Share")]),
        ],
        "result": ("post_id", "post_url"),
    },
    "tiktok": {
        "package": "com.zhiliaoapp.musically",
        "prefix": "tt",
        "post_url": "https://www.tiktok.com/@{handle}/video/{id}",
        "screens": [
            ("home", [("button", "Create", "create")]),
            ("create", [("button", "Upload", "upload")]),
            ("upload", [("file", "upload_file_input"), ("button", "Next", "details")]),
            ("details", [("caption", "caption_edit_text"), ("publish", "Post")]),
        ],
        "result": ("video_id", "video_url"),
    },
}


def page(platform: str) -> str:
    spec = PLATFORMS[platform]
    package = spec["package"]
    screens = []
    for index, (name, widgets) in enumerate(spec["screens"]):
        parts = []
        for widget in widgets:
            kind = widget[0]
            if kind == "button":
                parts.append(f'<button type="button" content-desc="{widget[1]}" data-next="{widget[2]}">{widget[1]}</button>')
            elif kind == "file":
                parts.append(f'<input type="file" multiple name="media" resource-id="{package}:id/{widget[1]}">')
            elif kind == "caption":
                parts.append(f'<textarea name="caption" rows="4" resource-id="{package}:id/{widget[1]}"></textarea>')
            elif kind == "publish":
                parts.append(f'<button type="button" class="publish" content-desc="{widget[1]}">{widget[1]}</button>')
        hidden = "" if index == 0 else " hidden"
        screens.append(f'<section id="{name}"{hidden}>{"".join(parts)}</section>')
    post_id, post_url = spec["result"]
    screens.append(
        '<section id="result" hidden><p>Your post has been shared.</p>'
        f'<span resource-id="{package}:id/{post_id}"></span> '
        f'<a resource-id="{package}:id/{post_url}"></a></section>'
    )
    title = html.escape(platform)
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title>
<style>section {{ margin: 1em; }} textarea {{ width: 30em; }} .banner {{ color: #b00; }}</style></head>
<body><h1>{title}</h1><div class="banner" role="alert"></div>{"".join(screens)}
<script>
const show = (id) => document.querySelectorAll("section").forEach((s) => (s.hidden = s.id !== id));
document.querySelectorAll("button[data-next]").forEach((b) => b.addEventListener("click", () => show(b.dataset.next)));
const caption = document.querySelector("textarea");
const publish = document.querySelector("button.publish");
caption.addEventListener("input", () => {{
  if (caption.value.includes("[broken]") || caption.value.includes("[restricted]")) publish.remove();
  if (caption.value.includes("[restricted]")) {{
    document.querySelector(".banner").textContent = "Your account has been restricted. You can't share posts right now.";
  }}
}});
publish.addEventListener("click", async () => {{
  const form = new FormData();
  form.append("caption", caption.value);
  for (const file of document.querySelector("input[type=file]").files) form.append("media", file, file.name);
  const answer = await (await fetch("/{platform}/posts", {{ method: "POST", body: form }})).json();
  show("result");
  const [id, url] = document.querySelectorAll("#result span, #result a");
  id.textContent = answer.id;
  url.textContent = answer.url;
  url.href = answer.url;
}});
</script></body></html>"""


class Records:
    """The posts, kept in memory and appended to the record file as they come."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.posts: list[dict[str, Any]] = []

    def append(self, platform: str, caption: str, files: list[dict[str, Any]]) -> dict[str, Any]:
        with self.lock:
            spec = PLATFORMS[platform]
            number = sum(1 for p in self.posts if p["platform"] == platform) + 1
            post_id = f"{spec['prefix']}_{number}"
            post = {
                "platform": platform,
                "id": post_id,
                "url": spec["post_url"].format(id=post_id, handle="me"),
                "caption": caption,
                "files": files,
            }
            self.posts.append(post)
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(json.dumps(post) + "\n")
                f.flush()
            return post


class Handler(BaseHTTPRequestHandler):
    records: Records

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        sys.stderr.write("device_platform: " + format % args + "\n")

    def answer(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = self.path.split("?")[0].rstrip("/")
        if path == "/posts":
            with self.records.lock:
                body = json.dumps(self.records.posts).encode()
            self.answer(200, body, "application/json")
        elif path.lstrip("/") in PLATFORMS:
            self.answer(200, page(path.lstrip("/")).encode(), "text/html; charset=utf-8")
        else:
            self.answer(404, b"not found", "text/plain")

    def do_POST(self) -> None:  # noqa: N802
        parts = self.path.strip("/").split("/")
        if len(parts) != 2 or parts[0] not in PLATFORMS or parts[1] != "posts":
            self.answer(404, b"not found", "text/plain")
            return
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        head = f"Content-Type: {self.headers.get('Content-Type', '')}\r\n\r\n".encode()
        message = BytesParser(policy=default_policy).parsebytes(head + body)
        caption = ""
        files = []
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            data = part.get_payload(decode=True) or b""
            if name == "caption":
                # multipart/form-data sends a field's newlines as CRLF; the textarea held LF.
                caption = data.decode("utf-8").replace("\r\n", "\n")
            elif name == "media":
                files.append({"name": part.get_filename(), "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
        post = self.records.append(parts[0], caption, files)
        self.answer(200, json.dumps({"id": post["id"], "url": post["url"]}).encode(), "application/json")


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: device_platform.py RECORD_FILE")
    Handler.records = Records(sys.argv[1])
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
