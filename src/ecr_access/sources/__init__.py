"""Reading what the rules judge from AWS APIs: paginated, concurrent, retried, deadline-aware."""
