"""The live preview end to end, with real builds, a real watcher and a real server: a save
shows over HTTP, a broken file leaves the server up and reports the error, a fix recovers;
what open pages are told after each kind of build; and `sitegen serve` as a child process
that stops cleanly on Ctrl-C."""

from __future__ import annotations

import json
import signal
import socket
import sys
from urllib.parse import urlencode, urlsplit

import pytest
from preview_helpers import (
    EventStream,
    RecordingConsole,
    ServeProcess,
    previewing,
    request,
    wait_until,
)

from sitegen.build import BuildReport
from sitegen.config import BuildOptions
from sitegen.preview.live import LiveReload
from sitegen.preview.loop import RebuildLoop

from conftest import NOW
from helpers import links, post, thread

POST = "content/posts/2010-08-31-hello.md"
POST_URL = "/2010/08/31/hello/"


@pytest.fixture
def site(make_site):
    return make_site({
        POST: post("Hello", body="The first version."),
        "static/style.css": "body { color: black; }\n",
        "templates/404.html": "<html><body>Not here</body></html>",
    })


@pytest.fixture
def preview(site):
    """A running preview of `site`, its first build done; yields (preview, console)."""
    with previewing(site) as running:
        yield running


def page(preview, url: str = POST_URL) -> str:
    return request(preview.url, url).text


def test_a_saved_post_shows_over_http_and_open_pages_reload(site, preview):
    running, console = preview
    assert "The first version." in page(running)
    stream = EventStream(running.url, running.live.build_id)
    site.write(POST, post("Hello", body="The second version."))
    assert stream.next()[0] == "reload"
    assert "The second version." in page(running)
    wait_until(lambda: console.lines[-1].startswith("1 post changed: "))
    stream.close()


def test_only_pages_that_were_written_reload_but_a_new_picture_reloads_all(site, preview):
    running, _ = preview
    stream = EventStream(running.url, running.live.build_id)
    site.write(POST, post("Hello", body="The second version."))
    event, data = stream.next()
    assert event == "reload"
    assert f"{POST_URL}index.html" in data["paths"]
    assert "/404.html" not in data["paths"] and "/tags/index.html" not in data["paths"]
    site.write("static/logo.png", b"\x89PNG not really")
    assert stream.next() == ("reload", {"build": running.live.build_id, "paths": None})
    stream.close()


@pytest.mark.parametrize(("written", "deleted", "told"), [
    (("2010/08/31/hello/index.html", "feed.xml"), (),
     ("reload", ["/blog/2010/08/31/hello/index.html", "/blog/feed.xml"])),
    (("static/style.css",), (), ("css", ["/blog/static/style.css"])),
    # A stylesheet, picture or script may be on any page, and so may what was deleted.
    (("static/style.css", "index.html"), (), ("reload", None)),
    (("static/logo.png",), (), ("reload", None)),
    (("index.html",), ("2010/08/31/gone/index.html",), ("reload", None)),
])
def test_open_pages_are_told_what_a_build_wrote(make_site, written, deleted, told):
    site = make_site({"sitegen.toml": 'base_url = "https://example.org/blog/"\n'})
    live = LiveReload()
    loop = RebuildLoop(site.paths, BuildOptions(now=NOW), live, RecordingConsole())
    loop.read_settings()
    stream = live.stream(live.build_id)
    next(stream)  # how often to retry
    loop.tell_pages(BuildReport(1, 0, len(written), 0, 0.1, (), written, deleted))
    event, data = next(stream).decode().split("\n")[:2]
    assert (event.removeprefix("event: "), json.loads(data.removeprefix("data: "))["paths"]) \
        == told
    loop.close()
    live.close()


def test_a_new_comment_shows_on_its_post(site, preview):
    running, _ = preview
    site.write("content/comments/2010-08-31-hello.yml", thread(
        {"id": "c1", "author": "Ana", "date": "2010-09-01 10:00", "body": "Lovely *loaf*."}
    ))
    wait_until(lambda: "Lovely <em>loaf</em>." in page(running))


def test_a_new_redirect_is_served_without_a_restart(site, preview):
    running, console = preview
    site.write("content/redirects.yml", "/old/: /2010/08/31/hello/\n")
    wait_until(lambda: "url=/2010/08/31/hello/" in page(running, "/old/"))
    wait_until(lambda: any(line.startswith("1 redirect list changed: ") for line in console.lines))


def test_a_template_change_shows_on_every_page(site, preview):
    running, console = preview
    site.write("templates/404.html", "<html><body>Custom not found</body></html>")
    wait_until(lambda: "Custom not found" in page(running, "/nowhere/"))
    wait_until(lambda: any(line.startswith("1 template changed: ") for line in console.lines))


def test_a_css_change_restyles_open_pages_without_reloading(site, preview):
    running, _ = preview
    stream = EventStream(running.url, running.live.build_id)
    site.write("static/style.css", "body { color: navy; }\n")
    event, data = stream.next()
    assert (event, data["paths"]) == ("css", ["/static/style.css"])
    wait_until(lambda: "navy" in page(running, "/static/style.css"))
    stream.close()


def test_a_site_under_a_path_is_previewed_and_restyled_there(make_site):
    site = make_site({
        "sitegen.toml": 'base_url = "https://example.org/blog/"\n',
        POST: post("Hello", body="The first version."),
        "static/style.css": "body { color: black; }\n",
    })
    with previewing(site) as (running, _):
        assert running.url.endswith("/blog/")
        assert "The first version." in page(running, "/blog" + POST_URL)
        stream = EventStream(running.url, running.live.build_id)
        site.write("static/style.css", "body { color: navy; }\n")
        event, data = stream.next()
        assert (event, data["paths"]) == ("css", ["/blog/static/style.css"])
        stream.close()


def test_a_broken_post_keeps_the_server_up_and_shows_the_error_until_fixed(site, preview):
    running, console = preview
    stream = EventStream(running.url, running.live.build_id)
    site.write(POST, "---\ntitle: Hello\ndate: [2010-08-31\n---\nBroken.\n")
    event, data = stream.next()
    assert event == "problems"
    (problem,) = data["problems"]
    assert problem["file"] == POST
    assert problem["line"] == 4
    assert problem["message"].startswith("front matter is not valid YAML")
    wait_until(lambda: any(line.startswith("error: ") and
                           f"{POST}:4: front matter is not valid YAML" in line
                           for line in console.lines))
    # The last good build is still served, and a page opened now hears of the error.
    assert "The first version." in page(running)
    late = EventStream(running.url, running.live.build_id)
    assert late.next() == ("problems", data)
    site.write(POST, post("Hello", body="Fixed now."))
    assert stream.next()[0] == "reload" and late.next()[0] == "reload"
    assert "Fixed now." in page(running)
    assert not running.live.failing
    wait_until(lambda: any(" (fixed): " in line for line in console.lines))
    stream.close()
    late.close()


def test_a_site_broken_from_the_start_is_served_once_fixed(make_site):
    site = make_site({POST: post("Hello", body="Here."), "sitegen.toml": "title = \n"})
    with previewing(site) as (running, console):
        assert any("sitegen.toml:1: not valid TOML" in line for line in console.lines)
        missing = request(running.url, POST_URL)
        assert missing.status == 404 and "/__sitegen/livereload.js" in missing.text
        site.write("sitegen.toml", 'title = "Fixed"\n')
        wait_until(lambda: "Here." in page(running))


def test_warnings_are_printed_once_not_on_every_rebuild(site, preview):
    running, console = preview
    assert sum("'base_url' is not set" in line for line in console.lines) == 1
    site.write(POST, post("Hello", body="Again."))
    wait_until(lambda: "Again." in page(running))
    assert sum("'base_url' is not set" in line for line in console.lines) == 1


def test_the_files_on_disk_never_hold_the_reload_script(site, preview):
    running, _ = preview
    assert "/__sitegen/livereload.js" in page(running)
    assert all(b"__sitegen" not in data for data in site.files().values())


def test_serve_prints_the_address_and_stops_cleanly_on_ctrl_c(site):
    with ServeProcess("--site", str(site.root)) as served:
        url = served.url
        wait_until(lambda: "The first version." in request(url, POST_URL).text)
        # A page following the event stream and an idle connection must not hold up the stop.
        stream = EventStream(url, "any")
        idle = socket.create_connection(("127.0.0.1", urlsplit(url).port))
        assert served.stop(signal.SIGINT) == 0
        stream.close()
        idle.close()
    assert served.stdout[0] == f"serving {site.output} at {url} (press Ctrl-C to stop)"
    assert served.stdout[-1] == "stopping"
    assert "Traceback" not in "\n".join(served.stderr)
    assert "KeyboardInterrupt" not in "\n".join(served.stderr)


def test_serve_stops_cleanly_on_sigterm(site):
    with ServeProcess("--site", str(site.root)) as served:
        wait_until(lambda: request(served.url, "/").status == 200)
        assert served.stop(signal.SIGTERM) == 0
    assert "Traceback" not in "\n".join(served.stderr)


def test_serve_on_a_port_in_use_says_which_port_to_try(site):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        served = ServeProcess("--site", str(site.root), "--port", str(port))
        assert served.wait(20) == 1
    assert len(served.stderr) == 1
    assert served.stderr[0].startswith(f"error: port {port} on 127.0.0.1 is in use; try --port ")


def test_serve_open_shows_the_site_in_the_browser(site, tmp_path):
    opened = tmp_path / "opened.txt"
    # webbrowser runs the command in $BROWSER with the URL for %s.
    browser = (f"{sys.executable} -c 'import sys, pathlib; "
               f"pathlib.Path(sys.argv[1]).write_text(sys.argv[2])' {opened} %s")
    with ServeProcess("--site", str(site.root), "--open", env={"BROWSER": browser}) as served:
        url = served.url
        wait_until(opened.exists)
        assert wait_until(opened.read_text) == url


def test_serve_on_an_address_it_cannot_use_says_so(site):
    served = ServeProcess("--site", str(site.root), "--host", "256.0.0.1")
    assert served.wait(20) == 1
    (line,) = served.stderr  # the resolver's own words follow, and vary between systems
    assert line.startswith("error: cannot listen on 256.0.0.1:0: ")


def test_serve_without_reload_serves_pages_as_built(site):
    with ServeProcess("--site", str(site.root), "--no-reload") as served:
        wait_until(lambda: "The first version." in request(served.url, POST_URL).text)
        assert "__sitegen" not in request(served.url, POST_URL).text


def post_comment(running, endpoint: str, body: str):
    form = urlencode({"post": "2010-08-31-hello", "author": "Ana", "body": body})
    return request(running.url, endpoint, "POST", body=form.encode(),
                   headers={"Content-Type": "application/x-www-form-urlencoded"})


def test_a_comment_posted_to_the_preview_is_published_by_its_own_rebuild(make_site):
    """With auto_approve the comment goes straight into its thread; the watcher rebuilds,
    so the site's rebuild command (meant for production) is not run as well."""
    site = make_site({
        POST: post("Hello"),
        "sitegen.toml": '[comments]\nauto_approve = true\nrate_limit = 0\n'
                        'rebuild_command = "touch rebuild-command-ran"\n',
    })
    with previewing(site) as (running, console):
        response = post_comment(running, "/comments", "Published *at once*.")
        assert response.status == 303
        assert response.headers["location"] == f"{POST_URL}#comment-published"
        wait_until(lambda: "Published <em>at once</em>." in page(running))
        wait_until(lambda: any(line.startswith("1 comment thread changed: ")
                               for line in console.lines))
    assert not (site.root / "rebuild-command-ran").exists()


def test_the_comment_endpoint_follows_the_configuration(site, preview):
    running, _ = preview
    site.write("sitegen.toml", '[comments]\nendpoint = "/talk"\n')
    wait_until(lambda: links(page(running), POST_URL, "form[method=post]") == {"/talk"})
    assert post_comment(running, "/talk", "Moved.").status == 303
    assert post_comment(running, "/comments", "Old address.").status == 405
    assert len(list((site.root / "content/comments/pending").glob("*.yml"))) == 1


def test_an_impossible_date_shows_over_the_page_as_the_post_s_own_error(site, preview):
    # YAML reads 2010-02-30 as a date and fails making it: 'the build crashed (a bug in
    # sitegen)' was all the page showed.
    running, console = preview
    stream = EventStream(running.url, running.live.build_id)
    site.write(POST, post("Hello", date="2010-02-30"))
    event, data = stream.next()
    assert (event, data["problems"]) == ("problems", [{
        "file": POST, "line": 3, "message": "bad date '2010-02-30': day is out of range for month",
    }])
    wait_until(lambda: any(line.startswith("error: ") and line.endswith(
        f"{POST}:3: bad date '2010-02-30': day is out of range for month")
        for line in console.lines))
    stream.close()
