"""Plurals for people: "1 post", "2 posts", "1 entry", "3 entries"."""


def count(number: int, word: str, plural: str | None = None) -> str:
    """`number` and `word`, made plural (with `plural`, else an "s") unless it is one."""
    return f"{number} {word if number == 1 else plural or word + 's'}"
