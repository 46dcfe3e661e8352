"""MultiHeadAttention and EinsumDense against TF 2.21; masks, attention axes, dropout."""

import numpy as np
import pytest

import eagerkit as ek
import eagerkit.keras  # noqa: F401

L = ek.keras.layers


def pattern(shape, k=0):
    """Deterministic values (the same formula produced the TF references)."""
    n = int(np.prod(shape))
    return (np.sin(np.arange(n) * 0.7 + k) * 0.5).reshape(shape).astype(np.float32)


def run_with_pattern_weights(layer, *inputs, **kwargs):
    layer(*[ek.constant(a) for a in inputs])
    for i, w in enumerate(w for w in layer.weights if w.trainable):
        w.assign(pattern(tuple(w.shape), i + 1))
    return layer(*[ek.constant(a) for a in inputs], **kwargs)


# Reference outputs from TF 2.21 (Keras 3): the same layer configuration, the trainable weights
# set to pattern(shape, i + 1) in the order of layer.weights, called on the inputs listed in the test.
TF_REF = {
    "mha": {
        "out": [
            [[[0.423399, 0.327269, 0.077219], [0.42353, 0.327643, 0.07766]]],
            [
                [
                    [[0.344923, 0.337789, 0.317288], [0.346546, 0.339366, 0.314089]],
                    [[0.328622, 0.341892, 0.329486], [0.323356, 0.349111, 0.327534]],
                ]
            ],
        ],
        "wshapes": [(3, 2, 2), (2, 2), (3, 2, 2), (2, 2), (3, 2, 2), (2, 2), (2, 2, 3), (3,)],
    },
    "mha_causal": {
        "out": [
            [[[0.37853, -0.024244], [0.38116, 0.047934], [0.424143, 0.106131]]],
            [[[[1.0, 0.0, 0.0], [0.427531, 0.572469, 0.0], [0.295732, 0.352577, 0.35169]]]],
        ],
        "wshapes": [(2, 1, 2), (1, 2), (2, 1, 2), (1, 2), (2, 1, 3), (1, 3), (1, 3, 2), (2,)],
    },
    "einsum": {"out": [[[[0.412696, -0.02044], [0.746466, 0.516901]]]], "wshapes": [(3, 2), (2,)]},
}


def test_multi_head_attention_matches_tf():
    mha = L.MultiHeadAttention(2, 2)
    out, scores = run_with_pattern_weights(mha, pattern((1, 2, 3)), pattern((1, 3, 3), 5), return_attention_scores=True)
    assert [tuple(w.shape) for w in mha.weights] == TF_REF["mha"]["wshapes"]
    np.testing.assert_allclose(out.numpy(), TF_REF["mha"]["out"][0], atol=2e-6)
    np.testing.assert_allclose(scores.numpy(), TF_REF["mha"]["out"][1], atol=2e-6)
    names = [w.name for w in mha.weights]
    assert names[0] == "query/kernel:0" and names[-1] == "attention_output/bias:0"


def test_causal_attention_with_value_dim_and_output_shape_matches_tf():
    mha = L.MultiHeadAttention(1, 2, value_dim=3, output_shape=2)
    out, scores = run_with_pattern_weights(
        mha, pattern((1, 3, 2)), pattern((1, 3, 2), 2), use_causal_mask=True, return_attention_scores=True
    )
    assert [tuple(w.shape) for w in mha.weights] == TF_REF["mha_causal"]["wshapes"]
    np.testing.assert_allclose(out.numpy(), TF_REF["mha_causal"]["out"][0], atol=2e-6)
    np.testing.assert_allclose(scores.numpy(), TF_REF["mha_causal"]["out"][1], atol=2e-6)


def test_einsum_dense_matches_tf():
    layer = L.EinsumDense("abc,cd->abd", output_shape=(None, 2), bias_axes="d")
    out = run_with_pattern_weights(layer, pattern((1, 2, 3)))
    np.testing.assert_allclose(out.numpy(), TF_REF["einsum"]["out"][0], atol=1e-6)
    ellipsis = L.EinsumDense("...b,bc->...c", output_shape=4)
    assert ellipsis(ek.ones([2, 3, 5])).shape == (2, 3, 4) and ellipsis.kernel.shape == (5, 4)
    with pytest.raises(ValueError, match="Invalid einsum equation"):
        L.EinsumDense("ab->b", output_shape=2)(ek.ones([1, 2]))


def test_attention_mask_blocks_positions():
    mha = L.MultiHeadAttention(2, 4)
    q, v = ek.constant(pattern((1, 2, 4))), ek.constant(pattern((1, 3, 4), 1))
    mask = ek.constant([[[True, False, True], [False, False, True]]])
    _, scores = mha(q, v, attention_mask=mask, return_attention_scores=True)
    np.testing.assert_array_equal(scores.numpy()[0, :, 0, 1], [0.0, 0.0])
    np.testing.assert_allclose(scores.numpy()[0, :, 1, 2], [1.0, 1.0])
    _, masked = mha(q, v, value_mask=ek.constant([[True, True, False]]), return_attention_scores=True)
    np.testing.assert_array_equal(masked.numpy()[..., 2], np.zeros((1, 2, 2)))
    key = ek.constant(pattern((1, 3, 6), 2))
    assert mha(q, v, key=ek.zeros([1, 3, 4])).shape == (1, 2, 4)
    assert L.MultiHeadAttention(1, 2)(q, v, key=key).shape == (1, 2, 4)


def test_attention_axes_gradients_dropout_and_symbolic_use():
    image = ek.constant(pattern((1, 2, 3, 4)))
    mha = L.MultiHeadAttention(2, 3, attention_axes=(1, 2))
    out, scores = mha(image, image, return_attention_scores=True)
    assert out.shape == (1, 2, 3, 4) and scores.shape == (1, 2, 2, 3, 2, 3)
    with ek.GradientTape() as tape:
        loss = ek.reduce_sum(ek.square(mha(image, image)))
    assert all(g is not None for g in tape.gradient(loss, mha.trainable_weights))
    drop = L.MultiHeadAttention(2, 2, dropout=0.5)
    q = ek.constant(pattern((1, 4, 4)))
    np.testing.assert_array_equal(drop(q, q).numpy(), drop(q, q, training=False).numpy())
    assert not np.allclose(drop(q, q, training=True).numpy(), drop(q, q).numpy())
    x = ek.keras.Input((5, 8))
    y = ek.keras.Input((7, 8))
    model = ek.keras.Model([x, y], L.MultiHeadAttention(2, 4)(x, y))
    assert model.output_shape == (None, 5, 8) and model.count_params() == 3 * (8 * 8 + 8) + 8 * 8 + 8
