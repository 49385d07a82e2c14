"""sitegen.toml: defaults without a file, and one clear message per bad key."""

from __future__ import annotations

import pytest

from sitegen.config import Config, SitePaths, load_config
from sitegen.errors import ConfigError


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


def test_toml_syntax_error_names_the_line(make_site, monkeypatch):
    site = make_site({"sitegen.toml": 'title = "ok"\nauthor = \n'})
    [message] = messages(site, monkeypatch)
    assert message.startswith("sitegen.toml:2: not valid TOML: ")
