"""Classifiers over a tensor table: diffusion, LoRA, auxiliary, LLM, GGUF."""
