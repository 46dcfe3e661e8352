"""``ek.summary``: TensorBoard summaries (mirrors ``tf.summary``), written with tensorboardX.

>>> import tempfile
>>> import eagerkit.summary as summary
>>> writer = summary.create_file_writer(tempfile.mkdtemp())
>>> with writer.as_default():
...     for step in range(1, 4):
...         _ = summary.scalar("loss", 1.0 / step, step=step)
"""

from eagerkit._src.summary.ops import audio, histogram, image, scalar, text, write  # noqa: F401
from eagerkit._src.summary.writer import (  # noqa: F401
    SummaryWriter,
    create_file_writer,
    create_noop_writer,
    flush,
    record_if,
)
from eagerkit._src.summary.should_record import should_record_summaries  # noqa: F401
from eagerkit.summary import experimental  # noqa: F401
