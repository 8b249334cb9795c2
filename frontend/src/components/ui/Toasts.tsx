import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from "react";

export type ToastKind = "info" | "success" | "error" | "warning";

export interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  message?: string;
}

interface ToastApi {
  push: (toast: Omit<Toast, "id">) => void;
}

const ToastContext = createContext<ToastApi | null>(null);
const TOAST_MS = 6000;
const ERROR_TOAST_MS = 10000;
const MAX_TOASTS = 5;

export function useToast(): ToastApi {
  const api = useContext(ToastContext);
  if (!api) throw new Error("useToast outside <ToastProvider>");
  return api;
}

let nextId = 1;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const dismiss = useCallback(
    (id: number) => setToasts((all) => all.filter((t) => t.id !== id)),
    [],
  );
  const push = useCallback((toast: Omit<Toast, "id">) => {
    setToasts((all) => [...all, { ...toast, id: nextId++ }].slice(-MAX_TOASTS));
  }, []);
  const api = useMemo(() => ({ push }), [push]);
  return (
    <ToastContext.Provider value={api}>
      {children}
      <div
        aria-live="polite"
        className="pointer-events-none fixed right-4 bottom-4 z-50 flex w-[360px] max-w-[calc(100vw-2rem)] flex-col gap-2"
      >
        {toasts.map((t) => (
          <ToastItem key={t.id} toast={t} onDismiss={() => dismiss(t.id)} />
        ))}
      </div>
    </ToastContext.Provider>
  );
}

const ACCENTS: Record<ToastKind, string> = {
  info: "bg-info",
  success: "bg-ok",
  error: "bg-danger",
  warning: "bg-warn",
};

function ToastItem({ toast, onDismiss }: { toast: Toast; onDismiss: () => void }) {
  useEffect(() => {
    const t = window.setTimeout(onDismiss, toast.kind === "error" ? ERROR_TOAST_MS : TOAST_MS);
    return () => window.clearTimeout(t);
  }, [toast.kind, onDismiss]);
  return (
    <div
      data-testid="toast"
      data-kind={toast.kind}
      role={toast.kind === "error" ? "alert" : "status"}
      className="ts-enter pointer-events-auto flex gap-3 overflow-hidden rounded-lg border border-line bg-elev py-2.5 pr-2 pl-3 shadow-lg"
    >
      <span
        className={`mt-1 size-2 shrink-0 rounded-full ${ACCENTS[toast.kind]}`}
        aria-hidden="true"
      />
      <div className="min-w-0 flex-1">
        <div className="text-[13px] font-medium text-fg">{toast.title}</div>
        {toast.message && (
          <div className="mt-0.5 text-[12px] break-words text-muted">{toast.message}</div>
        )}
      </div>
      <button
        type="button"
        onClick={onDismiss}
        aria-label="Dismiss notification"
        className="size-6 shrink-0 rounded text-faint hover:bg-hover hover:text-fg"
      >
        ×
      </button>
    </div>
  );
}
