"""Delivery against real servers: SMTP sign-in with the password from the environment, the
errors a misconfigured server gives, a command's failure."""

from __future__ import annotations

import sys
from email.message import EmailMessage

import pytest
from aiosmtpd.smtp import AuthResult
from notify_support import free_port, smtp_server

from sitegen.comments_server.mailer import DeliveryError, SmtpServer, run_command
from sitegen.config import smtp_password


def message() -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "a@example.org", "b@example.org", "Olá"
    mail.set_content("Olá!")
    return mail


def test_the_password_from_the_environment_signs_in(monkeypatch):
    monkeypatch.setenv("SITEGEN_SMTP_PASSWORD", "s3cret")
    tried = []

    def authenticator(server, session, envelope, mechanism, data):
        tried.append((data.login, data.password))
        return AuthResult(success=data.password == b"s3cret")

    port = free_port()
    with smtp_server(port, authenticator=authenticator, auth_require_tls=False) as mailbox:
        SmtpServer("127.0.0.1", port, "none", "owner", smtp_password()).send(message())
    assert tried == [(b"owner", b"s3cret")]
    assert len(mailbox.messages) == 1
    assert "s3cret" not in repr(SmtpServer("h", 25, "none", "owner", "s3cret"))


def test_a_user_without_a_password_is_told_where_it_comes_from():
    with pytest.raises(DeliveryError, match="SITEGEN_SMTP_PASSWORD environment variable"):
        SmtpServer("127.0.0.1", free_port(), "none", "owner", "").send(message())


def test_starttls_against_a_server_without_it_fails_rather_than_sending_in_clear():
    port = free_port()
    with smtp_server(port) as mailbox, pytest.raises(DeliveryError,
                                                     match="STARTTLS extension not supported"):
        SmtpServer("127.0.0.1", port, "starttls").send(message())
    assert mailbox.messages == []


def test_a_command_that_fails_is_a_one_line_reason(tmp_path):
    script = "import sys; sys.stdin.read(); print('first\\nno disk left', file=sys.stderr); " \
             "sys.exit(3)"
    with pytest.raises(DeliveryError) as caught:
        run_command((sys.executable, "-c", script), {"a": 1}, tmp_path)
    assert str(caught.value) == f"command {sys.executable} exited with 3: no disk left"
    with pytest.raises(DeliveryError, match="No such file"):
        run_command(("no-such-program-here",), {}, tmp_path)
