"""AutoGraph tests import ``eagerkit.autograph`` so that the converter is installed."""

import eagerkit.autograph  # noqa: F401
