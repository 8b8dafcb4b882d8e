"""The HIL harness: pytest plugin, boards, flashers, transports, meters and the ferhil CLI."""
