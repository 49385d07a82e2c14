"""PREVIEW: `sitegen serve` put together. Build, serve, watch, and rebuild after every batch of
changes, then tell open pages and the terminal how it went.

HTTP lives in http.py, what open pages follow in live.py and noticing changes in watch.py;
this module is the policy between them: when to rebuild, whether pages reload or only
restyle, and what the terminal says. What a rebuild redoes is build()'s business: it gets a
memory of loaded files that lives as long as the preview, and skips what did not change.
Its HTTP and watcher threads make forking unsafe, so its builds start no forked worker (the
default of `build`).
"""

from __future__ import annotations

import contextlib
import ipaddress
import signal
import threading
import time
import traceback
import webbrowser
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from ..build import BuildReport, build
from ..comments_server.app import IntakeApp, create_app
from ..config import BuildOptions, Config, NotifyConfig, load_config
from ..errors import Problem, SitegenError, display_path, os_problem
from ..layout import SitePaths
from ..render import find_theme
from ..state import Memory
from .http import PreviewApp, PreviewServer, bind
from .live import LiveReload
from .watch import Batch, Debouncer, Watcher


class Reporter(Protocol):
    def info(self, message: str) -> None: ...
    def warn(self, problem: Problem) -> None: ...
    def error(self, problem: Problem | str) -> None: ...


# Files a page shows by itself; any other file written (an image, a script) may be part of
# any page, so every open page reloads.
SHOWN = (".html", ".xml", ".json", ".txt")


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    reload: bool = True
    open_browser: bool = False
    # Long enough for an editor's save-by-rename or a checkout to land as one batch, short
    # next to the 0.3 s a save may take to show.
    quiet_period: float = 0.05


class RebuildLoop:
    """Builds one site again and again, reporting each outcome to pages and terminal."""

    def __init__(self, paths: SitePaths, options: BuildOptions, live: LiveReload | None,
                 console: Reporter, open_moderation: bool = False) -> None:
        self.paths = paths
        # On a loopback address only the owner's own computer reaches the preview, so its
        # moderation page asks no password.
        self.open_moderation = open_moderation
        self.options = options
        self.live = live
        self.console = console
        self.memory = Memory()
        self.intake: IntakeApp | None = None
        self.building = False
        self._config: Config | None = None
        self.theme: Path | None = None
        self._warnings: set[Problem] = set()
        self._failing = False

    def run(self, changes: Debouncer, watcher: Watcher) -> None:
        """Build now, then once per batch of changes until the debouncer closes."""
        batch: Batch | None = None
        while True:
            self.rebuild(batch)
            watcher.follow(self.theme)
            if (batch := changes.take()) is None:
                return

    def rebuild(self, batch: Batch | None) -> None:
        self.read_settings()
        self.building = True
        try:
            report = build(self.paths, self.options, self.memory)
        except SitegenError as error:
            self._failed(error.problems)
        except OSError as error:  # a file that cannot be read, a full disk
            self._failed((os_problem(error),))
        except Exception as error:  # a bug in sitegen must not stop the preview
            traceback.print_exc()
            self._failed((Problem(f"the build crashed: {error!r} (a bug in sitegen)"),))
        else:
            self._built(report, batch)
        finally:
            self.building = False

    @property
    def root(self) -> str:
        """The path the site is served under, by the last good settings."""
        return self._config.base_path if self._config is not None else "/"

    def close(self) -> None:
        if self.intake is not None:
            self.intake.close()

    def read_settings(self) -> None:
        """The settings the preview itself uses; a broken file keeps the last good ones
        (the build reports it)."""
        try:
            config = load_config(self.paths)
            self.theme = find_theme(self.paths, config.theme.name)
            if config != self._config:
                previous, self.intake = self.intake, create_app(
                    self.paths, _previewing(config), open_moderation=self.open_moderation)
                self._config = config
                if previous is not None:
                    previous.close()
        except (SitegenError, OSError):
            return

    def _built(self, report: BuildReport, batch: Batch | None) -> None:
        if self.live:
            self.tell_pages(report)
        recovered, self._failing = self._failing, False
        for warning in report.warnings:
            if warning not in self._warnings:
                self.console.warn(warning)
        self._warnings = set(report.warnings)
        what = "built" if batch is None else batch.describe()
        self.console.info(f"{what}{' (fixed)' if recovered else ''}: {report.summary()}")

    def tell_pages(self, report: BuildReport) -> None:
        """Reload the open pages a build wrote, or only restyle them when it wrote only
        stylesheets; a build that changed nothing leaves them be, unless they show a build's
        errors."""
        assert self.live is not None
        urls = [self.root + path for path in report.written]
        if not urls and not report.deleted and not self.live.failing:
            return
        deleted = bool(report.deleted)
        if urls and not deleted and all(url.endswith(".css") for url in urls) \
                and not self.live.failing:
            self.live.restyle(urls)
        elif not deleted and all(url.endswith(SHOWN) for url in urls):
            self.live.reload(urls)  # only the pages that were written
        else:
            self.live.reload()  # a stylesheet, picture or script may be on any page

    def _failed(self, problems: tuple[Problem, ...]) -> None:
        self._failing = True
        if self.live:
            self.live.fail(self._describe(problem) for problem in problems)
        for problem in problems:
            self.console.error(problem)
        self.console.info("the preview keeps showing the last good build; save a fix to rebuild")

    def _describe(self, problem: Problem) -> dict:
        """A problem as the browser overlay shows it: paths relative to the site."""
        path = problem.path
        if path is None:
            file = None
        elif path.is_relative_to(self.paths.root):
            file = path.relative_to(self.paths.root).as_posix()
        else:
            file = display_path(path)
        return {"file": file, "line": problem.line, "message": problem.message}


def _previewing(config: Config) -> Config:
    """The settings for comments posted to the preview: the watcher rebuilds when a thread
    changes, so the intake must not run the site's rebuild command as well; and the owner
    trying the form is not mailed about it ([notify] is for the comment server)."""
    return replace(config, comments=replace(config.comments, rebuild_command=""),
                   notify=NotifyConfig())


class Preview:
    """The running preview: `with Preview(...) as preview:` serves at `preview.url` until
    the block ends, then stops the watcher, the rebuilds and the server, joining their
    threads."""

    def __init__(self, paths: SitePaths, options: BuildOptions, settings: ServeOptions,
                 console: Reporter) -> None:
        self.live = LiveReload() if settings.reload else None
        self.loop = RebuildLoop(paths, options, self.live, console,
                                   open_moderation=is_loopback(settings.host))
        self.settings = settings
        self.paths = paths
        self._app = PreviewApp(paths.output, self.live, self.loop)
        # Known before the first build, so that the address printed is the site's own.
        self.loop.read_settings()
        self._stack = contextlib.ExitStack()
        self.server: PreviewServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url + self.loop.root[1:]

    def __enter__(self) -> Preview:
        with self._stack as stack:
            stack.callback(self.loop.close)
            self.server = bind(self.settings.host, self.settings.port, self._app)
            stack.callback(_join, self._start(self.server.serve_forever, "sitegen-http"))
            stack.callback(self.server.close)
            if self.live:
                stack.callback(self.live.close)
            changes = Debouncer(quiet=self.settings.quiet_period)
            watcher = Watcher(self.paths, changes.add)
            # Watch before the first build, so that a save during it is not lost.
            watcher.follow(None)
            watcher.start()
            stack.callback(watcher.stop)
            stack.callback(_join, self._start(self.loop.run, "sitegen-rebuild",
                                              changes, watcher))
            stack.callback(changes.close)
            self._stack = stack.pop_all()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    def _start(self, target, name: str, *args: object) -> threading.Thread:
        thread = threading.Thread(target=target, name=name, args=args)
        thread.start()
        return thread


def is_loopback(host: str) -> bool:
    """Whether `host` is an address only this computer reaches (127.0.0.1, ::1)."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _join(thread: threading.Thread) -> None:
    thread.join()


def serve(paths: SitePaths, options: BuildOptions, settings: ServeOptions,
          console: Reporter) -> int:
    """`sitegen serve`: preview until Ctrl-C (or SIGTERM), then stop cleanly."""
    with Preview(paths, options, settings, console) as preview:
        console.info(f"serving {display_path(paths.output)} at {preview.url} "
                     "(press Ctrl-C to stop)")
        if settings.open_browser:
            webbrowser.open(preview.url)
        _wait_for_interrupt()
        console.info("stopping")
    return 0


def _wait_for_interrupt() -> None:
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        # Wake now and then: the kernel may hand the signal to another thread, and Python
        # runs its handler only once the main thread is running again.
        while True:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
