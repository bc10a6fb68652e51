"""Regression tests of the reliability issue's reproducers: no crash, no silent non-finite value, no
half-applied setting, no meaningless connection; NEST's e-prop names get the name to use instead.
Cases that once crashed the process run in a subprocess, so that a crash fails the test instead of the run."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

SYNAPSE = "eprop_synapse_chiplearn"


def run_isolated(code, timeout=120):
    """Runs Python code in a fresh process; returns (exit code, stdout, stderr). A negative code is a signal."""
    process = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                             timeout=timeout)
    return process.returncode, process.stdout, process.stderr


def eprop_kernel(nest, interval=20.0, window=10.0):
    nest.resolution = 1.0
    nest.set(eprop_update_interval=interval, eprop_learning_window=window)


def constant_target(nest, readout, value, weight=1.0):
    """A step_rate_generator giving the readout the target `value` (times the connection weight) from 1 ms on."""
    target = nest.Create("step_rate_generator", params={"amplitude_times": [1.0], "amplitude_values": [value]})
    nest.Connect(target, readout, syn_spec={"synapse_model": "rate_connection_delayed", "delay": 1.0,
                                            "receptor_type": 2, "weight": weight})


def learning_pair(nest, weight=0.5):
    """Two e-prop neurons, the first driven to spike, connected by an e-prop synapse."""
    pre = nest.Create("eprop_iaf_chiplearn", params={"I_e": 600.0})
    post = nest.Create("eprop_iaf_chiplearn")
    nest.Connect(pre, post, syn_spec={"synapse_model": SYNAPSE, "delay": 1.0, "weight": weight})
    return pre, post, nest.GetConnections(pre, post)


def test_a_huge_batch_size_does_not_crash():
    code, out, err = run_isolated("""
        import nest, chiplearn
        nest.verbosity = nest.VerbosityLevel.ERROR
        chiplearn.install()
        # batch_size times the default update interval (10,000 steps) is a multiple of 2^64
        nest.SetDefaults("eprop_synapse_chiplearn", {"optimizer": {"batch_size": 2**60, "eta": 0.1}})
        nest.set(eprop_update_interval=20.0, eprop_learning_window=10.0)
        nest.SetDefaults("eprop_synapse_chiplearn", {"optimizer": {"eta": 0.2}})
        pre = nest.Create("eprop_iaf_chiplearn", params={"I_e": 600.0})
        post = nest.Create("eprop_iaf_chiplearn")
        nest.Connect(pre, post, syn_spec={"synapse_model": "eprop_synapse_chiplearn", "delay": 0.1, "weight": 0.5})
        nest.Simulate(100.0)
        print(nest.GetConnections(pre, post).get("weight"))
    """)
    assert code == 0, err
    assert float(out.split()[-1]) == 0.5  # the batch never completes: the weight is untouched


def test_a_refused_batch_size_is_not_used_for_a_new_learning_rate():
    code, out, err = run_isolated("""
        import nest, chiplearn
        nest.verbosity = nest.VerbosityLevel.ERROR
        chiplearn.install()
        try:
            nest.SetDefaults("eprop_synapse_chiplearn", {"optimizer": {"batch_size": 0, "eta": 0.1}})
        except nest.NESTErrors.BadProperty as error:
            print("refused:", error)
        print(nest.GetDefaults("eprop_synapse_chiplearn")["optimizer"]["eta"])
    """)
    assert code == 0, err
    assert "optimizer batch_size = 0 is out of range" in out and out.split()[-1] == "0.0001"


def test_a_non_finite_incoming_signal_is_a_numerical_instability(nest_kernel):
    nest = nest_kernel
    eprop_kernel(nest)
    readout = nest.Create("eprop_readout_chiplearn")
    constant_target(nest, readout, 1.0, weight=float("-inf"))
    with pytest.raises(nest.NESTErrors.NumericalInstability, match=r"eprop_readout_chiplearn \(node 1\): target_signal"):
        nest.Simulate(10.0)


def test_adam_epsilon_must_be_positive(nest_kernel):
    nest = nest_kernel
    with pytest.raises(nest.NESTErrors.BadProperty, match="optimizer epsilon = 0 is out of range; allowed: 0 <"):
        nest.SetDefaults(SYNAPSE, {"optimizer": {"type": "adam", "epsilon": 0.0}})
    assert nest.GetDefaults(SYNAPSE)["optimizer"]["epsilon"] == 1e-7
    assert nest.GetDefaults(SYNAPSE)["optimizer"]["type"] == "gradient_descent"


def test_adam_defaults_equal_nests(nest_kernel):
    nest = nest_kernel
    for model in (SYNAPSE, "eprop_synapse_bsshslm_2020"):
        nest.SetDefaults(model, {"optimizer": {"type": "adam"}})
    ours, nests = nest.GetDefaults(SYNAPSE)["optimizer"], nest.GetDefaults("eprop_synapse_bsshslm_2020")["optimizer"]
    for key in ("beta_1", "beta_2", "epsilon", "eta", "batch_size", "Wmin", "Wmax"):
        assert ours[key] == nests[key], key


@pytest.mark.parametrize("V_start", [0.0, 800.0])
def test_cross_entropy_signals_are_finite_and_the_softmax(nest_kernel, V_start):
    """From the first step on, and with membrane potentials far beyond exp's range (exp(800) = inf)."""
    nest = nest_kernel
    eprop_kernel(nest, interval=30.0, window=30.0)
    readouts = nest.Create("eprop_readout_chiplearn", 3, params={"loss": "cross_entropy", "C_m": 1.0, "tau_m": 50.0})
    readouts[0].V_m = V_start
    readouts[1].set(V_m=V_start - 3.0, I_e=-2.0)
    readouts[2].set(V_m=-V_start, I_e=4.0)
    nest.Connect(readouts, readouts, {"rule": "all_to_all", "allow_autapses": False},
                 {"synapse_model": "rate_connection_delayed", "delay": 1.0, "weight": 1.0, "receptor_type": 1})
    multimeter = nest.Create("multimeter", {"interval": 1.0, "record_from": ["readout_signal", "error_signal", "V_m"]})
    nest.Connect(multimeter, readouts)
    nest.Simulate(100.0)
    events = multimeter.events
    order = np.lexsort((events["times"], events["senders"]))
    y = np.asarray(events["readout_signal"])[order].reshape(3, -1)
    V = np.asarray(events["V_m"])[order].reshape(3, -1)
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(events["error_signal"]))
    # from the first full trial on: y(t) = softmax of V(t - 1) over the readouts (stable numpy form)
    steps = np.arange(y.shape[1])
    trial = (steps + 1 >= 4 + 30) & (steps + 1 < 4 + 60)  # recorded at t + 1 for the readouts' step t
    expected = np.exp(V[:, :-1] - V[:, :-1].max(axis=0)) / np.exp(V[:, :-1] - V[:, :-1].max(axis=0)).sum(axis=0)
    np.testing.assert_allclose(y[:, 1:][:, trial[1:]], expected[:, trial[1:]], rtol=1e-12, atol=1e-300)


def test_a_non_finite_membrane_is_a_numerical_instability(nest_kernel):
    nest = nest_kernel
    neuron = nest.Create("eprop_iaf_chiplearn", params={"E_L": 1e308, "V_m": 1e308})  # threshold -55 mV: far below
    with pytest.raises(nest.NESTErrors.NumericalInstability, match=r"eprop_iaf_chiplearn \(node 1\): V_m = "):
        nest.Simulate(10.0)
    assert neuron.global_id == 1


def test_a_tiny_capacitance_is_refused(nest_kernel):
    nest = nest_kernel
    with pytest.raises(nest.NESTErrors.BadProperty, match="C_m = 5e-324 pF is out of range"):
        nest.Create("eprop_iaf_chiplearn", params={"C_m": 5e-324})


def test_an_extreme_learning_rate_gives_finite_weights_or_a_numerical_instability(nest_kernel):
    nest = nest_kernel
    eprop_kernel(nest)
    nest.SetDefaults(SYNAPSE, {"optimizer": {"eta": 1e300, "Wmin": -1e300, "Wmax": 1e300}})
    readout = nest.Create("eprop_readout_chiplearn")
    pre = nest.Create("eprop_iaf_chiplearn", params={"I_e": 600.0})
    nest.Connect(pre, readout, syn_spec={"synapse_model": SYNAPSE, "delay": 1.0, "weight": 1e299})
    constant_target(nest, readout, -1e300)
    with pytest.raises(nest.NESTErrors.NumericalInstability, match="eprop_synapse_chiplearn .*not finite"):
        nest.Simulate(200.0)


def test_a_readout_cannot_be_the_source_of_an_eprop_synapse(nest_kernel):
    nest = nest_kernel
    eprop_kernel(nest)
    readout, neuron = nest.Create("eprop_readout_chiplearn"), nest.Create("eprop_iaf_chiplearn")
    with pytest.raises(nest.NESTErrors.IllegalConnection, match="eprop_readout_chiplearn never spikes"):
        nest.Connect(readout, neuron, syn_spec={"synapse_model": SYNAPSE, "delay": 1.0})


@pytest.mark.parametrize("connection", ["eprop_learning_signal_connection_chiplearn",
                                        "eprop_learning_signal_connection_bsshslm_2020"])
def test_learning_signals_come_only_from_chiplearn_readouts(nest_kernel, connection):
    nest = nest_kernel
    eprop_kernel(nest)
    nest_readout, neuron = nest.Create("eprop_readout_bsshslm_2020"), nest.Create("eprop_iaf_chiplearn")
    with pytest.raises(nest.NESTErrors.IllegalConnection, match="only from eprop_readout_chiplearn, not from "
                                                                "eprop_readout_bsshslm_2020"):
        nest.Connect(nest_readout, neuron, syn_spec={"synapse_model": connection, "delay": 1.0})
    nest.Connect(nest.Create("eprop_readout_chiplearn"), neuron, syn_spec={"synapse_model": connection, "delay": 1.0})


def test_the_learning_signal_connection_reaches_only_chiplearn_neurons(nest_kernel):
    nest = nest_kernel
    eprop_kernel(nest)
    readout = nest.Create("eprop_readout_chiplearn")
    for target in ("eprop_iaf_bsshslm_2020", "eprop_readout_chiplearn"):
        with pytest.raises(nest.NESTErrors.IllegalConnection, match="connects chiplearn's readouts to chiplearn's "
                                                                    f"recurrent neurons .*not to {target}"):
            nest.Connect(readout, nest.Create(target), syn_spec={
                "synapse_model": "eprop_learning_signal_connection_chiplearn", "delay": 1.0})


def test_the_learning_signal_connection_takes_only_a_one_step_delay(nest_kernel):
    """The recurrent neurons place a learning signal by its stamp, as e-prop's one-step delays make it: another
    delay would be ignored, so it is refused at Connect and at SetStatus (a refused SetStatus changes nothing)."""
    nest = nest_kernel
    eprop_kernel(nest)
    readout, neuron = nest.Create("eprop_readout_chiplearn"), nest.Create("eprop_iaf_chiplearn")
    spec = {"synapse_model": "eprop_learning_signal_connection_chiplearn", "weight": 0.5}
    message = r"eprop_learning_signal_connection_chiplearn: delay = {} ms is out of range; allowed: one simulation step \(1 ms\)"
    with pytest.raises(nest.NESTErrors.BadProperty, match=message.format(2)):
        nest.Connect(readout, neuron, syn_spec={**spec, "delay": 2.0})
    nest.SetDefaults("eprop_learning_signal_connection_chiplearn", {"delay": 3.0})  # checked when connecting with it
    with pytest.raises(nest.NESTErrors.BadProperty, match=message.format(3)):
        nest.Connect(readout, neuron, syn_spec=spec)
    assert len(nest.GetConnections(readout, neuron)) == 0
    nest.Connect(readout, neuron, syn_spec={**spec, "delay": 1.0})
    connection = nest.GetConnections(readout, neuron)
    with pytest.raises(nest.NESTErrors.BadProperty, match=message.format(4)):
        connection.set(delay=4.0, weight=2.0)
    assert connection.get(["delay", "weight"]) == {"delay": 1.0, "weight": 0.5}
    connection.set(delay=1.0, weight=2.0)
    assert connection.get(["delay", "weight"]) == {"delay": 1.0, "weight": 2.0}


def test_a_delay_other_than_one_step_is_refused_after_connecting_too(nest_kernel):
    nest = nest_kernel
    eprop_kernel(nest)
    _, _, connection = learning_pair(nest)
    with pytest.raises(nest.NESTErrors.BadProperty, match="delay = 2.5 ms is out of range; allowed: one simulation step"):
        connection.set(delay=2.5)
    assert connection.get("delay") == 1.0


def test_refused_synapse_settings_change_nothing(nest_kernel):
    nest = nest_kernel
    eprop_kernel(nest)
    before = nest.GetDefaults(SYNAPSE)["optimizer"]
    with pytest.raises(nest.NESTErrors.BadProperty, match="Wmax = -3 leave out the model's default weight 1"):
        nest.SetDefaults(SYNAPSE, {"optimizer": {"Wmax": -3.0}})
    with pytest.raises(nest.NESTErrors.BadProperty, match='optimizer setting "learning_rate" is unknown or read-only; the learning '
                                                          "rate is eta"):
        nest.SetDefaults(SYNAPSE, {"optimizer": {"learning_rate": 3.0, "eta": 0.5}})
    with pytest.raises(nest.NESTErrors.BadProperty, match='optimizer setting "optimize_each_step" is unknown'):
        nest.SetDefaults(SYNAPSE, {"optimizer": {"optimize_each_step": False, "batch_size": 4}})
    assert nest.GetDefaults(SYNAPSE)["optimizer"] == before
    _, _, connection = learning_pair(nest)
    with pytest.raises(nest.NESTErrors.BadProperty, match='synapse property "m" is unknown or read-only; the Adam '
                                                          "state of a synapse is adam_m"):
        connection.set({"weight": 0.25, "m": 1.0})
    assert connection.get("weight") == 0.5


def test_the_weight_range_cannot_narrow_while_connections_exist(nest_kernel):
    nest = nest_kernel
    eprop_kernel(nest)
    learning_pair(nest, weight=80.0)
    with pytest.raises(nest.NESTErrors.BadProperty, match="Wmin and Wmax can only widen while connections"):
        nest.SetDefaults(SYNAPSE, {"optimizer": {"Wmax": 50.0}})
    nest.SetDefaults(SYNAPSE, {"optimizer": {"Wmax": 200.0, "Wmin": -200.0}})
    assert nest.GetDefaults(SYNAPSE)["optimizer"]["Wmax"] == 200.0


@pytest.mark.parametrize("model", ["eprop_iaf_chiplearn", "eprop_iaf_adapt_chiplearn", "eprop_readout_chiplearn"])
def test_a_status_with_an_unknown_key_changes_nothing(nest_kernel, model):
    nest = nest_kernel
    neuron = nest.Create(model)
    with pytest.raises(nest.NESTErrors.BadProperty, match='parameter "tau_mem" is unknown or read-only'):
        neuron.set({"tau_m": 30.0, "V_m": -60.0, "tau_mem": 3.0})
    assert neuron.get("tau_m") == 10.0 and neuron.get("V_m") != -60.0
    with pytest.raises(nest.NESTErrors.BadProperty, match='parameter "recordables" is unknown or read-only'):
        nest.SetDefaults(model, {"tau_m": 30.0, "recordables": ["V_m"]})
    assert nest.GetDefaults(model, "tau_m") == 10.0


@pytest.mark.parametrize("name, hint", [
    ("flush_event_send_interval", "need no flush events"),
    ("kappa", "tau_m_readout"),
    ("kappa_reg", "c_reg, f_target"),
    ("eprop_isi_trace_cutoff", "without a cutoff"),
])
def test_nest_names_are_refused_with_the_name_to_use(nest_kernel, name, hint):
    nest = nest_kernel
    neuron = nest.Create("eprop_iaf_chiplearn")
    with pytest.raises(nest.NESTErrors.BadProperty, match=f'parameter "{name}" is unknown or read-only; .*{hint}'):
        neuron.set({name: 1.0})


@pytest.mark.parametrize("interval", [float("nan"), 1e12, 2.0])
def test_an_update_interval_out_of_range_is_a_bad_property(nest_kernel, interval):
    nest = nest_kernel
    nest.resolution = 1.0
    nest.set(eprop_update_interval=interval, eprop_learning_window=1.0)
    learning_pair(nest)
    with pytest.raises(nest.NESTErrors.BadProperty, match="eprop_update_interval = .* ms is out of range; allowed: 3 ms <"):
        nest.Simulate(5.0)


def test_learning_signals_start_with_the_first_trial(nest_kernel):
    """The steps before the first update interval belong to no trial: no error, no learning signal."""
    nest = nest_kernel
    eprop_kernel(nest)
    neuron, readout = nest.Create("eprop_iaf_chiplearn"), nest.Create("eprop_readout_chiplearn")
    nest.Connect(nest.Create("eprop_iaf_chiplearn"), neuron, syn_spec={"synapse_model": SYNAPSE, "delay": 1.0})
    nest.Connect(readout, neuron, syn_spec={"synapse_model": "eprop_learning_signal_connection_chiplearn",
                                            "delay": 1.0, "weight": 1.0})
    constant_target(nest, readout, 3.0)
    recorder = nest.Create("multimeter", {"record_from": ["learning_signal"], "interval": 1.0})
    nest.Connect(recorder, neuron)
    nest.Simulate(45.0)
    L = np.asarray(recorder.events["learning_signal"])[np.argsort(recorder.events["times"])]
    # L[t]: the learning signal of step t - 3, which has arrived by step t (readout, normalization, feedback: one
    # step each). Trial k of the recurrent neuron covers the steps 2 + 20 k to 21 + 20 k, its window the last 10.
    shown_step = np.arange(len(L)) - 3
    in_window = ((shown_step >= 12) & (shown_step < 22)) | ((shown_step >= 32) & (shown_step < 42))
    np.testing.assert_array_equal(L[in_window], -3.0)
    np.testing.assert_array_equal(L[~in_window], 0.0)


@pytest.mark.parametrize("weight", [float("inf"), -float("inf")])
def test_a_non_finite_feedback_weight_is_caught_outside_the_learning_window_too(nest_kernel, weight):
    """The feedback connection drops signals that are 0 (outside the learning window) before they reach the
    neuron, but a non-finite weight times 0 is not 0: the neuron's finiteness check still sees it in the first
    steps, long before the window."""
    nest = nest_kernel
    eprop_kernel(nest, interval=1000.0, window=10.0)
    neuron, readout = nest.Create("eprop_iaf_chiplearn"), nest.Create("eprop_readout_chiplearn")
    nest.Connect(nest.Create("eprop_iaf_chiplearn"), neuron, syn_spec={"synapse_model": SYNAPSE, "delay": 1.0})
    nest.Connect(readout, neuron, syn_spec={"synapse_model": "eprop_learning_signal_connection_chiplearn",
                                            "delay": 1.0, "weight": weight})
    constant_target(nest, readout, 3.0)
    with pytest.raises(nest.NESTErrors.NumericalInstability, match="learning_signal"):
        nest.Simulate(20.0)


def test_install_and_reset_cycles_keep_memory_flat_and_results_equal():
    """100 cycles of ResetKernel, install, a learning network and a simulation: the same spikes every cycle
    (nothing leaks from one kernel into the next) and resident memory flat after the first cycles."""
    code, out, err = run_isolated("""
        import os, nest, chiplearn
        nest.verbosity = nest.VerbosityLevel.ERROR

        def rss_mb():
            with open("/proc/self/statm") as stream:
                return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

        memory, spike_counts = {}, set()
        for cycle in range(1, 101):
            nest.ResetKernel()
            chiplearn.install()
            nest.resolution = 1.0
            nest.set(eprop_update_interval=50.0, eprop_learning_window=10.0)
            try:  # a refused setting in every cycle
                nest.SetDefaults("eprop_synapse_chiplearn", {"delay": -1.0})
            except nest.NESTError:
                pass
            pre = nest.Create("eprop_iaf_chiplearn", 20, params={"I_e": 400.0})
            post = nest.Create("eprop_iaf_adapt_chiplearn", 20)
            out = nest.Create("eprop_readout_chiplearn", 2, params={"loss": "cross_entropy"})
            nest.Connect(pre, post, syn_spec={"synapse_model": "eprop_synapse_chiplearn", "delay": 1.0, "weight": 0.3})
            nest.Connect(post, out, syn_spec={"synapse_model": "eprop_synapse_chiplearn", "delay": 1.0, "weight": 0.3})
            nest.Connect(out, post, syn_spec={"synapse_model": "eprop_learning_signal_connection_chiplearn",
                                              "delay": 1.0})
            nest.Connect(out, out, {"rule": "all_to_all", "allow_autapses": False},
                         {"synapse_model": "rate_connection_delayed", "delay": 1.0, "receptor_type": 1})
            recorder = nest.Create("spike_recorder")
            nest.Connect(pre + post, recorder)
            nest.Simulate(500.0)
            spike_counts.add(recorder.n_events)
            memory[cycle] = rss_mb()
        print(len(spike_counts), min(spike_counts), memory[10], memory[100])
    """)
    assert code == 0, err
    distinct, spikes, at_10, at_100 = (float(x) for x in out.strip().splitlines()[-1].split())
    assert distinct == 1 and spikes > 100
    assert at_100 - at_10 < 5.0, f"resident memory grew from {at_10:.1f} MB to {at_100:.1f} MB"


def test_a_long_update_interval_does_not_allocate_its_length_up_front():
    """The steps before the first trial (interval -1, which starts a whole interval before time 0) are not
    recorded: with a 10^6-step interval they used to be padded with 16 MB of zeros per learning neuron."""
    code, out, err = run_isolated("""
        import os, nest, chiplearn
        nest.verbosity = nest.VerbosityLevel.ERROR
        chiplearn.install()

        def rss_mb():
            with open("/proc/self/statm") as stream:
                return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

        nest.resolution = 1.0
        nest.set(eprop_update_interval=1e6, eprop_learning_window=10.0)
        pre = nest.Create("eprop_iaf_chiplearn", 5, params={"I_e": 500.0})
        post = nest.Create("eprop_iaf_chiplearn", 5)
        nest.Connect(pre, post, syn_spec={"synapse_model": "eprop_synapse_chiplearn", "delay": 1.0})
        before = rss_mb()
        nest.Simulate(100.0)
        print(rss_mb() - before)
    """)
    assert code == 0, err
    grown = float(out.strip().splitlines()[-1])
    assert grown < 40.0, f"{grown:.0f} MB for 100 steps of five learning neurons"  # 80 MB with the padding
