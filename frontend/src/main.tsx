import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { BridgeProvider } from "./api/BridgeContext";
import { type Bridge, connectBridge, setBridge } from "./api/bridge";
import { createQueryClient } from "./api/hooks";
import { ToastProvider } from "./components/ui/Toasts";
import "./index.css";
import { applyTheme } from "./lib/theme";

applyTheme();

const root = createRoot(document.getElementById("root") as HTMLElement);

function Centered({ children }: { children: ReactNode }) {
  return (
    <div className="flex h-full items-center justify-center p-8 text-center text-muted">
      {children}
    </div>
  );
}

root.render(<Centered>Connecting to Tensorshelf…</Centered>);

const client = createQueryClient();

function Root({ bridge }: { bridge: Bridge }) {
  return (
    <StrictMode>
      <QueryClientProvider client={client}>
        <BridgeProvider bridge={bridge}>
          <ToastProvider>
            <App />
          </ToastProvider>
        </BridgeProvider>
      </QueryClientProvider>
    </StrictMode>
  );
}

connectBridge()
  .then((bridge) => {
    setBridge(bridge);
    root.render(<Root bridge={bridge} />);
  })
  .catch((err: Error) => {
    root.render(
      <Centered>
        <div className="max-w-md" role="alert" data-testid="no-bridge">
          <div className="mb-1 text-[15px] font-semibold text-fg">Tensorshelf is not connected</div>
          <p>{err.message}</p>
        </div>
      </Centered>,
    );
  });
