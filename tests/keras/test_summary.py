"""Model.summary(): the text is compared character for character with what TF 2.21 (Keras 3)
prints for the same models (reference strings captured from TF with the same line_length)."""

import numpy as np
import pytest

import eagerkit as ek
import eagerkit.keras  # noqa: F401

L = ek.keras.layers


def summary_of(model, **kwargs):
    out = []
    model.summary(print_fn=out.append, **kwargs)
    assert len(out) == 1, "print_fn is called once with the whole text (as Keras 3 does)"
    return out[0]


@pytest.fixture(autouse=True)
def _fresh_names():
    ek.keras.backend.clear_session()


# From TF 2.21: the seed guide's convnet, model.summary() in an 80-column terminal (line_length 76).
SEED_CONVNET = (
    'Model: "sequential"\n'
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
    "│ conv2d (Conv2D)                 │ (None, None, None, 16) │           160 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ conv2d_1 (Conv2D)               │ (None, None, None, 16) │         2,320 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ global_average_pooling2d        │ (None, 16)             │             0 │\n"
    "│ (GlobalAveragePooling2D)        │                        │               │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ dense (Dense)                   │ (None, 10)             │           170 │\n"
    "└─────────────────────────────────┴────────────────────────┴───────────────┘\n"
    " Total params: 2,650 (10.35 KB)\n"
    " Trainable params: 2,650 (10.35 KB)\n"
    " Non-trainable params: 0 (0.00 B)\n"
)


def test_seed_convnet_summary_matches_tf():
    model = ek.keras.Sequential(
        [
            L.Conv2D(16, [3, 3], activation="relu", input_shape=(None, None, 1)),
            L.Conv2D(16, [3, 3], activation="relu"),
            L.GlobalAveragePooling2D(),
            L.Dense(10),
        ]
    )
    assert summary_of(model, line_length=76) == SEED_CONVNET


def test_summary_prints_to_stdout_by_default(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    model = ek.keras.Sequential(
        [
            L.Conv2D(16, [3, 3], activation="relu", input_shape=(None, None, 1)),
            L.Conv2D(16, [3, 3], activation="relu"),
            L.GlobalAveragePooling2D(),
            L.Dense(10),
        ]
    )
    model.summary()
    assert capsys.readouterr().out == SEED_CONVNET


def test_lazily_built_sequential_shows_the_batch_shape_it_was_built_with():
    # From TF 2.21 (Keras 3 reports the shapes seen at build time, batch included).
    expected = (
        'Model: "sequential"\n'
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃\n"
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
        "│ conv2d (Conv2D)                 │ (2, 26, 26, 16)        │           160 │\n"
        "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
        "│ global_average_pooling2d        │ (2, 16)                │             0 │\n"
        "│ (GlobalAveragePooling2D)        │                        │               │\n"
        "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
        "│ dense (Dense)                   │ (2, 10)                │           170 │\n"
        "└─────────────────────────────────┴────────────────────────┴───────────────┘\n"
        " Total params: 330 (1.29 KB)\n"
        " Trainable params: 330 (1.29 KB)\n"
        " Non-trainable params: 0 (0.00 B)\n"
    )
    model = ek.keras.Sequential([L.Conv2D(16, [3, 3], activation="relu"), L.GlobalAveragePooling2D(), L.Dense(10)])
    model(np.zeros((2, 28, 28, 1), np.float32))
    assert summary_of(model, line_length=76) == expected


def test_functional_graph_gets_connected_to_column():
    # From TF 2.21: shared layer, Add, two outputs.
    expected = (
        'Model: "functional"\n'
        "┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓\n"
        "┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃\n"
        "┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩\n"
        "│ a (InputLayer)      │ (None, 2)         │          0 │ -                 │\n"
        "├─────────────────────┼───────────────────┼────────────┼───────────────────┤\n"
        "│ b (InputLayer)      │ (None, 2)         │          0 │ -                 │\n"
        "├─────────────────────┼───────────────────┼────────────┼───────────────────┤\n"
        "│ shared (Dense)      │ (None, 3)         │          9 │ a[0][0], b[0][0]  │\n"
        "├─────────────────────┼───────────────────┼────────────┼───────────────────┤\n"
        "│ add (Add)           │ (None, 3)         │          0 │ shared[0][0],     │\n"
        "│                     │                   │            │ shared[1][0]      │\n"
        "├─────────────────────┼───────────────────┼────────────┼───────────────────┤\n"
        "│ dense (Dense)       │ (None, 1)         │          4 │ add[0][0]         │\n"
        "└─────────────────────┴───────────────────┴────────────┴───────────────────┘\n"
        " Total params: 13 (52.00 B)\n"
        " Trainable params: 13 (52.00 B)\n"
        " Non-trainable params: 0 (0.00 B)\n"
    )
    a = ek.keras.Input((2,), name="a")
    b = ek.keras.Input((2,), name="b")
    shared = L.Dense(3, name="shared")
    summed = L.Add()([shared(a), shared(b)])
    model = ek.keras.Model([a, b], [summed, L.Dense(1)(summed)])
    assert summary_of(model, line_length=76) == expected


def test_two_heads_and_frozen_batchnorm_totals():
    # From TF 2.21.
    expected_heads = (
        'Model: "two_heads"\n'
        "┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓\n"
        "┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃\n"
        "┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩\n"
        "│ y (InputLayer)      │ (None, 2)         │          0 │ -                 │\n"
        "├─────────────────────┼───────────────────┼────────────┼───────────────────┤\n"
        "│ p (Dense)           │ (None, 2)         │          6 │ y[0][0]           │\n"
        "├─────────────────────┼───────────────────┼────────────┼───────────────────┤\n"
        "│ q (Dense)           │ (None, 3)         │          9 │ y[0][0]           │\n"
        "└─────────────────────┴───────────────────┴────────────┴───────────────────┘\n"
        " Total params: 15 (60.00 B)\n"
        " Trainable params: 15 (60.00 B)\n"
        " Non-trainable params: 0 (0.00 B)\n"
    )
    y = ek.keras.Input((2,), name="y")
    heads = ek.keras.Model(y, [L.Dense(2, name="p")(y), L.Dense(3, name="q")(y)], name="two_heads")
    assert summary_of(heads, line_length=76) == expected_heads

    expected_bn = (
        'Model: "functional"\n'
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃\n"
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
        "│ input_layer (InputLayer)        │ (None, 4)              │             0 │\n"
        "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
        "│ batch_normalization             │ (None, 4)              │            16 │\n"
        "│ (BatchNormalization)            │                        │               │\n"
        "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
        "│ reshape (Reshape)               │ (None, 2, 2)           │             0 │\n"
        "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
        "│ flatten (Flatten)               │ (None, 4)              │             0 │\n"
        "└─────────────────────────────────┴────────────────────────┴───────────────┘\n"
        " Total params: 16 (64.00 B)\n"
        " Trainable params: 0 (0.00 B)\n"
        " Non-trainable params: 16 (64.00 B)\n"
    )
    x = ek.keras.Input((4,))
    out = L.Flatten()(L.Reshape((2, 2))(L.BatchNormalization()(x)))
    model = ek.keras.Model(x, out)
    model.layers[1].trainable = False
    assert summary_of(model, line_length=76) == expected_bn


def test_narrow_lines_trainable_column_and_nested_expansion():
    # From TF 2.21 (line_length=60; show_trainable with line_length=80; expand_nested).
    small = ek.keras.Sequential([ek.keras.Input((3,)), L.Dense(2, name="d")])
    assert summary_of(small, line_length=60) == (
        'Model: "sequential"\n'
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┓\n"
        "┃ Layer (type)             ┃ Output Shape      ┃   Param # ┃\n"
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━┩\n"
        "│ d (Dense)                │ (None, 2)         │         8 │\n"
        "└──────────────────────────┴───────────────────┴───────────┘\n"
        " Total params: 8 (32.00 B)\n"
        " Trainable params: 8 (32.00 B)\n"
        " Non-trainable params: 0 (0.00 B)\n"
    )
    assert summary_of(small, line_length=80, show_trainable=True) == (
        'Model: "sequential"\n'
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━┓\n"
        "┃ Layer (type)                  ┃ Output Shape           ┃     Param # ┃ Trai… ┃\n"
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━┩\n"
        "│ d (Dense)                     │ (None, 2)              │           8 │   Y   │\n"
        "└───────────────────────────────┴────────────────────────┴─────────────┴───────┘\n"
        " Total params: 8 (32.00 B)\n"
        " Trainable params: 8 (32.00 B)\n"
        " Non-trainable params: 0 (0.00 B)\n"
    )
    inner = ek.keras.Sequential([ek.keras.Input((4,)), L.Dense(2, name="inner_dense")], name="inner")
    x = ek.keras.Input((4,), name="x")
    outer = ek.keras.Model(x, L.Dense(1, name="head")(inner(x)), name="outer")
    assert summary_of(outer, line_length=76, expand_nested=True) == (
        'Model: "outer"\n'
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃\n"
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
        "│ x (InputLayer)                  │ (None, 4)              │             0 │\n"
        "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
        "│ inner (Sequential)              │ (None, 2)              │            10 │\n"
        "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
        "│    └ inner_dense (Dense)        │ (None, 2)              │            10 │\n"
        "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
        "│ head (Dense)                    │ (None, 1)              │             3 │\n"
        "└─────────────────────────────────┴────────────────────────┴───────────────┘\n"
        " Total params: 13 (52.00 B)\n"
        " Trainable params: 13 (52.00 B)\n"
        " Non-trainable params: 0 (0.00 B)\n"
    )


def test_unbuilt_layers_and_subclassed_models():
    # From TF 2.21.
    unbuilt = ek.keras.Sequential([L.Dense(2, name="lazy")], name="unbuilt")
    assert summary_of(unbuilt, line_length=76) == (
        'Model: "unbuilt"\n'
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃\n"
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
        "│ lazy (Dense)                    │ ?                      │   0 (unbuilt) │\n"
        "└─────────────────────────────────┴────────────────────────┴───────────────┘\n"
        " Total params: 0 (0.00 B)\n"
        " Trainable params: 0 (0.00 B)\n"
        " Non-trainable params: 0 (0.00 B)\n"
    )

    class Sub(ek.keras.Model):
        def __init__(self):
            super().__init__()
            self.d1 = L.Dense(3, name="first")
            self.d2 = L.Dense(1, name="second")

        def call(self, x):
            return self.d2(self.d1(x))

    sub = Sub()
    sub(np.zeros((2, 5), np.float32))
    assert summary_of(sub, line_length=76) == (
        'Model: "sub"\n'
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃\n"
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
        "│ first (Dense)                   │ (2, 3)                 │            18 │\n"
        "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
        "│ second (Dense)                  │ (2, 1)                 │             4 │\n"
        "└─────────────────────────────────┴────────────────────────┴───────────────┘\n"
        " Total params: 22 (88.00 B)\n"
        " Trainable params: 22 (88.00 B)\n"
        " Non-trainable params: 0 (0.00 B)\n"
    )


def test_layer_range_and_errors():
    model = ek.keras.Sequential([ek.keras.Input((3,)), L.Dense(2, name="d1"), L.Dense(2, name="d2")])
    text = summary_of(model, line_length=76, layer_range=("d2", "d2"))
    assert "d2 (Dense)" in text and "d1 (Dense)" not in text
    with pytest.raises(ValueError, match="do not match the layer names"):
        summary_of(model, line_length=76, layer_range=("nope", "d2"))
    with pytest.raises(ValueError, match="Insufficient console width"):
        summary_of(model, line_length=8)


def test_compiled_model_lists_optimizer_params_once_the_optimizer_is_built():
    # From TF 2.21: before fit there is no optimizer line; after one fit step Adam holds
    # iterations (int64), the learning rate and two slots per trainable weight.
    model = ek.keras.Sequential(
        [ek.keras.Input((3,)), L.Dense(4, activation="relu"), L.BatchNormalization(), L.Dense(1)]
    )
    model.compile(optimizer="adam", loss="mse")
    table = (
        'Model: "sequential"\n'
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃\n"
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
        "│ dense (Dense)                   │ (None, 4)              │            16 │\n"
        "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
        "│ batch_normalization             │ (None, 4)              │            16 │\n"
        "│ (BatchNormalization)            │                        │               │\n"
        "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
        "│ dense_1 (Dense)                 │ (None, 1)              │             5 │\n"
        "└─────────────────────────────────┴────────────────────────┴───────────────┘\n"
    )
    assert summary_of(model, line_length=76) == table + (
        " Total params: 37 (148.00 B)\n Trainable params: 29 (116.00 B)\n Non-trainable params: 8 (32.00 B)\n"
    )
    model.fit(np.ones((32, 3), np.float32), np.ones((32, 1), np.float32), epochs=1, verbose=0)
    assert summary_of(model, line_length=76) == table + (
        " Total params: 97 (392.00 B)\n"
        " Trainable params: 29 (116.00 B)\n"
        " Non-trainable params: 8 (32.00 B)\n"
        " Optimizer params: 60 (244.00 B)\n"
    )
