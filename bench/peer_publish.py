"""The peer of bench/publish: the official MCP Python SDK's client calling the same server's
LINKEDIN_CREATE_LINKED_IN_POST back to back with W concurrent callers, no database, no queue: the ceiling of
client + server. Two ways: a fresh session per post (initialize, then the call: what our publisher does) and
one session per caller reused for every post.

usage: peer_publish.py URL KEY POSTS WORKERS   (prints JSON)
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid

from mcp import ClientSession
from mcp.client.streamable_http import create_mcp_http_client, streamable_http_client


async def call(session: ClientSession, text: str) -> None:
    result = await session.call_tool(
        "LINKEDIN_CREATE_LINKED_IN_POST",
        {"author": "urn:li:person:peer", "commentary": text, "visibility": "PUBLIC", "images": []},
    )
    body = json.loads(result.content[0].text)
    if not body.get("successful"):
        raise RuntimeError(body)


async def fresh_sessions(url: str, key: str, posts: int, workers: int, run: str) -> float:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(posts):
        queue.put_nowait(index)

    async def worker() -> None:
        async with create_mcp_http_client(headers={"Authorization": f"Bearer {key}"}) as http:
            while not queue.empty():
                index = queue.get_nowait()
                async with streamable_http_client(url, http_client=http) as (read, write, *_):
                    async with ClientSession(read, write) as session:
                        await session.initialize()
                        await call(session, f"peer fresh {run} {index}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return posts / (time.perf_counter() - started)


async def one_session(url: str, key: str, posts: int, workers: int, run: str) -> float:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(posts):
        queue.put_nowait(index)

    async def worker() -> None:
        async with create_mcp_http_client(headers={"Authorization": f"Bearer {key}"}) as http:
            async with streamable_http_client(url, http_client=http) as (read, write, *_):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    while not queue.empty():
                        await call(session, f"peer reused {run} {queue.get_nowait()}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return posts / (time.perf_counter() - started)


async def main() -> None:
    url, key, posts, workers = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    run = uuid.uuid4().hex[:8]
    fresh = await fresh_sessions(url, key, posts, workers, run)
    reused = await one_session(url, key, posts, workers, run)
    print(json.dumps({"fresh_session_per_second": fresh, "one_session_per_second": reused}))


if __name__ == "__main__":
    asyncio.run(main())
