"""How sitegen counts things for people: "1 post", "2 posts", "1 entry", "3 entries"."""


def count(number: int, word: str, plural: str | None = None) -> str:
    return f"{number} {word if number == 1 else plural or word + 's'}"
