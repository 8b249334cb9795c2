"""The pickle safety scan: every global (module + name) a pickle imports, as seen by the
opcode walker (pickle_vm: GLOBAL, STACK_GLOBAL, INST, EXT*), classified against what a
legitimate PyTorch / NumPy checkpoint references (allowed) and the callables that run code
when the pickle is loaded (dangerous). Nothing is imported or called.

Verdicts: "dangerous" when any dangerous global is seen; "unknown_globals" when a global is
neither allowed nor dangerous, or when the scan could not see every stream to its end
(truncated); "clean" only for a complete scan of allowed globals.

`torch.storage._load_from_bytes` is deliberately *unknown*, not allowed: it calls torch.load
on bytes embedded in the pickle, a nested pickle this scan does not walk, so it cannot be
called clean; it is how plain-pickled torch storages rebuild themselves, so it is not called
dangerous either (the user decides, as for any pickle).
"""

from __future__ import annotations

from typing import Literal

from tensorshelf import settings
from tensorshelf.detect.models import PickleScan

GlobalClass = Literal["allowed", "dangerous", "unknown"]

_BUILTIN_MODULES = ("builtins", "__builtin__")
_SAFE_BUILTINS = {
    "set",
    "frozenset",
    "slice",
    "list",
    "dict",
    "tuple",
    "bytearray",
    "bytes",
    "complex",
    "int",
    "float",
    "str",
    "bool",
    "range",
}
ALLOWED = {
    "collections.OrderedDict",
    "collections.defaultdict",
    "_codecs.encode",
    "argparse.Namespace",
    "torch.Size",
    "torch.device",
    "torch.Tensor",
    "torch.nn.parameter.Parameter",
    "torch._tensor._rebuild_from_type_v2",
    "torch.serialization._get_layout",
    "torch.storage.UntypedStorage",
    "torch.storage.TypedStorage",
    "numpy.core.multiarray._reconstruct",
    "numpy._core.multiarray._reconstruct",
    "numpy.core.multiarray.scalar",
    "numpy._core.multiarray.scalar",
    "numpy.dtype",
    "numpy.ndarray",
}
# torch dtypes, layouts, memory formats and qschemes pickle as `torch.<name>` globals
TORCH_CONSTANTS = {
    "float32",
    "float",
    "float64",
    "double",
    "float16",
    "half",
    "bfloat16",
    "int64",
    "long",
    "int32",
    "int",
    "int16",
    "short",
    "int8",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "bool",
    "complex32",
    "chalf",
    "complex64",
    "cfloat",
    "complex128",
    "cdouble",
    "qint8",
    "quint8",
    "qint32",
    "quint4x2",
    "quint2x4",
    "float8_e4m3fn",
    "float8_e5m2",
    "float8_e4m3fnuz",
    "float8_e5m2fnuz",
    "strided",
    "sparse_coo",
    "sparse_csr",
    "sparse_csc",
    "sparse_bsr",
    "sparse_bsc",
    "_mkldnn",
    "contiguous_format",
    "channels_last",
    "channels_last_3d",
    "preserve_format",
    "per_tensor_affine",
    "per_channel_affine",
    "per_tensor_symmetric",
    "per_channel_symmetric",
    "per_channel_affine_float_qparams",
}
_STORAGE_MODULES = ("torch", "torch.cuda")
# a global is dangerous when its module's root, or any dotted part of its name (protocol-4
# names are getattr chains: "serialization.os.system"), is one of these
DANGEROUS_MODULES = {
    "os",
    "posix",
    "nt",
    "subprocess",
    "_posixsubprocess",
    "sys",
    "shutil",
    "socket",
    "runpy",
    "pickle",
    "_pickle",
    "cPickle",
    "dill",
    "marshal",
    "webbrowser",
    "importlib",
    "pty",
    "ctypes",
    "commands",
    "multiprocessing",
    "code",
    "codeop",
    "asyncio",
    "signal",
    "urllib",
    "urllib2",
    "http",
    "httplib",
    "requests",
    "ftplib",
    "telnetlib",
    "smtplib",
    "pdb",
    "bdb",
    "timeit",
    "pip",
    "setuptools",
    "distutils",
    "venv",
    "zipimport",
}
DANGEROUS_NAMES = {
    "eval",
    "exec",
    "execfile",
    "compile",
    "open",
    "getattr",
    "setattr",
    "delattr",
    "__import__",
    "breakpoint",
    "input",
    "globals",
    "locals",
    "vars",
    "system",
    "popen",
    "spawn",
    "__builtins__",
    "__globals__",
    "__getattribute__",
    "__subclasses__",
    "attrgetter",
    "methodcaller",
    "load",
    "loads",
    "call",
    "check_call",
    "check_output",
    "apply",
    "reload",
    "file",
}


def classify_global(module: str, name: str) -> GlobalClass:
    if module in _BUILTIN_MODULES and name in _SAFE_BUILTINS:
        return "allowed"
    if f"{module}.{name}" in ALLOWED:
        return "allowed"
    if module == "torch" and name in TORCH_CONSTANTS:
        return "allowed"
    if module in _STORAGE_MODULES and name.endswith("Storage") and name.isidentifier():
        return "allowed"
    if module == "torch._utils" and name.startswith("_rebuild_") and name.isidentifier():
        return "allowed"
    if module.split(".")[0] in DANGEROUS_MODULES or name in DANGEROUS_NAMES:
        return "dangerous"
    parts = name.split(".")  # a protocol-4 name is a getattr chain ("serialization.os.system")
    if any(p in DANGEROUS_MODULES or p in DANGEROUS_NAMES for p in parts):
        return "dangerous"
    return "unknown"


class GlobalsSeen:
    """The distinct globals of a file's pickle streams. At most `cap` are kept; past it,
    only dangerous ones are still added (up to `cap` more) and `overflow` is set."""

    __slots__ = ("cap", "extra", "overflow", "seen")

    def __init__(self, cap: int | None = None) -> None:
        self.cap = settings.PICKLE_SCAN_MAX_GLOBALS if cap is None else cap
        self.seen: set[tuple[str, str]] = set()
        self.extra: set[tuple[str, str]] = set()
        self.overflow = False

    def add(self, module: str, name: str) -> None:
        key = (module, name)
        seen = self.seen
        if key in seen:
            return
        if len(seen) < self.cap:
            seen.add(key)
            return
        self.overflow = True
        if len(self.extra) < self.cap and classify_global(module, name) == "dangerous":
            self.extra.add(key)

    def merge(self, other: GlobalsSeen) -> None:
        for module, name in other.seen | other.extra:
            self.add(module, name)
        self.overflow |= other.overflow


def build_scan(seen: GlobalsSeen, streams_scanned: int, complete: bool) -> PickleScan:
    """The scan result; `complete` is False when a stream could not be walked to its end."""
    by_class: dict[str, list[str]] = {"allowed": [], "dangerous": [], "unknown": []}
    for module, name in seen.seen | seen.extra:
        by_class[classify_global(module, name)].append(f"{module}.{name}")
    dangerous, unknown = sorted(by_class["dangerous"]), sorted(by_class["unknown"])
    truncated = seen.overflow or not complete
    verdict: Literal["clean", "unknown_globals", "dangerous"] = (
        "dangerous" if dangerous else "unknown_globals" if unknown or truncated else "clean"
    )
    everything = sorted(f"{m}.{n}" for m, n in seen.seen | seen.extra)
    return PickleScan(
        verdict=verdict,
        globals=everything[: seen.cap],
        dangerous=dangerous,
        unknown=unknown[: seen.cap],
        streams_scanned=streams_scanned,
        truncated=truncated,
    )
