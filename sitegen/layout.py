"""Where a site keeps its files, and the one way to take a lock on one of them.

Three kinds of folder, with three promises:
- the inputs (`sitegen.toml`, `content/`, `templates/`, `static/`, `root/`, `themes/`) and the
  comment queues, which are the owner's;
- the build state `.sitegen/`, a cache that may be deleted at any time: a build after that
  is only slower;
- the private folder `private/`, which holds what must survive and must never reach git
  (readers' addresses, secrets, the password hash): it is never deleted as a cache.

Both state folders, and the comment queues `pending/` and `rejected/`, keep themselves out
of git with a `.gitignore` of their own, made on first use, so a site that forgot to ignore
them still never commits them. No other module spells a path inside the state folders.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

CONFIG_FILE = "sitegen.toml"
STATE_FOLDER = ".sitegen"
PRIVATE_FOLDER = "private"
JOURNAL_PREFIX = "apply-"


def _ignored_folder(folder: Path, why: str) -> Path:
    """`folder`, made if missing, with a .gitignore that ignores everything in it."""
    ignore = folder / ".gitignore"
    if not ignore.exists():
        folder.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError), ignore.open("x", encoding="utf-8") as file:
            file.write(f"# {why}: never commit it\n*\n")
    return folder


def queue_folder(folder: Path) -> Path:
    """A moderation queue folder (`pending/` or `rejected/`), made with its own .gitignore:
    its comments carry readers' email addresses and address hashes, and are not published.
    Every writer that may be the first to put a file there gets the folder from here."""
    return _ignored_folder(folder, "comments awaiting moderation or rejected, with readers' "
                                   "email addresses")


def _key(path: Path) -> str:
    """A short file-name-safe name for a folder given by its whole path."""
    return hashlib.blake2b(str(path).encode(), digest_size=8).hexdigest()


@dataclass(frozen=True)
class StateFolder:
    """`.sitegen/`: what builds remember to go faster, and the locks. Deletable."""

    folder: Path

    def made(self) -> Path:
        return _ignored_folder(self.folder, "sitegen's build cache for this machine")

    @property
    def items(self) -> Path:
        """The store of loaded posts, pages and threads, keyed by content digest."""
        return self.folder / "items"

    @property
    def known_files(self) -> Path:
        """Each content file's size, time and digest, so unchanged files are not read."""
        return self.folder / "files.pickle"

    @property
    def images(self) -> Path:
        """Resized copies of the site's pictures, made once each (see pictures.py)."""
        return self.folder / "images"

    @property
    def compiled_templates(self) -> Path:
        return self.folder / "templates"

    def manifest(self, output: Path) -> Path:
        """What the output folder `output` holds, as of the build that last wrote it."""
        return self.folder / f"output-{_key(output)}.pickle"

    def journal(self, output: Path) -> Path:
        """The changes a build into `output` is making, while it makes them (journal.py)."""
        return self.folder / f"{JOURNAL_PREFIX}{_key(output)}.json"

    def journals(self) -> list[Path]:
        """The journals of every output folder, left by builds that were stopped."""
        if not self.folder.is_dir():
            return []
        return sorted(self.folder.glob(f"{JOURNAL_PREFIX}*.json"))

    def preview_flag(self, output: Path) -> Path:
        """Exists while `output` holds, or may hold, drafts or scheduled posts (a build with
        --drafts or --future): such a folder must never be published."""
        return self.folder / f"output-{_key(output)}.preview"

    def former_output_owner(self, output: Path) -> Path:
        """Where versions before the private folder kept `output`'s owner record: still
        honoured, since a site upgraded must not find its own output folder refused."""
        return self.folder / f"output-{_key(output)}.owner"

    @property
    def deploy(self) -> Path:
        """sitegen's own bare git repositories, one per deploy target."""
        return self.folder / "deploy"

    @property
    def salt(self) -> Path:
        """Where the address-hash salt was kept before the private folder; moved from here
        to PrivateFolder.salt once (comments_server/abuse.py)."""
        return self.folder / "salt"

    @property
    def locks(self) -> Path:
        return self.folder / "locks"


@dataclass(frozen=True)
class PrivateFolder:
    """`private/`: readers' data and the site's secrets. Never deleted, never in git."""

    folder: Path

    def made(self) -> Path:
        return _ignored_folder(self.folder, "sitegen's private data (readers' addresses, "
                                            "secrets); back it up, never commit it")

    @property
    def database(self) -> Path:
        """SQLite: readers' addresses, subscriptions, tokens, sessions, blocks, secrets."""
        return self.folder / "sitegen.sqlite3"

    @property
    def outbox(self) -> Path:
        """Notifications waiting to be sent, one file each."""
        return self.folder / "outbox"

    @property
    def salt(self) -> Path:
        """The key of the comment server's address hashes."""
        return self.folder / "salt"

    def output_owner(self, output: Path) -> Path:
        """The token of the last build into `output`: how sitegen knows the folder is its.
        Kept here rather than in the state folder, so that deleting the build's cache costs
        only time, and never turns sitegen's own output folder into a stranger's."""
        return self.folder / f"output-{_key(output)}.owner"


@dataclass(frozen=True)
class SitePaths:
    """Where a site keeps its files; the layout is fixed, only the root and output move."""

    root: Path
    output: Path

    @classmethod
    def at(cls, root: Path, output: Path | None = None) -> SitePaths:
        root = root.resolve()
        return cls(root=root, output=(output or root / "output").resolve())

    @property
    def config_file(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def posts(self) -> Path:
        return self.content / "posts"

    @property
    def pages(self) -> Path:
        return self.content / "pages"

    @property
    def comments(self) -> Path:
        return self.content / "comments"

    @property
    def pending(self) -> Path:
        """Comments waiting for the owner, one file each."""
        return self.comments / "pending"

    @property
    def rejected(self) -> Path:
        return self.comments / "rejected"

    @property
    def redirects(self) -> Path:
        return self.content / "redirects.yml"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def static(self) -> Path:
        return self.root / "static"

    @property
    def root_files(self) -> Path:
        """Files copied to the output's root as they are (CNAME, favicon.ico, .well-known)."""
        return self.root / "root"

    @property
    def themes(self) -> Path:
        return self.root / "themes"

    @property
    def locale(self) -> Path:
        return self.root / "locale"

    @property
    def state(self) -> StateFolder:
        return StateFolder(self.root / STATE_FOLDER)

    @property
    def private(self) -> PrivateFolder:
        return PrivateFolder(self.root / PRIVATE_FOLDER)

    def thread(self, stem: str) -> Path:
        """The comment thread of the post whose file stem is `stem`."""
        return self.comments / f"{stem}.yml"


@contextlib.contextmanager
def lock(paths: SitePaths, name: str, on_wait: Callable[[], None] | None = None,
         wait: bool = True) -> Iterator[bool]:
    """Hold the site-wide lock called `name` (an advisory `flock`, released when the holder
    exits or dies); `on_wait` is called once if another holder has it. Every writer that
    must not overlap with another process takes its lock here: builds into one output
    folder, writers of one thread file, the rebuild command. With `wait` false, go on at
    once without it when another holds it: the block is told whether it holds the lock."""
    paths.state.made()
    folder = paths.state.locks
    folder.mkdir(exist_ok=True)
    with (folder / f"{name}.lock").open("a") as file:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                yield False
                return
            if on_wait is not None:
                on_wait()
            fcntl.flock(file, fcntl.LOCK_EX)
        try:
            yield True
        finally:
            fcntl.flock(file, fcntl.LOCK_UN)


def output_lock(paths: SitePaths, on_wait: Callable[[], None] | None = None,
                wait: bool = True) -> contextlib.AbstractContextManager[bool]:
    """The lock every build into `paths.output` takes, so two builds (the preview's and one
    in another terminal) change the folder and its manifest one after the other."""
    return lock(paths, f"output-{_key(paths.output)}", on_wait, wait)
