"""The ``ferhil`` command: the top layer that puts every package's subcommands together."""
