"""Remediation handlers: the code the SSM Automation runbooks run (rendered into remediation/*.yaml)."""
