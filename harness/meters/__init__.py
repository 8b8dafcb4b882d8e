"""Power meters: SCPI drivers, the simulated SCPI meter and the energy-per-inference method.

Layout (one concept per module):

* :mod:`harness.meters.base` - the :class:`~harness.meters.base.Meter` protocol, the
  configuration/trace records and the driver registry;
* :mod:`harness.meters.scpi` - one pyvisa session with timeouts and ``SYST:ERR?`` checks;
* :mod:`harness.meters.n6705` / :mod:`harness.meters.dmm6500` - real-instrument drivers;
* :mod:`harness.meters.sim_server` - a real SCPI socket server emulating the N6705 subset,
  driven by the simulated board's GPIO edge log (:mod:`harness.meters.edge_log`) and a
  labelled energy model (:mod:`harness.meters.energy_model`);
* :mod:`harness.meters.energy` - the measurement method (idle baseline, trigger-marked window);
* :mod:`harness.meters.session` - turns ``--meter`` into an open meter;
* :mod:`harness.meters.options` - the ``--meter*``/``--energy-*`` option rows.
"""
