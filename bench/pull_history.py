"""`ecr-access pulls` on a generated month of CloudTrail logs: throughput and peak memory.

30 days × 24 hourly files, gzip, CloudTrail's S3 delivery format; 200 principals pulling
40-layer images from 50 repositories. Prints records/s, compressed MB/s, and the peak RSS
of a fresh `ecr-access pulls` process (memory must stay bounded by the summary, not the logs).
"""

import gzip
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DAYS, FILES_PER_DAY, RECORDS_PER_FILE = 30, 24, 1_200


def _record(rng: random.Random, day: int, hour: int, n: int) -> dict:
    who = rng.randrange(200)
    role = f"arn:aws:iam::111122223333:role/app-{who:03}"
    return {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "arn": f"arn:aws:sts::111122223333:assumed-role/app-{who:03}/task-{n % 7}",
            "accountId": "111122223333",
            "sessionContext": {"sessionIssuer": {"type": "Role", "arn": role, "accountId": "111122223333"}},
        },
        "eventTime": f"2026-11-{day:02}T{hour:02}:{n % 60:02}:{n % 59:02}Z",
        "eventSource": "ecr.amazonaws.com",
        "eventName": "GetDownloadUrlForLayer",
        "awsRegion": "us-east-1",
        "sourceIPAddress": f"10.0.{who % 250}.{n % 250}",
        "requestParameters": {
            "registryId": "111122223333",
            "repositoryName": f"team/svc-{who % 50}",
            "layerDigest": "sha256:" + f"{n:064x}",
        },
        "eventID": f"{day:02}{hour:02}{n:08}",
        "recipientAccountId": "111122223333",
        "vpcEndpointId": "vpce-0a1b2c3d",
    }


def main() -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "AWSLogs"
        root.mkdir()
        for day in range(1, DAYS + 1):
            for hour in range(FILES_PER_DAY):
                records = [_record(rng, day, hour, n) for n in range(RECORDS_PER_FILE)]
                with gzip.open(root / f"{day:02}-{hour:02}.json.gz", "wt") as handle:
                    json.dump({"Records": records}, handle)
        size = sum(p.stat().st_size for p in root.iterdir())
        total = DAYS * FILES_PER_DAY * RECORDS_PER_FILE
        command = [
            str(Path(sys.executable).parent / "ecr-access"),
            "pulls",
            "--cloudtrail",
            str(root),
            "--format",
            "json",
        ]
        started = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        subprocess.run(command, check=True, capture_output=True)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"{total:,} records in {DAYS * FILES_PER_DAY} files, {size / 1e6:.1f} MB gzip")
    print(f"{seconds:.1f} s: {total / seconds:,.0f} records/s, {size / 1e6 / seconds:.1f} MB/s compressed")
    print(f"peak RSS of the process: {max(peak, before) / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
