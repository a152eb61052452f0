"""The serve loop every local stand-in shares (``motcua tsa serve``, ``motcua sim-* serve``): announce where
it listens, serve until Ctrl-C or SIGTERM from the supervisor, then close the socket."""

from __future__ import annotations

from http.server import HTTPServer
from typing import Protocol


class _Output(Protocol):
    def write(self, msg: str) -> None: ...

    def flush(self) -> None: ...


def serve_until_stopped(server: HTTPServer, *, out: _Output, banner: str) -> None:
    """Write ``banner`` (flushed: supervisord's log shows it at once) and serve ``server`` until stopped."""
    out.write(banner)
    out.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
