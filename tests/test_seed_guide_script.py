"""Every section of the seed guide runs (scripts/seed_guide.py) and prints what TF prints."""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_seed_guide_runs_and_prints_tf_outputs():
    env = dict(os.environ)
    env.setdefault("EAGERKIT_DATASETS", os.path.join(os.path.dirname(ROOT), "shared", "data"))
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", "seed_guide.py"), "--quick", "--epochs", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "hello, [[4.]]" in out
    assert "tf.Tensor(\n[[1 2]\n [3 4]], shape=(2, 2), dtype=int32)" in out
    assert "1\n2\nFizz\n4\nBuzz\nFizz\n7\n8\nFizz\nBuzz\n11\nFizz\n13\n14\nFizzBuzz\n" in out
    assert "tf.Tensor([[2.]], shape=(1, 1), dtype=float32)" in out
    assert re.search(r"Logits:  \[\[.*\]\]", out, re.S)
    assert "Epoch 0 finished" in out
    final = float(re.search(r"Final loss: ([0-9.]+)", out).group(1))
    assert 0.85 < final < 1.15  # noise of variance 1 around 3x + 2: TF's run printed 0.972
    w, b = (float(v) for v in re.search(r"W = ([0-9.]+), B = ([0-9.]+)", out).groups())
    assert abs(w - 3) < 0.1 and abs(b - 2) < 0.1
    assert "'./ckpt/-1'" in out
    assert "<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=2.0>" in out
    assert "tf.Tensor(2.5, shape=(), dtype=float32)" in out
    assert "<tf.Tensor: shape=(), dtype=float32, numpy=5.5>" in out
    assert re.search(r"\['events\.out\.tfevents\.[^']+\.v2'\]", out)
    assert "0.5\nnan\n0.5\n1.0\n" in out  # log1pexp gradients: naive, then custom
    assert "GPU: not found" in out or "GPU: " in out
    assert "TensorSpec(shape=(2, 4), dtype=tf.float32)" in out
