"""The check of planned output paths, fuzzed: whatever it accepts can really be written, each
path to a file of its own, and whatever it refuses is refused in one printable line."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.errors import ContentError
from sitegen.outpaths import check_output_paths

# Mostly parts any file system takes, from a few names so that paths meet (one a file where
# another needs a folder; 'é' written both ways); sometimes what trips file systems: dots,
# empty parts, NUL and other controls, runs past 255 bytes, and paths deep or long.
GOOD = st.sampled_from(["a", "b", "index.html", "caf\u00e9", "cafe\u0301", "x" * 255])
BAD = st.one_of(
    st.sampled_from([".", "..", "", "x" * 256, "caf\u00e9" * 60]),
    st.text(st.sampled_from("ab\u00e9\u0301\x00\x1b\x7f\x85\u2028 -."), min_size=1, max_size=8),
)
PATH = st.one_of(
    st.lists(GOOD, min_size=1, max_size=4),
    st.tuples(st.lists(GOOD, max_size=2), BAD, st.lists(GOOD, max_size=2)).map(
        lambda parts: [*parts[0], parts[1], *parts[2]]),
    st.lists(GOOD, min_size=30, max_size=40),
).map("/".join)
FUZZ = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])


def write_all(output: Path, paths: list[str]) -> int:
    """Write each path under `output` as a build would; how many files there are after."""
    for number, path in enumerate(paths):
        target = output / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(str(number).encode())
    return sum(1 for path in output.rglob("*") if path.is_file())


@FUZZ
@given(st.lists(PATH, min_size=1, max_size=6, unique=True))
def test_accepted_paths_can_all_be_written_each_to_its_own_file(paths):
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "output"
        try:
            check_output_paths(output, [(path, None) for path in paths])
        except ContentError as error:
            for problem in error.problems:
                assert str(problem).isprintable(), str(problem)
            return
        assert write_all(output, paths) == len(paths)
