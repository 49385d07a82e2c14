"""The comment intake on waitress, the production WSGI server `sitegen comments serve` uses.

Kept apart from intake.py so the app itself stays plain WSGI for any other server.
"""

from __future__ import annotations

from waitress.server import create_server

from .intake import IntakeApp


def make_server(app: IntakeApp, host: str, port: int, threads: int = 4):
    """A waitress server for the intake, bound but not yet running (`.run()` serves).

    waitress refuses a request whose declared size is over the app's limit before reading
    its body, and leaves X-Forwarded-For alone: by default it would delete the header, but
    the app decides itself, by `trusted_proxies`, when to believe it."""
    return create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=app.max_request + 1,
        clear_untrusted_proxy_headers=False,
        ident="sitegen",
    )


def stop(server) -> None:
    """Make a server running in another thread return from `run()`: its own loop thread
    closes every channel, and the loop ends once none is left. (Closing the socket from
    here instead would pull it out from under the loop's select.)"""

    def close_all() -> None:
        server.task_dispatcher.shutdown()
        for channel in list(server._map.values()):
            channel.close()

    server.trigger.pull_trigger(close_all)


def server_url(server, endpoint: str) -> str:
    """Where the bound server takes comments, e.g. http://127.0.0.1:8001/comments."""
    host = server.effective_host
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{server.effective_port}{endpoint}"
