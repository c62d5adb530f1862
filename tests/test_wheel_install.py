"""The wheel works on its own, as `pipx install ecr-access` would use it: built from the repository,
installed in a fresh virtual environment (its dependencies taken from this one's site-packages, the
package itself only from the wheel), and run from a directory outside the clone: `ecr-access demo` and
`check-policy` find the rules, runbooks and examples the wheel ships."""

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    work = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-w",
            str(work),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    (wheel,) = work.glob("ecr_access-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    site = next((venv / "lib").glob("python3.*/site-packages"))
    with zipfile.ZipFile(wheel) as archive:  # what pip does for a pure wheel: unpack into site-packages
        archive.extractall(site)
    # the dependencies (boto3, rdklib, rich, moto…) from this environment, as plain paths: their .pth
    # files, among them the editable install of ecr_access, are not processed from there
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return wheel, venv / "bin" / "python", work


def run(python, *args, cwd):
    return subprocess.run(
        [str(python), "-c", "from ecr_access.cli.main import main; raise SystemExit(main())", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
        check=False,
    )


def test_the_wheel_ships_the_rules_runbooks_templates_and_examples(installed):
    wheel, _, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "ecr_access/_shipped/rules/ECR_REPO_NOT_PUBLIC/ECR_REPO_NOT_PUBLIC.py",
        "ecr_access/_shipped/rules/ECR_VPC_ENDPOINT_RESTRICTED/parameters.json",
        "ecr_access/_shipped/remediation/ECRAccess-RevokeLayerDownload.yaml",
        "ecr_access/_shipped/deploy/member.yaml",
        "ecr_access/_shipped/examples/public.json",
        "ecr_access/_shipped/conformance-pack.yaml",
    ):
        assert needed in names, needed
    assert not any("__pycache__" in n or n.endswith("_test.py") for n in names)


def test_the_installed_package_comes_from_the_wheel_not_the_clone(installed):
    _, python, work = installed
    probe = "import ecr_access, ecr_access.project_files as p; print(ecr_access.__file__, p.project_root())"
    where = subprocess.run(
        [str(python), "-c", probe], capture_output=True, text=True, cwd=work, check=True, timeout=60
    ).stdout
    assert str(ROOT / "src") not in where and "_shipped" in where


def test_check_policy_and_demo_run_from_the_wheel(installed):
    _, python, work = installed
    example = shutil.copy(ROOT / "examples" / "public.json", work / "public.json")
    checked = run(python, "check-policy", example, "--account", "111122223333", cwd=work)
    assert checked.returncode == 1 and "PUBLIC" in checked.stdout, checked.stderr
    demo = run(python, "demo", cwd=work)
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    assert "Before: ECR_REPO_NOT_PUBLIC" in demo.stdout
