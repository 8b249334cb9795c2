import type { ReactNode } from "react";
import { Spinner } from "../ui/ProgressBar";

/** A view's loading, error or empty state, centred in its area. */
export function ViewMessage({
  title,
  children,
  busy = false,
  tone,
  testId,
}: {
  title?: string;
  children: ReactNode;
  busy?: boolean;
  tone?: "danger";
  testId?: string;
}) {
  return (
    <div
      role={tone === "danger" ? "alert" : "status"}
      data-testid={testId}
      className="flex flex-1 flex-col items-center justify-center gap-2 p-8 text-center"
    >
      {busy && <Spinner />}
      {title && <div className="text-[14px] font-medium text-fg">{title}</div>}
      <p className={`max-w-md ${tone === "danger" ? "text-danger" : "text-muted"}`}>{children}</p>
    </div>
  );
}
