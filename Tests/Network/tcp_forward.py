#!/usr/bin/env python3
"""Forwards TCP connections from addresses a test made (the host's end of its veth pairs) to services that
listen on loopback only, so that daemons in the test's network namespaces reach PostgreSQL, the object
store and the IMAP server without any of them listening beyond loopback.
  tcp_forward.py LISTEN_HOST:LISTEN_PORT=TARGET_HOST:TARGET_PORT ...
Prints "ready" once every listener is bound; runs until killed."""
import asyncio
import sys


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


def handler(target_host, target_port):
    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(target_host, target_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))
    return handle


async def main(rules):
    servers = []
    for rule in rules:
        listen, target = rule.split("=")
        listen_host, listen_port = listen.rsplit(":", 1)
        target_host, target_port = target.rsplit(":", 1)
        servers.append(await asyncio.start_server(handler(target_host, int(target_port)), listen_host, int(listen_port)))
    print("ready", flush=True)
    await asyncio.gather(*(server.serve_forever() for server in servers))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
