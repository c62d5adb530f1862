"""Generated files are rewritten only when their content changes, and replaced in one step."""

import os

from ecr_access.file_writes import write_if_changed


def test_unchanged_content_leaves_the_file_alone_and_changed_content_replaces_it(tmp_path):
    path = tmp_path / "deploy" / "member.yaml"
    assert write_if_changed(path, "a: 1\n") is True
    before = os.stat(path)
    assert write_if_changed(path, "a: 1\n") is False
    assert os.stat(path).st_ino == before.st_ino and path.read_text() == "a: 1\n"
    assert write_if_changed(path, b"a: 2\n") is True
    assert path.read_bytes() == b"a: 2\n" and os.stat(path).st_ino != before.st_ino  # a new file, renamed in
    assert [p.name for p in path.parent.iterdir()] == ["member.yaml"]  # no temporary left behind
