"""Where anchors of the audit chain heads are kept: outside the database, so whoever can
rewrite the database cannot rewrite them too (docs/audit.md "Anchors").

One abstract base per kind of integration (STYLE.md §16): :class:`AnchorStore`. The file
store ships; another (the upstream platform, a write-once bucket) subclasses the base and
is named by its dotted path in ``HCP_AUDIT_ANCHOR_STORE``.
"""

from __future__ import annotations

import os
import re
import secrets
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


class AnchorExists(Exception):
    """An anchor of that number is stored already (another writer was first)."""


class AnchorStore(ABC):
    """Append-only storage of anchor documents (bytes), numbered 1, 2, 3 …"""

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the anchors are, for people (a path, a URL)."""

    @abstractmethod
    def append(self, number: int, data: bytes) -> str:
        """Store anchor ``number`` durably and return its name. Never replaces one:
        raises :class:`AnchorExists` when that number is taken."""

    @abstractmethod
    def names(self) -> list[str]:
        """Names of the stored anchors, oldest first."""

    @abstractmethod
    def read(self, name: str) -> bytes:
        """The bytes of one stored anchor."""

    def latest(self) -> tuple[str, bytes] | None:
        names = self.names()
        return (names[-1], self.read(names[-1])) if names else None

    def all(self) -> Iterator[tuple[str, bytes]]:
        for name in self.names():
            yield name, self.read(name)


class FileAnchorStore(AnchorStore):
    """One read-only file per anchor, ``anchor-0000000001.json``, in a directory that
    should live where the database's administrators cannot write (another host's mount,
    a directory with the append-only attribute ``chattr +a``)."""

    NAME = re.compile(r"^anchor-(\d{10})\.json$")

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)

    @property
    def location(self) -> str:
        return str(self.directory)

    def append(self, number: int, data: bytes) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"anchor-{number:010d}.json"
        temp = self.directory / f".writing-{number:010d}-{secrets.token_hex(6)}"
        descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            try:  # a hard link appears whole or not at all, and never replaces a file
                os.link(temp, self.directory / name)
            except FileExistsError as exc:
                raise AnchorExists(name) from exc
        finally:
            temp.unlink(missing_ok=True)
        directory = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        return name

    def names(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(entry.name for entry in os.scandir(self.directory)
                      if self.NAME.match(entry.name))

    def read(self, name: str) -> bytes:
        if not self.NAME.match(name):
            raise ValueError(f"not an anchor name: {name!r}")
        return (self.directory / name).read_bytes()


def anchor_store() -> AnchorStore:
    """The store configured by ``HCP_AUDIT_ANCHOR_STORE``: ``file`` (the directory
    ``HCP_AUDIT_ANCHOR_DIR``) or the dotted path of an :class:`AnchorStore` subclass,
    built without arguments (it reads its own settings)."""
    spec = str(settings.HCP_AUDIT_ANCHOR_STORE).strip()
    if spec == "file":
        return FileAnchorStore(settings.HCP_AUDIT_ANCHOR_DIR)
    try:
        store = import_string(spec)()
    except ImportError as exc:
        raise ImproperlyConfigured(f"HCP_AUDIT_ANCHOR_STORE: cannot import {spec!r}") from exc
    if not isinstance(store, AnchorStore):
        raise ImproperlyConfigured(f"HCP_AUDIT_ANCHOR_STORE: {spec!r} is not an AnchorStore")
    return store
