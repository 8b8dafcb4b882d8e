"""Power meters: SCPI drivers, the simulated SCPI meter and the energy-per-inference method.

Layout (one concept per module):

* :mod:`~harness.meters.base` - the :class:`~harness.meters.base.Meter` protocol, the
  acquisition configuration and trace records, and the driver registry;
* :mod:`~harness.meters.scpi` - one pyvisa session with timeouts and ``SYST:ERR?`` checks;
* :mod:`~harness.meters.n6705`, :mod:`~harness.meters.dmm6500` - real-instrument drivers;
* :mod:`~harness.meters.sim_server` - a real SCPI socket server on loopback serving
  :mod:`~harness.meters.sim_instrument` (the emulated N6705 subset), whose rail comes from
  :mod:`~harness.meters.sim_signal` (the simulated board's GPIO edge log,
  :mod:`~harness.meters.edge_log`, and the labelled SIMULATED
  :mod:`~harness.meters.energy_model`);
* :mod:`~harness.meters.energy` - the measurement method (idle baseline, trigger-marked
  window, :mod:`~harness.meters.window_edges`);
* :mod:`~harness.meters.session` - turns ``--meter`` into an open, identified meter;
* :mod:`~harness.meters.hil_energy` - measures the board of a harness run (hil/test_energy.py);
* :mod:`~harness.meters.options` - the ``--meter*``/``--energy-*`` option rows;
* :mod:`~harness.meters.synthetic_bench` - writes BENCH edge logs without firmware (tests);
* :mod:`~harness.meters.errors` - the package's user-facing errors.
"""
