"""Replace a folder's set of output files all together, or not at all.

A run writes every file into a hidden staging folder inside the output folder (same file
system, so a rename moves a file without copying it), flushes each to disk, and only then
renames them into place.  An error, ^C or kill while writing leaves the previous outputs
whole (and a staging folder the next run removes); an error while renaming puts back the
files already replaced.  ^C and SIGTERM are held back during the renames, which take
microseconds, so an interrupt cannot split the set; only a SIGKILL or power loss in that
window can.

Nothing is written through a symbolic link: a file rename replaces a link planted where an
output goes (the file it pointed to is untouched), and a linked folder on the way to an
output (``vendor/``) stops the run with one line.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from geo.errors import ExportError

__all__ = [
    "STAGING_PREFIX",
    "OutputSet",
    "check_outside",
    "process_alive",
    "staging_for",
    "write_file_atomically",
]

#: Staging folders are ``.newsmap-partial-<pid>-<random>`` inside the output folder.
STAGING_PREFIX = ".newsmap-partial-"
_HELD_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class OutputSet:
    """Stage files for one output folder, then move them all into place with :meth:`commit`.

    Use as a context manager: leaving the block without ``commit`` (an error, ^C) removes
    the staging folder and leaves the output folder as it was.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> with OutputSet(out) as staged:
    ...     _ = staged.path("a.txt").write_text("new")
    ...     _ = staged.commit()
    >>> sorted(p.name for p in out.iterdir()), (out / "a.txt").read_text()
    (['a.txt'], 'new')
    """

    def __init__(self, out_dir: str | Path) -> None:
        self.out = Path(out_dir)
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(
                f"{self.out}: cannot create the output folder: {exc.strerror}"
            ) from exc
        _remove_stale_staging(self.out)
        try:
            self.root = Path(
                tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=self.out)
            )
        except OSError as exc:
            raise ExportError(f"{self.out}: cannot write: {exc.strerror or exc}") from exc
        self._committed = False

    def __enter__(self) -> OutputSet:
        return self

    def __exit__(self, *exc_info: object) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def path(self, name: str) -> Path:
        """Return where to write output ``name`` (a path relative to the output folder)."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def files(self) -> list[str]:
        """Return the staged files' paths relative to the output folder, sorted."""
        return sorted(
            str(path.relative_to(self.root)) for path in self.root.rglob("*") if path.is_file()
        )

    def commit(self) -> tuple[Path, ...]:
        """Move every staged file into the output folder; all are replaced or none is.

        Raises
        ------
        ExportError
            Naming the first file that could not be put in place; the files replaced
            before it are put back as they were.
        """
        if self._committed:
            raise ExportError(f"{self.out}: outputs already committed")
        names = self.files()
        for name in names:
            _sync(self.root / name)
        for name in names:
            _check_target(self.out, name)
        backups = self.root.with_name(self.root.name + "-old")
        done: list[tuple[Path, Path | None]] = []
        with _signals_held():
            try:
                for name in names:
                    target = self.out / name
                    backup = _keep_old(target, backups / name)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(self.root / name, target)
                    done.append((target, backup))
            except OSError as exc:
                _put_back(done)
                where = exc.filename or self.out
                raise ExportError(f"{where}: cannot write: {exc.strerror or exc}") from exc
            finally:
                shutil.rmtree(backups, ignore_errors=True)
            _sync_folder(self.out)
        self._committed = True
        return tuple(self.out / name for name in names)


def write_file_atomically(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` by a temporary file beside it and a rename.

    A reader sees the old file or the new one, never a part; a symbolic link at ``path``
    is replaced, not written through.
    """
    path = Path(path)
    with staging_for(path) as staged:
        try:
            staged.path(path.name).write_bytes(data)
        except OSError as exc:
            raise ExportError(f"{path}: cannot write: {exc.strerror or exc}") from exc
        staged.commit()
    return path


def staging_for(path: Path) -> OutputSet:
    """Return an :class:`OutputSet` for the folder of ``path``; errors name ``path``."""
    try:
        return OutputSet(path.parent)
    except ExportError as exc:
        raise ExportError(f"{path}: cannot write: {exc}") from exc


def check_outside(out_dir: str | Path, source_dir: str | Path) -> None:
    """Refuse an output folder that is the input folder or inside it.

    Its ``map.html`` would be read as an article by the next run (and links or ``..``
    make the same folder look different, so both paths are resolved).

    Raises
    ------
    ExportError
        One line naming both folders.
    """
    out, source = Path(out_dir).resolve(), Path(source_dir).resolve()
    if out == source or source in out.parents:
        raise ExportError(
            f"{out_dir}: the output folder is inside the articles folder {source_dir}; "
            "expected a folder outside it (its map.html would be read as an article)"
        )


def _check_target(out: Path, name: str) -> None:
    """Refuse a linked folder on the way to an output, or a folder where a file goes."""
    parts = Path(name).parts
    here = out
    for part in parts[:-1]:
        here = here / part
        if here.is_symlink():
            raise ExportError(
                f"{here}: is a symbolic link; newsmap does not write through links "
                "(remove it or choose another output folder)"
            )
    target = out / name
    if target.is_dir() and not target.is_symlink():
        raise ExportError(f"{target}: is a folder; expected a file or nothing there")


def _keep_old(target: Path, backup: Path) -> Path | None:
    """Hard-link the file at ``target`` (if any) to ``backup`` so it can be put back."""
    if not os.path.lexists(target):
        return None
    backup.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(target, backup, follow_symlinks=False)
    except OSError as exc:
        if exc.errno in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            return None  # no hard links here: this one file cannot be put back
        raise
    return backup


def _put_back(done: list[tuple[Path, Path | None]]) -> None:
    for target, backup in reversed(done):
        try:
            if backup is None:
                target.unlink()
            else:
                os.replace(backup, target)
        except OSError:
            continue  # best effort: the error that stopped the run is reported


def _remove_stale_staging(out: Path) -> None:
    """Remove staging folders left by runs that were killed (their process is gone)."""
    for path in out.glob(f"{STAGING_PREFIX}*"):
        pid_text = path.name.removeprefix(STAGING_PREFIX).split("-", 1)[0]
        if not pid_text.isdigit() or path.is_symlink() or not path.is_dir():
            continue
        if process_alive(int(pid_text)):
            continue
        shutil.rmtree(path, ignore_errors=True)


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` is running (one of another user's counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _sync_folder(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the renames are done
    finally:
        os.close(fd)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold back ^C, SIGTERM and SIGHUP (delivered right after) during the renames."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
