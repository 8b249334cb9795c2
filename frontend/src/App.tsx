import { AdoptCacheDialog } from "./components/hub/AdoptCacheDialog";
import { DownloadDialog } from "./components/hub/DownloadDialog";
import { LinkProblems } from "./components/sync/LinkProblems";
import { SyncDialog } from "./components/sync/SyncDialog";
import { UnreadableNotice } from "./components/UnreadableNotice";
import { WriterWaitBanner } from "./components/WriterWaitBanner";
import { MovedBanner } from "./components/sync/MovedBanner";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useBridge, useEvent } from "./api/BridgeContext";
import { ApiError } from "./api/bridge";
import {
  useApps,
  useCollections,
  useFacets,
  useJobs,
  useLiveUpdates,
  useModels,
  usePrefetchResults,
  useNetworkStatus,
  useSettings,
  useUpdateSettings,
  useStatus,
} from "./api/hooks";
import { useOnWindowFocus, useRefreshLibrary } from "./api/useRefreshLibrary";
import { AppEvents } from "./components/AppEvents";
import { DetailPanel } from "./components/DetailPanel";
import { DropOverlay } from "./components/DropOverlay";
import { EmptyState } from "./components/EmptyState";
import { FilterSidebar } from "./components/FilterSidebar";
import { SavedFilters } from "./components/SavedFilters";
import { BulkPanel } from "./components/bulk/BulkPanel";
import { HistoryView } from "./components/views/HistoryView";
import { StatsView } from "./components/views/StatsView";
import { type View, ViewSwitcher } from "./components/ViewSwitcher";
import {
  buildListQuery,
  EMPTY_FILTERS,
  effectiveSort,
  type Filters,
  hasActiveFilters,
  type SortState,
} from "./lib/filters";
import { EMPTY_SELECTION, single } from "./lib/selection";
import { useLibrarySelection } from "./components/useLibrarySelection";
import { ImportDialog } from "./components/import/ImportDialog";
import { JobsPanel } from "./components/JobsPanel";
import { GridView } from "./components/GridView";
import { LibraryHeader } from "./components/LibraryHeader";
import { useLayout } from "./components/LayoutSwitch";
import { LibraryList } from "./components/LibraryList";
import { SettingsDialog } from "./components/SettingsDialog";
import { TopBar } from "./components/TopBar";
import { ProgressBar } from "./components/ui/ProgressBar";
import { useToast } from "./components/ui/Toasts";
import { openDialogCount } from "./lib/dialogStore";
import { formatBytes, progressFraction } from "./lib/format";
import { libraryListTarget, refocusIfLost } from "./lib/focus";
import { type ThemePref, useTheme } from "./lib/theme";

export { buildListQuery, effectiveSort };

export function App() {
  useLiveUpdates();
  const bridge = useBridge();
  const toast = useToast();
  const desktop = bridge.kind === "desktop";
  const [theme, setLocalTheme, dark] = useTheme();
  const settings = useSettings();
  const updateSettings = useUpdateSettings();
  const themeAdopted = useRef(false);

  // settings.json is the durable place for the theme (the desktop webview may not keep
  // localStorage between runs); localStorage only avoids a flash before it loads
  useEffect(() => {
    if (themeAdopted.current || !settings.data) return;
    themeAdopted.current = true;
    if (settings.data.theme !== theme) setLocalTheme(settings.data.theme);
  }, [settings.data, theme, setLocalTheme]);

  const setTheme = useCallback(
    (pref: ThemePref) => {
      setLocalTheme(pref);
      updateSettings.mutate({ theme: pref });
    },
    [setLocalTheme, updateSettings],
  );

  const [filters, setFilters] = useState<Filters>(EMPTY_FILTERS);
  const [search, setSearch] = useState("");
  const [sort, setSort] = useState<SortState | null>(null); // null until a column header is clicked
  const [view, setView] = useState<View>("library");
  const [layout, setLayout] = useLayout();
  const [importPaths, setImportPaths] = useState<string[] | null>(null);
  const [importJobId, setImportJobId] = useState<string | null>(null);
  const [jobsOpen, setJobsOpen] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [syncOpen, setSyncOpen] = useState(false);
  const [downloadOpen, setDownloadOpen] = useState(false);
  const [adoptOpen, setAdoptOpen] = useState(false);

  // changes by other processes (a CLI import) are not pushed: Refresh, and quietly on focus
  const { refresh, refreshing } = useRefreshLibrary();
  const onRefresh = () =>
    refresh().then(
      (report) => {
        const changed = report.added.length + report.updated.length + report.removed.length;
        if (changed || report.errors.length) {
          toast.push({
            kind: report.errors.length ? "warning" : "success",
            title: "Library refreshed",
            message:
              `${report.added.length} added, ${report.updated.length} updated, ${report.removed.length} removed on disk` +
              (report.errors.length ? `; ${report.errors.length} could not be read` : ""),
          });
        }
      },
      (err: Error) =>
        toast.push({ kind: "error", title: "Could not refresh the library", message: err.message }),
    );
  useOnWindowFocus(() => {
    refresh().catch((err: Error) => console.warn("tensorshelf: refresh on focus failed", err));
  });

  const query = useMemo(() => buildListQuery(filters, search, sort), [filters, search, sort]);
  const prefetchResults = usePrefetchResults();
  const onSearch = useCallback(
    (text: string) => {
      prefetchResults(buildListQuery(filters, text, sort));
      setSearch(text);
    },
    [filters, sort, prefetchResults],
  );
  const models = useModels(query);
  const facets = useFacets();
  const queryFacets = useFacets(query);
  const collections = useCollections();
  const apps = useApps();
  const { selection, setSelection, openModel, onSelect, onSelectAll } = useLibrarySelection(
    models.rows,
    query,
  );
  const selectedId = single(selection);
  const selectedIds = useMemo(() => [...selection.ids], [selection]);
  const showModel = useCallback(
    (id: string) => {
      setView("library");
      openModel(id);
    },
    [openModel],
  );
  const jobs = useJobs();
  const network = useNetworkStatus();
  const status = useStatus();

  const openImport = useCallback(
    (paths: string[]) => {
      if (paths.length === 0) return;
      if (importPaths || openDialogCount() > 0) {
        toast.push({
          kind: "info",
          title: "Finish the open dialog first",
          message: "Then drop or add the files again.",
        });
        return;
      }
      setImportJobId(null);
      setImportPaths(paths);
    },
    [importPaths, toast],
  );

  useEvent("files.dropped", (payload) => openImport(payload?.paths ?? []));

  // closing the detail panel or the jobs popover must not strand keyboard focus on <body>
  const closeDetail = useCallback(() => {
    setSelection(EMPTY_SELECTION);
    refocusIfLost(libraryListTarget);
  }, [setSelection]);
  const closeJobs = useCallback(() => {
    setJobsOpen(false);
    refocusIfLost(() => document.querySelector<HTMLElement>('[data-testid="jobs-button"]'));
  }, []);

  // Esc anywhere (outside dialogs and inputs that use it) closes the detail panel
  useEffect(() => {
    if (selection.ids.size === 0) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !e.defaultPrevented && openDialogCount() === 0) closeDetail();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [selection, closeDetail]);

  const pickPaths = async (folder: boolean) => {
    try {
      const paths = await bridge.call("pick_paths", { folder });
      openImport(paths);
    } catch (err) {
      toast.push({
        kind: "error",
        title: "Could not open the file dialog",
        message: (err as ApiError).message,
      });
    }
  };

  const onWindowDrop = useCallback(() => {
    // desktop: Python receives the full paths and sends files.dropped; nothing to do here
    if (!desktop) {
      toast.push({
        kind: "info",
        title: "Browsers don't reveal file paths",
        message: "Paste the file's full path into “Import from path” instead.",
      });
    }
  }, [desktop, toast]);

  const running = (jobs.data ?? []).filter((j) => j.status === "running");
  const interrupted = (jobs.data ?? []).filter((j) => j.status === "interrupted");
  const rebuildJob = running.find((j) => j.kind === "rebuild");
  const filtered = hasActiveFilters(filters) || search.trim().length > 0;
  const clearAll = () => {
    setFilters(EMPTY_FILTERS);
    setSearch("");
  };

  return (
    <div className="relative flex h-full flex-col bg-bg text-fg">
      <button
        type="button"
        onClick={() => libraryListTarget()?.focus()}
        className="sr-only rounded-md bg-accent px-3 py-1.5 text-[12.5px] font-medium text-accent-fg focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50"
      >
        Skip to the model list
      </button>
      <TopBar
        desktop={desktop}
        search={search}
        onSearch={onSearch}
        onPickPaths={(folder) => void pickPaths(folder)}
        onImportPaths={openImport}
        runningJobs={running.length}
        interruptedJobs={interrupted.length}
        jobsOpen={jobsOpen}
        onToggleJobs={() => setJobsOpen((v) => !v)}
        onOpenSync={() => setSyncOpen(true)}
        onOpenDownload={() => setDownloadOpen(true)}
        onOpenSettings={() => setSettingsOpen(true)}
        theme={theme}
        dark={dark}
        onTheme={setTheme}
      />
      {status.data?.read_only && (
        <div
          role="status"
          data-testid="read-only-banner"
          className="border-b border-line bg-warn-soft px-4 py-1.5 text-[12px] text-warn"
        >
          This library is on read-only storage: you can browse and verify it, but importing, editing
          and removing are off until it is writable again.
        </div>
      )}
      {network && !network.online && (
        <div
          role="status"
          data-testid="offline-banner"
          className="border-b border-line bg-warn-soft px-4 py-1.5 text-[12px] text-warn"
        >
          Offline — using cached data{network.reason ? ` (${network.reason})` : ""}. Hugging Face
          lookups are queued and retried when the network is back; everything local works.
        </div>
      )}
      <div className="flex min-h-0 flex-1">
        <div className="flex w-[216px] shrink-0 flex-col border-r border-line bg-panel">
          <ViewSwitcher view={view} onChange={setView} />
          {view === "library" && (
            <FilterSidebar
              collections={collections.data}
              facets={queryFacets.data}
              libraryFacets={facets.data}
              apps={apps.data}
              filters={filters}
              onChange={setFilters}
              linkProblems={<LinkProblems onOpenSync={() => setSyncOpen(true)} />}
              saved={
                <SavedFilters
                  filters={filters}
                  search={search}
                  onApply={(f, text) => {
                    setFilters(f);
                    setSearch(text);
                  }}
                />
              }
            />
          )}
        </div>
        {view === "history" && (
          <main className="flex min-w-0 flex-1 flex-col" aria-label="Import history">
            <HistoryView onShowModel={showModel} />
          </main>
        )}
        {view === "stats" && (
          <main className="flex min-w-0 flex-1 flex-col" aria-label="Statistics">
            <StatsView onShowModel={showModel} />
          </main>
        )}
        <main
          className={`min-w-0 flex-1 flex-col ${view === "library" ? "flex" : "hidden"}`}
          aria-label="Library"
        >
          <LibraryHeader
            models={models}
            filtered={filtered}
            onClearFilters={clearAll}
            selected={selection.ids.size}
            onClearSelection={closeDetail}
            onSelectAll={onSelectAll}
            layout={layout}
            onLayout={setLayout}
            refreshing={refreshing}
            onRefresh={() => void onRefresh()}
          />
          <WriterWaitBanner />
          <MovedBanner />
          {filters.attention && <UnreadableNotice unreadable={facets.data?.unreadable ?? []} />}
          {rebuildJob && (
            <div
              role="status"
              data-testid="indexing-banner"
              className="flex items-center gap-3 border-b border-line bg-accent-soft px-4 py-2 text-[12px] text-fg"
            >
              <span className="shrink-0 font-medium">Indexing…</span>
              <span className="shrink-0 tabular-nums text-muted">
                {rebuildJob.items_done} / {rebuildJob.items_total}
              </span>
              <ProgressBar
                label="Index rebuild progress"
                value={progressFraction(rebuildJob.items_done, rebuildJob.items_total)}
              />
              {rebuildJob.bytes_total > 0 && (
                <span className="shrink-0 text-muted">{formatBytes(rebuildJob.bytes_done)}</span>
              )}
            </div>
          )}
          {models.error ? (
            <div className="p-6 text-danger" role="alert" data-testid="library-error">
              {models.error instanceof ApiError && models.error.code === "unauthorized"
                ? "This page's access token is no longer valid (the server was restarted?). Open the URL that `tensorshelf serve` printed."
                : `Could not load the library: ${models.error.message}`}
            </div>
          ) : !models.isLoading && models.total === 0 ? (
            <EmptyState desktop={desktop} filtered={filtered} onClearFilters={clearAll} />
          ) : layout === "grid" ? (
            <GridView
              rows={models.rows}
              search={models.shownText}
              total={models.total}
              selected={selection.ids}
              onOpen={openModel}
              onSelect={onSelect}
              onSelectAll={onSelectAll}
              onNeedMore={models.loadMore}
            />
          ) : (
            <LibraryList
              rows={models.rows}
              search={models.shownText}
              total={models.total}
              sort={effectiveSort(search, sort)}
              onSort={setSort}
              selected={selection.ids}
              onOpen={openModel}
              onSelect={onSelect}
              onSelectAll={onSelectAll}
              onNeedMore={models.loadMore}
            />
          )}
        </main>
        {selectedId && <DetailPanel key={selectedId} modelId={selectedId} onClose={closeDetail} />}
        {selection.ids.size > 1 && view === "library" && (
          <BulkPanel ids={selectedIds} onClear={closeDetail} />
        )}
      </div>

      {jobsOpen && <JobsPanel onClose={closeJobs} />}
      <DropOverlay onDrop={onWindowDrop} />
      {importPaths && (
        <ImportDialog
          paths={importPaths}
          onJobStarted={setImportJobId}
          onClose={() => {
            setImportPaths(null);
            setImportJobId(null);
          }}
        />
      )}
      {settingsOpen && (
        <SettingsDialog onClose={() => setSettingsOpen(false)} theme={theme} onTheme={setTheme} />
      )}
      {syncOpen && <SyncDialog onClose={() => setSyncOpen(false)} />}
      {downloadOpen && (
        <DownloadDialog
          onClose={() => setDownloadOpen(false)}
          onAdoptCache={() => {
            setDownloadOpen(false);
            setAdoptOpen(true);
          }}
        />
      )}
      {adoptOpen && <AdoptCacheDialog onClose={() => setAdoptOpen(false)} />}
      <AppEvents followedJobId={importPaths ? importJobId : null} />
    </div>
  );
}
