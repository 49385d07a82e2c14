"""sitegen.toml: defaults without a file, and one clear message per bad key."""

from __future__ import annotations

import os

import pytest

from sitegen.config import Config, load_config
from sitegen.errors import ConfigError
from sitegen.layout import SitePaths

from helpers import run_sitegen


def messages(site, monkeypatch) -> list[str]:
    monkeypatch.chdir(site.root)
    with pytest.raises(ConfigError) as caught:
        load_config(SitePaths.at(site.root))
    return [str(problem) for problem in caught.value.problems]


def test_a_site_needs_no_configuration(make_site):
    site = make_site()
    config = load_config(SitePaths.at(site.root))
    assert config == Config()
    assert config.permalink == "/{year}/{month}/{day}/{slug}/"
    assert config.posts_per_page == 10
    assert config.timezone == "UTC"
    assert config.comments.enabled is True
    assert config.comments.endpoint == "/comments"


def test_every_key_is_read(make_site):
    site = make_site({"sitegen.toml": """
        title = "Slow Rise"
        author = "Inês"
        description = "Bread"
        base_url = "https://example.org/blog/"
        timezone = "Europe/Lisbon"
        theme = "default"
        permalink = "/{year}/{slug}.html"
        posts_per_page = 5
        date_format = "%d %B %Y"
        language = "pt"

        [comments]
        enabled = false
        endpoint = "https://comments.example.org/comments"
        """})
    config = load_config(SitePaths.at(site.root))
    assert (config.title, config.author, config.timezone) == ("Slow Rise", "Inês", "Europe/Lisbon")
    assert config.posts_per_page == 5
    assert config.comments.enabled is False
    assert config.absolute("/tags/") == "https://example.org/blog/tags/"


def test_unknown_key_is_named_with_a_suggestion(make_site, monkeypatch):
    site = make_site({"sitegen.toml": 'titel = "x"\n'})
    assert messages(site, monkeypatch) == [
        "sitegen.toml: unknown key 'titel' (did you mean 'title'?)"
    ]


def test_wrong_types_are_named(make_site, monkeypatch):
    site = make_site({"sitegen.toml": """
        posts_per_page = "ten"
        title = 3
        [comments]
        enabled = "yes"
        """})
    assert messages(site, monkeypatch) == [
        "sitegen.toml: 'posts_per_page' must be a whole number, not a string",
        "sitegen.toml: 'title' must be a string, not a number",
        "sitegen.toml: 'comments.enabled' must be true or false, not a string",
    ]


def test_unknown_key_in_a_table(make_site, monkeypatch):
    site = make_site({"sitegen.toml": "[comments]\nendpont = '/c'\n"})
    assert messages(site, monkeypatch) == [
        "sitegen.toml: unknown key 'comments.endpont' (did you mean 'comments.endpoint'?)"
    ]


def test_a_table_given_as_a_value(make_site, monkeypatch):
    site = make_site({"sitegen.toml": "comments = true\n"})
    assert messages(site, monkeypatch) == ["sitegen.toml: 'comments' must be a table ([comments])"]


def test_bad_values_are_all_reported_at_once(make_site, monkeypatch):
    site = make_site({"sitegen.toml": """
        base_url = "example.org"
        timezone = "Mars/Olympus"
        permalink = "{year}/{title}/"
        posts_per_page = 0
        """})
    assert messages(site, monkeypatch) == [
        "sitegen.toml: 'base_url' must be an absolute http(s) URL, not 'example.org'",
        "sitegen.toml: 'timezone' 'Mars/Olympus' is not an IANA time zone such as 'Europe/Lisbon'",
        "sitegen.toml: 'permalink' must start with '/'",
        "sitegen.toml: 'permalink' uses unknown field {title}; use {year} {month} {day} {slug}",
        "sitegen.toml: 'permalink' must contain {slug}",
        "sitegen.toml: 'posts_per_page' must be at least 1",
    ]


def test_the_markdown_engine_is_one_of_two(make_site, monkeypatch):
    assert load_config(SitePaths.at(make_site().root)).markdown == "python-markdown"
    site = make_site({"sitegen.toml": 'markdown = "commonmark"\n'})
    assert load_config(SitePaths.at(site.root)).markdown == "commonmark"
    site.write("sitegen.toml", 'markdown = "CommonMark"\n')
    assert messages(site, monkeypatch) == [
        "sitegen.toml: 'markdown' must be 'python-markdown' or 'commonmark', not 'CommonMark'"]
    site.write("sitegen.toml", "markdown = true\n")
    assert messages(site, monkeypatch) == [
        "sitegen.toml: 'markdown' must be a string, not a boolean"]


def test_toml_syntax_error_names_the_line(make_site, monkeypatch):
    site = make_site({"sitegen.toml": 'title = "ok"\nauthor = \n'})
    [message] = messages(site, monkeypatch)
    assert message.startswith("sitegen.toml:2: not valid TOML: ")


def test_comment_intake_settings_have_defaults_and_are_read(make_site):
    defaults = load_config(SitePaths.at(make_site().root)).comments
    assert (defaults.rate_limit, defaults.max_length, defaults.max_links) == (5, 10_000, 3)
    assert (defaults.blocked_words, defaults.blocked_ips, defaults.trusted_proxies) == ((), (), ())
    assert (defaults.auto_approve, defaults.rebuild_command) == (False, "")
    site = make_site({"sitegen.toml": """
        [comments]
        rate_limit = 0
        max_length = 2000
        max_links = 0
        blocked_words = ["casino"]
        blocked_ips = ["192.0.2.7", "2001:db8::/32"]
        trusted_proxies = ["127.0.0.1"]
        auto_approve = true
        rebuild_command = "sitegen build --site ."
        """})
    comments = load_config(SitePaths.at(site.root)).comments
    assert (comments.rate_limit, comments.max_length, comments.max_links) == (0, 2000, 0)
    assert comments.blocked_ips == ("192.0.2.7", "2001:db8::/32")
    assert comments.blocked_words == ("casino",)
    assert comments.auto_approve is True


def test_bad_comment_intake_settings_are_all_reported(make_site, monkeypatch):
    site = make_site({"sitegen.toml": """
        [comments]
        endpoint = "comments"
        rate_limit = -1
        max_length = 0
        max_links = -2
        blocked_words = ["ok", " "]
        blocked_ips = ["192.0.2.300"]
        trusted_proxies = ["proxy.local"]
        rebuild_command = "sitegen 'build"
        """})
    assert messages(site, monkeypatch) == [
        "sitegen.toml: 'comments.endpoint' must be a path such as '/comments' or an http(s) URL",
        "sitegen.toml: 'comments.rate_limit' must be 0 (no limit) or more comments per client "
        "per minute",
        "sitegen.toml: 'comments.max_length' must be at least 1 character",
        "sitegen.toml: 'comments.max_links' must be 0 or more",
        "sitegen.toml: 'comments.blocked_ips' has '192.0.2.300', which is not an IP address or "
        "network (10.0.0.0/8)",
        "sitegen.toml: 'comments.trusted_proxies' has 'proxy.local', which is not an IP address "
        "or network (10.0.0.0/8)",
        "sitegen.toml: 'comments.rebuild_command' cannot be split into words: No closing "
        "quotation",
        "sitegen.toml: 'comments.blocked_words' must not contain empty words",
    ]


@pytest.mark.parametrize(("base_url", "base_path"), [
    ("http://localhost:8000", "/"), ("https://example.org/", "/"),
    ("https://example.org/blog", "/blog/"), ("https://example.org/a/b/", "/a/b/"),
])
def test_the_path_a_site_is_served_under_comes_from_base_url(base_url, base_path):
    config = Config(base_url=base_url)
    assert config.base_path == base_path
    assert config.site_path("/tags/") == base_path + "tags/"
    assert config.site_path("/") == base_path
    assert config.site_path("https://elsewhere.example/") == "https://elsewhere.example/"
    assert config.site_path("//cdn.example/x.js") == "//cdn.example/x.js"


@pytest.mark.parametrize(("pattern", "expected"), [
    ("/{year.x}/{slug}/", ["'permalink' uses unknown field {year.x}; use {year} {month} {day} "
                           "{slug}"]),
    ("/{slug[99]}/", ["'permalink' uses unknown field {slug[99]}; use {year} {month} {day} "
                      "{slug}", "'permalink' must contain {slug}"]),
    ("/{year:>900000000}/{slug}/", ["'permalink' uses unknown field {year:>900000000}; use "
                                    "{year} {month} {day} {slug}"]),
    ("/{slug!r}/{slug}/", ["'permalink' uses unknown field {slug!r}; use {year} {month} {day} "
                           "{slug}"]),
    ("/{slug}/{", ["'permalink' has a '{' or '}' without its pair; write '{{' or '}}' for the "
                   "character"]),
    ("/{slug}}/", ["'permalink' has a '{' or '}' without its pair; write '{{' or '}}' for the "
                   "character"]),
])
def test_a_permalink_holds_only_the_bare_fields(make_site, monkeypatch, pattern, expected):
    # str.format reads attributes, items and formats: each one crashed or hung every build.
    site = make_site({"sitegen.toml": f'permalink = "{pattern}"\n'})
    assert messages(site, monkeypatch) == [f"sitegen.toml: {message}" for message in expected]


def test_braces_written_twice_are_the_characters_themselves(make_site):
    site = make_site({"sitegen.toml": 'permalink = "/{{x}}/{slug}/"\n'})
    assert load_config(SitePaths.at(site.root)).permalink == "/{{x}}/{slug}/"


@pytest.mark.parametrize("text", ["x = " + "[" * 5000 + "]" * 5000,
                                  "x = " + "{a = " * 2000 + "1" + "}" * 2000],
                         ids=["arrays", "tables"])
def test_deeply_nested_arrays_or_tables_are_one_line(make_site, monkeypatch, text):
    site = make_site({"sitegen.toml": text + "\n"})
    assert messages(site, monkeypatch) == [
        "sitegen.toml: not valid TOML: arrays or tables are nested too deeply"]


def test_a_byte_order_mark_is_allowed(make_site):
    site = make_site({"sitegen.toml": b'\xef\xbb\xbftitle = "Slow Rise"\n'})
    assert load_config(SitePaths.at(site.root)).title == "Slow Rise"


def test_a_value_is_quoted_on_one_line(make_site, monkeypatch):
    site = make_site({"sitegen.toml": 'base_url = "a\\nb"\ntimezone = "x\\ty"\n'})
    assert messages(site, monkeypatch) == [
        "sitegen.toml: 'base_url' must be an absolute http(s) URL, not 'a\\nb'",
        "sitegen.toml: 'timezone' 'x\\ty' is not an IANA time zone such as 'Europe/Lisbon'",
    ]


@pytest.mark.parametrize(("make", "expected"), [
    (lambda path: path.mkdir(), "is a folder, not a file"),
    (lambda path: os.mkfifo(path), "is not a regular file (a pipe, socket or device)"),
    (lambda path: path.symlink_to("elsewhere.toml"),
     "is a symbolic link to 'elsewhere.toml', which does not exist"),
    (lambda path: path.symlink_to(path.name), "cannot read: Too many levels of symbolic links"),
], ids=["folder", "pipe", "broken-link", "link-loop"])
def test_a_configuration_file_that_is_no_file_is_one_line(make_site, monkeypatch, make,
                                                          expected):
    # A folder was a traceback; a pipe hung every command; a broken link was silently the
    # defaults, so a site built with the wrong base_url and permalinks.
    site = make_site()
    make(site.root / "sitegen.toml")
    assert messages(site, monkeypatch) == [f"sitegen.toml: {expected}"]
    result = run_sitegen("build", "--quiet", cwd=site.root)
    assert (result.returncode, result.stderr) == (1, f"error: sitegen.toml: {expected}\n")
