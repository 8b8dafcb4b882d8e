"""Boards and how they are reached: boards, flashers, transports, ports, processes.

A new board kind goes in ``boards/<kind>.py`` (registered in ``boards/registry.py``),
a new flasher in ``flashers/`` (``flashers/registry.py``), a new byte link in
``transports``. The lab inventory (``lab_inventory``) and labgrid places are here too.
"""
