import { useState, type FormEvent } from "react";
import type { ModelEdit, ModelMetadata } from "../../api/types";
import { Button } from "../ui/Button";

/** DESIGN.md "Detection vocabulary" */
export const MODEL_TYPES = ["diffusion", "llm", "other"];
export const SUBTYPES = [
  "checkpoints",
  "diffusion_models",
  "loras",
  "vae",
  "text_encoders",
  "clip_vision",
  "controlnet",
  "embeddings",
  "upscale_models",
  "llm",
];

const INPUT =
  "h-8 w-full rounded-md border border-line bg-bg px-2.5 text-[13px] text-fg placeholder:text-faint focus:border-accent focus:outline-none";

/** Name / family / notes, saved together; only changed fields are sent. */
export function EditForm({
  model,
  saving,
  onSave,
}: {
  model: ModelMetadata;
  saving: boolean;
  onSave: (edit: ModelEdit) => void;
}) {
  const [name, setName] = useState(model.name);
  const [family, setFamily] = useState(model.family ?? "");
  const [notes, setNotes] = useState(model.notes ?? "");
  const [modelType, setModelType] = useState(model.model_type);
  const [subtype, setSubtype] = useState(model.subtype ?? "");

  const edit: ModelEdit = {};
  if (modelType !== model.model_type) edit.model_type = modelType;
  if (subtype && subtype !== (model.subtype ?? "")) edit.subtype = subtype;
  if (name.trim() && name.trim() !== model.name) edit.name = name.trim();
  if (family.trim() !== (model.family ?? "") && family.trim()) edit.family = family.trim();
  if (notes !== (model.notes ?? "")) edit.notes = notes;
  const dirty = Object.keys(edit).length > 0;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (dirty) onSave(edit);
  };
  const reset = () => {
    setName(model.name);
    setFamily(model.family ?? "");
    setNotes(model.notes ?? "");
    setModelType(model.model_type);
    setSubtype(model.subtype ?? "");
  };
  const typeOptions = MODEL_TYPES.includes(model.model_type)
    ? MODEL_TYPES
    : [model.model_type, ...MODEL_TYPES];
  const subtypeOptions =
    !model.subtype || SUBTYPES.includes(model.subtype) ? SUBTYPES : [model.subtype, ...SUBTYPES];

  return (
    <form onSubmit={submit} className="flex flex-col gap-2.5" aria-label="Edit model">
      <label className="flex flex-col gap-1">
        <span className="text-[11.5px] font-medium text-muted">Name</span>
        <input
          className={INPUT}
          value={name}
          onChange={(e) => setName(e.target.value)}
          data-testid="edit-name"
        />
      </label>
      <label className="flex flex-col gap-1">
        <span className="text-[11.5px] font-medium text-muted">Family / base</span>
        <input
          className={INPUT}
          value={family}
          placeholder="unknown"
          onChange={(e) => setFamily(e.target.value)}
          data-testid="edit-family"
        />
        <span className="text-[11px] text-faint">
          Changing family or type re-files the model; your choice is kept when detection re-runs.
        </span>
      </label>
      <div className="grid grid-cols-2 gap-2">
        <label className="flex flex-col gap-1">
          <span className="text-[11.5px] font-medium text-muted">Type</span>
          <select
            className={INPUT}
            value={modelType}
            onChange={(e) => setModelType(e.target.value)}
            data-testid="edit-type"
          >
            {typeOptions.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-[11.5px] font-medium text-muted">Subtype</span>
          <select
            className={INPUT}
            value={subtype}
            onChange={(e) => setSubtype(e.target.value)}
            data-testid="edit-subtype"
          >
            {!model.subtype && <option value="">—</option>}
            {subtypeOptions.map((t) => (
              <option key={t} value={t}>
                {t.replace(/_/g, " ")}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label className="flex flex-col gap-1">
        <span className="text-[11.5px] font-medium text-muted">Notes</span>
        <textarea
          className={`${INPUT} h-auto min-h-[64px] py-1.5`}
          value={notes}
          onChange={(e) => setNotes(e.target.value)}
          data-testid="edit-notes"
        />
      </label>
      {dirty && (
        <div className="flex justify-end gap-2">
          <Button size="sm" onClick={reset}>
            Discard
          </Button>
          <Button
            size="sm"
            variant="primary"
            type="submit"
            disabled={saving}
            data-testid="edit-save"
          >
            {saving ? "Saving…" : "Save changes"}
          </Button>
        </div>
      )}
    </form>
  );
}

/** Chips with remove buttons and an add field — the model's tags, or its collections. */
export function TagEditor({
  tags,
  disabled,
  onChange,
  what = "tag",
}: {
  tags: string[];
  disabled: boolean;
  onChange: (tags: string[]) => void;
  what?: "tag" | "collection";
}) {
  const plural = what === "tag" ? "Tags" : "Collections";
  const [draft, setDraft] = useState("");
  const add = () => {
    const tag = draft.trim();
    if (!tag) return;
    if (!tags.includes(tag)) onChange([...tags, tag]);
    setDraft("");
  };
  return (
    <div className="flex flex-col gap-2">
      <ul className="flex flex-wrap gap-1" aria-label={plural}>
        {tags.length === 0 && (
          <li className="text-[12px] text-faint">No {plural.toLowerCase()} yet</li>
        )}
        {tags.map((tag) => (
          <li
            key={tag}
            data-testid={`${what}-chip`}
            className="inline-flex items-center gap-0.5 rounded-md border border-line bg-hover py-px pr-0.5 pl-2 text-[12px] text-fg"
          >
            {tag}
            <button
              type="button"
              aria-label={`Remove ${what} ${tag}`}
              disabled={disabled}
              onClick={() => onChange(tags.filter((t) => t !== tag))}
              className="size-5 rounded text-faint hover:bg-line hover:text-fg"
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <div className="flex gap-1.5">
        <input
          className={INPUT}
          value={draft}
          placeholder={what === "tag" ? "Add a tag" : "Add to a collection"}
          aria-label={`New ${what}`}
          data-testid={`${what}-input`}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              add();
            }
          }}
        />
        <Button
          size="md"
          onClick={add}
          disabled={disabled || !draft.trim()}
          data-testid={`${what}-add`}
        >
          Add
        </Button>
      </div>
    </div>
  );
}

export function RatingEditor({
  rating,
  disabled,
  onChange,
}: {
  rating: number;
  disabled: boolean;
  onChange: (rating: number) => void;
}) {
  return (
    <div
      role="group"
      aria-label={`Rating: ${rating} of 5 (5 = favourite)`}
      className="flex items-center gap-0.5"
    >
      {[1, 2, 3, 4, 5].map((n) => (
        <button
          key={n}
          type="button"
          disabled={disabled}
          aria-label={`${n} star${n > 1 ? "s" : ""}${n === 5 ? " (favourite)" : ""}`}
          aria-pressed={rating >= n}
          onClick={() => onChange(rating === n ? 0 : n)}
          className={`size-6 rounded text-[15px] leading-none hover:bg-hover ${rating >= n ? "text-warn" : "text-line-strong"}`}
        >
          ★
        </button>
      ))}
    </div>
  );
}
