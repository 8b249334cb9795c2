import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from "react";
import type { ModelSummary } from "../api/types";
import { useThumbnail } from "../api/thumbnails";
import { formatBytes, kindLabel } from "../lib/format";
import { type ItemProps, selectHandlers, moveKey, selectionKey } from "./selectable";
import { Highlighted, type LibraryListProps } from "./LibraryList";
import { TierBadge } from "./ui/Badge";

export const CARD_WIDTH = 184;
export const CARD_HEIGHT = 232;
const GAP = 12;
const OVERSCAN_ROWS = 2;
const LOAD_AHEAD_ROWS = 20;

type GridViewProps = Omit<LibraryListProps, "sort" | "onSort">;

/** The library as cards with thumbnails, virtualised by rows of cards. */
export function GridView({
  rows,
  search = "",
  total,
  selected,
  onOpen,
  onSelect,
  onSelectAll,
  onNeedMore,
}: GridViewProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [columns, setColumns] = useState(4);
  const [active, setActive] = useState(0);
  const count = Math.max(total, rows.length);
  const rowCount = Math.ceil(count / columns);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const fit = () =>
      setColumns(Math.max(1, Math.floor((el.clientWidth - GAP) / (CARD_WIDTH + GAP))));
    fit();
    const observer = new ResizeObserver(fit);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => CARD_HEIGHT + GAP,
    overscan: OVERSCAN_ROWS,
  });
  const items = virtualizer.getVirtualItems();
  const lastRow = items.length ? items[items.length - 1].index : 0;

  useEffect(() => {
    if (rows.length < total && (lastRow + LOAD_AHEAD_ROWS) * columns >= rows.length) onNeedMore();
  }, [lastRow, columns, rows.length, total, onNeedMore]);

  const moveTo = (index: number) => {
    if (count === 0) return;
    const next = Math.min(Math.max(index, 0), count - 1);
    setActive(next);
    virtualizer.scrollToIndex(Math.floor(next / columns), { align: "auto" });
    requestAnimationFrame(() =>
      scrollRef.current?.querySelector<HTMLElement>(`[data-card-index="${next}"]`)?.focus(),
    );
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (selectionKey(e, rows[active], { onOpen, onSelect, onSelectAll })) return;
    moveKey(e, {
      ArrowRight: () => moveTo(active + 1),
      ArrowLeft: () => moveTo(active - 1),
      ArrowDown: () => moveTo(active + columns),
      ArrowUp: () => moveTo(active - columns),
      Home: () => moveTo(0),
      End: () => moveTo(count - 1),
    });
  };

  return (
    <div
      ref={scrollRef}
      role="grid"
      aria-label="Models as cards: arrow keys move, Enter opens, Space adds to the selection"
      aria-multiselectable="true"
      aria-rowcount={rowCount}
      tabIndex={-1}
      onKeyDown={onKeyDown}
      data-testid="library-grid"
      className="min-h-0 min-w-0 flex-1 overflow-y-auto"
    >
      <div style={{ height: virtualizer.getTotalSize(), position: "relative", width: "100%" }}>
        {items.map((v) => (
          <div
            key={v.key}
            role="row"
            aria-rowindex={v.index + 1}
            className="absolute left-0 flex w-full"
            style={{ top: 0, transform: `translateY(${v.start}px)`, gap: GAP, padding: GAP }}
          >
            {Array.from({ length: columns }, (_, c) => {
              const index = v.index * columns + c;
              if (index >= count) return null;
              const model = rows[index];
              return model ? (
                <Card
                  key={model.id}
                  model={model}
                  index={index}
                  search={search}
                  selected={selected.has(model.id)}
                  tabbable={index === active}
                  onSelect={onSelect}
                  onFocusCard={setActive}
                />
              ) : (
                <div
                  key={`placeholder-${index}`}
                  role="gridcell"
                  aria-busy="true"
                  className="shrink-0 animate-pulse rounded-lg bg-hover"
                  style={{ width: CARD_WIDTH, height: CARD_HEIGHT }}
                />
              );
            })}
          </div>
        ))}
      </div>
    </div>
  );
}

const Card = memo(function Card({
  model,
  index,
  search,
  selected,
  tabbable,
  onSelect,
  onFocusCard,
}: ItemProps & { onFocusCard: (index: number) => void }) {
  return (
    <div
      role="gridcell"
      aria-selected={selected}
      tabIndex={tabbable ? 0 : -1}
      data-testid="library-card"
      data-card-index={index}
      data-model-id={model.id}
      {...selectHandlers(model.id, onSelect)}
      onFocus={() => onFocusCard(index)}
      title={model.path}
      className={`flex shrink-0 cursor-default flex-col overflow-hidden rounded-lg border outline-none focus-visible:ring-2 focus-visible:ring-accent ${
        selected ? "border-accent bg-selected" : "border-line bg-panel hover:bg-hover"
      }`}
      style={{ width: CARD_WIDTH, height: CARD_HEIGHT }}
    >
      <Thumbnail model={model} />
      <div className="flex min-h-0 flex-col gap-0.5 px-2.5 py-2">
        <div className="truncate text-[12.5px] font-medium text-fg">
          {model.rating >= 5 && (
            <span aria-label="Favourite" className="mr-1 text-warn">
              ★
            </span>
          )}
          <Highlighted text={model.name} search={search} />
        </div>
        <div className="truncate text-[11.5px] text-muted">
          {kindLabel(model.model_type, model.subtype)} · {model.family ?? "—"}
        </div>
        <div className="flex items-center justify-between gap-1 text-[11.5px] text-faint tabular-nums">
          {formatBytes(model.size_bytes)}
          <TierBadge tier={model.security_tier} />
        </div>
      </div>
    </div>
  );
});

function Thumbnail({ model }: { model: ModelSummary }) {
  const thumb = useThumbnail(model.id);
  return (
    <div className="flex h-[150px] shrink-0 items-center justify-center overflow-hidden bg-hover">
      {thumb.data ? (
        <img
          src={thumb.data}
          alt=""
          decoding="async"
          draggable={false}
          data-testid="card-thumbnail"
          className="h-full w-full object-cover"
        />
      ) : (
        <span aria-hidden="true" className="text-[28px] font-semibold text-line-strong uppercase">
          {(model.subtype ?? model.model_type).slice(0, 2)}
        </span>
      )}
    </div>
  );
}
