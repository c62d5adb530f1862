"""The collector is paused only for the bulk phase, and restored whatever happens."""

import gc

import pytest

from ecr_access.cli.collector import collector_paused


@pytest.mark.parametrize("enabled_before", [True, False], ids=["enabled", "already-disabled"])
def test_the_collector_is_paused_then_restored_even_on_error(enabled_before):
    (gc.enable if enabled_before else gc.disable)()
    try:
        with pytest.raises(RuntimeError), collector_paused():
            assert not gc.isenabled()
            raise RuntimeError("the phase failed")
        assert gc.isenabled() is enabled_before
    finally:
        gc.enable()


def test_who_can_pull_leaves_the_collector_as_it_found_it(tmp_path, capsys):
    from ecr_access.cli.main import main

    path = tmp_path / "details.json"
    path.write_text('{"RoleDetailList": [], "UserDetailList": []}')
    gc.enable()
    assert main(["who-can-pull", "--authorization-details", str(path)]) == 0
    assert gc.isenabled()
