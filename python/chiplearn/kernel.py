"""The NEST kernel that chiplearn's trainings run in, and what the module's models say about themselves."""


def reset_kernel(threads, seed, update_interval_steps, learning_window_steps, reset_neurons_on_update):
    """Resets NEST to a 1 ms grid with chiplearn installed and e-prop's update interval (trial) and learning
    window, in steps, set: the kernel of every e-prop training in chiplearn, and of its benchmarks."""
    import nest

    import chiplearn

    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.ERROR
    chiplearn.install()
    # With a min_delay of one step NEST resizes its spike buffer nearly every step and appends each resize
    # to spike_buffer_resize_log, which is never trimmed and which every GetKernelStatus (PyNEST calls it
    # on each SynapseCollection get and set) copies: memory and the time of reading weights grow with every
    # trial. A buffer that only grows stops both.
    nest.set(resolution=1.0, local_num_threads=threads, rng_seed=seed, spike_buffer_shrink_limit=0.0,
             eprop_update_interval=float(update_interval_steps),
             eprop_learning_window=float(learning_window_steps),
             eprop_reset_neurons_on_update=reset_neurons_on_update)


def interval_offset(model):
    """Step at which a neuron model's trials start (trial k: from this step + k * eprop_update_interval), as
    the module reports it: the one-step hops of e-prop's signal chain put a readout's signals later than a
    recurrent neuron's steps."""
    import nest

    return int(nest.GetDefaults(model, "eprop_interval_offset"))


def receptor(model, name):
    """Receptor number of a named receptor of a neuron model (e.g. a readout's "target_signal")."""
    import nest

    return int(nest.GetDefaults(model, "receptor_types")[name])
