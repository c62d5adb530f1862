"""Preventive controls: the SCP and RCP rendered from the rules' allow-list, and their impact."""
