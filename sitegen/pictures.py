"""The site's pictures as Pillow sees them, and their resized copies, kept in the build cache.

A copy is made once: its file in `<site>/.sitegen/images/` is named by the digest of the
original's bytes, its width and the settings it was made with, so a changed picture (other
bytes) gets new copies and an unchanged one never costs Pillow's time again. A picture's
digest and size are remembered by its file's stat signature, as content files' digests are
(see `loading`), so a build does not read unchanged photos either.

Copies carry no metadata: a phone's photo holds the place it was taken (EXIF GPS), its
camera, often a name. The copies are upright (the EXIF orientation applied), then saved
with nothing but their pixels and colour profile.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import time
from dataclasses import dataclass
from pathlib import Path

import PIL  # the package alone; Pillow's modules (30-40 ms) only when a picture is read

from .atomic import write_file
from .load import SETTLE_NS, file_signature, still

WIDTHS = (480, 960, 1440)
# Pillow's name of a format it resizes -> the file extension of its copies.
RESIZED = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
SAVE_OPTIONS = {
    "JPEG": {"quality": 82, "optimize": True, "progressive": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 80, "method": 4},
}
# Part of every copy's name: new widths, settings or a new Pillow make new copies.
SETTINGS = hashlib.blake2b(repr((1, PIL.__version__, WIDTHS, SAVE_OPTIONS)).encode(),
                           digest_size=4).hexdigest()
INDEX = "index.pickle"


@dataclass(frozen=True)
class Picture:
    """An image file of the site: the digest of its bytes, its upright size, and Pillow's
    name for its format (None when Pillow cannot read it, as for SVG)."""

    digest: str
    width: int = 0
    height: int = 0
    format: str | None = None
    animated: bool = False

    @property
    def resizable(self) -> bool:
        return self.format in RESIZED and not self.animated

    @property
    def widths(self) -> tuple[int, ...]:
        """The widths of its copies: never wider than the picture itself."""
        return tuple(sorted({min(width, self.width) for width in WIDTHS}))

    def height_at(self, width: int) -> int:
        return max(1, round(self.height * width / self.width))


@dataclass(frozen=True)
class Copy:
    """One resized copy: its file name in the store (also the digest the output records)."""

    name: str
    width: int
    height: int


class PictureStore:
    """`<site>/.sitegen/images/`: the copies, and an index of pictures by file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._index: dict[str, tuple[tuple, Picture]] = {}
        with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, ValueError,
                                 TypeError, AttributeError):
            stored = pickle.loads((folder / INDEX).read_bytes())
            if isinstance(stored, dict) and stored.get("settings") == SETTINGS:
                self._index = stored["pictures"]
        self._changed = False

    def picture(self, path: Path) -> Picture | None:
        """The picture in the file at `path`; None when there is no such file."""
        try:
            stat = path.stat()
            if not path.is_file():
                return None
        except OSError:
            return None
        signature = file_signature(stat)
        entry = self._index.get(str(path))
        if entry is not None and entry[0] == signature:
            return entry[1]
        picture = read_picture(path.read_bytes())
        if still(stat, time.time_ns() - SETTLE_NS):
            self._index[str(path)] = (signature, picture)
            self._changed = True
        return picture

    def copies(self, path: Path, picture: Picture) -> tuple[Copy, ...]:
        """The picture's resized copies, made now if the store lacks any."""
        copies = tuple(Copy(f"{picture.digest}-{width}-{SETTINGS}.{RESIZED[picture.format]}",
                            width, picture.height_at(width)) for width in picture.widths)
        if not all((self.folder / copy.name).is_file() for copy in copies):
            self._make(path, copies)
        return copies

    def data(self, path: Path, copy: Copy) -> bytes:
        """The bytes of a copy (made again if another build has pruned it meanwhile)."""
        try:
            return (self.folder / copy.name).read_bytes()
        except FileNotFoundError:
            self._make(path, (copy,))
            return (self.folder / copy.name).read_bytes()

    def save(self, used: set[str]) -> None:
        """Record the index, and remove copies no build has used for a day."""
        if self._changed:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_file(self.folder / INDEX, pickle.dumps(
                {"settings": SETTINGS, "pictures": self._index}, pickle.HIGHEST_PROTOCOL))
        stale = time.time() - 86_400
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.folder):
                if entry.name not in used and entry.name != INDEX and (
                        entry.stat().st_mtime < stale):
                    os.unlink(entry.path)

    def _make(self, path: Path, copies: tuple[Copy, ...]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for copy, data in zip(copies, resized(path.read_bytes(), [c.width for c in copies]),
                              strict=True):
            write_file(self.folder / copy.name, data)


def read_picture(data: bytes) -> Picture:
    """What Pillow says of an image file's bytes: its size upright, its format."""
    from PIL import Image, UnidentifiedImageError

    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            # Orientations 5-8 turn the picture a quarter: it is shown taller than stored.
            if image.getexif().get(0x0112, 1) in (5, 6, 7, 8):
                width, height = height, width
            return Picture(digest, width, height, image.format,
                           getattr(image, "is_animated", False))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return Picture(digest)


def resized(data: bytes, widths: list[int]) -> list[bytes]:
    """Copies of an image at each width, upright and without metadata."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as opened:
        kind = opened.format
        profile = opened.info.get("icc_profile")
        upright = ImageOps.exif_transpose(opened)
    if kind == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
        upright = upright.convert("RGB")
    found = []
    for width in widths:
        height = max(1, round(upright.height * width / upright.width))
        copy = upright.copy() if width == upright.width else upright.resize(
            (width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        copy.info = {}  # EXIF (GPS, camera), XMP, comments and text chunks stay behind
        buffer = io.BytesIO()
        extra = {"icc_profile": profile} if profile else {}
        copy.save(buffer, kind, **SAVE_OPTIONS[kind], **extra)
        found.append(buffer.getvalue())
    return found
