"""The command line as a user meets it: help, version, messages and exit codes."""

from __future__ import annotations

import re

from sitegen import __version__

from helpers import post, run_sitegen


def test_version_and_help():
    assert run_sitegen("--version").stdout.strip() == f"sitegen {__version__}"
    result = run_sitegen("--help")
    assert result.returncode == 0 and "build" in result.stdout
    build_help = run_sitegen("build", "--help").stdout
    for option in ("--site", "--output", "--drafts", "--future", "--verbose", "--quiet"):
        assert option in build_help


def test_usage_errors_exit_2():
    assert run_sitegen().returncode == 2
    assert run_sitegen("build", "--no-such-option").returncode == 2


def test_build_prints_a_progress_line_and_a_summary(make_site):
    site = make_site({"content/posts/2010-08-31-hello.md": post("Hello")})
    result = run_sitegen("build", "--site", str(site.root))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"building {site.root} into {site.root / 'output'}"
    assert re.fullmatch(r"1 post, 0 comments: wrote \d+ pages and \d+ static files in "
                        r"\d+\.\d\d s", lines[-1])
    assert (site.root / "output/2010/08/31/hello/index.html").is_file()


def test_quiet_prints_nothing_and_verbose_lists_pages(make_site):
    site = make_site({"content/posts/2010-08-31-hello.md": post("Hello"),
                      "sitegen.toml": 'base_url = "https://example.org"\n'})
    quiet = run_sitegen("build", "--quiet", "--site", str(site.root))
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    # A build writes only what changed, so change the post for the verbose build to list it.
    site.write("content/posts/2010-08-31-hello.md", post("Hello", body="Hello again."))
    verbose = run_sitegen("build", "--verbose", "--site", str(site.root))
    assert "  wrote 2010/08/31/hello/index.html" in verbose.stdout.splitlines()


def test_output_option(make_site, tmp_path):
    site = make_site({"content/posts/2010-08-31-hello.md": post("Hello")})
    result = run_sitegen("build", "--site", str(site.root), "--output", str(tmp_path / "public"))
    assert result.returncode == 0
    assert (tmp_path / "public/2010/08/31/hello/index.html").is_file()


def test_drafts_and_future_flags(make_site):
    site = make_site({
        "content/posts/2010-08-31-draft.md": post("Draft", draft="true"),
        "content/posts/2999-01-01-later.md": post("Later", date=None),
    })
    run_sitegen("build", "--site", str(site.root))
    assert not (site.root / "output/2010/08/31/draft").exists()
    assert not (site.root / "output/2999").exists()
    run_sitegen("build", "--drafts", "--future", "--site", str(site.root))
    assert (site.root / "output/2010/08/31/draft/index.html").is_file()
    assert (site.root / "output/2999/01/01/later/index.html").is_file()


def test_errors_are_one_line_each_with_exit_1_and_no_traceback(make_site):
    site = make_site({
        "content/posts/a.md": "---\ntitle: [oops\n---\n",
        "content/posts/b.md": post("B", date="someday"),
    })
    result = run_sitegen("build", cwd=site.root)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: content/posts/a.md:3: front matter is not valid YAML: "
        "did not find expected ',' or ']'",
        "error: content/posts/b.md:3: bad date 'someday': use YYYY-MM-DD, YYYY-MM-DD HH:MM or "
        "ISO 8601 with an offset",
    ]
    assert "Traceback" not in result.stdout + result.stderr
    verbose = run_sitegen("build", "--verbose", cwd=site.root)
    assert verbose.returncode == 1 and "Traceback" in verbose.stderr


def test_warnings_go_to_stderr(make_site):
    site = make_site({"content/posts/2010-08-31-hello.md": post("Hello")})
    result = run_sitegen("build", cwd=site.root)
    assert result.returncode == 0
    assert result.stderr == (
        "warning: sitegen.toml: 'base_url' is not set, so feeds and the sitemap link to "
        "http://localhost:8000\n"
    )
