"""MODEL: each post's related posts: those sharing most tags with it, then nearest in date.

A post page shows its related list, so every build that plans pages works it out for every
post. Counting shared tags over whole tag lists would touch every pair of posts in a big
tag (at 5,000 posts, millions of steps). Instead, posts sharing two or more tags are counted
from lists of the posts holding each pair of tags, which are short, once for each set of
tags; and the nearest in date in a list that is in date order is found by bisecting around
the post and walking outwards.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from itertools import combinations

RELATED_COUNT = 3


def related_indices(tag_slugs: Sequence[tuple[str, ...]], stamps: Sequence[float],
                    limit: int = RELATED_COUNT) -> list[tuple[int, ...]]:
    """For each post (by index, in date order, newest first, with its tags' slugs and its
    date as a timestamp), the indices of up to `limit` related posts, most related first."""
    members: dict[str, list[int]] = {}
    pairs: dict[tuple[str, str], list[int]] = {}
    for index, slugs in enumerate(tag_slugs):
        for slug in slugs:
            members.setdefault(slug, []).append(index)  # ascending, so in date order
        for pair in combinations(sorted(slugs), 2):
            pairs.setdefault(pair, []).append(index)
    levels: dict[tuple[str, ...], list[list[int]]] = {}
    related = []
    for index, slugs in enumerate(tag_slugs):
        key = tuple(sorted(slugs))
        if key not in levels:  # the same for every post with these tags
            levels[key] = _sharing_two_or_more(key, pairs)
        related.append(_related(index, slugs, levels[key], members, stamps, limit))
    return related


def _sharing_two_or_more(slugs: tuple[str, ...], pairs: dict[tuple[str, str], list[int]]
                         ) -> list[list[int]]:
    """The posts sharing two or more of these tags, grouped by how many, most first, each
    group in date order. A post sharing s tags is in s*(s-1)/2 of the lists of pairs."""
    shared = Counter()
    for pair in combinations(slugs, 2):
        shared.update(pairs[pair])
    groups: dict[int, list[int]] = {}
    for other, count in shared.items():
        groups.setdefault(count, []).append(other)
    return [sorted(groups[count]) for count in sorted(groups, reverse=True)]


def _related(index: int, slugs: tuple[str, ...], levels: list[list[int]],
             members: dict[str, list[int]], stamps: Sequence[float],
             limit: int) -> tuple[int, ...]:
    chosen: list[int] = []
    skip = {index}
    for level in levels:
        if len(chosen) == limit:
            break
        chosen += _nearest(level, index, limit - len(chosen), skip, stamps)
    if len(chosen) < limit:
        skip.update(chosen)
        wanted = limit - len(chosen)
        near = {other for slug in slugs
                for other in _nearest(members[slug], index, wanted, skip, stamps)}
        chosen += sorted(near, key=lambda other: (abs(stamps[other] - stamps[index]), other))[
            :wanted]
    return tuple(chosen)


def _nearest(indices: list[int], index: int, count: int, skip: set[int],
             stamps: Sequence[float]) -> list[int]:
    """Up to `count` of `indices` (ascending, so in date order) nearest in date to `index`,
    nearest first, leaving out those in `skip`; of an older and a newer post as near, the
    newer."""
    here = stamps[index]
    right = bisect_left(indices, index)
    left = right - 1
    found: list[int] = []
    while len(found) < count:
        while left >= 0 and indices[left] in skip:
            left -= 1
        while right < len(indices) and indices[right] in skip:
            right += 1
        if right == len(indices) and left < 0:
            break
        if right == len(indices) or (left >= 0 and (
                abs(stamps[indices[left]] - here) <= abs(stamps[indices[right]] - here))):
            found.append(indices[left])
            left -= 1
        else:
            found.append(indices[right])
            right += 1
    return found
