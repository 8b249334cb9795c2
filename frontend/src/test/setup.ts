import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

afterEach(() => {
  cleanup();
  window.sessionStorage.clear();
  window.localStorage.clear();
});

// jsdom has no layout: give scroll containers a viewport so the virtualiser renders rows.
export const TEST_VIEWPORT_HEIGHT = 720;
const SCROLLERS = ["library-scroll", "library-grid"];
const isScroller = (el: HTMLElement) => SCROLLERS.includes(el.dataset.testid ?? "");
Object.defineProperty(HTMLElement.prototype, "clientHeight", {
  configurable: true,
  get() {
    return isScroller(this as HTMLElement) ? TEST_VIEWPORT_HEIGHT : 0;
  },
});
Object.defineProperty(HTMLElement.prototype, "clientWidth", {
  configurable: true,
  get() {
    return isScroller(this as HTMLElement) ? 1200 : 0;
  },
});

Object.defineProperty(HTMLElement.prototype, "scrollHeight", {
  configurable: true,
  get() {
    const el = this as HTMLElement;
    if (!isScroller(el)) return 0;
    const spacer = el.firstElementChild as HTMLElement | null;
    return Math.max(parseFloat(spacer?.style.height ?? "0") || 0, TEST_VIEWPORT_HEIGHT);
  },
});

if (!("ResizeObserver" in window)) {
  class ResizeObserverStub {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
  (window as unknown as { ResizeObserver: unknown }).ResizeObserver = ResizeObserverStub;
}

if (!window.matchMedia) {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addEventListener: () => {},
      removeEventListener: () => {},
      addListener: () => {},
      removeListener: () => {},
      dispatchEvent: () => false,
    }) as MediaQueryList;
}

// jsdom does not scroll: make scrollTo move scrollTop and fire "scroll" like a browser
Element.prototype.scrollTo = function scrollTo(
  this: Element,
  arg?: ScrollToOptions | number,
  y?: number,
) {
  const top = typeof arg === "object" ? arg.top : y;
  if (typeof top === "number") {
    this.scrollTop = top;
    this.dispatchEvent(new Event("scroll"));
  }
};
