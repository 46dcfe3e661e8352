"""Locating, downloading and verifying dataset files.

Where a file is looked for, in order:

1. ``$EAGERKIT_DATASETS/<dataset>/<file>``: copies placed by hand (offline machines, CI);
2. the cache, ``$EAGERKIT_HOME/datasets/<dataset>/<file>`` (default ``~/.eagerkit``);
3. a download from ``<base_url><file>`` into the cache. The base URL is the dataset's
   canonical one unless ``base_url=`` or ``$EAGERKIT_DATASETS_URL`` (a mirror laid out
   as ``<mirror>/<dataset>/<file>``) says otherwise.

Every file is checked against known SHA-256 sums. A download streams into a temporary
file beside its destination and is renamed into place only after the checksum
matched, so a failed or corrupted download never leaves a partial file in the cache.

>>> from eagerkit._src.datasets.files import cache_dir
>>> cache_dir("mnist").endswith("datasets/mnist") or cache_dir("mnist").endswith("datasets\\\\mnist")
True
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from eagerkit._src.datasets.errors import ChecksumMismatchError, DatasetDownloadError

_CHUNK = 1 << 20
_TIMEOUT_S = 60


@dataclass(frozen=True)
class RemoteFile:
    """A dataset file: its name, the SHA-256 of the canonical download, and other accepted sums.

    ``also_accepted`` lists sums of known-good redistributions (e.g. the same data
    recompressed by a Linux distribution), accepted for files placed by hand.
    """

    name: str
    sha256: str
    also_accepted: tuple[str, ...] = field(default=())

    def accepts(self, digest: str) -> bool:
        return digest == self.sha256 or digest in self.also_accepted


def eagerkit_home() -> str:
    return os.environ.get("EAGERKIT_HOME") or os.path.join(os.path.expanduser("~"), ".eagerkit")


def cache_dir(dataset: str) -> str:
    """Where downloads of ``dataset`` are kept."""
    return os.path.join(eagerkit_home(), "datasets", dataset)


def local_dir(dataset: str) -> str | None:
    """``$EAGERKIT_DATASETS/<dataset>`` when that variable is set."""
    root = os.environ.get("EAGERKIT_DATASETS")
    return os.path.join(root, dataset) if root else None


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def find_local(dataset: str, file: RemoteFile) -> str | None:
    """The verified path of ``file`` in ``$EAGERKIT_DATASETS`` or the cache, if present there."""
    for folder in (local_dir(dataset), cache_dir(dataset)):
        if folder is None:
            continue
        path = os.path.join(folder, file.name)
        if os.path.isfile(path):
            digest = sha256_of(path)
            if not file.accepts(digest):
                raise ChecksumMismatchError(
                    f"{path} is not the original {dataset} file {file.name}: its SHA-256 is {digest}, expected "
                    f"{file.sha256}. Replace it with the original file (or delete it to download it again)."
                )
            return path
    return None


def base_url_for(dataset: str, default: str, base_url: str | None) -> str:
    """The URL prefix files of ``dataset`` are downloaded from."""
    if base_url:
        return base_url if base_url.endswith("/") else base_url + "/"
    mirror = os.environ.get("EAGERKIT_DATASETS_URL")
    if mirror:
        return mirror.rstrip("/") + f"/{dataset}/"
    return default


def download(dataset: str, file: RemoteFile, url: str) -> str:
    """Downloads ``url`` into the cache as ``file.name``, verified; returns the cached path."""
    folder = cache_dir(dataset)
    os.makedirs(folder, exist_ok=True)
    dest = os.path.join(folder, file.name)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{file.name}.", suffix=".part")
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=_TIMEOUT_S) as response:
                    for chunk in iter(lambda: response.read(_CHUNK), b""):
                        digest.update(chunk)
                        out.write(chunk)
            except urllib.error.HTTPError as e:
                raise DatasetDownloadError(
                    f"Downloading {file.name} of {dataset} from {url} failed: HTTP {e.code} {e.reason}. "
                    + _by_hand(dataset, file)
                ) from None
            except (urllib.error.URLError, OSError) as e:
                reason = getattr(e, "reason", e)
                raise DatasetDownloadError(
                    f"Downloading {file.name} of {dataset} from {url} failed: {reason}. " + _by_hand(dataset, file)
                ) from None
        got = digest.hexdigest()
        if not file.accepts(got):
            raise ChecksumMismatchError(
                f"The download of {file.name} from {url} is corrupted or not the original file: SHA-256 {got}, "
                f"expected {file.sha256}. Nothing was saved. " + _by_hand(dataset, file)
            )
        os.replace(tmp, dest)
        return dest
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _by_hand(dataset: str, file: RemoteFile) -> str:
    places = [os.path.join(cache_dir(dataset), file.name)]
    if local_dir(dataset):
        places.insert(0, os.path.join(local_dir(dataset), file.name))
    return (
        f"To install it by hand, put the original {file.name} (SHA-256 {file.sha256}) at "
        + " or ".join(places)
        + f", or set EAGERKIT_DATASETS to a folder containing {dataset}/{file.name}."
    )


def fetch(dataset: str, file: RemoteFile, default_base_url: str, base_url: str | None = None) -> str:
    """The path of a verified copy of ``file``: found locally or downloaded into the cache."""
    return find_local(dataset, file) or download(
        dataset, file, base_url_for(dataset, default_base_url, base_url) + file.name
    )
