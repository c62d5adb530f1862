"""Where repository and registry policies live in infrastructure as code, found with file and line."""
