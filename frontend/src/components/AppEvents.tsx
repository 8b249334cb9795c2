import { useEffect, useRef } from "react";
import { useEvent } from "../api/BridgeContext";
import { useJobs, useStatus } from "../api/hooks";
import { isJobKindClaimed } from "../lib/jobClaims";
import { isPaused, jobDoneMessage } from "../lib/jobMessages";
import { useToast } from "./ui/Toasts";

/**
 * App-level reactions to pushed events and startup facts: a toast per finished job (except
 * the import the open dialog is already showing, and kinds a mounted component claimed), staging cleaned up at start, interrupted
 * jobs waiting for a resume.
 */
export function AppEvents({ followedJobId }: { followedJobId: string | null }) {
  const toast = useToast();
  const status = useStatus();
  const jobs = useJobs();
  const announced = useRef({ staging: false, interrupted: false });

  useEvent("job.done", (payload) => {
    if (payload.job_id === followedJobId || isJobKindClaimed(payload.kind)) return;
    toast.push(jobDoneMessage(payload));
  });

  useEffect(() => {
    const swept = status.data?.staging_swept ?? [];
    if (!announced.current.staging && status.data) {
      announced.current.staging = true;
      if (swept.length) {
        toast.push({
          kind: "info",
          title: "Cleaned up unfinished imports",
          message: `${swept.length} partial ${swept.length === 1 ? "import was" : "imports were"} removed from staging; your original files were not touched.`,
        });
      }
    }
  }, [status.data, toast]);

  useEffect(() => {
    if (announced.current.interrupted || !jobs.data) return;
    announced.current.interrupted = true;
    const stopped = jobs.data.filter((j) => j.status === "interrupted");
    const n = stopped.filter((j) => !isPaused(j)).length;
    const paused = stopped.length - n;
    if (n) {
      toast.push({
        kind: "warning",
        title: `${n} interrupted ${n === 1 ? "job" : "jobs"}`,
        message: "Open Jobs to resume where they stopped.",
      });
    } else if (paused) {
      toast.push({
        kind: "info",
        title: `${paused} paused ${paused === 1 ? "download" : "downloads"}`,
        message: "Open Jobs to resume.",
      });
    }
  }, [jobs.data, toast]);

  return null;
}
