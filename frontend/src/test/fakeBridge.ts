/**
 * An in-memory Bridge for component tests: records every call, answers from handlers, and
 * lets a test push events. (The real transports are tested in bridge.test.ts; the real
 * backend is exercised by the Playwright e2e tests.)
 */
import { ApiError, type Bridge, EventHub } from "../api/bridge";
import type { EventType, MethodArgs, MethodName, MethodResult, ShelfEvents } from "../api/types";

export type Handlers = {
  [M in MethodName]?: (args: MethodArgs<M>) => MethodResult<M> | Promise<MethodResult<M>>;
};

export interface FakeBridge extends Bridge {
  calls: { method: MethodName; args: unknown }[];
  callsOf<M extends MethodName>(method: M): MethodArgs<M>[];
  emit<T extends EventType>(type: T, payload: ShelfEvents[T]): void;
  handlers: Handlers;
}

export function createFakeBridge(
  handlers: Handlers = {},
  kind: "web" | "desktop" = "web",
): FakeBridge {
  const hub = new EventHub();
  const calls: { method: MethodName; args: unknown }[] = [];
  const bridge: FakeBridge = {
    kind,
    calls,
    handlers,
    callsOf: <M extends MethodName>(method: M) =>
      calls.filter((c) => c.method === method).map((c) => c.args as MethodArgs<M>),
    async call<M extends MethodName>(method: M, kwargs?: MethodArgs<M>): Promise<MethodResult<M>> {
      calls.push({ method, args: kwargs ?? {} });
      const handler = handlers[method] as ((a: MethodArgs<M>) => MethodResult<M>) | undefined;
      if (!handler) throw new ApiError("not_implemented", `fake bridge has no ${method}`);
      return handler((kwargs ?? {}) as MethodArgs<M>);
    },
    subscribe: (type, handler) => hub.on(type, handler),
    onReconnect: (handler) => hub.onReconnect(handler),
    emit: (type, payload) => hub.dispatch({ type, payload }),
    close() {},
  };
  return bridge;
}
