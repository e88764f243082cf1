"""The vault's files: listed and read through ``pyarrow.fs``, published atomically and durably.

``Storage`` holds what every filesystem shares (listing, footers, deleting); a subclass says how
a file becomes visible. On a local disk that is temp file → fsync → rename → fsync of the folder;
an object store (``s3://``, later) publishes a whole object on upload, so its subclass will only
need ``publish``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

import pyarrow.fs as pafs
import pyarrow.parquet as pq

from ghosttrack.errors import VaultError
from ghosttrack.vault import layout


@dataclass(frozen=True, slots=True)
class StoredFile:
    """One file under the vault root."""

    path: str
    size: int
    mtime: datetime | None


class Storage:
    """A vault root on a ``pyarrow.fs`` filesystem."""

    def __init__(self, fs: pafs.FileSystem, root: str, uri: str) -> None:
        self.fs = fs
        self.root = root  # the root as the filesystem names it
        self.uri = uri  # the root as DuckDB and users name it

    def path(self, *parts: str) -> str:
        return layout.join(self.root, *parts)

    def uri_of(self, *parts: str) -> str:
        return layout.join(self.uri, *parts)

    def uri_for(self, path: str) -> str:
        """A listed file's path as DuckDB names it (the same on a local disk)."""
        return path

    def list_files(self, *parts: str) -> list[StoredFile]:
        """Every file below ``parts`` (recursively); none when the folder does not exist."""
        selector = pafs.FileSelector(self.path(*parts), recursive=True, allow_not_found=True)
        try:
            infos = self.fs.get_file_info(selector)
        except OSError as exc:
            raise VaultError(f"cannot list the vault at {self.uri}: {exc}") from exc
        return [
            StoredFile(info.path, info.size or 0, info.mtime)
            for info in infos
            if info.type == pafs.FileType.File
        ]

    def row_count(self, path: str) -> int | None:
        """Rows in a Parquet file, from its footer; None when the file vanished meanwhile."""
        try:
            with self.fs.open_input_file(path) as handle:
                return int(pq.ParquetFile(handle).metadata.num_rows)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise VaultError(f"cannot read the footer of {path}: {exc}") from exc

    def delete(self, path: str) -> bool:
        """Remove a file; False when it was already gone."""
        try:
            self.fs.delete_file(path)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise VaultError(f"cannot delete {path}: {exc}") from exc
        return True

    def publish(self, files: Sequence[tuple[str, bytes]]) -> list[str]:
        """Make each (relative path, content) visible whole; return the paths once durable."""
        raise NotImplementedError


class LocalStorage(Storage):
    """A vault in a local folder."""

    def __init__(self, root: Path) -> None:
        absolute = str(root.expanduser().absolute())
        super().__init__(pafs.LocalFileSystem(), absolute, absolute)

    def publish(self, files: Sequence[tuple[str, bytes]]) -> list[str]:
        published: list[str] = []
        folders: dict[str, None] = {}
        try:
            for relative, payload in files:
                final = self.path(relative)
                folder = os.path.dirname(final)
                _make_folders(folder)
                _publish_file(final, payload)
                published.append(final)
                folders[folder] = None
            for folder in folders:
                _sync_folder(folder)  # the renames themselves survive a power cut
        except OSError as exc:
            raise VaultError(
                f"cannot write to the vault at {self.uri}: {exc}; check that "
                "GHOSTTRACK_VAULT_URL names a writable folder on a disk with free space"
            ) from exc
        return published


def open_storage(url: str) -> Storage:
    """The storage a vault URL names: a folder path or ``file://`` URL for now."""
    if "://" not in url:
        return LocalStorage(Path(url))
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return LocalStorage(Path(unquote(parsed.path)))
    raise VaultError(
        f"vault URL {url!r}: only local folders are supported so far (object storage such as "
        "s3:// comes later); set GHOSTTRACK_VAULT_URL to a folder path"
    )


def _publish_file(final: str, payload: bytes) -> None:
    """Write a temp file, flush it to the disk, rename it into place; no trace on failure."""
    temp = os.path.join(os.path.dirname(final), layout.temp_name(os.path.basename(final)))
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(temp, final)
    except BaseException:
        _remove_quietly(temp)
        raise


def _make_folders(folder: str) -> None:
    """Create missing folders, syncing each parent so the new entries are durable too."""
    missing = []
    current = folder
    while not os.path.isdir(current):
        missing.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    for path in reversed(missing):
        # A concurrent writer may have made it but not synced it yet: sync in both cases.
        with contextlib.suppress(FileExistsError):
            os.mkdir(path)
        _sync_folder(os.path.dirname(path))


def _sync_folder(folder: str) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
