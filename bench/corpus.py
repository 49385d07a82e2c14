"""Write a deterministic blog of N posts with comment threads, for benchmarks.

    python bench/corpus.py --posts 5000 [--out bench/corpus-5000] [--seed 1]

Each post has 500-900 words of varied Markdown (headings, lists, links, emphasis, a quote,
a fenced code block in half of them), 1-4 tags from a pool of 60 and a date within 20 years;
each has a thread of 0-20 comments (mean 5), replies nested up to three deep, Markdown bodies.
The same N and seed always give the same bytes, so every generator reads the same blog.
"""

from __future__ import annotations

import argparse
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

WORDS = """
bread flour water salt starter levain crumb crust oven proof dough knead fold shape rest
rise bake loaf rye wheat spelt seed grain morning evening kitchen window table jar spoon
scale gram hour minute night weekend trail river mountain valley village coast harbour
rain wind fog sun cloud path stone bridge forest meadow map boot tent fire coffee tea
code script function module test server laptop keyboard editor terminal backup disk file
folder commit branch merge release bug patch log error cache build deploy config python
shell network cable battery screen memory thread process queue letter friend neighbour
mother father market bakery cafe train bus ticket station city street square garden
slow quiet small warm cold early late long short bright dark simple careful honest
patient stubborn curious tired happy old new first last whole half every other
""".split()  # noqa: SIM905 (a word list reads better as text)
VERBS = """
make bake walk write read keep fix break try learn forget remember carry wait watch
change move open close build test ship wonder start finish measure notice
""".split()  # noqa: SIM905 (a word list reads better as text)
LANGUAGES = ("python", "javascript", "bash", "go", "toml")
FIRST_NAMES = ("Ana", "Sam", "Inês", "Tomás", "Mei", "Ola", "Ravi", "Zoë", "Kofi", "Lena",
               "Marta", "Yuki", "Pedro", "Nadia", "Jonas", "Aiko", "Rui", "Fatima", "Ben", "Ida")
SURNAMES = ("Ribeiro", "Okafor", "Lobo", "Silva", "Chen", "Nordmann", "Patel", "Moreau",
            "Mensah", "Berg", "Costa", "Tanaka", "Alves", "Haddad", "Weber", "Sato")
TAGS = tuple(f"{a} {b}" if b else a for a, b in [
    ("sourdough", ""), ("rye", ""), ("baking", ""), ("hiking", ""), ("travel", ""),
    ("python", ""), ("backups", ""), ("linux", ""), ("cameras", ""), ("books", ""),
    ("coffee", ""), ("gardening", ""), ("cycling", ""), ("music", ""), ("family", ""),
    ("porto", ""), ("lisbon", ""), ("zurich", ""), ("tools", ""), ("writing", ""),
    ("maps", ""), ("weather", ""), ("recipes", ""), ("markets", ""), ("trains", ""),
    ("open", "source"), ("static", "sites"), ("home", "server"), ("old", "laptops"),
    ("long", "walks"), ("field", "notes"), ("year", "review"), ("slow", "living"),
    ("night", "bakes"), ("wild", "yeast"), ("hydration", ""), ("flour", ""), ("ovens", ""),
    ("knives", ""), ("tea", ""), ("bikes", ""), ("rain", ""), ("mountains", ""),
    ("rivers", ""), ("coast", ""), ("islands", ""), ("cities", ""), ("villages", ""),
    ("scripts", ""), ("editors", ""), ("terminals", ""), ("networks", ""), ("email", ""),
    ("privacy", ""), ("photos", ""), ("letters", ""), ("friends", ""), ("kids", ""),
    ("dogs", ""), ("bees", ""),
])
START = datetime(2006, 1, 1, 8, 0)
SPAN_DAYS = 20 * 365
COMMENT_WEIGHTS = [13, 14, 14, 12, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1]


@dataclass(frozen=True)
class Written:
    posts: int
    comments: int
    words: int


def sentence(rng: random.Random, low: int = 6, high: int = 18) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    words[rng.randrange(len(words))] = rng.choice(VERBS)
    if rng.random() < 0.3:
        i = rng.randrange(len(words))
        words[i] = rng.choice(("*{}*", "**{}**", "`{}`")).format(words[i])
    if rng.random() < 0.15:
        i = rng.randrange(len(words))
        words[i] = f"[{words[i]}](https://example.org/{rng.choice(WORDS)}/{rng.randint(1, 999)})"
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice(".....?!")


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 6)))


def code_block(rng: random.Random) -> str:
    language = rng.choice(LANGUAGES)
    lines = []
    for n in range(rng.randint(4, 14)):
        a, b = rng.choice(WORDS), rng.choice(WORDS)
        lines.append(f"    {a}_{n} = {b}({rng.randint(0, 99)})  # {rng.choice(VERBS)} {a}"
                     if language == "python" else f"{a}_{n} = \"{b}\" {rng.randint(0, 99)}")
    return f"```{language}\n" + "\n".join(lines) + "\n```"


def body(rng: random.Random, with_code: bool) -> str:
    """500-900 words of Markdown in varied blocks."""
    target = rng.randint(500, 900)
    blocks = [paragraph(rng)]
    if with_code:
        blocks.append(code_block(rng))
    while sum(len(b.split()) for b in blocks) < target:
        kind = rng.random()
        if kind < 0.12:
            blocks.append(f"## {sentence(rng, 2, 5).rstrip('.?!')}")
        elif kind < 0.22:
            blocks.append("\n".join(f"- {sentence(rng, 3, 9)}" for _ in range(rng.randint(2, 5))))
        elif kind < 0.28:
            items = (f"{n}. {sentence(rng, 3, 9)}" for n in range(1, rng.randint(3, 6)))
            blocks.append("\n".join(items))
        elif kind < 0.32:
            blocks.append("> " + sentence(rng))
        else:
            blocks.append(paragraph(rng))
    if len(blocks) > 3 and rng.random() < 0.5:
        blocks.insert(2, "<!--more-->")
    return "\n\n".join(blocks) + "\n"


def post_text(rng: random.Random, title: str, when: datetime, tags: list[str], code: bool) -> str:
    front = [f"title: \"{title}\"", f"date: {when:%Y-%m-%d %H:%M}", f"tags: [{', '.join(tags)}]"]
    return "---\n" + "\n".join(front) + "\n---\n\n" + body(rng, code)


def thread_text(rng: random.Random, when: datetime) -> tuple[str, int]:
    """A YAML comment thread: 0-20 comments, replies at most three deep."""
    count = rng.choices(range(len(COMMENT_WEIGHTS)), weights=COMMENT_WEIGHTS)[0]
    depth: dict[str, int] = {}
    entries = []
    moment = when
    for n in range(1, count + 1):
        cid = f"c{n}"
        moment += timedelta(minutes=rng.randint(5, 3000))
        parents = [p for p, d in depth.items() if d < 3]
        parent = rng.choice(parents) if parents and rng.random() < 0.45 else None
        depth[cid] = depth[parent] + 1 if parent else 0
        text = "\n\n".join(paragraph(rng) for _ in range(rng.randint(1, 2)))
        entry = [f"- id: {cid}", f"  author: {rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
                 f"  date: {moment:%Y-%m-%d %H:%M}"]
        if rng.random() < 0.4:
            entry.append(f"  url: https://{rng.choice(WORDS)}{n}.example")
        if parent:
            entry.append(f"  replyto: {parent}")
        entry.append("  body: |")
        entry += [f"    {line}" if line else "" for line in text.split("\n")]
        entries.append("\n".join(entry))
    return ("\n".join(entries) + "\n" if entries else ""), count


def write_corpus(out: Path, posts: int, seed: int = 1,
                 remove: Callable[[Path], None] = lambda folder: shutil.rmtree(
                     folder, ignore_errors=True)) -> Written:
    """Write the site into `out` (replacing the content it had, which `remove` takes)."""
    rng = random.Random(seed)
    for folder in ("content", "output", ".sitegen"):
        remove(out / folder)
    (out / "content" / "posts").mkdir(parents=True)
    (out / "content" / "comments").mkdir(parents=True)
    (out / "sitegen.toml").write_text(
        'title = "Bench blog"\nauthor = "Bench Author"\n'
        'description = "A generated blog for benchmarks."\nbase_url = "https://bench.example"\n',
        encoding="utf-8")
    comments = words = 0
    for n in range(posts):
        when = START + timedelta(days=rng.randrange(SPAN_DAYS), minutes=rng.randrange(600))
        title_words = [rng.choice(WORDS) for _ in range(rng.randint(3, 7))]
        title = " ".join(title_words).capitalize() + f" {n}"
        stem = f"{when:%Y-%m-%d}-{'-'.join(title_words)}-{n}"
        tags = rng.sample(TAGS, rng.randint(1, 4))
        text = post_text(rng, title, when, tags, code=n % 2 == 0)
        words += len(text.split())
        (out / "content" / "posts" / f"{stem}.md").write_text(text, encoding="utf-8")
        thread, count = thread_text(rng, when)
        if count:
            (out / "content" / "comments" / f"{stem}.yml").write_text(thread, encoding="utf-8")
        comments += count
    return Written(posts, comments, words)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    out = args.out or Path(__file__).parent / f"corpus-{args.posts}"
    written = write_corpus(out, args.posts, args.seed)
    print(f"{out}: {written.posts} posts, {written.comments} comments, "
          f"{written.words / written.posts:.0f} words a post on average")


if __name__ == "__main__":
    main()
