import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { BridgeProvider } from "../api/BridgeContext";
import type { Bridge } from "../api/bridge";
import { ToastProvider } from "../components/ui/Toasts";

export function testQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false, staleTime: Infinity, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}

export function renderWithBridge(
  ui: ReactElement,
  bridge: Bridge,
  client: QueryClient = testQueryClient(),
) {
  const result = render(
    <QueryClientProvider client={client}>
      <BridgeProvider bridge={bridge}>
        <ToastProvider>{ui}</ToastProvider>
      </BridgeProvider>
    </QueryClientProvider>,
  );
  return { ...result, client };
}
