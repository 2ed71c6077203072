"""Past one machine: the README's Dask recipe, run on a 2-worker LocalCluster that the test starts itself.

Needs the dask extra (`pip install 'ecoplan[dask]'`, which .ci/run installs); skipped without it.
"""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest

import ecoplan
from ecoplan.cluster import parse_to_data, parse_to_file
from ecoplan.schema import Plan
from ecoplan.validate import validate_file

pytestmark = pytest.mark.slow


def test_parse_file_results_pickle_and_their_json_dump_is_what_moves(seed_paths: list[Path]) -> None:
    plan = ecoplan.parse_file(str(seed_paths[0]))
    assert pickle.loads(pickle.dumps(plan)) == plan
    data = plan.model_dump(mode="json")
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert Plan.model_validate(data) == plan
    record = parse_to_data(str(seed_paths[0]))
    assert record["status"] == "parsed" and record["data"] == data


def test_dask_bag_over_paths_on_a_local_cluster(tmp_path: Path, seed_paths: list[Path]) -> None:
    db = pytest.importorskip("dask.bag")
    distributed = pytest.importorskip("dask.distributed")
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    paths = []
    for i, seed in enumerate(seed_paths):
        target = corpus / ("sub" if i % 2 else ".") / seed.name
        shutil.copy(seed, target)
        paths.append(str(target))
    broken = corpus / "broken.txt"
    broken.write_bytes(b"\x00\x01\x02 not a plan")
    paths.append(str(broken))
    paths.append(str(corpus / "missing.txt"))
    out = tmp_path / "out"

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  memory_limit=0) as cluster, distributed.Client(cluster):
        bag = db.from_sequence(paths, npartitions=4)
        records = bag.map(parse_to_file, out_dir=str(out), fmt="json", root=str(corpus)).compute()
        gathered = bag.map(parse_to_data).compute()

    by_input = {r["input"]: r for r in records}
    assert sorted(by_input) == sorted(paths)
    assert by_input[str(broken)]["status"] == "failed" and "not text" in by_input[str(broken)]["error"]
    assert by_input[str(corpus / "missing.txt")]["status"] == "failed"
    written = [r for r in records if r["status"] == "parsed"]
    assert len(written) == len(seed_paths)
    for record in written:
        output = Path(record["output"])
        assert output == out / Path(record["input"]).relative_to(corpus).with_suffix(".json")
        assert all(report.valid() for report in validate_file(str(output)))
    data = {r["input"]: r["data"] for r in gathered if r["status"] == "parsed"}
    for record in written:
        assert json.loads(Path(record["output"]).read_text(encoding="utf-8")) == data[record["input"]]
