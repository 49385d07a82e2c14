"""The preview's HTTP side on a real server: files and their types, folders, 404s, HEAD,
caching, paths that try to leave the output folder, the injected script, the event stream,
a build swapping the output under live requests, and a port already taken."""

from __future__ import annotations

import os
import re
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from preview_helpers import EventStream, request, running

from sitegen.comments_server.app import IntakeApp, create_app
from sitegen.comments_server.queue import Queue
from sitegen.errors import SitegenError
from sitegen.preview.http import PreviewApp, bind
from sitegen.preview.live import LiveReload

from helpers import post

POST_URL = "/2010/08/31/hello/"
SECRET = "the contents of a file outside the output folder"


@pytest.fixture
def site(make_site, tmp_path):
    site = make_site({
        "sitegen.toml": 'base_url = "https://example.org"\n',
        "content/posts/2010-08-31-hello.md": post("Hello", body="Hello, *world*."),
        "static/style.css": "body { color: black; }\n",
        "static/font.woff2": b"wOF2\x00binary",
    })
    site.build()
    (tmp_path / "secret.txt").write_text(SECRET)
    return site


@pytest.fixture
def live():
    live = LiveReload(keepalive=0.5)
    yield live
    live.close()


@dataclass
class Builder:
    """What the server asks of the rebuild loop."""

    intake: IntakeApp | None = None
    building: bool = False
    root: str = "/"


@pytest.fixture
def builder(site):
    intake = create_app(site.paths)
    yield Builder(intake)
    intake.close()


@pytest.fixture
def server(site, live, builder):
    with running(PreviewApp(site.output, live, builder)) as server:
        yield server


def get(server, path: str, method: str = "GET", **options):
    return request(server.url, path, method, **options)


@pytest.mark.parametrize(("path", "content_type"), [
    (POST_URL, "text/html; charset=utf-8"),
    ("/", "text/html; charset=utf-8"),
    ("/static/style.css", "text/css; charset=utf-8"),
    ("/feed.xml", "application/xml; charset=utf-8"),
    ("/robots.txt", "text/plain; charset=utf-8"),
    ("/static/font.woff2", "font/woff2"),
])
def test_files_are_served_with_their_content_type(server, site, path, content_type):
    response = get(server, path)
    assert response.status == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert int(response.headers["content-length"]) == len(response.body)
    if not content_type.startswith("text/html"):
        assert response.body == site.files()[path.lstrip("/")]


def test_a_folder_serves_its_index_and_redirects_without_the_slash(server, site):
    page = get(server, POST_URL)
    assert "Hello, <em>world</em>." in page.text
    assert get(server, f"{POST_URL}index.html").text == page.text
    redirect = get(server, "/2010/08/31/hello?x=1")
    assert redirect.status == 301
    assert redirect.headers["location"] == "/2010/08/31/hello/?x=1"
    assert get(server, f"{POST_URL}?utm=feed").text == page.text


def test_missing_paths_get_the_theme_404_page_with_status_404(server, site):
    response = get(server, "/no/such/page/")
    assert response.status == 404
    assert "Page not found" in response.text
    assert response.text.startswith(site.page("/404.html").split("</body>")[0])


@pytest.mark.parametrize("path", ["/" + "a/" * 3000, "/" + "a" * 300 + "/",
                                  "/" + "a/" * 3000 + "x.html"],
                         ids=["3000-folders", "300-character-name", "3000-folders-file"])
def test_a_path_too_long_for_the_file_system_is_not_found(server, path):
    response = get(server, path)
    assert response.status == 404
    assert "Page not found" in response.text


def test_missing_404_page_falls_back_to_a_plain_one(server, site):
    (site.output / "404.html").unlink()
    response = get(server, "/nothing/")
    assert response.status == 404
    assert "Nothing was built at this address" in response.text
    assert "/__sitegen/livereload.js" in response.text


def test_head_sends_the_headers_of_get_without_a_body(server):
    full = get(server, POST_URL)
    head = get(server, POST_URL, "HEAD")
    assert head.status == 200 and head.body == b""
    assert head.headers["content-length"] == full.headers["content-length"]
    assert head.headers["content-type"] == full.headers["content-type"]
    assert get(server, "/missing", "HEAD").status == 404


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "POST"])
def test_other_methods_are_refused(server, method):
    response = get(server, POST_URL, method, body=b"x")
    assert response.status == 405
    assert response.headers["allow"] == "GET, HEAD"


def test_a_comment_posted_to_the_endpoint_goes_through_the_intake(server, site):
    form = urlencode({"post": "2010-08-31-hello", "author": "Ana", "body": "Lovely."})
    response = get(server, "/comments", "POST", body=form.encode(),
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 303
    assert response.headers["location"] == f"{POST_URL}#comment-pending"
    (pending,) = Queue(site.paths).ids()
    assert Queue(site.paths).get(pending).body == "Lovely."
    # Only POST goes to the intake: a GET is the preview's, here the comments feed's folder.
    assert get(server, "/comments/feed.xml").status == 200


def test_a_site_under_a_path_is_previewed_under_it(site):
    site.write("sitegen.toml", 'base_url = "https://example.org/blog"\n')
    site.build()
    intake = create_app(site.paths)
    try:
        with running(PreviewApp(site.output, None, Builder(intake, root="/blog/"))) as server:
            for path, location in (("/", "/blog/"), ("/?p=7", "/blog/?p=7"), ("/blog", "/blog/")):
                response = get(server, path)
                assert (response.status, response.headers["location"]) == (302, location)
            assert "Hello, <em>world</em>." in get(server, f"/blog{POST_URL}").text
            assert get(server, "/blog/static/style.css").text == "body { color: black; }\n"
            outside = get(server, POST_URL)
            assert outside.status == 404 and 'href="/blog/static/style.css"' in outside.text
            form = urlencode({"post": "2010-08-31-hello", "author": "Ana", "body": "Hi."})
            posted = get(server, "/blog/comments", "POST", body=form.encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    finally:
        intake.close()
    assert (posted.status, posted.headers["location"]) == \
        (303, f"/blog{POST_URL}#comment-pending")
    assert len(Queue(site.paths).ids()) == 1


def test_without_an_intake_comments_are_not_taken(site):
    with running(PreviewApp(site.output, None, Builder())) as server:
        assert get(server, "/comments", "POST", body=b"x").status == 405


TRAVERSALS = [
    "/../secret.txt",
    "/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/%2e%2e/secret.txt",
    "/..%2fsecret.txt",
    "/%2e%2e%2fsecret.txt",
    "/static/..%2f..%2fsecret.txt",
    "/static/%2e%2e/%2e%2e/secret.txt",
    "/..%5csecret.txt",
    "/..\\secret.txt",
    "/%252e%252e/secret.txt",
    "//secret.txt",
    "/%2fsecret.txt",
    "/index.html%00.txt",
    "/secret.txt%00",
    "/%00",
    "/%c0%ae%c0%ae/secret.txt",
    "/.sitegen-output",
    "/outside-link.txt",
    "/linked-folder/secret.txt",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_path_reaches_outside_the_output_folder(server, site, tmp_path, path):
    os.symlink(tmp_path / "secret.txt", site.output / "outside-link.txt")
    os.symlink(tmp_path, site.output / "linked-folder")
    response = get(server, path)
    assert response.status == 404
    assert SECRET not in response.text


def test_absolute_paths_stay_inside_the_output_folder(server, tmp_path):
    response = get(server, str(tmp_path / "secret.txt"))
    assert response.status == 404
    assert SECRET not in response.text
    assert get(server, "/etc/passwd").status == 404


def test_a_symlink_inside_the_output_is_still_served(server, site):
    os.symlink(site.output / "robots.txt", site.output / "robots-link.txt")
    assert get(server, "/robots-link.txt").body == site.files()["robots.txt"]


def test_the_script_is_added_to_served_html_only(server, site, live):
    page = get(server, POST_URL).text
    tag = (f'<script src="/__sitegen/livereload.js" data-build="{live.build_id}" '
           f'data-path="{POST_URL}index.html"></script>')
    assert page.count(tag) == 1
    assert page.index(tag) < page.rindex("</body>")
    # A missing page shows the 404 page, and says so: a build that rewrites it reloads it.
    assert 'data-path="/404.html"></script>' in get(server, "/no/such/page/").text
    assert "livereload" not in get(server, "/feed.xml").text
    assert "livereload" not in get(server, "/static/style.css").text
    on_disk = b"".join(site.files().values())
    assert b"__sitegen" not in on_disk
    script = get(server, "/__sitegen/livereload.js")
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert "EventSource" in script.text


def test_without_live_reload_pages_are_served_as_built(site):
    with running(PreviewApp(site.output, None, Builder())) as server:
        assert get(server, POST_URL).text == site.page(POST_URL)
        assert get(server, "/__sitegen/livereload.js").status == 404
        assert get(server, "/__sitegen/events").status == 404


def test_the_event_stream_tells_each_page_what_it_missed_and_what_follows(server, live):
    current = live.build_id
    stale = EventStream(server.url, "some-older-build")
    assert stale.next() == ("reload", {"build": current})
    stale.close()
    stream = EventStream(server.url, current)
    assert stream.response.getheader("content-type") == "text/event-stream"
    live.reload()
    assert stream.next() == ("reload", {"build": live.build_id, "paths": None})
    live.reload(["/index.html", "/feed.xml"])
    assert stream.next() == ("reload", {"build": live.build_id,
                                        "paths": ["/index.html", "/feed.xml"]})
    live.restyle(["/static/style.css"])
    assert stream.next() == ("css", {"build": live.build_id, "paths": ["/static/style.css"]})
    problem = {"file": "content/posts/x.md", "line": 2, "message": "front matter is bad"}
    live.fail([problem])
    assert stream.next() == ("problems", {"problems": [problem]})
    late = EventStream(server.url, live.build_id)
    assert late.next() == ("problems", {"problems": [problem]})
    live.reload()
    assert stream.next()[0] == "reload" and late.next()[0] == "reload"
    stream.close()
    late.close()


def test_closing_the_live_reload_ends_the_streams(server, live):
    stream = EventStream(server.url, live.build_id)
    live.close()
    with pytest.raises(EOFError):
        stream.next()


def test_a_request_between_the_two_renames_of_a_build_waits_for_the_new_output(
    server, site, builder, tmp_path
):
    """Until builds write in place, each one renames the output away and then the new one
    in; a request in between must not see a missing site."""
    builder.building = True
    aside = tmp_path / "previous-output"
    site.output.rename(aside)
    swap_back = threading.Timer(0.3, aside.rename, args=(site.output,))
    swap_back.start()
    try:
        response = get(server, POST_URL)
    finally:
        swap_back.join()
    assert response.status == 200
    assert "Hello, <em>world</em>." in response.text


def test_a_port_in_use_names_a_free_one(site):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SitegenError) as raised:
            bind("127.0.0.1", port, PreviewApp(site.output, None, Builder()))
    (problem,) = raised.value.problems
    match = re.fullmatch(rf"port {port} on 127\.0\.0\.1 is in use; try --port (\d+)",
                         problem.message)
    assert match, problem.message
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", int(match[1])))
