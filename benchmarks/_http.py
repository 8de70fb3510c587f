"""A lean HTTP/1.1 load-generator client for the benchmarks: keep-alive connections on asyncio streams.

httpx's async client spends about a millisecond of CPU per request; on a 2-core machine
where the server under test runs beside the generator, that CPU is taken from the server
and the measurement becomes one of the generator. This client does the least a client
must: write the request, read the status line and headers, read a Content-Length or
chunked body. It is used only against our own server on loopback.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from urllib.parse import urlsplit


class Connection:
    """One keep-alive connection; one request at a time."""

    def __init__(self, base: str, headers: Mapping[str, str] | None = None) -> None:
        url = urlsplit(base)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.headers = dict(headers or {})
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is None or self._writer is None or self._writer.is_closing():
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self._reader, self._writer

    async def request(
        self, method: str, path: str, *, body: bytes = b"", headers: Mapping[str, str] | None = None
    ) -> tuple[int, bytes]:
        reader, writer = await self._open()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in {**self.headers, **(headers or {})}.items()]
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        try:
            return await self._response(reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            self.close()
            raise

    async def post_json(
        self, path: str, data: object, headers: Mapping[str, str] | None = None
    ) -> tuple[int, bytes]:
        body = json.dumps(data).encode()
        return await self.request(
            "POST", path, body=body, headers={"Content-Type": "application/json", **(headers or {})}
        )

    async def _response(self, reader: asyncio.StreamReader) -> tuple[int, bytes]:
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        fields: dict[str, str] = {}
        for line in header_lines:
            if ":" in line:
                name, _, value = line.partition(":")
                fields[name.strip().lower()] = value.strip()
        if "content-length" in fields:
            payload = await reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await reader.readexactly(size + 2)
                if size == 0:
                    break
                parts.append(chunk[:-2])
            payload = b"".join(parts)
        else:
            payload = await reader.read()
            self.close()
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, payload

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


class Pool:
    """Up to ``size`` keep-alive connections handed out one request at a time."""

    def __init__(self, base: str, size: int, headers: Mapping[str, str] | None = None) -> None:
        self._all = [Connection(base, headers) for _ in range(size)]
        self._idle: asyncio.Queue[Connection] = asyncio.Queue()
        for conn in self._all:
            self._idle.put_nowait(conn)

    async def post_json(
        self, path: str, data: object, headers: Mapping[str, str] | None = None
    ) -> tuple[int, bytes]:
        conn = await self._idle.get()
        try:
            return await conn.post_json(path, data, headers)
        finally:
            self._idle.put_nowait(conn)

    async def get(self, path: str, headers: Mapping[str, str] | None = None) -> tuple[int, bytes]:
        conn = await self._idle.get()
        try:
            return await conn.request("GET", path, headers=headers)
        finally:
            self._idle.put_nowait(conn)

    def close(self) -> None:
        for conn in self._all:
            conn.close()
