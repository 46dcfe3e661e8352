"""Eager GradientTape speed against anchors measured in the same run.

Cases (issue 3):
  tape32   ``with tape: y = reduce_sum(tanh(v) * v)`` + ``tape.gradient`` on a 32x32 Variable.
  linreg   the seed guide's linear-regression loop (W=5., B=10., 2000 examples, SGD lr 0.01
           written as ``v.assign_sub(lr * g)``), microseconds per step.
  convnet  the seed guide's convnet train_step run eagerly (batch 32 of 28x28x1, Adam), only
           when ``eagerkit.keras`` is importable.

Rows: eagerkit as shipped; eagerkit with JAX's CPU async dispatch off (a proposed core
setting, see SYNC below; ``--no-sync-variant`` leaves it out); anchors: raw JAX (where
meaningful), TF eager (``--tf-python`` or $EK_TF_PYTHON) and PyTorch (``--torch-python`` or
$EK_TORCH_PYTHON; see bench_env.py), each run in a subprocess with the same loop. Missing
anchors are reported as skipped. Timings: wall-clock per step of the best and the median
block of steps (after warm-up); on a shared, loaded machine the best block is the steadier
figure, and ratios use it.

Usage: python scripts/benchmarks/bench_tape.py [--quick] [--case tape32|linreg|convnet ...] [--no-anchors]

``measure()`` returns the numbers as a dict and ``rows()`` turns them into the rows of
``scripts/benchmarks/run.py``'s table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
import time

from bench_env import REPO, Anchor, add_anchor_arguments, anchors_from_args, find_anchors, row

# A timing helper shared by every snippet (eagerkit's own run and the subprocess anchors):
# wall-clock per step over ``repeats`` blocks of ``n`` steps; (best block, median block).
TIMER = """
import time, statistics, json
def bench(step, n, repeats, sync):
    for _ in range(max(3, n // 5)):
        r = step()
    sync(r)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n):
            r = step()
        sync(r)
        times.append((time.perf_counter() - t0) / n * 1e6)
    return [min(times), statistics.median(times)]
"""

# -- tape32 ---------------------------------------------------------------------------------
TAPE32 = {
    "eagerkit": """
import eagerkit as tf
v = tf.Variable(tf.random.normal([32, 32]))
def step():
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.tanh(v) * v)
    return tape.gradient(y, v)
us = bench(step, N, R, lambda g: g.numpy())
""",
    "jax: 3 jit ops + jit grad": """
import jax, jax.numpy as jnp
jax.config.update("jax_enable_x64", True)
v = jax.random.normal(jax.random.key(0), (32, 32), jnp.float32)
tanh, mul, total = jax.jit(jnp.tanh), jax.jit(jnp.multiply), jax.jit(jnp.sum)
grad = jax.jit(jax.grad(lambda v: jnp.sum(jnp.tanh(v) * v)))
def step():
    total(mul(tanh(v), v))
    return grad(v)
us = bench(step, N, R, lambda g: g.block_until_ready())
""",
    "jax: jit(value_and_grad)": """
import jax, jax.numpy as jnp
jax.config.update("jax_enable_x64", True)
v = jax.random.normal(jax.random.key(0), (32, 32), jnp.float32)
vg = jax.jit(jax.value_and_grad(lambda v: jnp.sum(jnp.tanh(v) * v)))
us = bench(lambda: vg(v), N, R, lambda r: r[1].block_until_ready())
""",
    "tf eager": """
import tensorflow as tf
v = tf.Variable(tf.random.normal([32, 32]))
def step():
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.tanh(v) * v)
    return tape.gradient(y, v)
us = bench(step, N, R, lambda g: g.numpy())
""",
    "pytorch": """
import torch
torch.set_num_threads(1)
v = torch.randn(32, 32, requires_grad=True)
def step():
    y = torch.sum(torch.tanh(v) * v)
    (g,) = torch.autograd.grad(y, v)
    return g
us = bench(step, N, R, lambda g: g.numpy())
""",
}

# -- linreg ---------------------------------------------------------------------------------
_LINREG_TF = """
class Linear:
    def __init__(self):
        self.W = tf.Variable(5., name='weight')
        self.B = tf.Variable(10., name='bias')
    def __call__(self, inputs):
        return inputs * self.W + self.B
NUM_EXAMPLES = 2000
training_inputs = tf.random.normal([NUM_EXAMPLES])
noise = tf.random.normal([NUM_EXAMPLES])
training_outputs = training_inputs * 3 + 2 + noise
def loss(model, inputs, targets):
    error = model(inputs) - targets
    return tf.reduce_mean(tf.square(error))
def grad(model, inputs, targets):
    with tf.GradientTape() as tape:
        loss_value = loss(model, inputs, targets)
    return tape.gradient(loss_value, [model.W, model.B])
model = Linear()
lr = 0.01
def step():
    grads = grad(model, training_inputs, training_outputs)
    for g, v in zip(grads, [model.W, model.B]):
        v.assign_sub(lr * g)
    return model.W
us = bench(step, N, R, lambda w: w.numpy())
final = float(loss(model, training_inputs, training_outputs))
"""

LINREG = {
    "eagerkit": "import eagerkit as tf\n" + _LINREG_TF,
    "jax: jit(grad) + eager update": """
import jax, jax.numpy as jnp
jax.config.update("jax_enable_x64", True)
k1, k2 = jax.random.split(jax.random.key(0))
x = jax.random.normal(k1, (2000,), jnp.float32)
y = x * 3 + 2 + jax.random.normal(k2, (2000,), jnp.float32)
params = [jnp.float32(5.0), jnp.float32(10.0)]
grad = jax.jit(jax.grad(lambda p: jnp.mean(jnp.square(x * p[0] + p[1] - y))))
def step():
    global params
    g = grad(params)
    params = [p - 0.01 * gi for p, gi in zip(params, g)]
    return params[0]
us = bench(step, N, R, lambda w: w.block_until_ready())
""",
    "tf eager": "import tensorflow as tf\n" + _LINREG_TF,
    "pytorch": """
import torch
torch.set_num_threads(1)
W = torch.tensor(5.0, requires_grad=True)
B = torch.tensor(10.0, requires_grad=True)
x = torch.randn(2000)
y = x * 3 + 2 + torch.randn(2000)
def step():
    loss = torch.mean(torch.square(x * W + B - y))
    gW, gB = torch.autograd.grad(loss, [W, B])
    with torch.no_grad():
        W.sub_(0.01 * gW)
        B.sub_(0.01 * gB)
    return W
us = bench(step, N, R, lambda w: w.detach().numpy())
""",
}

# -- convnet --------------------------------------------------------------------------------
_CONVNET_TF = """
import numpy as np
rng = np.random.default_rng(0)
images = tf.constant(rng.random((32, 28, 28, 1), dtype=np.float32))
labels = tf.constant(rng.integers(0, 10, size=(32,)).astype(np.int64))
model = tf.keras.Sequential([
    tf.keras.layers.Conv2D(16, [3, 3], activation='relu', input_shape=(None, None, 1)),
    tf.keras.layers.Conv2D(16, [3, 3], activation='relu'),
    tf.keras.layers.GlobalAveragePooling2D(),
    tf.keras.layers.Dense(10),
])
optimizer = tf.keras.optimizers.Adam()
loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
def step():
    with tf.GradientTape() as tape:
        logits = model(images, training=True)
        loss_value = loss_object(labels, logits)
    grads = tape.gradient(loss_value, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return loss_value
us = bench(step, N, R, lambda l: l.numpy())
"""

CONVNET = {
    "eagerkit": "import eagerkit as tf\n" + _CONVNET_TF,
    "tf eager": "import tensorflow as tf\n" + _CONVNET_TF,
    "pytorch": """
import torch, numpy as np
torch.set_num_threads(2)
rng = np.random.default_rng(0)
images = torch.tensor(rng.random((32, 1, 28, 28), dtype=np.float32))
labels = torch.tensor(rng.integers(0, 10, size=(32,)))
model = torch.nn.Sequential(
    torch.nn.Conv2d(1, 16, 3), torch.nn.ReLU(), torch.nn.Conv2d(16, 16, 3), torch.nn.ReLU(),
    torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(16, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
lossf = torch.nn.CrossEntropyLoss()
def step():
    opt.zero_grad()
    loss = lossf(model(images), labels)
    loss.backward()
    opt.step()
    return loss
us = bench(step, N, R, lambda l: l.item())
""",
}

# A configuration proposed outside this script's scope (eagerkit's core would set it): JAX's
# CPU client runs small computations synchronously instead of handing each to a worker
# thread. Measured here as an extra row next to the shipped default: on this 2-core machine
# it made no difference when the machine was quiet, and roughly halved tape32/linreg step
# times while other processes kept both cores busy (the async hand-off then waits on the
# scheduler).
SYNC = 'import jax\njax.config.update("jax_cpu_enable_async_dispatch", False)\n'
SYNC_NAME = "eagerkit, sync CPU dispatch (proposal)"

# (snippets, steps per block, blocks): many short blocks, so that the best block finds a quiet
# moment on a shared machine; the linear regression runs 30 x 100 = 3000 steps (10 seed loops).
CASES = {
    "tape32": (TAPE32, 200, 30),
    "linreg": (LINREG, 100, 30),
    "convnet": (CONVNET, 5, 12),
}
CASE_TITLES = {
    "tape32": "taped step: 3 ops + gradient, 32x32",
    "linreg": "seed linear regression, 1 step",
    "convnet": "seed convnet step, eager",
}
ANCHOR_LABELS = {"tf eager": "TF eager", "pytorch": "PyTorch"}


def _variants(snippets: dict[str, str], sync_variant: bool) -> dict[str, str]:
    out = {}
    for name, code in snippets.items():
        out[name] = code
        if name == "eagerkit" and sync_variant:
            out[SYNC_NAME] = SYNC + code
    return out


def _interpreter(name: str, anchors: dict[str, Anchor]) -> tuple[str | None, str]:
    if name.startswith("tf"):
        return anchors["tf"].python, anchors["tf"].skip
    if name.startswith("pytorch"):
        return anchors["torch"].python, anchors["torch"].skip
    return sys.executable, ""


def _run(name: str, code: str, n: int, repeats: int, anchors: dict[str, Anchor]) -> dict:
    """``{"best_us": .., "median_us": ..}`` of one snippet in a fresh interpreter, or ``{"skipped": why}``."""
    exe, skip = _interpreter(name, anchors)
    if exe is None:
        return {"skipped": skip}
    prog = TIMER + f"N, R = {n}, {repeats}\n" + textwrap.dedent(code) + "\nprint('RESULT ' + json.dumps(us))\n"
    env = dict(os.environ, PYTHONPATH=str(REPO) if name.startswith(("eagerkit", "jax")) else "")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        proc = subprocess.run([exe, "-c", prog], capture_output=True, text=True, env=env, timeout=900)
    except subprocess.TimeoutExpired:
        return {"skipped": f"skipped: {name} timed out"}
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            best, median = json.loads(line[7:])
            return {"best_us": best, "median_us": median}
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
    return {"skipped": f"skipped: {name} failed ({tail[0][:160]})"}


def measure(
    cases: tuple[str, ...] = tuple(CASES),
    quick: bool = False,
    repeats: int | None = None,
    anchors: dict[str, Anchor] | None = None,
    sync_variant: bool = True,
) -> dict:
    """Microseconds per step of each case's snippets: ``{"cases": {case: {"results": {name: ...}}}}``.

    ``quick`` runs a fifth of the blocks (at least 3). A snippet that cannot run holds
    ``{"skipped": why}``.
    """
    anchors = find_anchors() if anchors is None else anchors
    out: dict = {"unit": "us/step", "quick": quick, "cases": {}}
    for case in cases:
        snippets, n, blocks = CASES[case]
        if repeats:
            blocks = repeats
        if quick:
            blocks = max(3, blocks // 5)
        results = {
            name: _run(name, code, n, blocks, anchors) for name, code in _variants(snippets, sync_variant).items()
        }
        out["cases"][case] = {"steps_per_block": n, "blocks": blocks, "results": results}
    return out


def rows(result: dict) -> list[dict]:
    """The runner's table rows: eagerkit's best block against each other snippet's best block."""
    out = []
    for case, data in result["cases"].items():
        results = data["results"]
        ek = results["eagerkit"].get("best_us")
        for name, r in results.items():
            if name == "eagerkit":
                continue
            label = ANCHOR_LABELS.get(name, name)
            out.append(row("tape", CASE_TITLES[case], "us/step", ek, label, r.get("best_us"), r.get("skipped", "")))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps and repeats (noisier)")
    parser.add_argument("--case", action="append", choices=sorted(CASES), help="run only these cases")
    parser.add_argument("--repeats", type=int, default=None, help="blocks per case (default: per case)")
    parser.add_argument("--no-sync-variant", action="store_true", help="leave out the sync-dispatch eagerkit row")
    add_anchor_arguments(parser, ("tf", "torch"))
    args = parser.parse_args()
    print(f"# bench_tape: python {sys.version.split()[0]}, {os.cpu_count()} cpus, {time.strftime('%Y-%m-%d %H:%M')}")
    result = measure(
        tuple(args.case or CASES), args.quick, args.repeats, anchors_from_args(args), not args.no_sync_variant
    )
    for case, data in result["cases"].items():
        results = data["results"]
        ek = results["eagerkit"].get("best_us")
        print(f"\n## {case} ({data['steps_per_block']} steps x {data['blocks']} blocks, us/step)")
        print(f"{'':40s} {'best':>10s} {'median':>10s} {'anchor/eagerkit':>16s}")
        for name, r in results.items():
            if "skipped" in r:
                print(f"{name:40s} {'-':>10s} {'-':>10s} {'':>16s}  {r['skipped']}")
                continue
            ratio = f"{r['best_us'] / ek:.2f}x" if ek and name != "eagerkit" else ""
            print(f"{name:40s} {r['best_us']:10.1f} {r['median_us']:10.1f} {ratio:>16s}")
    print("\n(anchor/eagerkit = anchor's best / eagerkit's best; > 1 means eagerkit is faster)")


if __name__ == "__main__":
    main()
