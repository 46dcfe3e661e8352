"""Recurrent layers against TF 2.21: SimpleRNN, LSTM (masks, states), GRU (reset_after both
ways, go_backwards), Bidirectional; initial and stateful states, dropout, gradients, errors."""

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
    "simplernn": {"out": [[[0.280554, -0.132682]]], "wshapes": [(2, 2), (2, 2), (2,)]},
    "lstm_seq_mask": {
        "out": [[[[-0.066248, 0.001898], [-0.120188, -0.070004], [-0.120188, -0.070004], [-0.056645, 0.078182]]]],
        "wshapes": [(2, 8), (2, 8), (8,)],
    },
    "lstm_state": {
        "out": [[[-0.115384, 0.010289]], [[-0.115384, 0.010289]], [[-0.192164, 0.016453]]],
        "wshapes": [(2, 8), (2, 8), (8,)],
    },
    "gru": {"out": [[[-0.263386, -0.125422]]], "wshapes": [(2, 6), (2, 6), (2, 6)]},
    "gru_noreset_back": {
        "out": [[[[-0.157854, -0.017423], [-0.146766, 0.010887], [-0.091099, 0.139744]]]],
        "wshapes": [(2, 6), (2, 6), (6,)],
    },
    "bidir": {
        "out": [
            [
                [
                    [-0.066248, 0.001898, 0.125433, 0.059181],
                    [-0.120188, -0.070004, 0.120165, 0.062742],
                    [-0.115384, 0.010289, 0.062124, -0.000731],
                ]
            ]
        ],
        "wshapes": [(2, 8), (2, 8), (8,), (2, 8), (2, 8), (8,)],
    },
}

CASES = {
    "simplernn": (lambda: L.SimpleRNN(2), {}),
    "lstm_seq_mask": (lambda: L.LSTM(2, return_sequences=True), {"mask": [[True, True, False, True]]}),
    "lstm_state": (lambda: L.LSTM(2, return_state=True), {}),
    "gru": (lambda: L.GRU(2), {}),
    "gru_noreset_back": (lambda: L.GRU(2, reset_after=False, go_backwards=True, return_sequences=True), {}),
    "bidir": (lambda: L.Bidirectional(L.LSTM(2, return_sequences=True)), {}),
}
STEPS = {"simplernn": 3, "lstm_seq_mask": 4, "lstm_state": 3, "gru": 3, "gru_noreset_back": 3, "bidir": 3}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_tf(name):
    make, kwargs = CASES[name]
    layer = make()
    kwargs = {k: ek.constant(v) for k, v in kwargs.items()}
    out = run_with_pattern_weights(layer, pattern((1, STEPS[name], 2)), **kwargs)
    outs = out if isinstance(out, (list, tuple)) else [out]
    ref = TF_REF[name]
    assert [tuple(w.shape) for w in layer.weights] == ref["wshapes"]
    assert len(outs) == len(ref["out"])
    for got, want in zip(outs, ref["out"]):
        np.testing.assert_allclose(got.numpy(), want, atol=2e-6)


def test_weights_names_and_lstm_forget_bias():
    lstm = L.LSTM(3, name="lstm")
    lstm(ek.ones([1, 2, 4]))
    assert [v.name for v in lstm.weights] == ["lstm/kernel:0", "lstm/recurrent_kernel:0", "lstm/bias:0"]
    np.testing.assert_array_equal(lstm.bias.numpy(), [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    k = lstm.recurrent_kernel.numpy()  # orthogonal initializer: (3, 12) has orthonormal rows
    np.testing.assert_allclose(k @ k.T, np.eye(3), atol=1e-5)
    gru = L.GRU(3)
    gru(ek.ones([1, 2, 4]))
    assert gru.bias.shape == (2, 9)


def test_initial_state_return_state_and_unroll():
    x = ek.constant(pattern((2, 3, 2)))
    lstm = L.LSTM(2, return_state=True)
    out, h, c = lstm(x)
    np.testing.assert_array_equal(out.numpy(), h.numpy())
    out2, h2, c2 = lstm(x, initial_state=[h, c])
    assert not np.allclose(out2.numpy(), out.numpy())
    unrolled = L.LSTM(2, return_state=True, unroll=True)
    unrolled(x)
    unrolled.set_weights(lstm.get_weights())
    np.testing.assert_allclose(unrolled(x)[0].numpy(), out.numpy(), atol=1e-6)
    with pytest.raises(ValueError, match="expects 2 initial state"):
        lstm(x, initial_state=[h])


def test_stateful_layers_carry_and_reset_their_states():
    rnn = L.SimpleRNN(2, stateful=True, batch_input_shape=(1, 2, 1))
    model = ek.keras.Sequential([rnn])
    x = ek.ones([1, 2, 1])
    first = model(x).numpy()
    second = model(x).numpy()
    assert not np.allclose(first, second)
    assert len(rnn.non_trainable_weights) == 1
    rnn.reset_states()
    np.testing.assert_allclose(model(x).numpy(), first, atol=1e-6)
    with pytest.raises(ValueError, match="needs a fixed batch size"):
        L.GRU(2, stateful=True)(ek.keras.Input((2, 1)))


def test_dropout_only_when_training_and_reproducible():
    layer = L.GRU(4, dropout=0.5, recurrent_dropout=0.3)
    x = ek.constant(pattern((2, 3, 2)))
    base = layer(x).numpy()
    np.testing.assert_array_equal(layer(x, training=False).numpy(), base)
    ek.random.set_seed(3)
    a = layer(x, training=True).numpy()
    ek.random.set_seed(3)
    b = layer(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, base)


def test_gradients_flow_through_the_scan():
    for layer in (L.SimpleRNN(2), L.LSTM(2, go_backwards=True), L.GRU(2, reset_after=False)):
        x = ek.constant(pattern((2, 3, 2)))
        with ek.GradientTape() as tape:
            tape.watch(x)
            loss = ek.reduce_sum(ek.square(layer(x, mask=ek.constant([[True] * 3, [True, True, False]]))))
        grads = tape.gradient(loss, layer.trainable_weights + [x])
        assert all(g is not None for g in grads)
        assert float(ek.reduce_max(ek.abs(grads[-1][1, 2]))) == 0.0  # the masked step has no influence


def test_masks_and_zero_output_for_mask():
    x = ek.constant(pattern((1, 3, 2)))
    mask = ek.constant([[True, False, True]])
    carried = L.SimpleRNN(2, return_sequences=True)
    out = carried(x, mask=mask).numpy()
    np.testing.assert_array_equal(out[0, 1], out[0, 0])  # masked steps repeat the previous output
    zeroed = L.SimpleRNN(2, return_sequences=True, zero_output_for_mask=True)
    zeroed(x)
    zeroed.set_weights(carried.get_weights())
    np.testing.assert_array_equal(zeroed(x, mask=mask).numpy()[0, 1], [0.0, 0.0])
    assert carried.compute_mask(x, mask) is mask
    assert L.LSTM(2).compute_mask(x, mask) is None


def test_bidirectional_merge_modes_and_states():
    x = ek.constant(pattern((2, 3, 2)))
    concat = L.Bidirectional(L.GRU(2, name="g"))
    assert concat(x).shape == (2, 4)
    assert [w.name.split("/")[0] for w in concat.weights] == ["forward_g"] * 3 + ["backward_g"] * 3
    summed = L.Bidirectional(L.GRU(2), merge_mode="sum")
    summed(x)
    summed.set_weights(concat.get_weights())
    halves = concat(x).numpy()
    np.testing.assert_allclose(summed(x).numpy(), halves[:, :2] + halves[:, 2:], atol=1e-6)
    as_list = L.Bidirectional(L.GRU(2), merge_mode=None)(x)
    assert isinstance(as_list, list) and len(as_list) == 2
    with_states = L.Bidirectional(L.LSTM(2, return_state=True))(x)
    assert len(with_states) == 5 and with_states[0].shape == (2, 4)
    with pytest.raises(ValueError, match="Invalid merge mode"):
        L.Bidirectional(L.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="recurrent layer instance"):
        L.Bidirectional(L.Dense(2))


def test_activations_must_be_builtin_names():
    L.LSTM(2, activation="relu", recurrent_activation="hard_sigmoid")
    with pytest.raises(ValueError, match="must be a built-in activation"):
        L.SimpleRNN(2, activation=lambda x: x)
    with pytest.raises(ValueError, match="`dropout` must be in"):
        L.LSTM(2, dropout=1.0)
