import { act, screen, waitFor } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { createFakeBridge } from "../test/fakeBridge";
import { facetCounts, jobInfo, metadata, summary } from "../test/factories";
import { renderWithBridge } from "../test/render";
import {
  applyJobProgress,
  useFacets,
  useJobs,
  useLiveUpdates,
  useModel,
  useModels,
  usePrefetchResults,
  queryKeys,
  MODELS_FIRST_PAGE_SIZE,
} from "./hooks";

function Probe() {
  useLiveUpdates();
  const models = useModels({ sort: "name" });
  const facets = useFacets();
  const jobs = useJobs();
  return (
    <div>
      <span data-testid="rows">{models.rows.map((m) => m.name).join(",")}</span>
      <span data-testid="facets">{Object.keys(facets.data?.family ?? {}).join(",")}</span>
      <span data-testid="jobs">
        {(jobs.data ?? []).map((j) => `${j.job_id}:${j.bytes_done}`).join(",")}
      </span>
    </div>
  );
}

const job = jobInfo;

function setup() {
  let version = 1;
  const bridge = createFakeBridge({
    list_models: () => ({
      total: version,
      models: Array.from({ length: version }, (_, i) => summary(i)),
    }),
    get_facets: () => facetCounts({ family: { [`f${version}`]: 1 } }),
    list_jobs: () => [job()],
  });
  const view = renderWithBridge(<Probe />, bridge);
  return { bridge, ...view, bump: () => (version += 1) };
}

/** Model m1's Hugging Face match method, as the import summary shows it. */
function MatchProbe() {
  const detail = useModel("m1");
  return <span data-testid="method">{detail.data?.model.match_method ?? "…"}</span>;
}

function LiveMatchProbe() {
  useLiveUpdates();
  return <MatchProbe />;
}

/** m1's lookup has written its match. */
const lookedUp = { ids: ["m1"], reason: "lookup" as const, elsewhere: false };

/** A bridge whose first answer for m1 (read before its lookup wrote) is held until
 * `answerFirst`; every later ask sees the match. */
function staleFirstAnswer() {
  let answer: () => void = () => {};
  const bridge = createFakeBridge({
    get_model: () => {
      if (bridge.callsOf("get_model").length === 1) {
        const stale = { model: metadata({ match_method: "none" }), library_dir: "/lib/m1" };
        return new Promise((resolve) => (answer = () => resolve(stale)));
      }
      return { model: metadata({ match_method: "filename_fuzzy" }), library_dir: "/lib/m1" };
    },
  });
  return { bridge, answerFirst: () => answer() };
}

describe("event → query invalidation", () => {
  it("library.changed refetches the model list and facets", async () => {
    const { bridge, bump } = setup();
    await waitFor(() => expect(screen.getByTestId("rows")).toHaveTextContent("Model 0"));
    await waitFor(() => expect(screen.getByTestId("facets")).toHaveTextContent("f1"));
    expect(bridge.callsOf("list_models")).toHaveLength(1);

    bump();
    act(() =>
      bridge.emit("library.changed", { ids: ["id-00001"], reason: "import", elsewhere: false }),
    );
    await waitFor(() => expect(screen.getByTestId("rows")).toHaveTextContent("Model 0,Model 1"));
    await waitFor(() => expect(screen.getByTestId("facets")).toHaveTextContent("f2"));
    expect(bridge.callsOf("list_models")).toHaveLength(2);
    expect(bridge.callsOf("get_facets")).toHaveLength(2);
    expect(bridge.callsOf("list_jobs")).toHaveLength(1); // unrelated query untouched
  });

  it("a change that lands while a model's first fetch is in flight is not lost", async () => {
    // the import summary asks for the new model while its lookup is still writing: the
    // answer in flight is from before the change, so it must be asked again
    const { bridge, answerFirst } = staleFirstAnswer();
    renderWithBridge(<LiveMatchProbe />, bridge);
    await waitFor(() => expect(bridge.callsOf("get_model")).toHaveLength(1));
    act(() => bridge.emit("library.changed", lookedUp));
    await act(async () => answerFirst());
    await waitFor(() => expect(screen.getByTestId("method")).toHaveTextContent("filename_fuzzy"));
    expect(bridge.callsOf("get_model")).toHaveLength(2);
  });

  it("a first fetch left in flight by a component that went away does not land as fresh", async () => {
    // a summary shown, hidden and shown again while the model's lookup writes: the answer
    // to the first ask predates the change, so the next component to show it asks again
    function Toggle() {
      useLiveUpdates();
      const [shown, setShown] = useState(true);
      return (
        <>
          <button onClick={() => setShown((s) => !s)}>toggle</button>
          {shown && <MatchProbe />}
        </>
      );
    }
    const { bridge, answerFirst } = staleFirstAnswer();
    renderWithBridge(<Toggle />, bridge);
    await waitFor(() => expect(bridge.callsOf("get_model")).toHaveLength(1));
    act(() => screen.getByText("toggle").click()); // gone, its fetch still in flight
    act(() => bridge.emit("library.changed", lookedUp));
    await act(async () => answerFirst());
    act(() => screen.getByText("toggle").click()); // shown again
    await waitFor(() => expect(screen.getByTestId("method")).toHaveTextContent("filename_fuzzy"));
    expect(bridge.callsOf("get_model")).toHaveLength(2);
  });

  it("the end of a lookup asks again for the models on screen", async () => {
    let method: "none" | "filename_fuzzy" = "none";
    const bridge = createFakeBridge({
      get_model: () => ({ model: metadata({ match_method: method }), library_dir: "/lib/m1" }),
    });
    renderWithBridge(<LiveMatchProbe />, bridge);
    await waitFor(() => expect(screen.getByTestId("method")).toHaveTextContent("none"));
    method = "filename_fuzzy";
    act(() =>
      bridge.emit("job.done", {
        job_id: "j2",
        kind: "lookup",
        status: "done",
        problems: 0,
        bytes_read: null,
        result: null,
        error: null,
      }),
    );
    await waitFor(() => expect(screen.getByTestId("method")).toHaveTextContent("filename_fuzzy"));
  });

  it("job.progress updates the cached job without a request; job.done refetches jobs", async () => {
    const { bridge } = setup();
    await waitFor(() => expect(screen.getByTestId("jobs")).toHaveTextContent("j1:0"));
    act(() =>
      bridge.emit("job.progress", {
        job_id: "j1",
        kind: "import",
        items_done: 1,
        items_total: 2,
        bytes_done: 60,
        bytes_total: 100,
        rate_bps: 10,
        eta_s: 4,
        item: null,
        title: null,
      }),
    );
    await waitFor(() => expect(screen.getByTestId("jobs")).toHaveTextContent("j1:60"));
    expect(bridge.callsOf("list_jobs")).toHaveLength(1);

    act(() =>
      bridge.emit("job.done", {
        job_id: "j1",
        kind: "import",
        status: "done",
        problems: 0,
        bytes_read: null,
        result: null,
        error: null,
      }),
    );
    await waitFor(() => expect(bridge.callsOf("list_jobs")).toHaveLength(2));
    expect(bridge.callsOf("list_models")).toHaveLength(1);
  });

  it("job.progress carries a job's new title (an import re-titled once planned)", () => {
    const progress = {
      job_id: "j1",
      kind: "import" as const,
      items_done: 0,
      items_total: 5,
      bytes_done: 0,
      bytes_total: 5,
      rate_bps: 0,
      eta_s: null,
      item: null,
    };
    const jobs = [
      job({ job_id: "j1", title: "Import downloads" }),
      job({ job_id: "j2", title: "Verify 1 model" }),
    ];
    const retitled = applyJobProgress(jobs, { ...progress, title: "Import 5 models" });
    expect(retitled.map((j) => j.title)).toEqual(["Import 5 models", "Verify 1 model"]);
    expect(applyJobProgress(retitled, { ...progress, title: null })[0].title).toBe(
      "Import 5 models",
    );
  });

  it("progress of an unknown job refetches the job list", async () => {
    const { bridge } = setup();
    await waitFor(() => expect(bridge.callsOf("list_jobs")).toHaveLength(1));
    act(() =>
      bridge.emit("job.progress", {
        job_id: "other",
        kind: "verify",
        items_done: 0,
        items_total: 1,
        bytes_done: 0,
        bytes_total: 1,
        rate_bps: 0,
        eta_s: null,
        item: null,
        title: null,
      }),
    );
    await waitFor(() => expect(bridge.callsOf("list_jobs")).toHaveLength(2));
  });

  it("no query polls: nothing refetches without an event, and no observer has a refetchInterval", async () => {
    const { bridge, client } = setup();
    await waitFor(() => expect(screen.getByTestId("jobs")).toHaveTextContent("j1:0"));
    const before = bridge.calls.length;
    await new Promise((r) => setTimeout(r, 250));
    expect(bridge.calls.length).toBe(before);
    const queries = client.getQueryCache().getAll();
    expect(queries.length).toBeGreaterThanOrEqual(3);
    for (const q of queries) {
      for (const observer of q.observers) {
        expect(observer.options.refetchInterval ?? false).toBe(false);
      }
    }
    expect(client.getQueryData(queryKeys.jobs)).toBeDefined();
  });
});

describe("source code", () => {
  it("never polls: no refetchInterval or setInterval outside tests", () => {
    const sources = import.meta.glob(
      ["../**/*.ts", "../**/*.tsx", "!../**/*.test.*", "!../test/**"],
      {
        query: "?raw",
        import: "default",
        eager: true,
      },
    ) as Record<string, string>;
    expect(Object.keys(sources).length).toBeGreaterThan(10);
    for (const [file, text] of Object.entries(sources)) {
      expect(text.includes("refetchInterval"), file).toBe(false);
      expect(text.includes("setInterval"), file).toBe(false);
    }
  });
});

describe("a new search's results", () => {
  it("are asked for before the window renders for them, and asked once", async () => {
    const query = { sort: "relevance" as const, descending: false, text: "pixel" };
    let prefetch: (q: typeof query) => void = () => {};
    let show: () => void = () => {};
    function SearchProbe() {
      prefetch = usePrefetchResults();
      const [shown, setShown] = useState(false);
      show = () => setShown(true);
      return shown ? <Results /> : null;
    }
    function Results() {
      const models = useModels(query);
      const facets = useFacets(query);
      return (
        <span data-testid="results">
          {models.rows.length}:{Object.keys(facets.data?.family ?? {}).join(",")}
        </span>
      );
    }
    const bridge = createFakeBridge({
      list_models: () => ({ total: 1, models: [summary(0)] }),
      get_facets: () => facetCounts({ family: { sdxl: 1 } }),
    });
    renderWithBridge(<SearchProbe />, bridge);
    act(() => prefetch(query));
    // both requests are out before anything rendered for the query
    expect(bridge.callsOf("list_models")).toEqual([
      { query: { ...query, limit: MODELS_FIRST_PAGE_SIZE, offset: 0 } },
    ]);
    expect(bridge.callsOf("get_facets")).toEqual([{ query: { text: "pixel", sort: "name" } }]);
    act(() => show());
    await waitFor(() => expect(screen.getByTestId("results")).toHaveTextContent("1:sdxl"));
    expect(bridge.callsOf("list_models")).toHaveLength(1); // the hooks took the answers
    expect(bridge.callsOf("get_facets")).toHaveLength(1);
  });
});
