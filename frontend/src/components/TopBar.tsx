import { useEffect, useRef, useState } from "react";
import { libraryListTarget } from "../lib/focus";
import { isAbsolutePath, parsePathInput } from "../lib/importFlow";
import type { ThemePref } from "../lib/theme";
import { SyncButton } from "./sync/SyncButton";
import { Button, IconButton } from "./ui/Button";

/** Short: results are cached per query and only the newest query's answer is shown. */
export const SEARCH_DEBOUNCE_MS = 50;
/** A lone first letter matches most of a big library (the costliest search there is), and
 * the next key is usually on its way: it is searched only once the typing pauses. */
export const SEARCH_LONE_LETTER_DEBOUNCE_MS = 300;

function searchDelayMs(text: string): number {
  return text.trim().length === 1 ? SEARCH_LONE_LETTER_DEBOUNCE_MS : SEARCH_DEBOUNCE_MS;
}

export interface TopBarProps {
  desktop: boolean;
  search: string;
  onSearch: (text: string) => void;
  onPickPaths: (folder: boolean) => void;
  onImportPaths: (paths: string[]) => void;
  runningJobs: number;
  interruptedJobs: number;
  jobsOpen: boolean;
  onToggleJobs: () => void;
  onOpenSync: () => void;
  onOpenDownload: () => void;
  onOpenSettings: () => void;
  theme: ThemePref;
  dark: boolean;
  onTheme: (t: ThemePref) => void;
}

export function TopBar(props: TopBarProps) {
  const { desktop, runningJobs, interruptedJobs } = props;
  const jobsBadge = runningJobs + interruptedJobs;
  return (
    <header className="flex h-12 shrink-0 items-center gap-3 border-b border-line bg-panel px-3">
      <div className="flex w-[192px] shrink-0 items-center gap-2 pl-1">
        <span
          className="flex size-6 items-center justify-center rounded-md bg-accent text-[12px] font-bold text-accent-fg"
          aria-hidden="true"
        >
          T
        </span>
        <span className="text-[14px] font-semibold tracking-tight text-fg">Tensorshelf</span>
      </div>
      <SearchBox value={props.search} onSearch={props.onSearch} />
      <div className="ml-auto flex items-center gap-1.5">
        {desktop ? (
          <>
            <Button
              size="md"
              variant="primary"
              onClick={() => props.onPickPaths(false)}
              data-testid="add-files"
            >
              Add files…
            </Button>
            <Button size="md" onClick={() => props.onPickPaths(true)} data-testid="add-folder">
              Add folder…
            </Button>
          </>
        ) : (
          <ImportPathField onImport={props.onImportPaths} />
        )}
        <Button variant="ghost" onClick={props.onOpenDownload} data-testid="download-button">
          Download
        </Button>
        <SyncButton onClick={props.onOpenSync} />
        <Button
          variant="ghost"
          onClick={props.onToggleJobs}
          aria-expanded={props.jobsOpen}
          data-testid="jobs-button"
          className="relative"
        >
          Jobs
          {jobsBadge > 0 && (
            <span
              className={`min-w-4 rounded-full px-1 text-[10.5px] leading-4 font-semibold text-white ${runningJobs ? "bg-accent" : "bg-warn"}`}
              aria-label={`${runningJobs} running, ${interruptedJobs} interrupted`}
            >
              {jobsBadge}
            </span>
          )}
        </Button>
        <IconButton
          label={props.dark ? "Switch to light theme" : "Switch to dark theme"}
          onClick={() => props.onTheme(props.dark ? "light" : "dark")}
          data-testid="theme-toggle"
        >
          {props.dark ? (
            <svg viewBox="0 0 16 16" className="size-4" aria-hidden="true">
              <circle cx="8" cy="8" r="3" fill="none" stroke="currentColor" strokeWidth="1.4" />
              <path
                d="M8 1.5v1.5M8 13v1.5M1.5 8H3M13 8h1.5M3.4 3.4l1 1M11.6 11.6l1 1M3.4 12.6l1-1M11.6 4.4l1-1"
                stroke="currentColor"
                strokeWidth="1.4"
                strokeLinecap="round"
              />
            </svg>
          ) : (
            <svg viewBox="0 0 16 16" className="size-4" aria-hidden="true">
              <path
                d="M13.5 9.5A5.5 5.5 0 0 1 6.5 2.5a5.5 5.5 0 1 0 7 7z"
                fill="none"
                stroke="currentColor"
                strokeWidth="1.4"
                strokeLinejoin="round"
              />
            </svg>
          )}
        </IconButton>
        <IconButton label="Settings" onClick={props.onOpenSettings} data-testid="settings-button">
          <svg viewBox="0 0 16 16" className="size-4" aria-hidden="true">
            <path
              d="M2 4.5h7M12 4.5h2M2 11.5h2M7 11.5h7"
              stroke="currentColor"
              strokeWidth="1.4"
              strokeLinecap="round"
            />
            <circle
              cx="10.5"
              cy="4.5"
              r="1.5"
              fill="none"
              stroke="currentColor"
              strokeWidth="1.4"
            />
            <circle
              cx="5.5"
              cy="11.5"
              r="1.5"
              fill="none"
              stroke="currentColor"
              strokeWidth="1.4"
            />
          </svg>
        </IconButton>
      </div>
    </header>
  );
}

export function SearchBox({
  value,
  onSearch,
}: {
  value: string;
  onSearch: (text: string) => void;
}) {
  const [text, setText] = useState(value);
  const onSearchRef = useRef(onSearch);
  const sent = useRef(value); // the last text handed up: its echo in `value` is not a change
  useEffect(() => {
    onSearchRef.current = onSearch;
  });
  useEffect(() => {
    // only a change from elsewhere (Clear filters, a saved filter) replaces what is typed:
    // the echo of a search sent while the user kept typing must not undo the keys since
    if (value !== sent.current) {
      sent.current = value;
      setText(value);
    }
  }, [value]);
  const send = (next: string) => {
    sent.current = next;
    onSearchRef.current(next);
  };
  useEffect(() => {
    if (text === value) return;
    const t = window.setTimeout(() => send(text), searchDelayMs(text));
    return () => window.clearTimeout(t);
  }, [text, value]);
  return (
    <div className="relative w-full max-w-[420px] min-w-[160px]">
      <svg
        viewBox="0 0 16 16"
        className="pointer-events-none absolute top-1/2 left-2.5 size-3.5 -translate-y-1/2 text-faint"
        aria-hidden="true"
      >
        <circle cx="7" cy="7" r="4.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
        <path d="M10.5 10.5L14 14" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
      </svg>
      <input
        type="search"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape" && text) {
            e.stopPropagation();
            setText("");
            send("");
          } else if (e.key === "ArrowDown") {
            // from the search box straight into the results
            const list = libraryListTarget();
            if (list) {
              e.preventDefault();
              list.focus();
            }
          }
        }}
        placeholder="Search models, families, tags…"
        aria-label="Search models"
        data-testid="search-input"
        className="h-8 w-full rounded-md border border-line bg-bg pr-2 pl-8 text-[13px] text-fg placeholder:text-faint focus:border-accent focus:outline-none"
      />
    </div>
  );
}

/** Web mode has no OS drag source with paths: type or paste absolute paths (one per line). */
function ImportPathField({ onImport }: { onImport: (paths: string[]) => void }) {
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const submit = () => {
    const paths = parsePathInput(text);
    if (paths.length === 0) return;
    const relative = paths.filter((p) => !isAbsolutePath(p));
    if (relative.length) {
      setProblem(
        `Give the full path (starting with / or ~): the server cannot know your current folder — ${relative.join(", ")}`,
      );
      return;
    }
    setProblem(null);
    onImport(paths);
    setText("");
  };
  return (
    <form
      className="relative flex items-center gap-1.5"
      aria-label="Import from path"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <textarea
        rows={1}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey) {
            e.preventDefault();
            submit();
          }
        }}
        placeholder="Import from path…"
        aria-label="Import from path (absolute paths, one per line)"
        title="Absolute path of a model file or folder; Shift+Enter for another line"
        data-testid="import-path-input"
        className="h-8 w-[300px] resize-none overflow-hidden rounded-md border border-line bg-bg px-2.5 py-[6px] font-mono text-[12px] leading-[18px] whitespace-nowrap text-fg placeholder:font-sans placeholder:text-faint focus:border-accent focus:outline-none max-[1200px]:w-[220px]"
      />
      <Button
        type="submit"
        variant="primary"
        disabled={!text.trim()}
        data-testid="import-path-submit"
      >
        Import
      </Button>
      {problem && (
        <span
          role="alert"
          data-testid="import-path-problem"
          className="absolute top-11 z-30 max-w-[420px] rounded-md border border-danger/40 bg-elev px-2 py-1 text-[12px] text-danger shadow-lg"
        >
          {problem}
        </span>
      )}
    </form>
  );
}
