"""Length-prefixed frames over a pipe: the fork server's wire format.

A frame is an 8-byte big-endian length and that many bytes. The documents inside are JSON,
never pickle: the supervisor must not run code because a worker (or a variant that took one
over) sent it bytes.
"""

from __future__ import annotations

import json
import os
import select
import struct
import time
from typing import Any

_HEADER = struct.Struct("!Q")


class FrameError(Exception):
    """The other end closed, stalled past the deadline, or sent something that is no frame."""


class FrameTimeout(FrameError):
    """No frame before the deadline."""


def write_frame(fd: int, data: bytes) -> None:
    write_frames(fd, data)


def write_frames(fd: int, *payloads: bytes) -> None:
    """Several frames in as few writes as the pipe allows: one wake-up of the reader, not
    one per frame."""
    view = memoryview(
        b"".join(part for data in payloads for part in (_HEADER.pack(len(data)), data))
    )
    while view:
        view = view[os.write(fd, view) :]


def encode_json(document: Any) -> bytes:
    return json.dumps(document, allow_nan=True).encode("ascii")


def write_json(fd: int, document: Any) -> None:
    write_frame(fd, encode_json(document))


def read_frame(fd: int, max_bytes: int, deadline: float | None = None) -> bytes:
    """One frame's payload; FrameError on EOF, a length over `max_bytes` or the deadline."""
    (length,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size, deadline))
    if length > max_bytes:
        raise FrameError(f"frame of {length} bytes is over the cap of {max_bytes}")
    return _read_exactly(fd, length, deadline)


def read_json(fd: int, max_bytes: int, deadline: float | None = None) -> Any:
    data = read_frame(fd, max_bytes, deadline)
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise FrameError("frame is not JSON") from exc


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes:
    parts: list[bytes] = []
    while size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            poller = select.poll()  # not select(): it fails on fds over 1023
            poller.register(fd, select.POLLIN)
            if remaining <= 0 or not poller.poll(remaining * 1000):
                raise FrameTimeout("no answer before the deadline")
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise FrameError("the other end closed the pipe")
        parts.append(chunk)
        size -= len(chunk)
    return b"".join(parts)
