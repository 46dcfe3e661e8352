"""Save/restore time of ~50M float32 parameters: eagerkit checkpoints vs orbax used directly.

Both sides write the same arrays with the same orbax handler (``PyTreeCheckpointHandler``,
default settings) to a fresh path on local disk (the previous output is deleted untimed);
eagerkit adds the object-graph walk, CRC-32s of the data, the JSON file and the atomic
rename, and on restore the validation and the CRC checks. Times are medians of
``--repeats`` interleaved runs after one warm-up round.

    python scripts/benchmarks/bench_checkpoint.py [--params 50_000_000] [--variables 4] [--repeats 5]

``measure()`` returns the numbers as a dict and ``rows()`` turns them into the rows of
``scripts/benchmarks/run.py``'s table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time

import numpy as np
from bench_env import row, use_source_tree


def _median_times(fns, repeats: int, before=None) -> list[float]:
    """Median wall time of each function; runs are interleaved so drift hits all alike.

    ``before[i]`` (untimed) runs ahead of every call of ``fns[i]``, e.g. to delete its output.
    """
    times: list[list[float]] = [[] for _ in fns]
    for rep in range(repeats + 1):  # the first round is a warm-up
        for i, (fn, bucket) in enumerate(zip(fns, times)):
            if before is not None:
                before[i]()
            t0 = time.perf_counter()
            fn()
            if rep:
                bucket.append(time.perf_counter() - t0)
    return [statistics.median(b) for b in times]


def measure(params: int = 50_000_000, variables: int = 4, repeats: int = 5, directory: str | None = None) -> dict:
    """Median seconds: ``{"save_s": {"eagerkit": .., "orbax": ..}, "restore_s": {...}, "async_return_s": ..}``."""
    use_source_tree()
    import jax
    import orbax.checkpoint as ocp

    import eagerkit as ek
    import eagerkit.train  # noqa: F401  (ek.train)
    from eagerkit._src.core.tracking import AutoTrackable

    root = directory or tempfile.mkdtemp(prefix="bench_checkpoint_")
    os.makedirs(root, exist_ok=True)
    rng = np.random.default_rng(0)
    size = params // variables
    model = AutoTrackable()
    model.weights = [ek.Variable(rng.standard_normal(size, dtype=np.float32)) for _ in range(variables)]
    arrays = {f"w{i}": v._value for i, v in enumerate(model.weights)}
    n_params = sum(int(np.prod(a.shape)) for a in arrays.values())

    checkpoint = ek.train.Checkpoint(model=model)
    ek_path = os.path.join(root, "eagerkit")
    ox_path = os.path.join(root, "orbax")
    orbax_ckptr = ocp.Checkpointer(ocp.PyTreeCheckpointHandler())

    def ek_save() -> None:
        checkpoint.write(ek_path)

    def ox_save() -> None:
        orbax_ckptr.save(ox_path, args=ocp.args.PyTreeSave(arrays))

    def remove_ek() -> None:
        shutil.rmtree(ek_path, ignore_errors=True)

    def remove_ox() -> None:
        shutil.rmtree(ox_path, ignore_errors=True)

    def ek_restore() -> None:
        checkpoint.read(ek_path).assert_consumed()
        jax.block_until_ready([v._value for v in model.weights])

    target = {k: jax.ShapeDtypeStruct(a.shape, a.dtype, sharding=a.sharding) for k, a in arrays.items()}
    restore_args = {k: ocp.ArrayRestoreArgs(sharding=a.sharding) for k, a in arrays.items()}

    def ox_restore() -> None:
        out = orbax_ckptr.restore(ox_path, args=ocp.args.PyTreeRestore(item=target, restore_args=restore_args))
        jax.block_until_ready(out)

    async_options = ek.train.CheckpointOptions(enable_async=True)

    try:
        ek_s, ox_s = _median_times([ek_save, ox_save], repeats, before=[remove_ek, remove_ox])
        ek_r, ox_r = _median_times([ek_restore, ox_restore], repeats)
        t_async = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            checkpoint.write(ek_path + "_async", options=async_options)
            t_async.append(time.perf_counter() - t0)
            checkpoint.sync()
    finally:
        if directory is None:
            shutil.rmtree(root, ignore_errors=True)
    return {
        "params": n_params,
        "variables": variables,
        "mib": n_params * 4 / 2**20,
        "repeats": repeats,
        "device": jax.devices()[0].device_kind,
        "directory": root,
        "save_s": {"eagerkit": ek_s, "orbax": ox_s},
        "restore_s": {"eagerkit": ek_r, "orbax": ox_r},
        "async_return_s": statistics.median(t_async),
    }


def rows(result: dict) -> list[dict]:
    """The runner's table rows: save and restore against orbax, and when an async save returns."""
    size = f"{result['params'] / 1e6:.0f}M f32 params"
    save, restore = result["save_s"], result["restore_s"]
    return [
        row("checkpoint", f"save, {size}", "s", save["eagerkit"], "orbax PyTreeCheckpointer", save["orbax"]),
        row("checkpoint", f"restore, {size}", "s", restore["eagerkit"], "orbax PyTreeCheckpointer", restore["orbax"]),
        row("checkpoint", f"async save: write() returns after, {size}", "s", result["async_return_s"], "-", None),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", type=int, default=50_000_000, help="total float32 parameters")
    parser.add_argument("--variables", type=int, default=4, help="how many Variables they are split into")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--dir", default=None, help="where to write (default: a temporary directory)")
    args = parser.parse_args()
    r = measure(args.params, args.variables, args.repeats, args.dir)
    print(f"{r['params'] / 1e6:.1f}M float32 parameters in {r['variables']} variables ({r['mib']:.0f} MiB)")
    where = r["directory"] if args.dir else "a temporary directory (removed)"
    print(f"device: {r['device']}, written under {where}")
    ek_s, ox_s = r["save_s"]["eagerkit"], r["save_s"]["orbax"]
    ek_r, ox_r = r["restore_s"]["eagerkit"], r["restore_s"]["orbax"]
    print(f"{'':28s}{'eagerkit':>10s}{'orbax':>10s}{'ratio':>8s}")
    print(f"{'save (s)':28s}{ek_s:10.3f}{ox_s:10.3f}{ek_s / ox_s:8.2f}")
    print(f"{'restore (s)':28s}{ek_r:10.3f}{ox_r:10.3f}{ek_r / ox_r:8.2f}")
    print(f"{'async save returns after (s)':28s}{r['async_return_s']:10.3f}")


if __name__ == "__main__":
    main()
