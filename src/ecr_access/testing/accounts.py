"""Another account of the moto world: a boto3 session with credentials assumed into it.

moto keys every resource by the account its credentials belong to, and ``AssumeRole`` into any
account succeeds, so tests and benchmarks reach member accounts the way the product does.
"""

import boto3


def session_in(account: str, *, role: str = "setup", region: str = "us-east-1") -> boto3.Session:
    credentials = boto3.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName="ecr-access-test"
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )
