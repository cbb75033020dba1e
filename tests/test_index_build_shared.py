"""The address index on a volume shared by server replicas (issue 16): built once, atomically
(a temporary folder, then a rename), under a lock; loaded read-only by everyone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tzcld.geocode import register
from tzcld.geocode.register import INDEX_FORMAT, IndexMissing, build_index, index_lock, load_index

REPO = Path(__file__).resolve().parent.parent


def tiny_register(raw: Path, street: str = "Rue de Test") -> Path:
    """A synthetic ICAR register of three addresses (the build takes well under a second)."""
    raw.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(
        {
            "postcode": ["4020"] * 3,
            "municipality": ["Liège"] * 3,
            "street": [street] * 3,
            "housenumber": ["1", "2A", "3"],
            "lat": np.array([50.6480, 50.6490, 50.6500]),
            "lon": np.array([5.6150, 5.6160, 5.6170]),
            "icar_street_id": ["1"] * 3,
        }
    ).to_parquet(raw / register.ICAR_FILE)
    return raw


#: A "replica" starting: loads the index of argv[1] (building it if missing) with a slow build,
#: and writes what it did as one JSON line to argv[2].
REPLICA = """
import json, sys, time
from pathlib import Path
from tzcld.geocode import register
real = register._write_index
def slow(raw, out):
    with open(sys.argv[2], "a") as log:
        log.write(json.dumps({"build_start": time.time(), "pid": __import__("os").getpid()}) + "\\n")
    time.sleep(1.5)  # long enough for the other replica to arrive meanwhile
    real(raw, out)
    with open(sys.argv[2], "a") as log:
        log.write(json.dumps({"build_end": time.time()}) + "\\n")
register._write_index = slow
index = register.load_index(Path(sys.argv[1]))
with open(sys.argv[2], "a") as log:
    log.write(json.dumps({"loaded": len(index.number), "streets": list(index.s_name)}) + "\\n")
"""


def test_two_replicas_starting_together_build_once(tmp_path):
    raw = tiny_register(tmp_path / "raw")
    shared = tmp_path / "volume"
    shared.mkdir()
    folder = shared / "address_index"
    log = tmp_path / "log.jsonl"
    env = dict(os.environ, TZCLD_RAW_DIR=str(raw), PYTHONPATH=str(REPO))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", REPLICA, str(folder), str(log)], env=env, cwd=REPO, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    for p in procs:
        _, err = p.communicate(timeout=180)
        assert p.returncode == 0, err.decode()
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert sum("build_start" in e for e in events) == 1, events  # one build, the other waited
    loaded = [e for e in events if "loaded" in e]
    assert [e["loaded"] for e in loaded] == [3, 3] and all(e["streets"] == ["Rue de Test"] for e in loaded)
    # nothing half-written is left beside the index
    assert sorted(p.name for p in shared.iterdir()) == [".address_index.lock", "address_index"]
    assert json.loads((folder / "meta.json").read_text())["format"] == INDEX_FORMAT


def test_a_failed_build_leaves_the_index_as_it_was(tmp_path, monkeypatch):
    raw = tiny_register(tmp_path / "raw")
    folder = build_index(raw=raw, out=tmp_path / "idx")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    tiny_register(raw, street="Rue Nouvelle")

    def broken(raw_dir, out):
        (out / "address_x.npy").write_bytes(b"half")
        raise MemoryError("killed half-way")

    monkeypatch.setattr(register, "_write_index", broken)
    with pytest.raises(MemoryError):
        build_index(raw=raw, out=folder)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(".")) == [".idx.lock"]


def test_a_rebuild_swaps_the_whole_folder_and_waits_for_readers(tmp_path):
    raw = tiny_register(tmp_path / "raw")
    folder = build_index(raw=raw, out=tmp_path / "idx")
    tiny_register(raw, street="Rue Nouvelle")
    done = threading.Event()

    def rebuild():
        build_index(raw=raw, out=folder)
        done.set()

    with index_lock(folder, exclusive=False):  # a replica reading the index
        th = threading.Thread(target=rebuild)
        th.start()
        time.sleep(1.0)
        assert not done.is_set()  # the build waits for the reader before swapping
        assert list(register._read_index(folder).s_name) == ["Rue de Test"]
    th.join(timeout=120)
    assert done.is_set()
    assert list(load_index(folder).s_name) == ["Rue Nouvelle"]
    assert sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(".")) == [".idx.lock"]


def test_old_format_is_rebuilt_when_the_register_is_there(tmp_path, monkeypatch):
    raw = tiny_register(tmp_path / "raw")
    folder = build_index(raw=raw, out=tmp_path / "idx")
    meta = json.loads((folder / "meta.json").read_text())
    (folder / "meta.json").write_text(json.dumps({**meta, "format": INDEX_FORMAT - 1}))
    monkeypatch.setenv("TZCLD_RAW_DIR", str(raw))
    assert len(load_index(folder).number) == 3
    assert json.loads((folder / "meta.json").read_text())["format"] == INDEX_FORMAT


def test_a_read_only_index_is_loaded_without_writing(tmp_path, monkeypatch):
    """A container image: the index built at build time, then read where nothing can be
    written (no lock file can be created, and none is needed: nobody can rebuild there).
    Unwritable is simulated by lock files under /proc (refused even to root)."""
    raw = tiny_register(tmp_path / "raw")
    image = tmp_path / "image"
    folder = build_index(raw=raw, out=image / "address_index")
    os.unlink(register.lock_path(folder))
    before = sorted(p.name for p in image.rglob("*"))
    monkeypatch.setattr(register, "lock_path", lambda f: Path("/proc/tzcld-read-only") / f".{f.name}.lock")
    monkeypatch.setenv("TZCLD_ADDRESS_INDEX", str(folder))
    assert register.index_dir() == folder
    assert len(load_index().number) == 3
    with pytest.raises(IndexMissing, match="lecture seule"):
        build_index(raw=raw, out=image / "other")
    assert sorted(p.name for p in image.rglob("*")) == before  # nothing written


def test_index_folder_setting(monkeypatch, tmp_path, _isolated_data_dir):
    monkeypatch.delenv("TZCLD_ADDRESS_INDEX", raising=False)
    assert register.index_dir() == _isolated_data_dir / "address_index"
    monkeypatch.setenv("TZCLD_ADDRESS_INDEX", str(tmp_path / "idx"))
    assert register.index_dir() == tmp_path / "idx"


def test_an_index_of_an_older_format_without_the_register_is_refused_in_french(tmp_path, monkeypatch, capsys):
    """Format 4 stores memory-mapped arrays: a format-3 folder (parquet) cannot be read; with
    no register to rebuild it from, check-file says so and touches nothing."""
    from tzcld.cli import main

    raw = tiny_register(tmp_path / "raw")
    folder = build_index(raw=raw, out=tmp_path / "idx")
    meta = json.loads((folder / "meta.json").read_text())
    (folder / "meta.json").write_text(json.dumps({**meta, "format": 3}))
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    monkeypatch.setenv("TZCLD_RAW_DIR", str(tmp_path / "no-register"))
    monkeypatch.setenv("TZCLD_DATA_DIR", str(tmp_path / "data"))
    register.forget_geocoders()
    src = tmp_path / "in.csv"
    src.write_text("id;adresse\n1;Rue de Test 1, 4020 Liège\n", encoding="utf-8")
    code = main(["check-file", str(src), "-o", str(tmp_path / "out.csv"), "--index", str(folder)])
    err = capsys.readouterr().err
    assert code != 0 and "ancienne version" in err and "address-index build" in err
    assert "Traceback" not in err and not (tmp_path / "out.csv").exists()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
