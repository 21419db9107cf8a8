"""`orgraph import` given a path it cannot read says why in Chinese, with the exit code of any
refused input (7), before it opens the store (issue #18: a directory was "文件不存在", an
unreadable file Click's English "path … is not readable", exit 2)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orgraph.cli import app

runner = CliRunner()


def _import(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["import", *args])
    return result.exit_code, result.output


def test_a_directory_is_named_as_a_folder(tmp_path: Path) -> None:
    code, out = _import(str(tmp_path))
    assert code == 7 and "是文件夹，不是文件" in out, out


def test_a_missing_file(tmp_path: Path) -> None:
    code, out = _import(str(tmp_path / "没有这个文件.csv"))
    assert code == 7 and "文件不存在" in out, out


@pytest.mark.parametrize("where", ["file", "folder"])
def test_an_unreadable_file_is_said_in_chinese(where: str) -> None:
    """Root reads every file, so the command runs in a forked child that has become `nobody`
    (the same code path a clerk's account takes): a file of mode 600, or a file in a folder
    nobody may enter."""
    folder = Path(tempfile.mkdtemp(prefix="og-unreadable-"))
    try:
        _run_as_nobody(folder, where)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run_as_nobody(folder: Path, where: str) -> None:
    secret = folder / "花名册.csv"
    secret.write_text("姓名,人员编号\n张三,M1\n", encoding="utf-8")
    secret.chmod(0o600 if where == "file" else 0o644)
    folder.chmod(0o755 if where == "file" else 0o700)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop to nobody, run the command, report, exit at once
        try:
            os.close(read_end)
            if os.getuid() == 0:
                os.setgid(65534)
                os.setuid(65534)
            code, out = _import(str(secret))
            os.write(write_end, f"{code}\n{out}".encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        data = fh.read().decode()
    os.waitpid(pid, 0)
    code_text, _, out = data.partition("\n")
    assert code_text == "7", data
    assert "没有读取文件" in out and "权限" in out and "not readable" not in out, out
