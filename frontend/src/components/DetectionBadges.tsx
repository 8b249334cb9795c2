import { useEffect, useId, useRef, useState } from "react";
import type { Detection } from "../api/types";
import { formatCount, formatPercent, typeLabel } from "../lib/format";
import { Badge, confidenceTone } from "./ui/Badge";

/** Type/subtype, base family, precision and the detector's confidence. */
export function DetectionBadges({ detection }: { detection: Detection | null }) {
  if (!detection) return <span className="text-[12px] text-faint">Not detected</span>;
  return (
    <span className="inline-flex flex-wrap items-center gap-1">
      <Badge tone="accent" title="Type / subtype">
        {typeLabel(detection.model_type, detection.subtype)}
      </Badge>
      <Badge title="Base model family">{detection.family ?? "unknown base"}</Badge>
      {detection.precision && <Badge title="Precision">{detection.precision}</Badge>}
      <Badge tone={confidenceTone(detection.confidence)} title="Detector confidence">
        {formatPercent(detection.confidence)}
      </Badge>
    </span>
  );
}

/** Extra facts the detector found (LoRA rank/base, LLM context/quantisation, size). */
export function detectionFacts(d: Detection): [string, string][] {
  const facts: [string, string][] = [];
  if (d.format) facts.push(["Format", d.format]);
  if (d.architecture) facts.push(["Architecture", d.architecture]);
  if (d.variant) facts.push(["Variant", d.variant]);
  if (d.parameter_count != null) facts.push(["Parameters", formatCount(d.parameter_count)]);
  if (d.quantization) facts.push(["Quantisation", d.quantization]);
  if (d.context_length != null) facts.push(["Context length", d.context_length.toLocaleString()]);
  if (d.lora_rank != null) facts.push(["LoRA rank", String(d.lora_rank)]);
  if (d.lora_target) facts.push(["LoRA base", d.lora_target]);
  return facts;
}

/** "Why?" button with a popover listing the evidence behind a detection. */
export function WhyPopover({ detection, name }: { detection: Detection; name: string }) {
  const [open, setOpen] = useState(false);
  const popId = useId();
  const rootRef = useRef<HTMLSpanElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (rootRef.current && !rootRef.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", onDown);
    return () => document.removeEventListener("mousedown", onDown);
  }, [open]);

  const facts = detectionFacts(detection);
  return (
    <span
      ref={rootRef}
      className="relative inline-block"
      onKeyDown={(e) => {
        // Esc closes the popover first (whether focus is on "Why?" or inside it), not the dialog
        if (open && e.key === "Escape") {
          e.stopPropagation();
          e.preventDefault();
          setOpen(false);
          buttonRef.current?.focus();
        }
      }}
    >
      <button
        ref={buttonRef}
        type="button"
        aria-expanded={open}
        aria-controls={popId}
        aria-label={`Why was ${name} detected like this?`}
        onClick={() => setOpen((v) => !v)}
        className="rounded px-1.5 text-[12px] font-medium text-accent hover:bg-accent-soft"
      >
        Why?
      </button>
      {open && (
        <div
          id={popId}
          role="dialog"
          aria-label={`Detection evidence for ${name}`}
          data-testid="why-popover"
          className="ts-enter absolute top-full left-0 z-50 mt-1 w-[340px] rounded-lg border border-line bg-elev p-3 text-[12px] shadow-xl"
        >
          <div className="mb-1.5 font-semibold text-fg">
            Evidence · confidence {formatPercent(detection.confidence)}
          </div>
          {detection.evidence.length ? (
            <ul className="list-disc space-y-0.5 pl-4 text-muted">
              {detection.evidence.map((line, i) => (
                <li key={i} className="break-words">
                  {line}
                </li>
              ))}
            </ul>
          ) : (
            <p className="text-muted">
              The detector recorded no evidence: the file's header told it nothing it knows.
            </p>
          )}
          {facts.length > 0 && (
            <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 border-t border-line pt-2">
              {facts.map(([k, v]) => (
                <div key={k} className="contents">
                  <dt className="text-faint">{k}</dt>
                  <dd className="text-fg">{v}</dd>
                </div>
              ))}
            </dl>
          )}
          <div className="mt-2 text-[11px] text-faint">Detector v{detection.detector_version}</div>
        </div>
      )}
    </span>
  );
}
