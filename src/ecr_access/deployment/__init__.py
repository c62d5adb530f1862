"""What deploys ecr-access: the conformance pack and CloudFormation templates, rendered from one source."""
