"""Detective controls on use: CloudTrail pull events judged against the allow-list, and the pull history."""
