import type { PickleScan } from "../api/types";

const SHOWN = 4;

function list(names: string[]): string {
  const head = names.slice(0, SHOWN).join(", ");
  return names.length > SHOWN ? `${head} and ${names.length - SHOWN} more` : head;
}

/** One sentence saying what the (never executing) pickle scan found, for the red warning. */
export function pickleScanSummary(scan: PickleScan | null | undefined): string | null {
  if (!scan) return null;
  if (scan.verdict === "dangerous") {
    return `Scan found code-running references: ${list(scan.dangerous)}. This file cannot be imported.`;
  }
  const partial = scan.truncated ? " The scan could not read the whole file." : "";
  if (scan.verdict === "unknown_globals") {
    return `Scan found references it does not recognise (${list(scan.unknown)}); they may run code when loaded.${partial}`;
  }
  return `Scan found only the usual PyTorch references (${scan.streams_scanned} pickle stream${
    scan.streams_scanned === 1 ? "" : "s"
  } read, nothing executed).`;
}

/** An item's warnings as the review shows them: the pickle warning is left out where the
 * pickle box (which says the same, with the scan and the consent) is shown. */
export function visibleWarnings(item: { warnings: string[] }, pickleBoxShown: boolean): string[] {
  return pickleBoxShown
    ? item.warnings.filter((w) => !w.toLowerCase().startsWith("pickle format"))
    : item.warnings;
}
