from ingest_connectors.simulator import generate


def test_same_seed_gives_byte_identical_output_serial_or_parallel(sim, hashes, tmp_path):
    again_out, again_truth = tmp_path / "landing", tmp_path / "truth"
    generate("test", seed=sim["seed"], defect_rate=sim["defect_rate"], out_dir=again_out, truth_dir=again_truth,
             workers=1)
    first = hashes(sim["out"], sim["truth"])
    second = hashes(again_out, again_truth)
    assert len(first) > 100
    assert first.keys() == second.keys()
    assert first == second


def test_other_seed_gives_other_data(sim, tmp_path):
    generate("test", seed=sim["seed"] + 1, defect_rate=sim["defect_rate"], out_dir=tmp_path / "l", truth_dir=tmp_path / "t", workers=1)
    a = (sim["truth"] / "subjects.csv").read_bytes()
    b = (tmp_path / "t" / "subjects.csv").read_bytes()
    assert a != b
