"""Delivering a notification: by SMTP, to a webhook, or to a command's standard input.

Each way either returns or raises DeliveryError with a one-line reason; the outbox retries.
Only the standard library is used (smtplib, urllib, subprocess): no mail service.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from .. import __version__

SMTP_TIMEOUT = 30.0
WEBHOOK_TIMEOUT = 10.0
COMMAND_TIMEOUT = 30.0


class DeliveryError(Exception):
    """A notification that did not go out this time."""


@dataclass(frozen=True)
class SmtpServer:
    """Where email goes out, and how to sign in there."""

    host: str
    port: int
    security: str = "none"  # "none", "starttls" or "tls"
    user: str = ""
    password: str = field(default="", repr=False)

    def send(self, message: EmailMessage) -> None:
        if self.user and not self.password:
            raise DeliveryError(f"'notify.smtp_user' is {self.user!r} but the "
                                "SITEGEN_SMTP_PASSWORD environment variable is not set")
        try:
            with self._connect() as smtp:
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"SMTP {self.host}:{self.port}: {_reason(error)}") from None

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.security == "tls":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=SMTP_TIMEOUT, context=context)
        smtp = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT)
        try:
            if self.security == "starttls":
                smtp.starttls(context=context)
        except BaseException:
            smtp.close()
            raise
        return smtp


def post_json(url: str, payload: dict, timeout: float = WEBHOOK_TIMEOUT) -> None:
    """POST `payload` as JSON to `url`; any answer but 2xx is a failure."""
    request = urllib.request.Request(
        url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json; charset=utf-8",
                 "User-Agent": f"sitegen/{__version__}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            answer.read()
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"webhook {url} answered {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        raise DeliveryError(f"webhook {url}: {_reason(error)}") from None


def run_command(argv: tuple[str, ...], payload: dict, cwd: Path,
                timeout: float = COMMAND_TIMEOUT) -> None:
    """Run `argv` in `cwd` with `payload` as JSON on its standard input; exit status 0 is
    success."""
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    try:
        done = subprocess.run(list(argv), input=data, cwd=cwd, capture_output=True,
                              timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise DeliveryError(f"command {argv[0]}: {_reason(error)}") from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()
        raise DeliveryError(f"command {argv[0]} exited with {done.returncode}"
                            + (f": {said[-1]}" if said else ""))


def _reason(error: BaseException) -> str:
    """An exception as one line."""
    if isinstance(error, urllib.error.URLError) and not isinstance(error.reason, str):
        error = error.reason
    text = " ".join(str(error).split())
    return text or type(error).__name__
