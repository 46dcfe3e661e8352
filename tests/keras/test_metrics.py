"""ek.keras.metrics: the seed's Mean example, values against TF 2.21 (Keras 3) after several
updates with sample weights, reset, state in Variables, use inside ek.function, lookup."""

import numpy as np
import pytest

import eagerkit as ek
from eagerkit.keras import metrics

# Inputs used for the TF reference numbers below.
YB = np.array([0, 1, 1, 0, 1, 0, 1, 1], np.float32)
PB = np.array([0.1, 0.8, 0.45, 0.55, 0.95, 0.2, 0.5, 0.7], np.float32)
SWB = np.array([1.0, 0.5, 2.0, 1.0, 1.0, 0.0, 1.5, 1.0], np.float32)
LOGITS = np.array(
    [
        [1.5327792167663574, 1.4693588018417358, 0.154947429895401, 0.37816253304481506],
        [-0.8877857327461243, -1.980796456336975, -0.34791216254234314, 0.15634897351264954],
        [1.2302906513214111, 1.202379822731018, -0.38732680678367615, -0.302302747964859],
        [-1.0485529899597168, -1.420017957687378, -1.7062702178955078, 1.950775384902954],
        [-0.5096521973609924, -0.4380742907524109, -1.2527953386306763, 0.7774903774261475],
    ],
    np.float32,
)
LAB = np.array([0, 3, 1, 1, 2])
ONEHOT = np.eye(4, dtype=np.float32)[LAB]
SW5 = np.array([1.0, 2.0, 0.5, 1.0, 0.0], np.float32)
Y2 = np.array([[1, 1, 1], [1, 0, 1], [0, 1, 1], [0, 1, 1], [1, 1, 0], [0, 0, 1]], np.float32)
P2 = np.array(
    [
        [0.7781567573547363, 0.8700121641159058, 0.978618323802948],
        [0.7991585731506348, 0.4614793658256531, 0.7805292010307312],
        [0.11827442795038223, 0.6399210095405579, 0.14335328340530396],
        [0.9446688890457153, 0.5218483209609985, 0.4146619439125061],
        [0.26455560326576233, 0.7742336988449097, 0.4561503231525421],
        [0.568433940410614, 0.018789799883961678, 0.6176354885101318],
    ],
    np.float32,
)


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_seed_mean_example():
    m = metrics.Mean("loss")
    m(0)
    m(5)
    assert m.result().numpy() == 2.5
    m([8, 9])
    assert m.result().numpy() == 5.5
    assert repr(m.result()) == "<tf.Tensor: shape=(), dtype=float32, numpy=5.5>"
    assert m.name == "loss"
    assert [v.name for v in m.variables] == ["total:0", "count:0"]
    assert all(not v.trainable for v in m.variables)


def test_mean_and_sum_weighting_match_tf():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    m = metrics.Mean()
    m.update_state(x, sample_weight=[1.0, 3.0])
    assert m.result().numpy() == pytest.approx(3.25)  # TF 2.21
    m = metrics.Mean()
    m.update_state(x)
    assert (m.result().numpy(), m.count.numpy()) == (2.5, 2.0)  # TF 2.21: one count per sample row
    s = metrics.Sum()
    s.update_state(x, sample_weight=[[1.0], [0.5]])
    assert s.result().numpy() == pytest.approx(9.0)  # TF 2.21
    assert metrics.Sum()([1, 3, 5, 7], sample_weight=[1, 1, 0, 0]).numpy() == 4.0


# name -> (metric factory, y_true, y_pred, TF 2.21 result after two updates: the first two
# samples unweighted, the rest with sample weights SW5[2:])
TWO_UPDATE_CASES = {
    "sca": (metrics.SparseCategoricalAccuracy, LAB, LOGITS, 0.5714285969734192),
    "ca": (metrics.CategoricalAccuracy, ONEHOT, LOGITS, 0.5714285969734192),
    "top2": (lambda: metrics.TopKCategoricalAccuracy(k=2), ONEHOT, LOGITS, 0.7142857313156128),
    "stop2": (lambda: metrics.SparseTopKCategoricalAccuracy(k=2), LAB, LOGITS, 0.7142857313156128),
    "acc": (metrics.Accuracy, LAB, np.array([0, 3, 2, 1, 1]), 0.8571428656578064),
    "scce": (lambda: metrics.SparseCategoricalCrossentropy(from_logits=True), LAB, LOGITS, 1.5920459032058716),
    "cce": (
        lambda: metrics.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
        ONEHOT,
        LOGITS,
        1.6231790781021118,
    ),
    "bce": (metrics.BinaryCrossentropy, YB[:5, None], PB[:5, None], 0.43607592582702637),
    "kld": (metrics.KLDivergence, ONEHOT * 0.7 + 0.075, _softmax(LOGITS), 0.905093789100647),
    "poisson": (metrics.Poisson, ONEHOT, np.abs(LOGITS), 1.1129013299942017),
    "mse": (metrics.MeanSquaredError, ONEHOT, LOGITS, 1.623229742050171),
    "rmse": (metrics.RootMeanSquaredError, ONEHOT, LOGITS, 1.2740603685379028),
    "mae": (metrics.MeanAbsoluteError, ONEHOT, LOGITS, 1.0558685064315796),
    "mape": (metrics.MeanAbsolutePercentageError, ONEHOT + 1, LOGITS, 131.3082275390625),
    "cos": (metrics.CosineSimilarity, ONEHOT, LOGITS, 0.18942853808403015),
    "logcosh": (metrics.LogCoshError, ONEHOT, LOGITS, 0.5707504153251648),
    "hinge": (metrics.Hinge, ONEHOT, LOGITS, 0.9822531938552856),
    "msle": (metrics.MeanSquaredLogarithmicError, ONEHOT, np.abs(LOGITS), 0.4364252984523773),
}


@pytest.mark.parametrize("case", sorted(TWO_UPDATE_CASES))
def test_metric_two_weighted_updates_match_tf(case):
    factory, y_true, y_pred, expected = TWO_UPDATE_CASES[case]
    m = factory()
    m.update_state(y_true[:2], y_pred[:2])
    m.update_state(y_true[2:], y_pred[2:], sample_weight=SW5[2:])
    result = m.result()
    assert result.dtype == ek.float32 and result.shape == ()
    np.testing.assert_allclose(result.numpy(), expected, rtol=1e-5)


def test_accuracy_against_numpy():
    pred = LOGITS.argmax(-1)
    np.testing.assert_allclose(
        metrics.SparseCategoricalAccuracy()(LAB, LOGITS, sample_weight=SW5).numpy(),
        ((pred == LAB) * SW5).sum() / SW5.sum(),
        rtol=1e-6,
    )
    b = metrics.BinaryAccuracy(threshold=0.6)
    np.testing.assert_allclose(b(YB, PB, sample_weight=SWB).numpy(), 0.5625, rtol=1e-6)  # TF 2.21
    np.testing.assert_allclose(
        metrics.sparse_categorical_accuracy(LAB[:, None], LOGITS).numpy(), (pred == LAB).astype(np.float32)
    )
    top1 = metrics.sparse_top_k_categorical_accuracy(LAB, LOGITS, k=1).numpy()
    np.testing.assert_array_equal(top1, (pred == LAB).astype(np.float32))


AUC_CASES = {
    # TF 2.21 values after update(YB[:4], PB[:4]) and update(YB[4:], PB[4:], sample_weight=SWB[4:])
    "roc": ({}, 0.7727272510528564),
    "pr": ({"curve": "PR"}, 0.9117258787155151),
    "pr_minoring": ({"curve": "PR", "summation_method": "minoring"}, 0.7169421315193176),
    "roc_majoring": ({"summation_method": "majoring"}, 0.7727272510528564),
    "prgain": ({"curve": "PRGAIN"}, 0.3634259104728699),
    "explicit_thresholds": ({"thresholds": [0.3, 0.5, 0.9]}, 0.6818181872367859),
    "ten_thresholds": ({"num_thresholds": 10}, 0.8863636255264282),
}


@pytest.mark.parametrize("case", sorted(AUC_CASES))
def test_auc_matches_tf(case):
    kwargs, expected = AUC_CASES[case]
    m = metrics.AUC(**kwargs)
    m.update_state(YB[:4], PB[:4])
    m.update_state(YB[4:], PB[4:], sample_weight=SWB[4:])
    np.testing.assert_allclose(m.result().numpy(), expected, rtol=1e-5)


def test_auc_variants_match_tf():
    m = metrics.AUC(from_logits=True)
    m.update_state(YB, np.log(PB / (1 - PB)))
    np.testing.assert_allclose(m.result().numpy(), 0.8666666746139526, rtol=1e-5)  # TF 2.21
    m = metrics.AUC(multi_label=True)
    m.update_state(Y2, P2)
    assert m.true_positives.shape == (200, 3)
    np.testing.assert_allclose(m.result().numpy(), 0.7185185551643372, rtol=1e-5)  # TF 2.21
    m = metrics.AUC(multi_label=True, label_weights=[0.2, 0.5, 0.3])
    m.update_state(Y2, P2)
    np.testing.assert_allclose(m.result().numpy(), 0.7911111116409302, rtol=1e-5)  # TF 2.21
    m = metrics.AUC()
    m.update_state(Y2, P2)
    np.testing.assert_allclose(m.result().numpy(), 0.7083333134651184, rtol=1e-5)  # TF 2.21
    assert len(metrics.AUC().thresholds) == 200


def test_auc_perfect_and_random_orderings():
    y = np.array([0, 0, 0, 1, 1, 1], np.float32)
    assert metrics.AUC()(y, [0.1, 0.2, 0.3, 0.7, 0.8, 0.9]).numpy() == pytest.approx(1.0, abs=1e-6)
    assert metrics.AUC()(y, [0.9, 0.8, 0.7, 0.3, 0.2, 0.1]).numpy() == pytest.approx(0.0, abs=1e-6)


def test_precision_recall_and_counts_match_tf():
    # TF 2.21 values with sample_weight=SWB.
    expected = {
        "precision": (metrics.Precision(), 0.7142857313156128),
        "recall": (metrics.Recall(), 0.4166666567325592),
        "precision_thr": (metrics.Precision(thresholds=[0.3, 0.6, 0.9]), [0.8571428656578064, 1.0, 1.0]),
        "recall_thr": (metrics.Recall(thresholds=[0.3, 0.6, 0.9]), [1.0, 0.4166666567325592, 0.1666666716337204]),
        "tp": (metrics.TruePositives(), 2.5),
        "fp": (metrics.FalsePositives(thresholds=[0.15, 0.5]), [1.0, 1.0]),
        "tn": (metrics.TrueNegatives(), 1.0),
        "fn": (metrics.FalseNegatives(), 3.5),
    }
    for name, (m, value) in expected.items():
        np.testing.assert_allclose(m(YB, PB, sample_weight=SWB).numpy(), value, rtol=1e-6, err_msg=name)
    # top_k / class_id (TF 2.21 values)
    assert metrics.Precision(top_k=2)(Y2, P2).numpy() == pytest.approx(0.75)
    assert metrics.Recall(class_id=1)(Y2, P2).numpy() == pytest.approx(1.0)
    assert metrics.Precision(top_k=1, class_id=2)(Y2, P2).numpy() == pytest.approx(1.0)


def test_reset_state_and_reset_states():
    for m in (metrics.Mean(), metrics.AUC(), metrics.Precision(), metrics.SparseCategoricalAccuracy()):
        if isinstance(m, metrics.Mean) and not isinstance(m, metrics.MeanMetricWrapper):
            m([1.0, 2.0])
        elif isinstance(m, metrics.SparseCategoricalAccuracy):
            m(LAB, LOGITS)
        else:
            m(YB, PB)
        assert any(np.any(v.numpy() != 0) for v in m.variables)
        m.reset_state()
        assert all(np.all(v.numpy() == 0) for v in m.variables)
        assert m.result().numpy() == 0
    m = metrics.Mean()
    m(3.0)
    m.reset_states()
    m(1.0)
    assert m.result().numpy() == 1.0


def test_metrics_inside_ek_function_match_eager():
    eager_acc, traced_acc = metrics.SparseCategoricalAccuracy(), metrics.SparseCategoricalAccuracy()
    eager_auc, traced_auc = metrics.AUC(), metrics.AUC()
    eager_loss, traced_loss = metrics.Mean("loss"), metrics.Mean("loss")

    @ek.function
    def step(labels, logits, y, p, w):
        traced_acc.update_state(labels, logits, sample_weight=w)
        traced_auc.update_state(y, p)
        traced_loss.update_state(ek.reduce_mean(logits))
        return traced_acc.result()

    for i in range(3):
        logits = LOGITS * (i + 1)
        args = (ek.constant(LAB), ek.constant(logits), ek.constant(YB), ek.constant(PB**i), ek.constant(SW5))
        step(*args)
        eager_acc.update_state(LAB, logits, sample_weight=SW5)
        eager_auc.update_state(YB, PB**i)
        eager_loss.update_state(ek.reduce_mean(logits))
    assert step.experimental_get_tracing_count() == 1
    for a, b in ((eager_acc, traced_acc), (eager_auc, traced_auc), (eager_loss, traced_loss)):
        np.testing.assert_allclose(a.result().numpy(), b.result().numpy(), rtol=1e-6)
        for va, vb in zip(a.variables, b.variables):
            np.testing.assert_allclose(va.numpy(), vb.numpy(), rtol=1e-6)


def test_metric_created_inside_first_trace():
    holder = {}

    @ek.function
    def step(x):
        if "m" not in holder:
            holder["m"] = metrics.Mean()
        return holder["m"](x)

    step(ek.constant([1.0, 3.0]))
    np.testing.assert_allclose(step(ek.constant([5.0, 7.0])).numpy(), 4.0)


def test_custom_metric_subclass_tracks_variables():
    class BinaryTruePositives(metrics.Metric):
        def __init__(self, name="binary_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_weight(name="tp", initializer="zeros")
            self.extra = self.add_variable(shape=(2,), initializer="ones", name="extra")

        def update_state(self, y_true, y_pred, sample_weight=None):
            values = ek.logical_and(ek.cast(y_true, ek.bool), ek.cast(y_pred, ek.bool))
            self.true_positives.assign_add(ek.reduce_sum(ek.cast(values, self.dtype)))

        def result(self):
            return ek.identity(self.true_positives)

    m = BinaryTruePositives()
    assert m([1, 1, 0, 1], [1, 0, 0, 1]).numpy() == 2.0
    assert [v.name for v in m.variables] == ["tp:0", "extra:0"]
    assert m.variables[1].numpy().tolist() == [1.0, 1.0]
    from eagerkit._src.core.tracking import gather_variables

    assert {id(v) for v in gather_variables(m)} == {id(v) for v in m.variables}

    class Forgot(metrics.Metric):
        def __init__(self):
            self.v = self.add_weight(name="v")

    with pytest.raises(RuntimeError, match="super"):
        Forgot()


def test_mean_metric_wrapper_with_custom_and_builtin_functions():
    m = metrics.MeanMetricWrapper(lambda t, p: ek.abs(t - p), name="abs_err")
    assert m([1.0, 2.0], [0.0, 0.0]).numpy() == 1.5
    m2 = metrics.MeanMetricWrapper(metrics.mean_squared_error, name="mse_wrapped")
    m2(ONEHOT, LOGITS)
    np.testing.assert_allclose(m2.result().numpy(), ((ONEHOT - LOGITS) ** 2).mean(), rtol=1e-6)
    assert m2.get_config()["fn"] is metrics.mean_squared_error


def test_sparse_metric_labels_out_of_range_raise():
    with pytest.raises(ek.errors.InvalidArgumentError, match="outside the valid range"):
        metrics.SparseCategoricalCrossentropy(from_logits=True)([0, 9], LOGITS[:2])


def test_get_by_name_and_errors():
    assert isinstance(metrics.get("accuracy"), metrics.Accuracy)
    acc = metrics.get("acc")
    assert isinstance(acc, metrics.Accuracy) and acc.name == "acc"
    assert isinstance(metrics.get("sparse_categorical_accuracy"), metrics.SparseCategoricalAccuracy)
    assert isinstance(metrics.get("SparseCategoricalAccuracy"), metrics.SparseCategoricalAccuracy)
    assert isinstance(metrics.get("mse"), metrics.MeanSquaredError)
    assert isinstance(metrics.get("AUC"), metrics.AUC)
    assert isinstance(metrics.get("bce"), metrics.BinaryCrossentropy)
    assert metrics.get(None) is None
    m = metrics.Mean()
    assert metrics.get(m) is m
    with pytest.raises(ValueError, match="Valid names are: .*accuracy.*sparse_categorical_accuracy"):
        metrics.get("accuracyy")


def test_get_config_round_trip():
    instances = [
        metrics.Mean(name="m"),
        metrics.Sum(),
        metrics.Accuracy(),
        metrics.BinaryAccuracy(threshold=0.7),
        metrics.CategoricalAccuracy(),
        metrics.SparseCategoricalAccuracy(),
        metrics.TopKCategoricalAccuracy(k=3),
        metrics.SparseTopKCategoricalAccuracy(k=2),
        metrics.Precision(thresholds=[0.2, 0.4], top_k=None, class_id=1),
        metrics.Recall(),
        metrics.AUC(num_thresholds=50, curve="PR"),
        metrics.AUC(thresholds=[0.1, 0.5]),
        metrics.MeanSquaredError(),
        metrics.RootMeanSquaredError(),
        metrics.MeanAbsoluteError(),
        metrics.CategoricalCrossentropy(from_logits=True),
        metrics.SparseCategoricalCrossentropy(from_logits=True),
        metrics.BinaryCrossentropy(label_smoothing=0.1),
    ]
    assert metrics.AUC().get_config() == {
        "name": "auc",
        "dtype": "float32",
        "num_thresholds": 200,
        "curve": "ROC",
        "summation_method": "interpolation",
        "multi_label": False,
        "num_labels": None,
        "label_weights": None,
        "from_logits": False,
    }
    for m in instances:
        clone = type(m).from_config(m.get_config())
        assert clone.get_config() == m.get_config()
        assert metrics.deserialize(metrics.serialize(m)).get_config() == m.get_config()
