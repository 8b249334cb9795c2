import { usePreview } from "../../api/hooks";
import type { ModelMetadata } from "../../api/types";

/** Whether metadata.json names a preview image (the only models get_preview is asked about). */
export function hasPreview(model: ModelMetadata): boolean {
  return !!model.preview_image || model.files.some((f) => f.role === "preview");
}

/** The model's preview image (read by the backend from the model's own folder only). */
export function ModelPreview({ model }: { model: ModelMetadata }) {
  const wanted = hasPreview(model);
  const preview = usePreview(wanted ? model.id : null);
  const url = preview.data?.data_url;
  if (!wanted || !url) return null;
  return (
    <div className="px-4 pb-3">
      <img
        src={url}
        alt={`Preview of ${model.name}`}
        data-testid="detail-preview"
        className="max-h-64 w-full rounded-md border border-line bg-panel object-contain"
      />
    </div>
  );
}
