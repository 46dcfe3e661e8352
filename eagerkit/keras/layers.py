"""``ek.keras.layers``: the layer classes of ``tf.keras.layers``."""

from eagerkit._src.keras.engine.input_layer import Input, InputLayer  # noqa: F401
from eagerkit._src.keras.engine.input_spec import InputSpec  # noqa: F401
from eagerkit._src.keras.engine.layer import Layer  # noqa: F401
from eagerkit._src.keras.layers.activation import ELU, LeakyReLU, ReLU, Softmax  # noqa: F401
from eagerkit._src.keras.layers.attention import EinsumDense, MultiHeadAttention  # noqa: F401
from eagerkit._src.keras.layers.convolutional import (  # noqa: F401
    Conv1D,
    Conv2D,
    Conv2DTranspose,
    Conv3D,
    Convolution1D,
    Convolution2D,
    Convolution2DTranspose,
    Convolution3D,
    DepthwiseConv2D,
    SeparableConv2D,
)
from eagerkit._src.keras.layers.core import (  # noqa: F401
    Activation,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    Lambda,
    Permute,
    RepeatVector,
    Reshape,
)
from eagerkit._src.keras.layers.merging import (  # noqa: F401
    Add,
    Average,
    Concatenate,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    maximum,
    minimum,
    multiply,
    subtract,
)
from eagerkit._src.keras.layers.normalization import (  # noqa: F401
    BatchNormalization,
    GroupNormalization,
    LayerNormalization,
)
from eagerkit._src.keras.layers.pooling import (  # noqa: F401
    AveragePooling1D,
    AveragePooling2D,
    AveragePooling3D,
    AvgPool1D,
    AvgPool2D,
    AvgPool3D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAveragePooling3D,
    GlobalAvgPool1D,
    GlobalAvgPool2D,
    GlobalAvgPool3D,
    GlobalMaxPool1D,
    GlobalMaxPool2D,
    GlobalMaxPool3D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    GlobalMaxPooling3D,
    MaxPool1D,
    MaxPool2D,
    MaxPool3D,
    MaxPooling1D,
    MaxPooling2D,
    MaxPooling3D,
)
from eagerkit._src.keras.layers.preprocessing import Rescaling  # noqa: F401
from eagerkit._src.keras.layers.recurrent import GRU, LSTM, Bidirectional, SimpleRNN  # noqa: F401
from eagerkit._src.keras.layers.registry import deserialize, serialize  # noqa: F401
from eagerkit._src.keras.layers.reshaping import UpSampling2D, ZeroPadding2D  # noqa: F401
