"""Redirect pages followed in headless Chromium against a real static server: a redirect
leads to a path of this site, never elsewhere, whatever content/redirects.yml says."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from browser import StaticHost, static_server

from helpers import post, run_sitegen

REDIRECTS = "content/redirects.yml"


@pytest.fixture
def page(browser):
    """A page whose requests to any host but this machine are recorded and refused."""
    context = browser.new_context()
    page = context.new_page()
    page.elsewhere = []

    def guard(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            page.elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    yield page
    context.close()


# Old address -> where it is written to lead, and the path Chromium must end up at.
ODD_BUT_OURS = {
    "/a/": ("/.//2020//01/02/hello/", "/2020/01/02/hello/"),
    "/b/": ("/tags/./bread/#top", "/tags/bread/#top"),
    "/c/": ("/%2F%2Fevil.example/", "/%2F%2Fevil.example/"),
    "/d/": ('"/ /evil.example/"', "/%20/evil.example/"),
}


def test_odd_targets_are_followed_to_their_canonical_path_on_this_site(make_site, page):
    site = make_site({
        "sitegen.toml": 'base_url = "https://example.org"\n',
        "content/posts/2020-01-02-hello.md": post("Hello", date="2020-01-02", tags="[bread]"),
        REDIRECTS: "".join(f"{old}: {target}\n" for old, (target, _) in ODD_BUT_OURS.items()),
    })
    site.build()
    with static_server(site.output, StaticHost) as url:
        for old, (_, lands) in ODD_BUT_OURS.items():
            page.goto(url + old)
            page.wait_for_url(url + lands, timeout=5_000)
    assert page.elsewhere == []


@pytest.mark.parametrize("target", [
    "/\\evil.example/", "/\t/evil.example/", "/\n/evil.example/", "/\\/evil.example/",
])
def test_targets_chromium_would_follow_off_the_site_are_refused(make_site, page, tmp_path,
                                                                target):
    """The page as sitegen wrote it before it refused these: Chromium leaves the site."""
    written = tmp_path / "written"
    written.mkdir()
    (written / "index.html").write_text(
        f'<!DOCTYPE html><meta http-equiv="refresh" content="0; url={target}">')
    with static_server(written) as url, page.expect_request(
            lambda request: urlsplit(request.url).hostname == "evil.example"):
        page.goto(url + "/")
    site = make_site({"sitegen.toml": 'base_url = "https://example.org"\n',
                      REDIRECTS: f"/old/: {target!r}\n".replace("'", '"')})
    result = run_sitegen("build", cwd=site.root)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {REDIRECTS}:1: '/old/' must lead to a path of "
                                    "this site")
    assert len(result.stderr.splitlines()) == 1
    assert not site.output.exists()
