"""``ecr-access demo``: the rules, the runbooks and the dashboard on an embedded AWS account."""
