"""Compiled templates kept between builds, so that a build loads them instead of compiling
them (Jinja2 turns a template into Python source, then Python compiles that: 0.11 s of CPU
for the default theme, against 4 ms to load it compiled).

Where each template's code is kept depends on whose it is. sitegen's own (its built-in
templates and the themes it ships) are compiled once per installation and kept beside
sitegen, in its `__pycache__` folder, for every site to share, as Python keeps sitegen's
compiled modules: a site's first build, and every `--clean` build, then finds them compiled.
A site's own templates (its `templates/` folder, a theme in its `themes/`) are kept in the
site's state folder. Where sitegen's folder cannot be written (a read-only installation),
its templates are kept with the site's, as they are when Python is told to write no
bytecode (PYTHONDONTWRITEBYTECODE, -B).

A compiled template is found by the template's name, path and source (Jinja2's key), and
the file it is kept in is named after the environment's settings that compiling depends on
as well: code compiled with other settings, by another version of sitegen or Jinja2, is
never loaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket
from jinja2.utils import _PassArg

from . import __version__
from .atomic import shared_folder, write_cache

# Beside sitegen's compiled modules: installed, in site-packages; in a checkout, in the
# package folder (git ignores __pycache__ folders).
SHARED = Path(__file__).parent / "__pycache__" / "templates"


class CompiledTemplates(jinja2.BytecodeCache):
    """Jinja2's bytecode cache: the code of templates under the `shipped` folders in SHARED
    (when it can be written), of the others in `site`."""

    def __init__(self, site: Path, shipped: list[Path]) -> None:
        self.site = site
        self.shipped = tuple(str(folder) + os.sep for folder in shipped)
        self.shared = shared_folder(SHARED) if shipped else None
        self.settings: str | None = None  # named when the environment is first seen

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> Bucket:
        bucket = Bucket(environment, self.get_cache_key(name, filename),
                        self.get_source_checksum(source))
        # Where it is kept, for dump_bytecode to keep it there too.
        bucket.folder = self._folder(filename)  # type: ignore[attr-defined]
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError), open(self._file(bucket), "rb") as file:
            bucket.load_bytecode(file)  # code of another Jinja2 or Python is left unread

    def dump_bytecode(self, bucket: Bucket) -> None:
        write_cache(Path(self._file(bucket)), bucket.write_bytecode)

    def _folder(self, filename: str | None) -> Path:
        if self.shared is not None and filename is not None and filename.startswith(
                self.shipped):
            return self.shared
        return self.site

    def _file(self, bucket: Bucket) -> str:
        if self.settings is None:
            self.settings = settings_key(bucket.environment)
        folder = bucket.folder  # type: ignore[attr-defined]
        return os.path.join(folder, f"{self.settings}-{bucket.key}.cache")


def settings_key(env: jinja2.Environment) -> str:
    """What of the environment the compiled code depends on, as a short digest: the syntax,
    whitespace handling and extensions the compiler reads, the filters and tests with what
    each is passed, and the versions of sitegen and Jinja2."""
    settings = (
        __version__, jinja2.__version__, env.block_start_string, env.block_end_string,
        env.variable_start_string, env.variable_end_string, env.comment_start_string,
        env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
        env.trim_blocks, env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline,
        env.optimized, sorted(env.extensions), _marked(env.filters), _marked(env.tests),
    )
    return hashlib.blake2b(repr(settings).encode(), digest_size=8).hexdigest()


def _marked(functions: dict) -> list[tuple[str, str]]:
    """Each filter's or test's name and what it asks Jinja2 to pass it (the context, the
    environment...), which the compiled call is made for."""
    return sorted((name, repr(_PassArg.from_obj(function))) for name, function in
                  functions.items())

