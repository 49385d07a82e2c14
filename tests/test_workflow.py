"""The GitHub Actions workflow that `sitegen init` writes: valid YAML that builds with the
build cache kept between runs, publishes with GitHub's Pages actions, runs daily, and runs
exactly the commands the README shows."""

from __future__ import annotations

import re

import yaml

from sitegen.scaffold import workflow_text

from conftest import REPO


def workflow() -> dict:
    return yaml.safe_load(workflow_text())


def steps(job: str) -> list[dict]:
    return workflow()["jobs"][job]["steps"]


def uses(job: str) -> list[str]:
    return [step["uses"].split("@")[0] for step in steps(job) if "uses" in step]


def test_it_builds_on_push_by_hand_and_every_day():
    # YAML 1.1 reads the key `on` as true; GitHub reads it as "on".
    triggers = workflow()[True]
    assert triggers["push"] == {"branches": ["main"]}
    assert "workflow_dispatch" in triggers
    [schedule] = triggers["schedule"]
    assert re.fullmatch(r"\d+ \d+ \* \* \*", schedule["cron"])


def test_the_build_cache_is_kept_between_runs():
    [cache] = [step for step in steps("build") if step.get("uses", "").startswith(
        "actions/cache@")]
    assert cache["with"]["path"].split() == [".sitegen", "output"]
    # A cache entry is never replaced, so each run saves its own and restores the newest.
    assert "${{ github.run_id }}" in cache["with"]["key"]
    assert cache["with"]["key"].startswith(cache["with"]["restore-keys"])
    order = uses("build")
    assert order.index("actions/cache") < order.index("actions/upload-pages-artifact")


def test_it_publishes_with_the_official_pages_actions():
    assert uses("build")[-1] == "actions/upload-pages-artifact"
    assert steps("build")[-1]["with"]["path"] == "output"
    assert uses("deploy") == ["actions/deploy-pages"]
    assert workflow()["jobs"]["deploy"]["needs"] == "build"
    assert workflow()["permissions"] == {"contents": "read", "pages": "write",
                                         "id-token": "write"}


def test_it_runs_the_commands_the_readme_shows():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### GitHub Pages\n", 1)[1].split("\n#", 1)[0]
    shown = [line.strip() for line in section.splitlines() if line.startswith("    ")]
    run = [step["run"] for step in steps("build") if "run" in step]
    assert run == shown == ["pip install -r requirements.txt", "sitegen build"]
