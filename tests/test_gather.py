"""chiplearn.gather without MPI: the ranks' parts of recordings and synapse tables are merged as one process
would have read them, each rank sets its own part of gathered values, and only rank 0 writes and prints.
Several ranks are played by handing the functions what the other ranks would contribute (tests/test_mpi.py
runs the real thing under mpirun)."""

import os

import numpy as np
import pytest

from chiplearn import files, gather


class FakeNest:
    """What gather asks of NEST: the process's rank and the number of processes."""

    def __init__(self, rank, processes):
        self._rank, self._processes = rank, processes

    def Rank(self):
        return self._rank

    def NumProcesses(self):
        return self._processes


class FakeSynapses:
    """A rank's part of a SynapseCollection: get() and set() of per-synapse values."""

    def __init__(self, table):
        self.table = {key: list(values) for key, values in table.items()}

    def __len__(self):
        return len(next(iter(self.table.values())))

    def get(self, keys):
        return {key: self.table[key] for key in keys}

    def set(self, rows):
        assert len(rows) == len(self)
        for i, row in enumerate(rows):
            for key, value in row.items():
                self.table[key][i] = value


def play_rank(monkeypatch, rank, processes, others):
    """Makes this process rank `rank` of `processes`; allgather returns others' values with ours at `rank`."""
    monkeypatch.setattr(gather, "_nest", lambda: FakeNest(rank, processes))
    contributions = iter(others)

    def allgather(value):
        parts = list(next(contributions))
        parts.insert(rank, value)
        return parts
    monkeypatch.setattr(gather, "allgather", allgather)


def test_a_recording_split_over_ranks_merges_into_the_whole_recording_in_time_order():
    rng = np.random.default_rng(3)
    # one sample per sender and step, as a multimeter records; the order within a rank is arbitrary
    senders, times = (array.ravel() for array in np.meshgrid(np.arange(5, 12), np.arange(1.0, 40.0)))
    values = rng.normal(size=senders.size)
    rank_of = rng.integers(0, 3, senders.size)
    parts = []
    for r in range(3):
        mine = np.flatnonzero(rank_of == r)
        rng.shuffle(mine)
        parts.append({"senders": senders[mine], "times": times[mine], "V_m": values[mine]})
    merged = gather.merge_events(parts, ["V_m"])
    expected = sorted(zip(times, senders, values))
    assert [tuple(row) for row in zip(merged["times"], merged["senders"], merged["V_m"])] == expected
    assert merged["senders"].dtype == senders.dtype


def test_a_rank_without_events_changes_neither_the_values_nor_their_type():
    parts = [{"senders": np.array([4, 3]), "times": np.array([2.0, 2.0])},
             {"senders": np.zeros(0), "times": np.zeros(0)}]
    merged = gather.merge_events(parts, [])
    assert merged["senders"].tolist() == [3, 4] and merged["senders"].dtype.kind == "i"
    empty = gather.merge_events([{"senders": np.zeros(0), "times": np.zeros(0)}] * 2, [])
    assert len(empty["senders"]) == 0


@pytest.mark.parametrize("counts", [[4, 3], [0, 5], [5, 0], [2, 0, 3]])
def test_gathered_synapse_values_go_back_to_the_rank_that_holds_them(monkeypatch, counts):
    """synapse_values then set_synapse_values, played on every rank: each rank gets back exactly its own
    synapses' values, whatever the split (a rank may hold none)."""
    offsets = np.concatenate([[0], np.cumsum(counts)])
    total = offsets[-1]
    tables = [{"source": list(range(offsets[r], offsets[r + 1])),
               "weight": [float(s) for s in range(offsets[r], offsets[r + 1])]} for r in range(len(counts))]
    new_weights = -np.arange(total, dtype=float) - 0.5
    for r, count in enumerate(counts):
        others_tables = [{key: np.asarray(values) for key, values in tables[o].items()}
                         for o in range(len(counts)) if o != r]
        play_rank(monkeypatch, r, len(counts), [others_tables, [c for o, c in enumerate(counts) if o != r]])
        synapses = FakeSynapses(tables[r])
        gathered = gather.synapse_values(synapses, ["source", "weight"])
        assert gathered["source"].tolist() == list(range(total))
        assert gathered["source"].dtype.kind == "i"
        gather.set_synapse_values(synapses, {"weight": new_weights[gathered["source"]]})
        assert synapses.table["weight"] == new_weights[offsets[r]:offsets[r + 1]].tolist()


def test_only_rank_0_writes_files_and_prints(monkeypatch, tmp_path, capsys):
    for rank in (1, 0):
        monkeypatch.setattr(gather, "_nest", lambda: FakeNest(rank, 2))
        files.save_json({"rank": rank}, tmp_path / "result.json")
        files.save_npz(tmp_path / "weights.npz", w=np.ones(2))
        gather.report(f"rank {rank} speaking")
        if rank == 1:
            assert os.listdir(tmp_path) == []
    assert sorted(os.listdir(tmp_path)) == ["result.json", "weights.npz"]
    assert capsys.readouterr().out == "rank 0 speaking\n"


def test_one_process_exchanges_nothing_and_needs_no_mpi(monkeypatch):
    monkeypatch.setattr(gather, "_nest", lambda: FakeNest(0, 1))
    value = {"senders": np.arange(3)}
    assert gather.allgather(value) == [value]
