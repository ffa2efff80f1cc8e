#!/usr/bin/env python3
"""A stand-in for Composio's LinkedIn MCP server, for the publishing tests.

    python mcp_linkedin_server.py PORT API_KEY RECORD_FILE

Built with the official MCP Python SDK (`mcp`, 2.x: `MCPServer`). It serves MCP over Streamable HTTP on
http://127.0.0.1:PORT/mcp with plain `application/json` answers (never SSE: the Swift client on Linux cannot
read SSE). Sessions are the SDK's: `initialize` answers with an `Mcp-Session-Id` header, and every later request
must carry it. Every HTTP request must carry `Authorization: Bearer API_KEY`, or it gets HTTP 401
`{"error": "invalid api key"}`.

Tools, answering like Composio (one text item holding `{"data": ..., "error": ..., "successful": ...}`):
  LINKEDIN_CREATE_LINKED_IN_POST(author, commentary, visibility, images?) posts, giving urn:li:share:<n>.
    Switches read from `commentary`:
      [slow]        sleeps 3 s first;
      [tool-error]  an MCP error result (isError: true, text "internal failure");
      [restricted]  always `successful: false`, "403 Forbidden: this account is restricted";
      [rate-limit]  the first call with that exact commentary is `successful: false`, "429 Too Many Requests:
                    rate limit exceeded"; later ones succeed.
    Each successful post appends one JSON line {"id", "author", "commentary", "visibility", "images",
    "received_at"} to RECORD_FILE (flushed at once); `received_at` is when the call arrived (Unix seconds).
    With MCP_ANSWER_DELAY_SECONDS set in the environment, a successful post is recorded first and answered
    that long after: the window in which a publisher that dies has posted without knowing it.
  LINKEDIN_GET_MY_POSTS(author) gives {"posts": [...]}: the posts of that author in RECORD_FILE, oldest first.

PORT 0 takes a free port. Prints `ready PORT` on stdout once it accepts connections, PORT being the one it
listens on, and nothing else there (logs go to stderr). Exits with
status 0 on SIGTERM or SIGINT.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import os
import signal
import sys
import time
from typing import Annotated, Any, Literal

import uvicorn
from mcp.server import MCPServer
from mcp.types import CallToolResult, TextContent
from pydantic import Field


def main() -> None:
    if len(sys.argv) != 4:
        sys.exit("usage: mcp_linkedin_server.py PORT API_KEY RECORD_FILE")
    port, api_key, record_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]

    records = Records(record_path)
    mcp = MCPServer(name="composio-linkedin", version="1.0.0", log_level="WARNING")
    answer_delay = float(os.environ.get("MCP_ANSWER_DELAY_SECONDS", "0"))
    rate_limited: set[str] = set()  # commentaries whose first call was refused with a 429

    @mcp.tool(
        name="LINKEDIN_CREATE_LINKED_IN_POST",
        description="Creates a post on LinkedIn for the given author (a person or organization URN).",
        structured_output=False,
    )
    async def create_post(
        author: Annotated[str, Field(description="URN of the author, e.g. urn:li:person:abc")],
        commentary: Annotated[str, Field(description="The text of the post")],
        visibility: Annotated[Literal["PUBLIC", "CONNECTIONS"], Field(description="Who may see the post")],
        images: Annotated[list[str], Field(description="Images to attach: file paths or URLs")] = [],  # noqa: B006
    ) -> CallToolResult:
        received_at = time.time()
        if "[slow]" in commentary:
            await asyncio.sleep(3)
        if "[tool-error]" in commentary:
            return CallToolResult(content=[TextContent(type="text", text="internal failure")], is_error=True)
        if "[restricted]" in commentary:
            return composio(None, "403 Forbidden: this account is restricted")
        if "[rate-limit]" in commentary and commentary not in rate_limited:
            rate_limited.add(commentary)
            return composio(None, "429 Too Many Requests: rate limit exceeded")
        urn = records.append(author, commentary, visibility, list(images), received_at)
        if answer_delay > 0:
            await asyncio.sleep(answer_delay)
        return composio({"id": urn, "url": f"https://www.linkedin.com/feed/update/{urn}"})

    @mcp.tool(
        name="LINKEDIN_GET_MY_POSTS",
        description="Lists the posts the given author made, oldest first.",
        structured_output=False,
    )
    async def get_my_posts(
        author: Annotated[str, Field(description="URN of the author, e.g. urn:li:person:abc")],
    ) -> CallToolResult:
        return composio({"posts": records.of(author)})

    app = mcp.streamable_http_app(
        streamable_http_path="/mcp",
        json_response=True,
        # A test's session lives as long as the server: no idle expiry to surprise a slow test.
        session_idle_timeout=None,
        host="127.0.0.1",
    )
    server = QuietServer(
        uvicorn.Config(
            RequireApiKey(app, api_key),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=1,
        )
    )
    asyncio.run(serve(server))


def composio(data: Any, error: str | None = None) -> CallToolResult:
    """A tool result shaped like Composio's: one text item holding {"data", "error", "successful"}."""
    body = {"data": data, "error": error, "successful": error is None}
    return CallToolResult(content=[TextContent(type="text", text=json.dumps(body))])


class Records:
    """The successful posts, one JSON line each in the record file; ids go on from those already there."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.next = 1 + max((int(p["id"].rsplit(":", 1)[1]) for p in self.all()), default=0)

    def all(self) -> list[dict[str, Any]]:
        try:
            with open(self.path, encoding="utf-8") as f:
                return [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            return []

    def of(self, author: str) -> list[dict[str, Any]]:
        return [p for p in self.all() if p.get("author") == author]

    def append(self, author: str, commentary: str, visibility: str, images: list[str], received_at: float) -> str:
        urn = f"urn:li:share:{self.next}"
        self.next += 1
        line = {
            "id": urn, "author": author, "commentary": commentary, "visibility": visibility, "images": images,
            "received_at": received_at,
        }
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(line) + "\n")
            f.flush()
        return urn


class RequireApiKey:
    """ASGI middleware: an HTTP request without `Authorization: Bearer <key>` gets 401 {"error": "invalid api key"}."""

    def __init__(self, app: Any, api_key: str) -> None:
        self.app = app
        self.expected = f"Bearer {api_key}".encode()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            given = dict(scope["headers"]).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                body = json.dumps({"error": "invalid api key"}).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


class QuietServer(uvicorn.Server):
    """uvicorn, but a SIGTERM or SIGINT ends it with status 0 (uvicorn re-raises the signal after shutting down)."""

    @contextlib.contextmanager
    def capture_signals(self):  # type: ignore[override]
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


async def serve(server: uvicorn.Server) -> None:
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            await task  # it failed to start (port taken, ...): raise its error
            sys.exit("the server stopped before it was ready")
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    print(f"ready {port}", flush=True)
    await task


if __name__ == "__main__":
    main()
