"""ek.keras.losses: values against TF 2.21 (Keras 3) and closed forms, reductions, sample
weights, gradients, tracing, lookup by name and configs."""

import numpy as np
import pytest

import eagerkit as ek
from eagerkit.keras import losses

# Shared inputs (the TF reference numbers below were computed on exactly these).
YT = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], np.float32)
YP = np.array([[0.2, 0.7, 0.1], [0.6, 0.3, 0.1]], np.float32)
LOGITS = np.array([[1.0, 2.0, -1.0], [0.5, -0.3, 2.2]], np.float32)
REG_T = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 4.0]], np.float32)
REG_P = np.array([[1.5, 1.0, 2.0], [0.0, 0.5, 6.5]], np.float32)
SW = np.array([0.3, 1.7], np.float32)
LABELS = np.array([1, 2], np.int64)

# Reference values from TF 2.21 / Keras 3.15 (tf.keras.losses), [unweighted, sample_weight=SW].
TF_REGRESSION = {
    "MeanSquaredError": [1.5833333730697632, 2.1666667461395264],
    "MeanAbsoluteError": [1.0, 1.1166666746139526],
    "MeanAbsolutePercentageError": [49.30555725097656, 52.708335876464844],
    "MeanSquaredLogarithmicError": [0.07689298689365387, 0.061428360641002655],
    "LogCosh": [0.5391708612442017, 0.6861326694488525],
    "Huber": [0.6041666269302368, 0.7645832896232605],
    "CosineSimilarity": [-0.9562186598777771, -0.9655039310455322],
}
TF_HINGE = {
    "Hinge": [1.0666667222976685, 1.346666693687439],
    "SquaredHinge": [2.496666669845581, 3.311000108718872],
    "CategoricalHinge": [1.350000023841858, 2.2950000762939453],
}


@pytest.mark.parametrize("name", sorted(TF_REGRESSION))
def test_regression_losses_match_tf(name):
    loss = getattr(losses, name)()
    plain, weighted = TF_REGRESSION[name]
    out = loss(REG_T, REG_P)
    assert out.dtype == ek.float32 and out.shape == ()
    np.testing.assert_allclose(out.numpy(), plain, rtol=1e-5)
    np.testing.assert_allclose(loss(REG_T, REG_P, sample_weight=SW).numpy(), weighted, rtol=1e-5)


@pytest.mark.parametrize("name", sorted(TF_HINGE))
def test_hinge_losses_match_tf(name):
    loss = getattr(losses, name)()
    plain, weighted = TF_HINGE[name]
    np.testing.assert_allclose(loss(YT, LOGITS).numpy(), plain, rtol=1e-5)
    np.testing.assert_allclose(loss(YT, LOGITS, sample_weight=SW).numpy(), weighted, rtol=1e-5)


def test_poisson_kld_huber_delta_match_tf():
    # TF 2.21 reference values.
    np.testing.assert_allclose(losses.Poisson()(REG_T, np.abs(REG_P)).numpy(), -2.3739395141601562, rtol=1e-5)
    np.testing.assert_allclose(
        losses.Poisson()(REG_T, np.abs(REG_P), sample_weight=SW).numpy(), -4.505885601043701, rtol=1e-5
    )
    np.testing.assert_allclose(losses.KLDivergence()(YT * 0.8 + 0.1, YP).numpy(), 0.2059628665447235, rtol=1e-5)
    np.testing.assert_allclose(losses.Huber(delta=2.0)(REG_T, REG_P).numpy(), 0.7708333134651184, rtol=1e-5)


def test_crossentropies_match_tf():
    # TF 2.21 reference values.
    np.testing.assert_allclose(losses.BinaryCrossentropy()(YT, YP).numpy(), 0.2763400077819824, rtol=1e-5)
    bce = losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.2)
    np.testing.assert_allclose(bce(YT, LOGITS).numpy(), 0.8578277826309204, rtol=1e-5)
    bce_none = losses.BinaryCrossentropy(from_logits=True, reduction="none")(YT, LOGITS)
    np.testing.assert_allclose(bce_none.numpy(), [0.584483802318573, 1.111171841621399], rtol=1e-5)
    np.testing.assert_allclose(losses.CategoricalCrossentropy()(YT, YP).numpy(), 0.4337502717971802, rtol=1e-5)
    cce = losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)
    np.testing.assert_allclose(cce(YT, LOGITS).numpy(), 1.193617343902588, rtol=1e-5)
    cce_sum = losses.CategoricalCrossentropy(from_logits=True, reduction="sum")
    np.testing.assert_allclose(cce_sum(YT, LOGITS, sample_weight=SW).numpy(), 3.394015073776245, rtol=1e-5)


def test_sparse_categorical_crossentropy_matches_tf():
    # TF 2.21 reference values.
    scce = losses.SparseCategoricalCrossentropy(from_logits=True)
    np.testing.assert_allclose(scce(LABELS, LOGITS).numpy(), 0.29195064306259155, rtol=1e-5)
    np.testing.assert_allclose(
        losses.SparseCategoricalCrossentropy()(LABELS, YP).numpy(), 1.3296300172805786, rtol=1e-5
    )
    ignore = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2)
    np.testing.assert_allclose(ignore(LABELS, LOGITS).numpy(), 0.349012166261673, rtol=1e-5)
    none = losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")
    np.testing.assert_allclose(none(LABELS[:, None], LOGITS).numpy(), [0.349012166261673, 0.23488909006118774], 1e-5)
    mws = losses.SparseCategoricalCrossentropy(from_logits=True, reduction="mean_with_sample_weight")
    np.testing.assert_allclose(mws(LABELS, LOGITS, sample_weight=SW).numpy(), 0.25200754404067993, rtol=1e-5)


def test_rank3_values_with_2d_sample_weight_match_tf():
    x3 = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 10.0
    t3 = (np.arange(24).reshape(2, 3, 4) % 2).astype(np.float32)
    sw = np.array([[1.0, 0.0, 2.0], [0.5, 0.5, 1.0]], np.float32)
    # TF 2.21 reference value.
    np.testing.assert_allclose(losses.MeanSquaredError()(t3, x3, sample_weight=sw).numpy(), 0.9091666340827942, 1e-5)


def _log_softmax(x):
    x = x - x.max(-1, keepdims=True)
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


def test_seed_usage_int64_labels_float32_logits():
    loss_object = losses.SparseCategoricalCrossentropy(from_logits=True)
    labels = ek.constant([3, 0, 9, 1], ek.int64)
    logits = ek.random.normal([4, 10])
    value = loss_object(labels, logits)
    assert value.dtype == ek.float32 and value.shape == ()
    expected = -_log_softmax(logits.numpy())[np.arange(4), labels.numpy()].mean()
    np.testing.assert_allclose(value.numpy(), expected, rtol=1e-6)
    assert value.numpy().mean() == value.numpy()  # the seed's loss_value.numpy().mean()
    assert repr(value).startswith("<tf.Tensor: shape=(), dtype=float32, numpy=")


def test_functions_return_per_sample_values():
    np.testing.assert_allclose(losses.mse(REG_T, REG_P).numpy(), ((REG_T - REG_P) ** 2).mean(-1), rtol=1e-6)
    np.testing.assert_allclose(losses.mae(REG_T, REG_P).numpy(), np.abs(REG_T - REG_P).mean(-1), rtol=1e-6)
    np.testing.assert_allclose(
        losses.categorical_crossentropy(YT, LOGITS, from_logits=True).numpy(),
        -(YT * _log_softmax(LOGITS)).sum(-1),
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        losses.sparse_categorical_crossentropy(LABELS, LOGITS, from_logits=True).numpy(),
        -_log_softmax(LOGITS)[np.arange(2), LABELS],
        rtol=1e-6,
    )
    sig = 1 / (1 + np.exp(-LOGITS))
    bce = -(YT * np.log(sig) + (1 - YT) * np.log(1 - sig)).mean(-1)
    np.testing.assert_allclose(losses.binary_crossentropy(YT, LOGITS, from_logits=True).numpy(), bce, rtol=1e-5)


def test_reductions_and_reduction_constants():
    per_sample = ((REG_T - REG_P) ** 2).mean(-1)
    r = losses.Reduction
    assert r.AUTO == "auto" and r.SUM == "sum" and r.NONE == "none" and r.SUM_OVER_BATCH_SIZE == "sum_over_batch_size"
    cases = {
        "sum": per_sample.sum(),
        "none": per_sample,
        None: per_sample,
        "sum_over_batch_size": per_sample.mean(),
        r.AUTO: per_sample.mean(),
        r.SUM: per_sample.sum(),
        r.NONE: per_sample,
        r.SUM_OVER_BATCH_SIZE: per_sample.mean(),
        "mean": per_sample.mean(),
    }
    for reduction, expected in cases.items():
        out = losses.MeanSquaredError(reduction=reduction)(REG_T, REG_P)
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6, err_msg=str(reduction))
    # sum_over_batch_size divides the weighted sum by the number of samples, not the weight sum
    weighted = losses.MeanSquaredError()(REG_T, REG_P, sample_weight=SW)
    np.testing.assert_allclose(weighted.numpy(), (per_sample * SW).sum() / 2, rtol=1e-6)
    mws = losses.MeanSquaredError(reduction="mean_with_sample_weight")(REG_T, REG_P, sample_weight=SW)
    np.testing.assert_allclose(mws.numpy(), (per_sample * SW).sum() / SW.sum(), rtol=1e-6)
    # scalar and column sample weights
    np.testing.assert_allclose(
        losses.MeanSquaredError()(REG_T, REG_P, sample_weight=2.0).numpy(), 2 * per_sample.mean(), 1e-6
    )
    np.testing.assert_allclose(
        losses.MeanSquaredError(reduction="none")(REG_T, REG_P, sample_weight=SW[:, None]).numpy(),
        (per_sample * SW)[:, None],  # Keras expands rank-1 losses against [batch, 1] weights
        rtol=1e-6,
    )


def test_invalid_reduction_lists_valid_values():
    with pytest.raises(ValueError, match="sum_over_batch_size") as info:
        losses.MeanSquaredError(reduction="average")
    assert "'average'" in str(info.value)
    with pytest.raises(ValueError):
        losses.Reduction.validate("bogus")


def test_gradient_through_tape_matches_softmax_minus_onehot():
    logits = ek.Variable(LOGITS)
    loss_object = losses.SparseCategoricalCrossentropy(from_logits=True)
    with ek.GradientTape() as tape:
        value = loss_object(LABELS, logits)
    grad = tape.gradient(value, logits).numpy()
    probs = np.exp(_log_softmax(LOGITS))
    onehot = np.eye(3, dtype=np.float32)[LABELS]
    np.testing.assert_allclose(grad, (probs - onehot) / 2, rtol=1e-5, atol=1e-7)

    w = ek.Variable(REG_P)
    with ek.GradientTape() as tape:
        value = losses.MeanSquaredError()(REG_T, w, sample_weight=SW)
    expected = 2 * (REG_P - REG_T) / 3 * SW[:, None] / 2
    np.testing.assert_allclose(tape.gradient(value, w).numpy(), expected, rtol=1e-5)


def test_custom_loss_subclass_and_wrapper():
    class Cubes(losses.Loss):
        def call(self, y_true, y_pred):
            return ek.reduce_mean(ek.abs(y_true - y_pred) ** 3, axis=-1)

    np.testing.assert_allclose(Cubes()(REG_T, REG_P).numpy(), (np.abs(REG_T - REG_P) ** 3).mean(), rtol=1e-6)
    assert Cubes().name == "cubes"
    wrapper = losses.LossFunctionWrapper(lambda t, p: ek.reduce_sum(ek.square(t - p), axis=-1), reduction="sum")
    np.testing.assert_allclose(wrapper(REG_T, REG_P).numpy(), ((REG_T - REG_P) ** 2).sum(), rtol=1e-6)
    with pytest.raises(NotImplementedError, match="call"):
        losses.Loss()(REG_T, REG_P)


def test_losses_work_inside_ek_function():
    scce = losses.SparseCategoricalCrossentropy(from_logits=True)
    mse = losses.MeanSquaredError()

    @ek.function
    def both(labels, logits, t, p):
        return scce(labels, logits), mse(t, p, sample_weight=[0.3, 1.7])

    a, b = both(ek.constant(LABELS), ek.constant(LOGITS), ek.constant(REG_T), ek.constant(REG_P))
    np.testing.assert_allclose(a.numpy(), 0.29195064306259155, rtol=1e-5)  # TF 2.21 value (see above)
    np.testing.assert_allclose(b.numpy(), 2.1666667461395264, rtol=1e-5)


def test_sparse_labels_out_of_range_raise_eagerly():
    scce = losses.SparseCategoricalCrossentropy(from_logits=True)
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"label value of 3 .*\[0, 3\)"):
        scce(ek.constant([1, 3], ek.int64), LOGITS)
    with pytest.raises(ek.errors.InvalidArgumentError, match="label value of -1"):
        scce([-1, 0], LOGITS)


def test_shape_mismatch_errors_are_clear():
    with pytest.raises(ValueError, match="same shape"):
        losses.CategoricalCrossentropy()(np.array([1, 2]), YP)
    with pytest.raises(ValueError, match="same shape"):
        losses.binary_crossentropy(np.ones((2, 2), np.float32), YP)


def test_numerical_stability_with_extreme_logits():
    huge = np.array([[1000.0, -1000.0, 0.0]], np.float32)
    for value in (
        losses.SparseCategoricalCrossentropy(from_logits=True)([1], huge),
        losses.CategoricalCrossentropy(from_logits=True)([[0.0, 1.0, 0.0]], huge),
        losses.BinaryCrossentropy(from_logits=True)([[1.0, 1.0, 0.0]], huge),
        losses.BinaryCrossentropy()([[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.5]]),
        losses.LogCosh()([[0.0]], [[1000.0]]),
    ):
        assert np.isfinite(value.numpy())
    np.testing.assert_allclose(
        losses.SparseCategoricalCrossentropy(from_logits=True)([1], huge).numpy(), 2000.0, rtol=1e-6
    )


def test_dtype_follows_keras_default_float32():
    out = losses.MeanSquaredError()(REG_T.astype(np.float64), REG_P.astype(np.float64))
    assert out.dtype == ek.float32
    out64 = losses.MeanSquaredError(dtype="float64")(REG_T, REG_P)
    assert out64.dtype == ek.float64
    np.testing.assert_allclose(out64.numpy(), ((REG_T - REG_P) ** 2).mean(), rtol=1e-7)
    assert losses.mse(REG_T.astype(np.float64), REG_P.astype(np.float64)).dtype == ek.float64


def test_get_by_name_alias_and_errors():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("MAE") is losses.mean_absolute_error
    assert losses.get("sparse_categorical_crossentropy") is losses.sparse_categorical_crossentropy
    assert losses.get("kullback_leibler_divergence") is losses.kl_divergence
    assert isinstance(losses.get("SparseCategoricalCrossentropy"), losses.SparseCategoricalCrossentropy)
    assert losses.get(None) is None
    loss = losses.Huber()
    assert losses.get(loss) is loss
    with pytest.raises(ValueError, match="Valid names are: .*binary_crossentropy.*mse"):
        losses.get("nope")
    with pytest.raises(ValueError, match="Could not interpret"):
        losses.get(3)


def test_get_config_from_config_round_trip():
    instances = [
        losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2, reduction="sum"),
        losses.CategoricalCrossentropy(label_smoothing=0.1, axis=-1),
        losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.2),
        losses.MeanSquaredError(name="m"),
        losses.MeanAbsoluteError(),
        losses.MeanAbsolutePercentageError(),
        losses.MeanSquaredLogarithmicError(),
        losses.Huber(delta=2.0),
        losses.KLDivergence(),
        losses.CosineSimilarity(axis=1),
        losses.Hinge(),
        losses.SquaredHinge(),
        losses.CategoricalHinge(),
        losses.LogCosh(),
        losses.Poisson(reduction="none"),
    ]
    assert losses.SparseCategoricalCrossentropy(from_logits=True).get_config() == {
        "name": "sparse_categorical_crossentropy",
        "reduction": "sum_over_batch_size",
        "from_logits": True,
        "ignore_class": None,
        "axis": -1,
    }
    for loss in instances:
        clone = type(loss).from_config(loss.get_config())
        assert clone.get_config() == loss.get_config()
        again = losses.deserialize(losses.serialize(loss))
        assert type(again) is type(loss) and again.get_config() == loss.get_config()
    t, p = (YT, LOGITS)
    clone = losses.deserialize(losses.serialize(instances[2]))
    np.testing.assert_allclose(clone(t, p).numpy(), instances[2](t, p).numpy())


def test_out_of_range_label_inside_ek_function_gives_nan():
    # Documented behaviour: labels cannot be checked while tracing; a label >= num_classes
    # yields NaN for its sample instead of an error.
    none = losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")
    traced = ek.function(lambda labels, logits: none(labels, logits))
    out = traced(ek.constant([1, 3]), ek.constant(LOGITS)).numpy()
    np.testing.assert_allclose(out[0], -_log_softmax(LOGITS)[0, 1], rtol=1e-6)
    assert np.isnan(out[1])


def test_sparse_categorical_crossentropy_accepts_uint8_labels():
    import numpy as np

    import eagerkit as ek

    logits = ek.constant([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    expected = ek.keras.losses.SparseCategoricalCrossentropy(from_logits=True)(ek.constant([0, 2]), logits)
    got = ek.keras.losses.SparseCategoricalCrossentropy(from_logits=True)(np.array([0, 2], np.uint8), logits)
    np.testing.assert_allclose(got.numpy(), expected.numpy())
