"""The harness's ``ferhil`` commands: ``run``, ``predict``, ``doctor``, ``history``.

``commands.register`` adds them to ``ferhil``; a new harness command goes here, and
``error_boundary`` wraps every command.
"""
