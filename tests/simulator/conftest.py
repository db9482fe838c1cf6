"""One small simulated landing zone per test session (the ``test`` preset, many defects)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ingest_connectors.simulator import generate

SEED = 20261127
DEFECT_RATE = 0.25  # high, so every defect kind shows up in ~1,500 rows


def tree_hashes(*roots: Path) -> dict[str, str]:
    out = {}
    for root in roots:
        for path in sorted(Path(root).rglob("*")):
            if path.is_file():
                out[f"{root.name}/{path.relative_to(root)}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="session")
def hashes():
    return tree_hashes


@pytest.fixture(scope="session")
def sim(tmp_path_factory):
    base = tmp_path_factory.mktemp("sim")
    out, truth = base / "landing", base / "truth"
    manifest = generate("test", seed=SEED, defect_rate=DEFECT_RATE, out_dir=out, truth_dir=truth, workers=2)
    return {"out": out, "truth": truth, "manifest": manifest, "seed": SEED, "defect_rate": DEFECT_RATE}
