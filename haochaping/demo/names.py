"""Deterministic Chinese names for people and places (seeded ``random.Random``)."""

from __future__ import annotations

import random
from collections.abc import Callable

from haochaping.demo import data


class NameMaker:
    """Draws realistic names from the data lists; surnames follow their frequency rank."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.surnames = data.word_list("surnames.txt")
        # Rank-weighted: 王/李/张 are far more common than 申 or 牛.
        self.surname_weights = [1.0 / (rank + 4) for rank in range(len(self.surnames))]
        self.given = data.word_list("given_names.txt")
        self.places = data.word_list("place_words.txt")
        self.village_suffixes = data.word_list("villages.txt")

    def surname(self) -> str:
        return self.rng.choices(self.surnames, self.surname_weights)[0]

    def person(self) -> str:
        return self.surname() + self.rng.choice(self.given)

    def _unique(self, make: Callable[[], str], used: set[str]) -> str:
        for _ in range(200):
            name = make()
            if name not in used:
                used.add(name)
                return name
        raise RuntimeError("name lists too short for the requested demo size")

    def township(self, used: set[str], *, town: bool) -> str:
        """A generated 镇 or 街道 name, unique within one district."""
        suffix = "镇" if town else "街道"
        return self._unique(lambda: self.rng.choice(self.places) + suffix, used)

    def village(self, used: set[str]) -> str:
        """A Henan-style village name: surname + 庄/寨/楼/营 … + 村 (王庄村, 李寨村)."""
        return self._unique(
            lambda: self.surname() + self.rng.choice(self.village_suffixes) + "村", used)

    def community(self, used: set[str]) -> str:
        return self._unique(lambda: self.rng.choice(self.places) + "社区", used)
