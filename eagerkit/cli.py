"""The ``eagerkit`` command (``eagerkit train CONFIG.toml``, ``eagerkit info``)."""

from eagerkit._src.cli.main import main  # noqa: F401

if __name__ == "__main__":
    raise SystemExit(main())
