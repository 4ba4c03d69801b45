"""Build ``datasets/data.mat``, the 2-D dataset the Regularization notebook loads.

The original course ships a MATLAB file with 211 training and 200 test points on a
"football field" (x1 in about [-0.75, 0.4], x2 in about [-0.75, 0.65]) and 0/1 labels.
This script makes a dataset of the same format and shapes from a fixed seed: a wavy
class boundary plus label noise near it, so that an unregularized 2-20-3-1 network
overfits the training set and L2 or dropout visibly smooth the decision boundary. Run

    python assignments/regularization/build_dataset.py [OUT_DIR]

to write OUT_DIR/datasets/data.mat (OUT_DIR defaults to this script's folder). The
arrays are deterministic (``make_dataset``); the file bytes are not, because
scipy.io.savemat stamps the creation time into the header.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import scipy.io

TRAIN_SIZE = 211
TEST_SIZE = 200
SEED = 2017
# Fraction of points whose label is flipped; flips are drawn near the boundary.
NOISE = 0.09


def _points(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    x1 = rng.uniform(-0.72, 0.38, n)
    x2 = rng.uniform(-0.72, 0.62, n)
    margin = x2 - (0.12 * np.sin(7.0 * x1 + 0.8) - 0.05 - 0.35 * x1)
    y = (margin > 0).astype(float)
    near = np.argsort(np.abs(margin))[: int(4 * NOISE * n)]
    flip = rng.choice(near, size=int(NOISE * n), replace=False)
    y[flip] = 1.0 - y[flip]
    return np.stack([x1, x2], axis=1), y.reshape(-1, 1)


def make_dataset() -> dict[str, np.ndarray]:
    """The dataset as loadmat returns it: X (211, 2), y (211, 1), Xval (200, 2), yval (200, 1)."""
    rng = np.random.default_rng(SEED)
    X, y = _points(rng, TRAIN_SIZE)
    Xval, yval = _points(rng, TEST_SIZE)
    return {"X": X, "y": y, "Xval": Xval, "yval": yval}


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: ``build_dataset.py [OUT_DIR]``."""
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0]) if args else Path(__file__).resolve().parent
    path = out_dir / "datasets" / "data.mat"
    path.parent.mkdir(parents=True, exist_ok=True)
    scipy.io.savemat(path, make_dataset())
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
