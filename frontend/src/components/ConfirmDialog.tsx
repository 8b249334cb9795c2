import { useRef, type ReactNode } from "react";
import { Button } from "./ui/Button";
import { Modal } from "./ui/Modal";

export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  danger = false,
  busy = false,
  onConfirm,
  onCancel,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  return (
    <Modal
      title={title}
      onClose={onCancel}
      width="sm"
      role="alertdialog"
      testId="confirm-dialog"
      initialFocus={cancelRef}
      footer={
        <>
          <Button ref={cancelRef} onClick={onCancel}>
            Cancel
          </Button>
          <Button
            variant={danger ? "danger" : "primary"}
            onClick={onConfirm}
            disabled={busy}
            data-testid="confirm-yes"
          >
            {confirmLabel}
          </Button>
        </>
      }
    >
      <div className="text-[13px] text-muted">{children}</div>
    </Modal>
  );
}
