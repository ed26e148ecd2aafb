"""The device interface v1 for third-party evaluator pads and kiosks (docs/devices.md)."""
