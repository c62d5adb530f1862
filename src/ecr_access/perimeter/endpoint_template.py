"""deploy/endpoint-policies.yaml: the ECR interface endpoints and the S3 gateway endpoint of one VPC,
with the policies ECR_VPC_ENDPOINT_RESTRICTED judges bounded.

- ``ecr.api`` and ``ecr.dkr``: Allow, then the perimeter's two Denies (endpoint_policies.py)
  rendered from the trust lists; the owner is the deploying account (``${AWS::AccountId}``).
- ``s3`` gateway: ``s3:GetObject`` on this Region's layer bucket only, to Principal ``*`` without
  conditions, as ECR's signed layer URLs need (ECR User Guide, "Amazon ECR interface VPC
  endpoints"); add your own buckets' statements if the VPC uses others.
"""

from collections.abc import Iterable
from typing import Any

from ecr_access.deployment.intrinsics import with_sub
from ecr_access.perimeter.endpoint_policies import endpoint_policy_document, perimeter_denies

OWNER = "${AWS::AccountId}"


def endpoint_policies_template(
    trusted_accounts: Iterable[str],
    trusted_org_ids: Iterable[str],
    third_party_registry_accounts: Iterable[str],
) -> dict[str, Any]:
    denies = perimeter_denies(OWNER, trusted_accounts, trusted_org_ids, third_party_registry_accounts)
    ecr_policy = with_sub(endpoint_policy_document(denies))
    layers = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EcrLayerDownloads",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": {
                    "Fn::Sub": "arn:${AWS::Partition}:s3:::prod-${AWS::Region}-starport-layer-bucket/*"
                },
            }
        ],
    }
    interface = {
        "VpcId": {"Ref": "VpcId"},
        "VpcEndpointType": "Interface",
        "PrivateDnsEnabled": True,
        "SubnetIds": {"Ref": "SubnetIds"},
        "SecurityGroupIds": {"Ref": "SecurityGroupIds"},
        "PolicyDocument": ecr_policy,
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "ecr-access network perimeter: ECR interface endpoints and the S3 gateway, bounded",
        "Parameters": {
            "VpcId": {"Type": "AWS::EC2::VPC::Id"},
            "SubnetIds": {
                "Type": "List<AWS::EC2::Subnet::Id>",
                "Description": "Subnets of the interface endpoints",
            },
            "SecurityGroupIds": {
                "Type": "List<AWS::EC2::SecurityGroup::Id>",
                "Description": "Allow HTTPS (443) from the workloads",
            },
            "RouteTableIds": {
                "Type": "CommaDelimitedList",
                "Description": "Route tables of the S3 gateway endpoint",
            },
        },
        "Resources": {
            "EcrApiEndpoint": {
                "Type": "AWS::EC2::VPCEndpoint",
                "Properties": {
                    **interface,
                    "ServiceName": {"Fn::Sub": "com.amazonaws.${AWS::Region}.ecr.api"},
                },
            },
            "EcrDkrEndpoint": {
                "Type": "AWS::EC2::VPCEndpoint",
                "Properties": {
                    **interface,
                    "ServiceName": {"Fn::Sub": "com.amazonaws.${AWS::Region}.ecr.dkr"},
                },
            },
            "S3GatewayEndpoint": {
                "Type": "AWS::EC2::VPCEndpoint",
                "Properties": {
                    "VpcId": {"Ref": "VpcId"},
                    "VpcEndpointType": "Gateway",
                    "ServiceName": {"Fn::Sub": "com.amazonaws.${AWS::Region}.s3"},
                    "RouteTableIds": {"Ref": "RouteTableIds"},
                    "PolicyDocument": layers,
                },
            },
        },
    }
