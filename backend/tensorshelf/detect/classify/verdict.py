"""The classifiers' common answer, before precision/size/foreign data are added."""

from __future__ import annotations

from dataclasses import dataclass, field

from tensorshelf import settings


@dataclass
class Verdict:
    model_type: str  # diffusion | llm | other
    subtype: str | None
    family: str | None
    confidence: float
    evidence: list[str] = field(default_factory=list)
    variant: str | None = None
    architecture: str | None = None
    lora_rank: int | None = None
    lora_target: str | None = None
    context_length: int | None = None
    parameter_count: int | None = None
    quantization: str | None = None
    family_from_shapes: bool = True  # False when the family was a default or a guess
    alternatives: tuple[str, ...] = ()  # families the shapes cannot tell apart (hints may pick)

    def note(self, text: str) -> Verdict:
        self.evidence.append(text)
        return self


def unknown(evidence: list[str] | None = None) -> Verdict:
    return Verdict(
        "other",
        None,
        None,
        settings.DETECT_CONF_UNKNOWN,
        list(evidence or []),
        family_from_shapes=False,
    )
