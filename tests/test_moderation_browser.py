"""The moderation page in a real headless Chromium, at a phone's width: log in, approve one
comment, reject one, answer one; the rebuild command publishes, and the post shows them."""

from __future__ import annotations

import sys

from browser import AXE, require_axe, static_server
from intake_support import comment, comment_site, pending, running_intake, send
from preview_helpers import wait_until

from sitegen import layout
from sitegen.comments_server.auth import set_password
from sitegen.private import PrivateStore

PASSWORD = "a phone in the train"
POST = "/2010/08/31/hello/"


def serious_violations(page) -> list[str]:
    require_axe()
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in results["violations"]
            if v["impact"] in ("serious", "critical")]


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_owner_moderates_from_a_phone_and_the_site_is_rebuilt(browser, make_site):
    site = comment_site(make_site, "rate_limit = 0\n"
                                   f'rebuild_command = "{sys.executable} -m sitegen build -q"')
    site.write("sitegen.toml", site.root.joinpath("sitegen.toml").read_text()
               .replace('base_url = "https://example.org"\n',
                        'base_url = "https://example.org"\nauthor = "Inês"\n'))
    set_password(PrivateStore(layout.SitePaths.at(site.root)), PASSWORD)
    # The page's CSP forbids every script, axe's too: the test lets axe in, nothing else.
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  bypass_csp=True)
    page = context.new_page()
    with running_intake(site) as url:
        for body in ("Approve me, please.", "Reject me: buy pills.", "Answer me: which flour?"):
            assert send(url, comment(body=body)).status == 303
        page.goto(url + "/moderate")
        assert serious_violations(page) == [] and fits_the_screen(page)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        assert page.get_by_role("heading", level=1).inner_text() == \
            "Comments awaiting moderation"
        assert page.locator("article.pending").count() == 3
        assert serious_violations(page) == [] and fits_the_screen(page)

        def act(text: str, button: str) -> None:
            page.locator("article.pending", has_text=text).get_by_role(
                "button", name=button, exact=True).click()
            page.wait_for_load_state()

        act("Approve me", "Approve")
        assert page.get_by_role("status").inner_text().startswith("Approved ")
        act("Reject me", "Reject")
        answered = page.locator("article.pending", has_text="Answer me")
        answered.get_by_label("Your reply").fill("Type 65, *always*.")
        act("Answer me", "Approve and reply")
        assert "Nothing awaits moderation." in page.content() and pending(site) == {}
        built = site.output / POST.strip("/") / "index.html"
        wait_until(lambda: built.exists() and "always" in built.read_text(), timeout=60)
    with static_server(site.output) as base:
        page.goto(base + POST)
        comments = page.locator("#comments")
        assert comments.get_by_text("Approve me, please.").is_visible()
        assert comments.get_by_text("Answer me: which flour?").is_visible()
        reply = comments.locator("li.by-owner")
        assert reply.locator("em").inner_text() == "always" and "Inês" in reply.inner_text()
        assert "Reject me" not in page.content()
    context.close()
