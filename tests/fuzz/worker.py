"""Runs fuzz cases in this process, one fresh NEST kernel each: reads "seed index" lines from standard input and
writes one JSON line of findings per case. Started by tests/fuzz/run.py, which restarts it if a case kills it."""

import json
import math
import os
import sys
import traceback

from cases import CHIPLEARN_NEURONS, LEARNING_CONNECTIONS, make_case

# exceptions with which NEST may end a simulation of accepted but extreme values: a named instability, or a
# kernel setting that the models refuse when the simulation starts
SIMULATION_REFUSALS = ("NumericalInstability", "BadProperty")


def plain(value):
    """A status value in a comparable form (NaN equal to NaN, numpy arrays as lists)."""
    if isinstance(value, dict):
        return {key: plain(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "tolist"):
        return plain(value.tolist())
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return value


def finite(values):
    try:
        return all(math.isfinite(float(v)) for v in values)
    except TypeError:
        return True


class Case:
    def __init__(self, nest, seed, index):
        self.nest, self.seed, self.index = nest, seed, index
        self.findings = {"refused": 0, "accepted": 0, "half_applied": [], "half_applied_nest": [], "nonfinite": [],
                         "unexpected": [], "unexpected_nest": []}
        self.groups = []
        self.copies = {}

    def chiplearn_model(self, model):
        return self.copies.get(model, model) in CHIPLEARN_NEURONS + LEARNING_CONNECTIONS

    def refusal(self, op, error, changed=None, by_module=True):
        self.findings["refused"] += 1
        if changed:
            self.findings["half_applied" if by_module else "half_applied_nest"].append(
                {"op": op, "error": f"{type(error).__name__}: {error}"[:300], "changed": changed[:300]})

    def run(self):
        nest = self.nest
        nest.ResetKernel()
        nest.verbosity = nest.VerbosityLevel.FATAL
        import chiplearn

        chiplearn.install()
        for op in make_case(self.seed, self.index):
            getattr(self, "op_" + op["op"])(op)
        return self.findings

    def attempt(self, op, action, snapshot=None, by_module=True):
        before = plain(snapshot()) if snapshot else None
        try:
            result = action()
        except Exception as error:  # NEST's errors, and PyNEST's type errors for wrong Python types
            after = plain(snapshot()) if snapshot else None
            changed = None if before == after else f"before {before} after {after}"
            self.refusal(op, error, changed, by_module)
            return None
        self.findings["accepted"] += 1
        return result

    def op_kernel(self, op):
        self.attempt(op, lambda: self.nest.set(**op["params"]))

    def op_create(self, op):
        nest = self.nest
        count = nest.network_size
        nodes = self.attempt(op, lambda: nest.Create(op["model"], op["n"], params=op["params"]),
                             snapshot=lambda: nest.network_size, by_module=False)
        if nodes is None and nest.network_size > count:  # NEST creates the nodes, then sets their status
            nodes = nest.NodeCollection(list(range(count + 1, nest.network_size + 1)))
        self.groups.append(nodes)

    def op_set(self, op):
        nodes = self.groups[op["node"]]
        if nodes is None:
            return
        model = nodes[0].get("model")
        self.attempt(op, lambda: nodes.set(op["params"]), snapshot=lambda: self.nest.GetStatus(nodes),
                     by_module=self.chiplearn_model(model))

    def op_defaults(self, op):
        self.attempt(op, lambda: self.nest.SetDefaults(op["model"], op["params"]),
                     snapshot=lambda: self.nest.GetDefaults(op["model"]), by_module=self.chiplearn_model(op["model"]))

    def op_copy(self, op):
        nest = self.nest
        self.attempt(op, lambda: nest.CopyModel(op["model"], op["new"], op["params"]),
                     snapshot=lambda: op["new"] in nest.node_models, by_module=False)
        self.copies[op["new"]] = op["model"]

    def op_connect(self, op):
        pre, post = self.groups[op["pre"]], self.groups[op["post"]]
        if pre is None or post is None:
            return
        nest = self.nest
        self.attempt(op, lambda: nest.Connect(pre, post, "all_to_all", op["syn"]),
                     snapshot=lambda: nest.num_connections, by_module=False)

    def op_conn_set(self, op):
        for model in LEARNING_CONNECTIONS:
            connections = self.nest.GetConnections(synapse_model=model)
            if len(connections) == 0:
                continue
            connection = connections[0]
            self.attempt(op, lambda: connection.set(op["params"]), snapshot=lambda: connection.get())

    def blame(self, error):
        """Whose failure an unexpected error of a simulation is: NEST's where NEST's own code is known to fail so
        (checked with NEST's models alone, see benchmarks/RESULTS.md), else the module's."""
        message = str(error)
        if "chiplearn" in message:
            return "unexpected"
        # a connection with a huge delay widens NEST's delay range even if it is refused, and the next
        # simulation cannot allocate buffers for it (also with NEST's static_synapse alone)
        if self.nest.GetKernelStatus("max_delay") > 1e9:
            return "unexpected_nest"
        # NEST's eprop_*_bsshslm_2020 models losing track of their own history
        if message.startswith("Expected in neuron with ID") and "e-prop history entry" in message:
            return "unexpected_nest"
        return "unexpected"

    def op_simulate(self, op):
        nest = self.nest
        recorders = []
        for nodes in self.groups:
            if nodes is None or not self.chiplearn_model(nodes[0].get("model")):
                continue
            multimeter = nest.Create("multimeter", {"interval": nest.resolution,
                                                    "record_from": list(nodes[0].get("recordables"))})
            nest.Connect(multimeter, nodes)
            recorders.append(multimeter)
        try:
            nest.Simulate(op["t"])
        except Exception as error:
            if type(error).__name__ in SIMULATION_REFUSALS:
                self.findings["refused"] += 1
            else:
                self.findings[self.blame(error)].append({"op": op, "error": f"{type(error).__name__}: {error}"[:300]})
            return
        self.findings["accepted"] += 1
        for multimeter in recorders:
            for key, values in multimeter.events.items():
                if key in ("senders", "times"):
                    continue
                # exp(V_m) of a readout above 709 mV is inf: the recordable's definition, not an error
                bad = [v for v in values if math.isnan(v) or (math.isinf(v) and key != "readout_signal_unnorm")]
                if bad:
                    self.findings["nonfinite"].append({"recordable": key, "values": plain(bad[:3])})
        for model in LEARNING_CONNECTIONS:
            connections = nest.GetConnections(synapse_model=model)
            weights = connections.get("weight") if len(connections) else []
            weights = [weights] if isinstance(weights, float) else weights  # one connection: a number
            if not finite(weights):
                self.findings["nonfinite"].append({"model": model, "weights": plain(weights)[:5]})


def main():
    # results go to the original standard output; whatever NEST prints goes to standard error
    results = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    import nest

    for line in sys.stdin:
        seed, index = (int(x) for x in line.split())
        try:
            findings = Case(nest, seed, index).run()
        except Exception:
            findings = {"unexpected": [{"error": traceback.format_exc()[-600:]}]}
        print(json.dumps({"seed": seed, "index": index, **findings}), file=results, flush=True)


if __name__ == "__main__":
    main()
