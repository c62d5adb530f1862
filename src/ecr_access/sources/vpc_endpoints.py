"""Every VPC endpoint of a Region, with its policy document (``DescribeVpcEndpoints``, paginated).

One paginated listing is the whole sweep: the response carries each endpoint's service,
type, state and policy document, so there is no per-endpoint call. Endpoints being
deleted (``deleted``/``deleting``) are left out, as Config no longer evaluates them.
"""

from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ecr_access.config_rules.deadline import Deadline
from ecr_access.loaders.vpc_endpoints import EndpointRecord, endpoint_record
from ecr_access.sources.aws_errors import describe_error

GONE = frozenset({"deleted", "deleting"})


@dataclass(slots=True)
class EndpointSweep:
    records: list[EndpointRecord] = field(default_factory=list)
    listing_complete: bool = True
    failures: list[str] = field(default_factory=list)


def sweep_endpoints(ec2: Any, *, deadline: Deadline | None = None) -> EndpointSweep:
    sweep = EndpointSweep()
    try:
        for page in ec2.get_paginator("describe_vpc_endpoints").paginate(PaginationConfig={"PageSize": 1000}):
            for item in page.get("VpcEndpoints", ()):
                record = endpoint_record(item)
                if record is not None and (record.state or "").lower() not in GONE:
                    sweep.records.append(record)
            if deadline is not None and deadline.analysis_passed():
                sweep.listing_complete = False
                sweep.failures.append("VPC endpoint listing: not finished before the deadline")
                break
    except (ClientError, BotoCoreError) as exc:
        sweep.listing_complete = False
        sweep.failures.append(f"VPC endpoint listing: {describe_error(exc)}")
    return sweep
