"""Amazon ECR limits the engine holds input to (ECR User Guide, "Amazon ECR service quotas")."""

# SetRepositoryPolicy accepts at most 10,240 characters.
ECR_POLICY_MAX_CHARS = 10_240
