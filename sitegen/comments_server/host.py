"""The comment intake on waitress, the production WSGI server `sitegen comments serve` uses.

Kept apart from app.py so the app itself stays plain WSGI for any other server.
"""

from __future__ import annotations

import errno
import resource

from waitress.server import create_server

from ..errors import ConfigError, Problem, SitegenError
from ..preview.http import free_port
from .app import IntakeApp

# Open files the server needs besides its connections: the listening socket, waitress's
# trigger, the queue's files, the rebuild's pipes, logs.
SPARE_FILES = 64


def make_server(app: IntakeApp, host: str, port: int, threads: int = 4):
    """A waitress server for the intake, bound but not yet running (`.run()` serves).

    waitress refuses a request whose declared size is over the app's limit before reading
    its body, and leaves X-Forwarded-For alone: by default it would delete the header, but
    the app decides itself, by `trusted_proxies`, when to believe it.

    Each open connection takes a slot, idle or sending slowly, and at `connection_limit`
    waitress stops accepting: its default, 100, let a hundred silent clients shut readers
    out for two minutes. So the limit and `channel_timeout`, after which an idle connection
    is closed, come from `[comments]`; poll() takes descriptors past select()'s 1023, and
    the process is allowed enough open files, or this refuses to start."""
    settings = app.config.comments
    _allow_open_files(settings.connection_limit + SPARE_FILES, app)
    try:
        return _create(app, host, port, threads)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise SitegenError(Problem(f"port {port} on {host} is in use; try --port "
                                       f"{free_port(host, port)}")) from None
        raise SitegenError(Problem(f"cannot listen on {host}:{port}: "
                                   f"{error.strerror or error}")) from None


def _create(app: IntakeApp, host: str, port: int, threads: int):
    settings = app.config.comments
    return create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=app.max_request + 1,
        clear_untrusted_proxy_headers=False,
        connection_limit=settings.connection_limit,
        channel_timeout=settings.channel_timeout,
        cleanup_interval=min(settings.channel_timeout, 10),
        asyncore_use_poll=True,
        ident="sitegen",
    )


def _allow_open_files(needed: int, app: IntakeApp) -> None:
    """Raise this process's limit on open files to `needed` if it is lower (an unprivileged
    process may, up to the hard limit); a ConfigError naming the key if it cannot."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    try:
        if hard != resource.RLIM_INFINITY and hard < needed:
            raise ValueError(f"this process may open only {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    except (ValueError, OSError) as error:
        raise ConfigError(Problem(
            f"'comments.connection_limit' {app.config.comments.connection_limit} needs "
            f"{needed} open files, but {error}: lower it, or raise the limit (ulimit -n; "
            "LimitNOFILE= in a systemd unit)", app.paths.config_file)) from None


def stop(server) -> None:
    """Make a server running in another thread return from `run()`: its own loop thread
    closes every channel, and the loop ends once none is left. (Closing the socket from
    here instead would pull it out from under the loop's poll.)"""

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
