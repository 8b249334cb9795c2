"""Bounded header readers: safetensors, GGUF, PyTorch pickles (never executed), format sniffing."""
