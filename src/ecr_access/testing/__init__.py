"""Test doubles for what moto cannot do: Config's side of a rule run, driven with real-shaped events."""
