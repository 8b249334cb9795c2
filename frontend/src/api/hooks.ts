/**
 * Data access through @tanstack/react-query. Queries are refreshed by pushed events
 * (`attachLiveUpdates`), never by polling: no hook here sets a refetch interval.
 */
import {
  infiniteQueryOptions,
  keepPreviousData,
  QueryClient,
  queryOptions,
  type QueryKey,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef } from "react";
import type { Bridge } from "./bridge";
import { useBridge } from "./BridgeContext";
import type {
  HubStatus,
  AppKind,
  LinkMethod,
  Resolution,
  RuleEdit,
  AppSettings,
  ImportOptions,
  JobInfo,
  JobProgressEvent,
  ListQuery,
  ModelEdit,
  ModelPage,
  ModelSummary,
  NetworkStatusEvent,
  RepoSnapshotRef,
} from "./types";

export const MODELS_PAGE_SIZE = 1000;
/** the first page is small so a new search answers fast; later pages load as the list scrolls */
export const MODELS_FIRST_PAGE_SIZE = 100;

export const queryKeys = {
  models: (query?: ListQuery) => (query ? (["models", query] as const) : (["models"] as const)),
  facets: ["facets"] as const,
  model: (ref?: string) => (ref ? (["model", ref] as const) : (["model"] as const)),
  preview: (ref?: string) => (ref ? (["preview", ref] as const) : (["preview"] as const)),
  jobs: ["jobs"] as const,
  status: ["status"] as const,
  settings: ["settings"] as const,
  network: ["network"] as const,
  plan: (paths: string[]) => ["plan", paths] as const,
  apps: ["apps"] as const,
  syncPlan: ["sync-plan"] as const,
  health: ["health"] as const,
  rules: (app: string) => ["rules", app] as const,
  modelLinks: (ref: string) => ["model-links", ref] as const,
  hub: ["hub"] as const,
  history: ["history"] as const,
  stats: ["stats"] as const,
};

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: 30_000, retry: 1, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}

// ------------------------------------------------------------------ live updates

/**
 * Wires pushed events to the query cache: library.changed → models/facets/status (+ each
 * changed model), job.* → jobs (progress is written straight into the cached job list).
 * Returns a function that detaches everything.
 */
export function attachLiveUpdates(bridge: Bridge, client: QueryClient): () => void {
  const refresh = (queryKey: QueryKey) => refreshQueries(client, queryKey);
  const offs = [
    bridge.subscribe("library.changed", (payload) => {
      refresh(queryKeys.syncPlan);
      refresh(queryKeys.models());
      refresh(queryKeys.facets);
      refresh(queryKeys.status);
      refresh(queryKeys.history);
      refresh(queryKeys.stats);
      for (const id of payload?.ids ?? []) {
        refresh(queryKeys.model(id));
        refresh(queryKeys.preview(id));
        refresh(["thumbnail", id]);
        refresh(queryKeys.modelLinks(id));
      }
    }),
    bridge.subscribe("job.progress", (payload) => {
      const jobs = client.getQueryData<JobInfo[]>(queryKeys.jobs);
      if (jobs?.some((j) => j.job_id === payload.job_id)) {
        client.setQueryData<JobInfo[]>(queryKeys.jobs, applyJobProgress(jobs, payload));
      } else {
        void client.invalidateQueries({ queryKey: queryKeys.jobs });
      }
    }),
    bridge.subscribe("job.done", (payload) => {
      void client.invalidateQueries({ queryKey: queryKeys.jobs });
      // what an import or lookup wrote is on screen now (the import summary's verdicts):
      // asked again at its end too, whatever a library.changed raced with
      if (payload.kind === "lookup" || payload.kind === "import") refresh(queryKeys.model());
      if (payload.kind === "import") void client.invalidateQueries({ queryKey: queryKeys.history });
      if (payload.kind === "sync") {
        void client.invalidateQueries({ queryKey: queryKeys.syncPlan });
        void client.invalidateQueries({ queryKey: queryKeys.health });
      }
    }),
    bridge.subscribe("network.status", (payload) => {
      client.setQueryData<NetworkStatusEvent>(queryKeys.network, payload);
    }),
    bridge.onReconnect(() => {
      // events may have been missed while the stream was down
      void client.invalidateQueries();
    }),
  ];
  return () => offs.forEach((off) => off());
}

/**
 * Marks the queries stale and refetches the ones on screen. A fetch in flight was read
 * before the change, so its answer must not land as fresh: react-query joins an
 * invalidation to a first fetch already running (that fetch is dropped and asked again),
 * and an answer landing for a query nothing shows any more would clear its staleness (that
 * fetch is undone, so the next component to show the query asks again).
 */
export function refreshQueries(client: QueryClient, queryKey: QueryKey): void {
  for (const query of client.getQueryCache().findAll({ queryKey })) {
    if (query.state.fetchStatus !== "fetching") continue;
    if (!query.isActive()) void query.cancel({ revert: true });
    else if (query.state.data === undefined) void query.cancel({ silent: true });
  }
  void client.invalidateQueries({ queryKey });
}

export function applyJobProgress(jobs: JobInfo[], p: JobProgressEvent): JobInfo[] {
  return jobs.map((job) =>
    job.job_id === p.job_id
      ? {
          ...job,
          status: "running",
          items_done: p.items_done,
          items_total: p.items_total,
          bytes_done: p.bytes_done,
          bytes_total: p.bytes_total,
          // a job re-titled after its start (an import, once planned) says so in its progress
          title: p.title ?? job.title,
        }
      : job,
  );
}

export function useLiveUpdates(): void {
  const bridge = useBridge();
  const client = useQueryClient();
  useEffect(() => attachLiveUpdates(bridge, client), [bridge, client]);
}

// ------------------------------------------------------------------ queries

export type ModelsQuery = Omit<ListQuery, "limit" | "offset">;

export interface ModelsResult {
  rows: ModelSummary[];
  total: number;
  isLoading: boolean;
  /** the results are being fetched again (a new query, a change): not a next page */
  isRefreshing: boolean;
  /** the search text the rows shown were found for (while a new search's are on the way,
   * the previous rows stay, highlighted for their own words: not re-rendered per keystroke) */
  shownText: string;
  error: Error | null;
  hasMore: boolean;
  loadMore: () => void;
}

function modelsOptions(bridge: Bridge, query: ModelsQuery) {
  return infiniteQueryOptions({
    queryKey: queryKeys.models(query),
    queryFn: ({ pageParam }) =>
      bridge.call("list_models", {
        query: {
          ...query,
          limit: pageParam === 0 ? MODELS_FIRST_PAGE_SIZE : MODELS_PAGE_SIZE,
          offset: pageParam,
        },
      }),
    initialPageParam: 0,
    getNextPageParam: (last: ModelPage, pages: ModelPage[]) => {
      const loaded = pages.reduce((n, p) => n + p.models.length, 0);
      return loaded < last.total && last.models.length > 0 ? loaded : undefined;
    },
  });
}

function facetsOptions(bridge: Bridge, query?: ModelsQuery) {
  const filter = query ? { ...query, sort: undefined, descending: undefined } : undefined;
  return queryOptions({
    queryKey: filter ? [...queryKeys.facets, filter] : queryKeys.facets,
    queryFn: () =>
      bridge.call("get_facets", filter ? { query: { ...filter, sort: "name" as const } } : {}),
  });
}

/** The library list: pages of MODELS_PAGE_SIZE rows loaded as the list scrolls. */
export function useModels(query: ModelsQuery): ModelsResult {
  const bridge = useBridge();
  const q = useInfiniteQuery({
    ...modelsOptions(bridge, query),
    placeholderData: keepPreviousData,
  });
  const shownText = useRef(query.text ?? "");
  if (q.data && !q.isPlaceholderData) shownText.current = query.text ?? "";
  const rows = useMemo(() => q.data?.pages.flatMap((p) => p.models) ?? [], [q.data]);
  const total = q.data?.pages[0]?.total ?? 0;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = q;
  return {
    rows,
    total,
    isLoading: q.isLoading,
    isRefreshing: q.isFetching && !isFetchingNextPage,
    shownText: shownText.current,
    error: q.error,
    hasMore: !!hasNextPage,
    loadMore: () => {
      if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
    },
  };
}

/** Facet counts — with `query`, for it (each facet with the other filters applied). */
export function useFacets(query?: ModelsQuery) {
  const bridge = useBridge();
  return useQuery({ ...facetsOptions(bridge, query), placeholderData: (previous) => previous });
}

/** Starts the list's first page and the facet counts of `query` at once, before the window
 * re-renders for it (a new search: the request overlaps that render instead of following
 * it); the hooks above then pick the answers up from the cache. */
export function usePrefetchResults(): (query: ModelsQuery) => void {
  const bridge = useBridge();
  const client = useQueryClient();
  return useCallback(
    (query: ModelsQuery) => {
      void client.prefetchInfiniteQuery(modelsOptions(bridge, query));
      void client.prefetchQuery(facetsOptions(bridge, query));
    },
    [bridge, client],
  );
}

export function useModel(ref: string | null) {
  const bridge = useBridge();
  return useQuery({
    queryKey: queryKeys.model(ref ?? ""),
    queryFn: () => bridge.call("get_model", { ref: ref as string }),
    enabled: !!ref,
  });
}

/** The model's preview image (a data: URL, or null when it has none). */
export function usePreview(ref: string | null) {
  const bridge = useBridge();
  return useQuery({
    queryKey: queryKeys.preview(ref ?? ""),
    queryFn: () => bridge.call("get_preview", { ref: ref as string }),
    enabled: !!ref,
    staleTime: Infinity, // changes only with the model (library.changed invalidates it)
    retry: false,
  });
}

export function useJobs() {
  const bridge = useBridge();
  return useQuery({ queryKey: queryKeys.jobs, queryFn: () => bridge.call("list_jobs", {}) });
}

export function useStatus() {
  const bridge = useBridge();
  return useQuery({ queryKey: queryKeys.status, queryFn: () => bridge.call("get_status", {}) });
}

export function useSettings(enabled = true) {
  const bridge = useBridge();
  return useQuery({
    queryKey: queryKeys.settings,
    queryFn: () => bridge.call("get_settings", {}),
    enabled,
  });
}

const ONLINE: NetworkStatusEvent = {
  online: true,
  host: null,
  state: "ok",
  reason: "",
  since: null,
};

/** The Hub's state as the backend last saw it (a window opened after a failure). */
export function hubNetworkState(status: HubStatus): NetworkStatusEvent {
  const host = status.endpoint.replace(/^[a-z]+:\/\//, "").split("/")[0];
  if (status.offline_reason)
    return { online: false, host, state: "offline", reason: status.offline_reason, since: null };
  const seen = status.hosts.find((h) => h.host === host);
  return seen
    ? {
        online: seen.state !== "offline",
        host,
        state: seen.state,
        reason: seen.reason,
        since: seen.since,
      }
    : ONLINE;
}

export function useNetworkStatus(): NetworkStatusEvent | undefined {
  // fetched once (and on reconnect); then kept current by network.status events
  const bridge = useBridge();
  const q = useQuery<NetworkStatusEvent>({
    queryKey: queryKeys.network,
    queryFn: async () => hubNetworkState(await bridge.call("get_hub_status", {})),
    placeholderData: ONLINE,
    staleTime: Infinity,
  });
  return q.data;
}

export function useImportPlan(paths: string[] | null) {
  const bridge = useBridge();
  return useQuery({
    queryKey: queryKeys.plan(paths ?? []),
    queryFn: () => bridge.call("plan_import", { paths: paths ?? [] }),
    enabled: !!paths && paths.length > 0,
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
  });
}

// ------------------------------------------------------------------ mutations

/** Put models into / take them out of collections (kept in their metadata.json). */
export function useChangeCollections() {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (vars: { refs: string[]; add?: string[]; remove?: string[] }) =>
      bridge.call("change_collections", vars),
    onSuccess: (_change, vars) => {
      for (const ref of vars.refs)
        void client.invalidateQueries({ queryKey: queryKeys.model(ref) });
      void client.invalidateQueries({ queryKey: queryKeys.models() });
      void client.invalidateQueries({ queryKey: ["collections"] });
    },
  });
}

export function useCollections() {
  const bridge = useBridge();
  return useQuery({
    queryKey: ["collections"],
    queryFn: () => bridge.call("list_collections", {}),
  });
}

export function useEditModel() {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (vars: { ref: string; edit: ModelEdit }) => bridge.call("edit_model", vars),
    onSuccess: (model, vars) => {
      // show the saved state at once; library.changed will refresh the list too
      client.setQueryData(queryKeys.model(vars.ref), (old: { library_dir: string } | undefined) =>
        old ? { ...old, model } : old,
      );
      void client.invalidateQueries({ queryKey: queryKeys.models() });
      void client.invalidateQueries({ queryKey: queryKeys.facets });
    },
  });
}

export function useDeleteModels() {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (refs: string[]) => bridge.call("delete_models", { refs }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.models() });
      void client.invalidateQueries({ queryKey: queryKeys.facets });
    },
  });
}

export function useStartImport() {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (vars: {
      plan_id: string;
      options: ImportOptions;
      items: Record<string, ImportOptions>;
    }) => bridge.call("start_import", vars),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.jobs }),
  });
}

export function useStartVerify() {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (vars: { refs: string[]; full?: boolean }) => bridge.call("start_verify", vars),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.jobs }),
  });
}

export function useStartRebuild() {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => bridge.call("start_rebuild", {}),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.jobs }),
  });
}

export function useStartReclassify() {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (vars: { refs?: string[]; all?: boolean; dry_run: boolean }) =>
      bridge.call("start_reclassify", vars),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.jobs }),
  });
}

export function useUpdateSettings() {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (changes: Partial<AppSettings>) => bridge.call("update_settings", { changes }),
    onSuccess: (settings) => client.setQueryData(queryKeys.settings, settings),
  });
}

export function useCancelJob() {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (jobId: string) => bridge.call("cancel_job", { job_id: jobId }),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.jobs }),
  });
}

/** Pause a running download: its partial files are kept and Resume continues it. */
export function usePauseJob() {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (jobId: string) => bridge.call("pause_job", { job_id: jobId }),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.jobs }),
  });
}

export function useResumeJobs() {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (jobId?: string) => bridge.call("resume_jobs", jobId ? { job_id: jobId } : {}),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.jobs }),
  });
}

// ------------------------------------------------------------------ apps and sync

export function useApps() {
  const bridge = useBridge();
  return useQuery({ queryKey: queryKeys.apps, queryFn: () => bridge.call("list_apps", {}) });
}

/** What a sync would do in every registered app (refetched when the library changes). */
export function useSyncPlan(enabled = true) {
  const bridge = useBridge();
  return useQuery({
    queryKey: queryKeys.syncPlan,
    queryFn: () => bridge.call("plan_sync", {}),
    enabled,
  });
}

function useAppsMutation<V, R>(call: (vars: V) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.apps });
      void client.invalidateQueries({ queryKey: queryKeys.syncPlan });
      void client.invalidateQueries({ queryKey: queryKeys.health });
    },
  });
}

/** Start the sync job (its progress and end arrive as events: see useFollowJob). */
export function useSync() {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (resolutions?: Record<string, Resolution>) =>
      bridge.call("start_sync", resolutions ? { resolutions } : {}),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.jobs }),
  });
}

/** Doctor's findings (walks the app folders: fetched when the Sync dialog opens). Disabled,
 * it still shows the answer another view asked for, and never asks by itself. */
export function useHealth(enabled: boolean) {
  const bridge = useBridge();
  return useQuery({
    queryKey: queryKeys.health,
    queryFn: () => bridge.call("doctor", {}),
    enabled,
    staleTime: 0,
  });
}

export function useRepair() {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => bridge.call("doctor", { fix: true }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.health });
      void client.invalidateQueries({ queryKey: queryKeys.syncPlan });
    },
  });
}

export function useAddApp() {
  const bridge = useBridge();
  return useAppsMutation(
    (vars: { path: string; kind?: AppKind; name?: string; method?: LinkMethod; sync?: boolean }) =>
      bridge.call("add_app", vars),
  );
}

/** The Hub as the backend sees it: endpoint, where the token comes from, host states. */
export function useHubStatus() {
  const bridge = useBridge();
  return useQuery({ queryKey: queryKeys.hub, queryFn: () => bridge.call("get_hub_status", {}) });
}

export function useSetHfToken() {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (token: string | null) => bridge.call("set_hf_token", { token }),
    onSuccess: (status) => client.setQueryData(queryKeys.hub, status),
  });
}

/** A repo's files with sizes (the download dialog), fetched once a repo is named. */
export function useRepoFiles(repo: string | null) {
  const bridge = useBridge();
  return useQuery({
    queryKey: ["repo-files", repo],
    queryFn: () => bridge.call("list_repo_files", { repo_id: repo ?? "" }),
    enabled: !!repo,
  });
}

export function useStartDownload() {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (vars: { repo_id: string; files: string[] }) => bridge.call("start_download", vars),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.jobs }),
  });
}

/** "Find on Hugging Face": repos for `query`, or for the model's own cleaned name. */
export function useHubSearch(ref: string, query: string | null) {
  const bridge = useBridge();
  return useQuery({
    queryKey: ["hub-search", ref, query],
    queryFn: () => bridge.call("search_hub", query ? { query } : { ref }),
    retry: false,
  });
}

export function useCompleteShards() {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (ref: string) => bridge.call("start_complete_shards", { ref }),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.jobs }),
  });
}

/** The model repos of a local Hugging Face cache (`null` path: the default cache). */
export function useHfCache(path: string | null, enabled: boolean) {
  const bridge = useBridge();
  return useQuery({
    queryKey: ["hf-cache", path],
    queryFn: () => bridge.call("scan_hf_cache", path ? { path } : {}),
    enabled,
  });
}

export function useStartAdopt() {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (vars: { repos: RepoSnapshotRef[]; path?: string; trust: boolean }) =>
      bridge.call("start_adopt", vars),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.jobs }),
  });
}

/** Look models up on Hugging Face again (a job: its end arrives as events). */
export function useStartLookup() {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (refs: string[]) => bridge.call("start_lookup", { refs }),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.jobs }),
  });
}

/** Compare matched models with their repos now (a lookup job in update mode). */
export function useCheckUpdates() {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => bridge.call("start_lookup", { updates: true }),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.jobs }),
  });
}

/** The user's answer to where a model comes from (null: not on the Hub). */
export function useSetMatch(ref: string) {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (repoId: string | null) => bridge.call("set_match", { ref, repo_id: repoId }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.model(ref) });
      void client.invalidateQueries({ queryKey: queryKeys.models() });
    },
  });
}

/** Where one model is linked in each app, and its per-app choices. */
export function useModelLinks(ref: string) {
  const bridge = useBridge();
  return useQuery({
    queryKey: queryKeys.modelLinks(ref),
    queryFn: () => bridge.call("get_model_links", { ref }),
  });
}

export function useSetLinkChoice(ref: string) {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (vars: { app: string; exclude: boolean; target_name: string | null }) =>
      bridge.call("set_link_choice", { ref, ...vars }),
    onSuccess: (links) => {
      client.setQueryData(queryKeys.modelLinks(ref), links);
      void client.invalidateQueries({ queryKey: queryKeys.syncPlan });
    },
  });
}

/** One app's mapping rules (shipped default + the user's changes). */
export function useRules(app: string) {
  const bridge = useBridge();
  return useQuery({
    queryKey: queryKeys.rules(app),
    queryFn: () => bridge.call("get_rules", { app }),
  });
}

/** Change or reset one rule of one app; the plan preview is refetched with it. */
export function useEditRule(app: string) {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (vars: { name: string; edit?: RuleEdit; reset?: boolean }) =>
      vars.reset
        ? bridge.call("reset_rule", { app, name: vars.name })
        : bridge.call("edit_rule", { app, name: vars.name, edit: vars.edit ?? {} }),
    onSuccess: (rules) => {
      client.setQueryData(queryKeys.rules(app), rules);
      void client.invalidateQueries({ queryKey: queryKeys.syncPlan });
    },
  });
}

export function useRemoveApp() {
  const bridge = useBridge();
  return useAppsMutation((ref: string) => bridge.call("remove_app", { ref }));
}

export function useDetectApp() {
  const bridge = useBridge();
  return useMutation({
    mutationFn: (vars: { path: string; kind?: AppKind }) => bridge.call("detect_app", vars),
  });
}

export function useRelocate() {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (vars: { old: string; new: string }) => bridge.call("relocate", vars),
    onSuccess: () => {
      for (const key of [queryKeys.apps, queryKeys.syncPlan, queryKeys.health, queryKeys.status])
        void client.invalidateQueries({ queryKey: key });
    },
  });
}

/** Keep the links as they are after the library moved (stop offering to re-point them). */
export function useDismissMove() {
  const bridge = useBridge();
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => bridge.call("dismiss_move", {}),
    onSuccess: (status) => client.setQueryData(queryKeys.status, status),
  });
}
