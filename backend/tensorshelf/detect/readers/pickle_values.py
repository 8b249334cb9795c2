"""The inert values the pickle walker builds (pickle_vm): names of globals, storages, tensor
references and opaque placeholders, and the few torch calls it *interprets* (never makes):
the rebuild functions whose arguments describe a tensor, and dict factories."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tensorshelf.detect.tensors import UNKNOWN_DTYPE

# torch legacy typed-storage class names -> safetensors dtype names
STORAGE_DTYPES = {
    "FloatStorage": "F32",
    "HalfStorage": "F16",
    "BFloat16Storage": "BF16",
    "DoubleStorage": "F64",
    "LongStorage": "I64",
    "IntStorage": "I32",
    "ShortStorage": "I16",
    "CharStorage": "I8",
    "ByteStorage": "U8",
    "BoolStorage": "BOOL",
    "Float8_e4m3fnStorage": "F8_E4M3",
    "Float8_e5m2Storage": "F8_E5M2",
}
TENSOR_REBUILDERS = {
    "_rebuild_tensor",
    "_rebuild_tensor_v2",
    "_rebuild_tensor_v3",
    "_rebuild_qtensor",
    "_rebuild_sparse_tensor",
}
PARAMETER_REBUILDERS = {"_rebuild_parameter", "_rebuild_parameter_with_state"}
DICT_FACTORIES = {("collections", "OrderedDict"), ("builtins", "dict"), ("__builtin__", "dict")}


class PickleWalkError(Exception):
    """The pickle could not be walked (malformed, too long, or not a state dict)."""


# what REDUCE of a global stands for (decided once per global, not once per call)
ROLE_OTHER, ROLE_DICT, ROLE_FROM_TYPE, ROLE_TENSOR, ROLE_PARAMETER = range(5)


def _role(module: str, name: str) -> int:
    if (module, name) in DICT_FACTORIES:
        return ROLE_DICT
    if name == "_rebuild_from_type_v2":  # tensor subclasses
        return ROLE_FROM_TYPE
    if module.startswith("torch") and name in TENSOR_REBUILDERS:
        return ROLE_TENSOR
    if module.startswith("torch") and name in PARAMETER_REBUILDERS:
        return ROLE_PARAMETER
    return ROLE_OTHER


# slots, not frozen: a checkpoint makes one Storage and one TensorRef per tensor, and a frozen
# dataclass's __init__ costs several times more. eq=False: identity, as for real objects.
@dataclass(eq=False, slots=True)
class Global:
    module: str
    name: str
    role: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.role = _role(self.module, self.name)


@dataclass(eq=False, slots=True)
class Storage:
    dtype: str


@dataclass(eq=False, slots=True)
class TensorRef:
    dtype: str
    shape: tuple[int, ...]


@dataclass(eq=False, slots=True)
class Opaque:
    what: str


def persistent_load(pid: Any) -> Any:
    if type(pid) is tuple and len(pid) >= 2 and pid[0] == "storage":
        stype = pid[1]
        name = stype.name if type(stype) is Global else str(stype)
        return Storage(STORAGE_DTYPES.get(name, UNKNOWN_DTYPE))
    return Opaque("persistent")


def _shape(value: Any) -> tuple[int, ...] | None:
    if type(value) is not tuple:
        return None
    for d in value:  # the walker makes only int and bool (never an int subclass)
        if type(d) is not int or d < 0:
            return None
    return value


def reduce_call(func: Any, args: Any) -> Any:
    """What REDUCE of `func(*args)` stands for, without calling anything."""
    if type(func) is not Global or type(args) is not tuple:
        return Opaque("call")
    role = func.role
    if role == ROLE_TENSOR:
        if len(args) >= 3:
            storage, shape = args[0], _shape(args[2])
            if type(storage) is Storage and shape is not None:
                return TensorRef(storage.dtype, shape)
    elif role == ROLE_DICT:
        return {}
    elif role == ROLE_FROM_TYPE:
        if len(args) >= 3:
            return reduce_call(args[0], args[2])
    elif role == ROLE_PARAMETER and args and type(args[0]) is TensorRef:
        return args[0]
    return Opaque(f"{func.module}.{func.name}")
