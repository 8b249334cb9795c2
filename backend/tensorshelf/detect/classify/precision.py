"""Storage precision: the dominant float type of a tensor table, or a GGUF file type name."""

from __future__ import annotations

import math

from tensorshelf.detect.tensors import TensorTable

FLOAT_PRECISION = {
    "F32": "fp32",
    "F16": "fp16",
    "BF16": "bf16",
    "F8_E4M3": "fp8",
    "F8_E5M2": "fp8_e5m2",
    "F64": "fp64",
    "F4": "fp4",
    "F6_E2M3": "fp6",
    "F6_E3M2": "fp6",
}
# llama.cpp LLAMA_FTYPE values (general.file_type) -> precision name
GGUF_FILE_TYPES = {
    0: "fp32",
    1: "fp16",
    2: "q4_0",
    3: "q4_1",
    7: "q8_0",
    8: "q5_0",
    9: "q5_1",
    10: "q2_k",
    11: "q3_k_s",
    12: "q3_k_m",
    13: "q3_k_l",
    14: "q4_k_s",
    15: "q4_k_m",
    16: "q5_k_s",
    17: "q5_k_m",
    18: "q6_k",
    19: "iq2_xxs",
    20: "iq2_xs",
    21: "q2_k_s",
    22: "iq3_xs",
    23: "iq3_xxs",
    24: "iq1_s",
    25: "iq4_nl",
    26: "iq3_s",
    27: "iq3_m",
    28: "iq2_s",
    29: "iq2_m",
    30: "iq4_xs",
    31: "iq1_m",
    32: "bf16",
    33: "q4_0_4_4",
    34: "q4_0_4_8",
    35: "q4_0_8_8",
    36: "tq1_0",
    37: "tq2_0",
    38: "mxfp4_moe",
}
UNQUANTIZED = {"fp32", "fp16", "bf16", "fp64"}
# ggml type name -> (elements per block, bytes per block), for byte-weighted dominance
GGML_BLOCKS = {
    "F32": (1, 4),
    "F16": (1, 2),
    "BF16": (1, 2),
    "F64": (1, 8),
    "Q4_0": (32, 18),
    "Q4_1": (32, 20),
    "Q5_0": (32, 22),
    "Q5_1": (32, 24),
    "Q8_0": (32, 34),
    "Q8_1": (32, 40),
    "Q2_K": (256, 84),
    "Q3_K": (256, 110),
    "Q4_K": (256, 144),
    "Q5_K": (256, 176),
    "Q6_K": (256, 210),
    "Q8_K": (256, 292),
    "IQ2_XXS": (256, 66),
    "IQ2_XS": (256, 74),
    "IQ3_XXS": (256, 98),
    "IQ1_S": (256, 50),
    "IQ4_NL": (32, 18),
    "IQ3_S": (256, 110),
    "IQ2_S": (256, 82),
    "IQ4_XS": (256, 136),
    "IQ1_M": (256, 56),
    "TQ1_0": (256, 54),
    "TQ2_0": (256, 66),
    "MXFP4": (32, 17),
}
BNB_SUFFIX = ".quant_state.bitsandbytes__"


def dominant(byte_counts: dict[str, int]) -> str | None:
    return max(byte_counts, key=lambda k: byte_counts[k]) if byte_counts else None


def table_precision(table: TensorTable) -> tuple[str | None, str | None, str | None]:
    """(precision, quantization, evidence) of a safetensors/pickle tensor table."""
    for name in table if table.contains_any((BNB_SUFFIX,)) else ():
        if BNB_SUFFIX in name:
            kind = name.rsplit("__", 1)[-1]
            return kind, kind, f"bitsandbytes quant_state tensors ({kind})"
    if table.first(".qweight") is not None:
        kind = "gptq" if table.first(".g_idx") is not None else "awq"
        return kind, kind, f"packed int4 '.qweight' tensors ({kind})"
    counts = table.bytes_by_dtype()
    floats = {d: n for d, n in counts.items() if d in FLOAT_PRECISION}
    top = dominant(floats)
    if top is None:
        return None, None, None
    precision = FLOAT_PRECISION[top]
    total = sum(floats.values()) or 1
    share = round(100 * floats[top] / total)
    quant = None
    if "scaled_fp8" in table or table.first(".scale_weight") is not None:
        quant = "fp8_scaled"
    return precision, quant, f"dominant dtype {top} ({share}% of float bytes)"


def ggml_precision(table: TensorTable) -> str | None:
    """Dominant ggml tensor type by bytes, as a precision name (q4_k, q8_0, fp16 …)."""
    counts: dict[str, int] = {}
    for info in table.values():
        if info.shape is None:
            continue
        block, size = GGML_BLOCKS.get(info.dtype, (1, 1))
        counts[info.dtype] = counts.get(info.dtype, 0) + math.prod(info.shape) // block * size
    top = dominant(counts)
    if top is None:
        return None
    return FLOAT_PRECISION.get(top, top.lower())


def gguf_file_type(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return GGUF_FILE_TYPES.get(value)
    return None
