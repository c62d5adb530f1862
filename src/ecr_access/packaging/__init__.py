"""Building what AWS runs: the rule Lambdas' deployment packages."""
