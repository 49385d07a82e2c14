"""Orchestrate one build: load -> model -> plan -> render -> write.

Each stage hands plain data to the next and none reaches back. Content errors stop the build
before anything is written; the new site goes live only when every page rendered.
"""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass

from .config import BuildOptions, Config, SitePaths, load_config
from .errors import Problem
from .output import Staging, check_output_folder
from .pages import plan
from .render import Renderer
from .site import load_site


@dataclass(frozen=True)
class BuildReport:
    posts: int
    comments: int
    pages_written: int
    static_files: int
    seconds: float
    warnings: tuple[Problem, ...]

    def summary(self) -> str:
        return (f"{self.posts} posts, {self.comments} comments: wrote {self.pages_written} pages "
                f"and {self.static_files} static files in {self.seconds:.2f} s")


def build(
    paths: SitePaths,
    options: BuildOptions,
    cache: MutableMapping[str, object] | None = None,
    on_page: Callable[[str], None] | None = None,
) -> BuildReport:
    """Build the site at `paths` into `paths.output`; raise SitegenError on any problem,
    leaving the previous output untouched."""
    started = time.perf_counter()
    check_output_folder(paths.root, paths.output)
    config = load_config(paths)
    site = load_site(paths, config, options, cache)
    pages = plan(site)
    renderer = Renderer(paths, config)
    with Staging(paths.output) as staging:
        for page in pages:
            staging.write(page.path, renderer.render(page))
            if on_page:
                on_page(page.path)
        static = sum(staging.copy_tree(folder, "static") for folder in renderer.static_dirs)
        staging.commit()
    return BuildReport(
        posts=len(site.posts),
        comments=site.comment_count,
        pages_written=staging.written,
        static_files=static,
        seconds=time.perf_counter() - started,
        warnings=site.warnings + _config_warnings(config, paths),
    )


def _config_warnings(config: Config, paths: SitePaths) -> tuple[Problem, ...]:
    if config.base_url == Config.base_url:
        return (Problem(f"'base_url' is not set, so feeds and the sitemap link to "
                        f"{config.base_url}", paths.config_file),)
    return ()
