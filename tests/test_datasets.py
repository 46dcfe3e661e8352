"""Dataset files: the download/verify/cache path against a 127.0.0.1 server, and the real shared files."""

import gzip
import hashlib
import http.server
import os
import threading
from pathlib import Path

import numpy as np
import pytest

from eagerkit._src.datasets import files
from eagerkit._src.datasets.files import RemoteFile
from eagerkit._src.datasets.idx import encode_idx, parse_idx, read_idx
from eagerkit._src.datasets.idx_dataset import IdxDataset
from eagerkit.keras.datasets import ChecksumMismatchError, DatasetDownloadError, fashion_mnist, mnist

SHARED_DATA = os.environ.get("EAGERKIT_DATASETS") or str(Path(__file__).resolve().parents[1].parent / "shared" / "data")


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("EAGERKIT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("EAGERKIT_DATASETS", raising=False)
    monkeypatch.delenv("EAGERKIT_DATASETS_URL", raising=False)
    return tmp_path / "home"


@pytest.fixture
def server(tmp_path):
    """An HTTP server on 127.0.0.1 serving tmp_path/www; yields (folder, base_url, request log)."""
    root = tmp_path / "www"
    root.mkdir()
    requests = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}/", requests
    httpd.shutdown()
    httpd.server_close()


def _gz_idx(arr):
    return gzip.compress(encode_idx(arr))


def _small_dataset(root, n_train=6, n_test=4):
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 255, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 255, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    remote = {}
    for name, arr in arrays.items():
        data = _gz_idx(arr)
        (root / name).write_bytes(data)
        remote[name] = RemoteFile(name, hashlib.sha256(data).hexdigest())
    ds = IdxDataset(
        "tiny",
        "https://example.invalid/",
        remote["train-images-idx3-ubyte.gz"],
        remote["train-labels-idx1-ubyte.gz"],
        remote["t10k-images-idx3-ubyte.gz"],
        remote["t10k-labels-idx1-ubyte.gz"],
    )
    return ds, arrays


def test_idx_roundtrip_and_truncated_file(tmp_path):
    arr = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    np.testing.assert_array_equal(parse_idx(encode_idx(arr)), arr)
    floats = np.linspace(0, 1, 5, dtype=np.float32)
    np.testing.assert_array_equal(parse_idx(encode_idx(floats)), floats)
    with pytest.raises(ValueError, match="truncated"):
        parse_idx(encode_idx(arr)[:-1])
    with pytest.raises(ValueError, match="not an IDX file"):
        parse_idx(b"PK\x03\x04")
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(encode_idx(arr)))
    np.testing.assert_array_equal(read_idx(str(path)), arr)


def test_download_verifies_and_caches(home, server):
    root, url, requests = server
    ds, arrays = _small_dataset(root)
    (x_train, y_train), (x_test, y_test) = ds.load(base_url=url)
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte.gz"])
    assert x_train.dtype == np.uint8 and x_train.shape == (6, 28, 28) and y_train.shape == (6,)
    cached = sorted(p.name for p in (home / "datasets" / "tiny").iterdir())
    assert cached == sorted(arrays)
    assert len(requests) == 4
    ds.load(base_url=url)  # second time from the cache: no new requests
    assert len(requests) == 4


def test_download_url_from_mirror_environment(home, server, monkeypatch):
    root, url, requests = server
    (root / "tiny").mkdir()
    ds, _ = _small_dataset(root / "tiny")
    monkeypatch.setenv("EAGERKIT_DATASETS_URL", url.rstrip("/"))
    x, y = ds.load_split("test")
    assert x.shape == (4, 28, 28)
    assert requests == ["/tiny/t10k-images-idx3-ubyte.gz", "/tiny/t10k-labels-idx1-ubyte.gz"]


def test_corrupted_download_leaves_no_file(home, server):
    root, url, _ = server
    ds, _ = _small_dataset(root)
    (root / "t10k-images-idx3-ubyte.gz").write_bytes(b"corrupted bytes")
    with pytest.raises(ChecksumMismatchError) as err:
        ds.load_split("test", base_url=url)
    message = str(err.value)
    assert "t10k-images-idx3-ubyte.gz" in message and "Nothing was saved" in message
    assert str(home / "datasets" / "tiny" / "t10k-images-idx3-ubyte.gz") in message
    assert list((home / "datasets" / "tiny").iterdir()) == []


def test_missing_file_404_says_where_to_put_it(home, server):
    root, url, _ = server
    ds, _ = _small_dataset(root)
    (root / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DatasetDownloadError) as err:
        ds.load(base_url=url)
    message = str(err.value)
    assert "HTTP 404" in message and url + "train-labels-idx1-ubyte.gz" in message
    assert "To install it by hand" in message and "EAGERKIT_DATASETS" in message
    assert not [p for p in (home / "datasets" / "tiny").iterdir() if p.name.endswith(".part")]


def test_preplaced_files_are_verified(home, tmp_path, monkeypatch):
    local = tmp_path / "local"
    (local / "tiny").mkdir(parents=True)
    ds, arrays = _small_dataset(local / "tiny")
    monkeypatch.setenv("EAGERKIT_DATASETS", str(local))
    x, y = ds.load_split("train")
    np.testing.assert_array_equal(y, arrays["train-labels-idx1-ubyte.gz"])
    (local / "tiny" / "train-labels-idx1-ubyte.gz").write_bytes(_gz_idx(np.zeros(6, np.uint8)))
    with pytest.raises(ChecksumMismatchError, match="is not the original tiny file train-labels-idx1-ubyte.gz"):
        ds.load_split("train")


def test_fashion_mnist_from_shared_files(home, monkeypatch):
    monkeypatch.setenv("EAGERKIT_DATASETS", SHARED_DATA)
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert x_train.dtype == y_train.dtype == np.uint8
    assert y_train[:10].tolist() == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
    assert y_test[:5].tolist() == [9, 2, 1, 1, 6]
    assert np.bincount(y_train).tolist() == [6000] * 10


def test_mnist_test_split_only_is_explicit(home, server, monkeypatch):
    _, url, _ = server  # serves nothing: the training files answer 404
    monkeypatch.setenv("EAGERKIT_DATASETS", SHARED_DATA)
    x, y = mnist.load_test_split()
    assert x.shape == (10000, 28, 28) and x.dtype == np.uint8 and y[:5].tolist() == [7, 2, 1, 0, 4]
    with pytest.raises(DatasetDownloadError) as err:
        mnist.load_data(base_url=url)
    message = str(err.value)
    assert "train-images-idx3-ubyte.gz" in message and "allow_test_split_only=True" in message
    with pytest.warns(UserWarning, match="split of the 10,000 official test images"):
        (x_tr, y_tr), (x_te, y_te) = mnist.load_data(allow_test_split_only=True, base_url=url)
    assert x_tr.shape == (8000, 28, 28) and x_te.shape == (2000, 28, 28) and y_tr.dtype == np.uint8
    together = np.sort(np.concatenate([y_tr, y_te]))
    np.testing.assert_array_equal(together, np.sort(y))


def test_mnist_npz_in_cache_is_used(home, monkeypatch):
    folder = home / "datasets" / "mnist"
    folder.mkdir(parents=True)
    arrays = {
        "x_train": np.ones((3, 28, 28), np.uint8),
        "y_train": np.array([1, 2, 3], np.uint8),
        "x_test": np.zeros((2, 28, 28), np.uint8),
        "y_test": np.array([4, 5], np.uint8),
    }
    np.savez(folder / "mnist.npz", **arrays)
    digest = files.sha256_of(str(folder / "mnist.npz"))
    monkeypatch.setattr("eagerkit._src.datasets.mnist.NPZ", RemoteFile("mnist.npz", digest))
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert x_train.shape == (3, 28, 28) and y_test.tolist() == [4, 5]
