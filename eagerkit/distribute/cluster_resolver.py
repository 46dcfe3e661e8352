"""``ek.distribute.cluster_resolver`` (mirrors ``tf.distribute.cluster_resolver``)."""

from eagerkit._src.distribute.cluster_resolver import (  # noqa: F401
    ClusterResolver,
    SimpleClusterResolver,
    TFConfigClusterResolver,
)
