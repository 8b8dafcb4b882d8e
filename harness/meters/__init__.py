"""Power meters: SCPI drivers, the simulated SCPI meter and the energy-per-inference method.

Layout (one concept per module):

* :mod:`~harness.meters.base` - the :class:`~harness.meters.base.Meter` protocol, the
  acquisition configuration and trace records, and the driver registry;
* :mod:`~harness.meters.drivers.scpi` - one pyvisa session with timeouts and ``SYST:ERR?`` checks;
* :mod:`~harness.meters.drivers.n6705`, :mod:`~harness.meters.drivers.dmm6500` - real-instrument
  drivers;
* :mod:`~harness.meters.simulator.sim_server` - a real SCPI socket server on loopback serving
  :mod:`~harness.meters.simulator.sim_instrument` (the emulated N6705 subset), whose rail comes from
  :mod:`~harness.meters.simulator.sim_signal` (the simulated board's GPIO edge log,
  :mod:`~harness.meters.simulator.edge_log`, and the labelled SIMULATED
  :mod:`~harness.meters.simulator.energy_model`);
* :mod:`~harness.meters.method.energy` - the measurement method (idle baseline, trigger-marked
  window, :mod:`~harness.meters.method.window_edges`);
* :mod:`~harness.meters.glue.session` - turns ``--meter`` into an open, identified meter;
* :mod:`~harness.meters.glue.hil_energy` - measures the board of a harness run (hil/test_energy.py);
* :mod:`~harness.meters.glue.options` - the ``--meter*``/``--energy-*`` option rows;
* :mod:`~harness.meters.simulator.synthetic_bench` - writes BENCH edge logs without firmware
  (tests);
* :mod:`~harness.meters.errors` - the package's user-facing errors.
"""
