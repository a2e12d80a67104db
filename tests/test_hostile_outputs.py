"""Issue 11, outputs: a new --out is created exclusively (a racing second
writer gets "exists, use --force"), temporaries of a killed run are removed by
the next run, and the folder is fsynced after the rename."""
from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from xlbilling.errors import OutputError
from xlbilling.files import publish as outputs
from xlbilling.files.publish import atomic_write, atomic_write_all, atomic_write_bytes


def test_second_writer_onto_a_new_out_gets_exists(tmp_path):
    out = tmp_path / "billing.xlsx"

    def write_while_other_wins(tmp):
        Path(tmp).write_bytes(b"mine")
        out.write_bytes(b"the other run's workbook")   # modelled: a concurrent run published first
    with pytest.raises(OutputError, match=r"billing.xlsx: already exists.*--force"):
        atomic_write(out, write_while_other_wins, overwrite=False)
    assert out.read_bytes() == b"the other run's workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["billing.xlsx"]   # no temporary left


def test_exclusive_publish_without_hard_links_falls_back_to_o_excl(tmp_path, monkeypatch):
    def no_links(src, dst):
        raise PermissionError(1, "Operation not permitted")   # modelled: FAT / SMB share without hard links
    monkeypatch.setattr(outputs.os, "link", no_links)
    out = tmp_path / "x.csv"
    atomic_write_bytes(out, b"first", overwrite=False)
    assert out.read_bytes() == b"first"
    with pytest.raises(OutputError, match="already exists"):
        atomic_write_bytes(out, b"second", overwrite=False)
    assert out.read_bytes() == b"first" and len(list(tmp_path.iterdir())) == 1


def test_force_replaces_and_permissions_are_ordinary(tmp_path):
    out = tmp_path / "x.csv"
    atomic_write_bytes(out, b"old", overwrite=False)
    atomic_write_bytes(out, b"new", overwrite=True)
    mask = os.umask(0)
    os.umask(mask)
    assert out.read_bytes() == b"new" and stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask


class Refused(Exception):
    pass


@pytest.mark.parametrize("existing", [None, b"last run's workbook"])
def test_a_guard_failing_after_the_publish_undoes_it(tmp_path, existing):
    """The build's ledger commit runs after the publish: when it fails, the
    folder is as it was (the replaced file back, or no new name)."""
    out = tmp_path / "billing.xlsx"
    if existing is not None:
        out.write_bytes(existing)
    seen = []

    def commit_fails(publish):
        publish()
        seen.append(out.read_bytes())           # really published at this point
        raise Refused("commit refused")
    with pytest.raises(Refused):
        atomic_write(out, lambda tmp: Path(tmp).write_bytes(b"new workbook"), overwrite=existing is not None,
                     guard=commit_fails)
    assert seen == [b"new workbook"]
    assert (out.read_bytes() if out.exists() else None) == existing
    assert [p.name for p in tmp_path.iterdir()] == (["billing.xlsx"] if existing else [])   # no temporary


def test_a_guard_refusing_before_the_publish_publishes_nothing(tmp_path):
    out = tmp_path / "billing.xlsx"
    out.write_bytes(b"old")

    def refuse(publish):
        raise Refused("numbers taken meanwhile")
    with pytest.raises(Refused):
        atomic_write(out, lambda tmp: Path(tmp).write_bytes(b"new"), overwrite=True, guard=refuse)
    assert out.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["billing.xlsx"]


def test_a_publish_failing_inside_the_guard_reaches_it(tmp_path):
    """The guard sees the publish fail (so its transaction rolls back)."""
    out = tmp_path / "billing.xlsx"
    seen = []

    def guard(publish):
        out.write_bytes(b"the other run's")     # the name is taken before this run publishes
        try:
            publish()
        except OutputError as exc:
            seen.append(str(exc))
            raise
    with pytest.raises(OutputError, match="already exists"):
        atomic_write(out, lambda tmp: Path(tmp).write_bytes(b"mine"), overwrite=False, guard=guard)
    assert len(seen) == 1 and out.read_bytes() == b"the other run's"
    assert [p.name for p in tmp_path.iterdir()] == ["billing.xlsx"]


def _writes(*contents: bytes):
    return [lambda tmp, c=c: Path(tmp).write_bytes(c) for c in contents]


@pytest.mark.parametrize("overwrite", [False, True])
def test_files_published_together_are_undone_together_when_the_guard_fails(tmp_path, overwrite):
    """atomic_write_all (a Xero export in parts): the guard sees every part
    published; when it fails after that, none of them is left (or the replaced
    ones are back)."""
    outs = [tmp_path / f"xero-{n}.csv" for n in (1, 2, 3)]
    if overwrite:
        for n, out in enumerate(outs, 1):
            out.write_bytes(b"last run's part %d" % n)
    seen = []

    def commit_fails(publish):
        publish()
        seen.append([out.read_bytes() for out in outs])
        raise Refused("commit refused")
    with pytest.raises(Refused):
        atomic_write_all(list(zip(outs, _writes(b"new 1", b"new 2", b"new 3"))), overwrite=overwrite,
                         guard=commit_fails)
    assert seen == [[b"new 1", b"new 2", b"new 3"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == ([o.name for o in outs] if overwrite else [])
    if overwrite:
        assert [o.read_bytes() for o in outs] == [b"last run's part 1", b"last run's part 2", b"last run's part 3"]


def test_a_later_part_failing_to_publish_takes_back_the_earlier_ones(tmp_path):
    """The second part's name is a folder (really: os.replace refuses it): the
    first part, already published, is put back as it was; the guard saw the
    failure (its transaction rolls back)."""
    first, second = tmp_path / "xero-1.csv", tmp_path / "xero-2.csv"
    first.write_bytes(b"last run's part 1")
    second.mkdir()
    seen = []

    def guard(publish):
        try:
            publish()
        except OSError as exc:
            seen.append(type(exc).__name__)
            raise
    with pytest.raises(OSError):
        atomic_write_all([(first, _writes(b"new 1")[0]), (second, _writes(b"new 2")[0])], overwrite=True,
                         guard=guard)
    assert seen == ["IsADirectoryError"]
    assert first.read_bytes() == b"last run's part 1" and list(second.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xero-1.csv", "xero-2.csv"]   # no temporary


def test_one_file_published_together_is_atomic_write(tmp_path):
    out = tmp_path / "qbo.csv"
    atomic_write_all([(out, _writes(b"one")[0])], overwrite=False)
    assert out.read_bytes() == b"one"
    with pytest.raises(OutputError, match="already exists"):
        atomic_write_all([(out, _writes(b"two")[0])], overwrite=False)
    with pytest.raises(ValueError):
        atomic_write_all([])


def test_temporaries_of_a_killed_run_are_removed_by_the_next(tmp_path):
    out = tmp_path / "billing.xlsx"
    code = ("import sys, time; from xlbilling.files.publish import atomic_write\n"
            "def slow(tmp):\n"
            "    open(tmp, 'wb').write(b'x' * 150000); print('writing', flush=True); time.sleep(60)\n"
            f"atomic_write({str(out)!r}, slow)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    try:
        assert proc.stdout.readline().strip() == b"writing"
        os.kill(proc.pid, signal.SIGKILL)   # real SIGKILL mid-save: no finally runs
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(".billing.xlsx.xlbilling-") and left[0].endswith(".tmp")
    atomic_write_bytes(out, b"complete")
    assert [p.name for p in tmp_path.iterdir()] == ["billing.xlsx"] and out.read_bytes() == b"complete"


def test_stale_cleanup_keeps_live_writers_and_young_unmarked_files(tmp_path):
    out = tmp_path / "x.csv"
    live = tmp_path / f".x.csv.xlbilling-{os.getppid()}-abc.tmp"     # parent process: alive
    dead = tmp_path / ".x.csv.xlbilling-4194000-abc.tmp"             # above Linux's default pid_max: dead
    old_unmarked = tmp_path / ".x.csv.k3j4h5.tmp"                     # an earlier version's mkstemp name
    young_unmarked = tmp_path / ".x.csv.zz9.tmp"
    other = tmp_path / ".y.csv.xlbilling-4194000-abc.tmp"            # another output's, writer dead too
    other_unmarked = tmp_path / ".y.csv.k3j4h5.tmp"                   # another output's, unmarked: left alone
    user_file = tmp_path / ".notes.tmp"
    for p in (live, dead, old_unmarked, young_unmarked, other, other_unmarked, user_file):
        p.write_bytes(b"t")
    past = time.time() - 2 * outputs.STALE_UNMARKED_S
    for p in (old_unmarked, other_unmarked, user_file):
        os.utime(p, (past, past))
    removed = {p.name for p in outputs.remove_stale_temporaries(out)}
    assert removed == {dead.name, old_unmarked.name, other.name}
    assert live.exists() and young_unmarked.exists() and other_unmarked.exists() and user_file.exists()


def test_folder_is_fsynced_after_the_rename(tmp_path, monkeypatch):
    synced = []
    real = os.fsync

    def spy(fd):
        synced.append(stat.S_ISDIR(os.fstat(fd).st_mode))
        return real(fd)
    monkeypatch.setattr(outputs.os, "fsync", spy)
    atomic_write_bytes(tmp_path / "x.csv", b"data")
    assert synced == [False, True]   # the file's data, then the folder's entry


def test_two_exports_racing_onto_one_new_file_never_both_succeed(tmp_path):
    """Real processes: both pass the 'exists?' check, only one may publish."""
    out = tmp_path / "same.csv"
    code = ("import sys, time; from xlbilling.files.publish import atomic_write_bytes\n"
            "from xlbilling.errors import OutputError\n"
            "time.sleep(max(0, float(sys.argv[1]) - time.time()))\n"
            "try:\n    atomic_write_bytes(sys.argv[2], sys.argv[3].encode(), overwrite=False); print('ok')\n"
            "except OutputError as e:\n    print('exists' if 'already exists' in str(e) else e)\n")
    start = time.time() + 1.5
    procs = [subprocess.Popen([sys.executable, "-c", code, str(start), str(out), f"writer {i}"],
                              stdout=subprocess.PIPE, text=True) for i in range(2)]
    answers = sorted(p.communicate(30)[0].strip() for p in procs)
    assert answers == ["exists", "ok"]
    assert out.read_text() in ("writer 0", "writer 1") and len(list(tmp_path.iterdir())) == 1
