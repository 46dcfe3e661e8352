"""scripts/custom_loop_example.py runs end to end on the real Fashion-MNIST files and learns."""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_custom_loop_example(tmp_path):
    env = dict(os.environ)
    env.setdefault("EAGERKIT_DATASETS", os.path.join(os.path.dirname(ROOT), "shared", "data"))
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [
            sys.executable,
            os.path.join(ROOT, "scripts", "custom_loop_example.py"),
            "--max-steps",
            "40",
            "--logdir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    acc = float(re.search(r"test accuracy ([0-9.]+)", proc.stdout).group(1))
    assert acc > 0.6  # 40 steps of batch 64 already beat chance (0.1) by far
    assert any(name.startswith("events.out.tfevents") for name in os.listdir(tmp_path))
    assert os.path.exists(tmp_path / "checkpoints" / "checkpoint")
