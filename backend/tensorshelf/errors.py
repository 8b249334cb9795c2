"""Specific exceptions. Each carries a stable `code` the API and CLI report as
`{"ok": false, "error": {"code", "message", "details"}}`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tensorshelf.error_info import ErrorInfo


class ShelfError(Exception):
    """Base of every error Tensorshelf reports to a user."""

    code = "error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}

    @classmethod
    def from_info(cls, info: ErrorInfo) -> ShelfError:
        """The error an ErrorInfo describes (its code kept), to raise it again."""
        error = cls(info.message, **info.details)
        error.code = info.code
        return error

    def info(self) -> ErrorInfo:
        from tensorshelf.error_info import ErrorInfo

        return ErrorInfo(code=self.code, message=self.message, details=self.details)


class InvalidModelFile(ShelfError):
    """The file is not a model file we accept (bad magic, truncated or malformed header)."""

    code = "invalid_model_file"


class NotRegularFile(InvalidModelFile):
    """A FIFO, device, socket or directory where a file was to be read: never opened for
    reading (a FIFO would block for good)."""

    code = "not_a_regular_file"


class PickleRefused(ShelfError):
    """A pickle-format file was offered without --accept-pickle."""

    code = "pickle_refused"


class DangerousPickle(ShelfError):
    """A pickle file references callables that run code when it is loaded (os.system,
    builtins.eval …): it is never imported, --accept-pickle or not."""

    code = "dangerous_pickle"


class UnsafePath(ShelfError):
    """A relative path or name would escape its directory, or contains NUL."""

    code = "unsafe_path"


class DiskFull(ShelfError):
    code = "disk_full"


class SourceChanged(ShelfError):
    """The source changed while being copied, or a verify found different hashes."""

    code = "source_changed"


class OperationCancelled(ShelfError):
    code = "cancelled"


class UnknownFamily(ShelfError):
    """An edit names a family outside the vocabulary and the library (a likely typo)."""

    code = "unknown_family"


class JobPaused(ShelfError):
    """The user paused a job (Ctrl-C on a download): its partial work is kept to resume."""

    code = "paused"


class CrossDevice(ShelfError):
    """A rename or hard link crossed filesystems (EXDEV); the caller copies instead."""

    code = "cross_device"


class ModelNotFound(ShelfError):
    code = "model_not_found"


class AmbiguousModelRef(ShelfError):
    code = "ambiguous_model"


class CorruptMetadata(ShelfError):
    code = "corrupt_metadata"


class InvalidArgument(ShelfError):
    code = "invalid_argument"


class JobNotFound(ShelfError):
    code = "job_not_found"


class PlanNotFound(ShelfError):
    """An import names a plan that was never made here or has been dropped."""

    code = "plan_not_found"


class LibraryNotFound(ShelfError):
    """The library root does not exist (or holds no library): a command that only reads or
    maintains a library does not create one (an unplugged drive, a mistyped --library)."""

    code = "library_not_found"


class FileAccessError(ShelfError):
    """An operating-system error (permission denied, I/O error…) while reading or writing
    a file; `details` carries the path and errno."""

    code = "io_error"


class ImportFailed(ShelfError):
    """An import could not complete for a reason that is not one of the specific errors
    above (e.g. a library copy that does not match its source after a cross-filesystem move)."""

    code = "import_failed"


class LibraryBusy(ShelfError):
    """Another process holds the library's writer lock (and the caller would not wait)."""

    code = "library_busy"


class ReadOnlyLibrary(ShelfError):
    """The library (or its index) is on a read-only filesystem or not writable."""

    code = "read_only_library"
