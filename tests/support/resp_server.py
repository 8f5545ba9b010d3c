"""A scripted RESP server on loopback for the unit tests of the pipelined Redis connection (not a Redis: it
answers a handful of commands so that ordering, errors, timeouts and broken connections can be provoked).

Commands: ``ECHO x`` → bulk ``x``; ``BAD msg`` → error reply ``msg``; ``AUTH … wrong`` → an error reply;
``SLOW`` → no reply to it or to anything after it; ``HANGUP`` → the connection is closed; ``HOLD n`` → replies
are held until ``n`` commands in all have arrived, then sent together; anything else → ``+OK``. Every command
received is recorded, per connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import hiredis


class RespServer:
    """Records the commands of each connection (``connections``: a list per connection, in arrival order)."""

    def __init__(self) -> None:
        self.connections: list[list[tuple[bytes, ...]]] = []
        self.port = 0

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        commands: list[tuple[bytes, ...]] = []
        self.connections.append(commands)
        parser = hiredis.Reader()
        held: list[bytes] = []
        hold_until = 0
        mute = False
        try:
            while data := await reader.read(65536):
                parser.feed(data)
                while (command := parser.gets()) is not False:
                    commands.append(tuple(command))
                    name = command[0].upper()
                    if name == b"HANGUP":
                        writer.close()
                        return
                    if name == b"SLOW":
                        mute = True
                    if mute:
                        continue
                    if name == b"HOLD":
                        hold_until = int(command[1])
                    if name == b"ECHO":
                        held.append(b"$%d\r\n%s\r\n" % (len(command[1]), command[1]))
                    elif name == b"AUTH" and command[-1] == b"wrong":
                        held.append(b"-WRONGPASS invalid username-password pair\r\n")
                    elif name == b"BAD":
                        held.append(b"-" + b" ".join(command[1:]) + b"\r\n")
                    else:
                        held.append(b"+OK\r\n")
                    if len(commands) >= hold_until:
                        writer.write(b"".join(held))
                        held.clear()
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()


@asynccontextmanager
async def resp_server() -> AsyncIterator[RespServer]:
    """A :class:`RespServer` listening on 127.0.0.1 (``.port``) for the block's duration."""
    server = RespServer()
    listener = await asyncio.start_server(server._serve, "127.0.0.1", 0)
    server.port = listener.sockets[0].getsockname()[1]
    try:
        yield server
    finally:
        listener.close()
        await listener.wait_closed()
