import { createContext, useContext, useEffect, useRef, type ReactNode } from "react";
import type { Bridge, EventHandler } from "./bridge";
import type { EventType } from "./types";

const BridgeContext = createContext<Bridge | null>(null);

export function BridgeProvider({ bridge, children }: { bridge: Bridge; children: ReactNode }) {
  return <BridgeContext.Provider value={bridge}>{children}</BridgeContext.Provider>;
}

export function useBridge(): Bridge {
  const bridge = useContext(BridgeContext);
  if (!bridge) throw new Error("useBridge outside <BridgeProvider>");
  return bridge;
}

/** Subscribe a component to one event type for its lifetime (latest handler wins). */
export function useEvent<T extends EventType>(type: T, handler: EventHandler<T>): void {
  const bridge = useBridge();
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => bridge.subscribe(type, (payload) => ref.current(payload)), [bridge, type]);
}
