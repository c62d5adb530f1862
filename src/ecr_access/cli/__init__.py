"""The ``ecr-access`` command line."""
