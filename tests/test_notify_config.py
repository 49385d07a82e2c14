"""The [notify] table of sitegen.toml: defaults, every key read, one message per bad key,
and the SMTP password only from the environment."""

from __future__ import annotations

import pytest

from sitegen.config import NotifyConfig, load_config, smtp_password
from sitegen.errors import ConfigError
from sitegen.layout import SitePaths


def messages(site, monkeypatch) -> list[str]:
    monkeypatch.chdir(site.root)
    with pytest.raises(ConfigError) as caught:
        load_config(SitePaths.at(site.root))
    return [str(problem) for problem in caught.value.problems]


def test_without_a_notify_table_nothing_is_announced(make_site):
    config = load_config(SitePaths.at(make_site({"sitegen.toml": "title = 'x'\n"}).root))
    assert config.notify == NotifyConfig()
    assert config.notify.channels == ()
    assert config.mail_sender == "sitegen@localhost"


def test_every_notify_key_is_read(make_site):
    site = make_site({"sitegen.toml": """
        base_url = "https://example.org/blog/"
        [notify]
        email = "owner@example.org"
        sender = "blog@example.org"
        smtp_host = "mail.example.org"
        smtp_port = 465
        smtp_security = "tls"
        smtp_user = "owner"
        webhook = "https://hooks.example.org/new"
        command = ["notify-send", "comment"]
        """})
    notify = load_config(SitePaths.at(site.root)).notify
    assert notify == NotifyConfig("owner@example.org", "blog@example.org", "mail.example.org",
                                  465, "tls", "owner", "https://hooks.example.org/new",
                                  ("notify-send", "comment"))
    assert notify.channels == ("email", "webhook", "command")


def test_the_sender_defaults_to_sitegen_at_the_sites_host(make_site):
    site = make_site({"sitegen.toml": 'base_url = "https://www.example.org:8443/blog"\n'
                                      '[notify]\nemail = "me@example.org"\n'})
    config = load_config(SitePaths.at(site.root))
    assert config.mail_sender == "sitegen@www.example.org"
    assert config.notify.channels == ("email",)


def test_unknown_keys_and_wrong_types_in_notify_are_named(make_site, monkeypatch):
    site = make_site({"sitegen.toml": """
        [notify]
        emial = "owner@example.org"
        smtp_port = "25"
        command = "notify-send"
        smtp_password = "hunter2"
        """})
    assert messages(site, monkeypatch) == [
        "sitegen.toml: unknown key 'notify.emial' (did you mean 'notify.email'?)",
        "sitegen.toml: 'notify.smtp_port' must be a whole number, not a string",
        "sitegen.toml: 'notify.command' must be a list of strings, not a string",
        "sitegen.toml: 'notify.smtp_password' does not belong in sitegen.toml, which lives in "
        "git: set the SITEGEN_SMTP_PASSWORD environment variable",
    ]


def test_bad_notify_values_are_named(make_site, monkeypatch):
    site = make_site({"sitegen.toml": """
        [notify]
        email = "owner at example.org"
        sender = "a@b, c@d"
        smtp_host = " "
        smtp_port = 0
        smtp_security = "ssl"
        webhook = "ftp://example.org/hook"
        command = [""]
        """})
    assert messages(site, monkeypatch) == [
        "sitegen.toml: 'notify.email' must be one email address such as 'owner@example.org', "
        "not 'owner at example.org'",
        "sitegen.toml: 'notify.sender' must be one email address such as "
        "'owner@example.org', not 'a@b, c@d'",
        "sitegen.toml: 'notify.smtp_host' must name the mail server that sends to "
        "'notify.email'",
        "sitegen.toml: 'notify.smtp_port' must be a port from 1 to 65535, not 0",
        "sitegen.toml: 'notify.smtp_security' must be one of 'none', 'starttls', 'tls', "
        "not 'ssl'",
        "sitegen.toml: 'notify.webhook' must be an http(s) URL, not 'ftp://example.org/hook'",
        "sitegen.toml: 'notify.command' must start with the program to run",
    ]


def test_the_smtp_password_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("SITEGEN_SMTP_PASSWORD", raising=False)
    assert smtp_password() == ""
    monkeypatch.setenv("SITEGEN_SMTP_PASSWORD", "s3cret")
    assert smtp_password() == "s3cret"
