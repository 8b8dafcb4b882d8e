"""Firmware synthesis: C from a quantized model, the UART test agent and board builds."""
