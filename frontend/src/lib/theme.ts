/** Light / dark theme: follows prefers-color-scheme unless the user picked one. */
import { useEffect, useState } from "react";

export type ThemePref = "system" | "light" | "dark";
const STORAGE_KEY = "tensorshelf.theme";

function readPref(): ThemePref {
  try {
    const v = window.localStorage.getItem(STORAGE_KEY);
    return v === "light" || v === "dark" ? v : "system";
  } catch {
    return "system";
  }
}

function systemDark(): boolean {
  return (
    typeof window.matchMedia === "function" &&
    window.matchMedia("(prefers-color-scheme: dark)").matches
  );
}

export function applyTheme(pref: ThemePref = readPref()): void {
  const dark = pref === "dark" || (pref === "system" && systemDark());
  document.documentElement.classList.toggle("dark", dark);
}

export function useTheme(): [ThemePref, (pref: ThemePref) => void, boolean] {
  const [pref, setPref] = useState<ThemePref>(readPref);
  const [dark, setDark] = useState(() => pref === "dark" || (pref === "system" && systemDark()));

  useEffect(() => {
    applyTheme(pref);
    setDark(document.documentElement.classList.contains("dark"));
    try {
      if (pref === "system") window.localStorage.removeItem(STORAGE_KEY);
      else window.localStorage.setItem(STORAGE_KEY, pref);
    } catch {
      // storage unavailable: the choice lasts for this session only
    }
    if (pref !== "system" || typeof window.matchMedia !== "function") return;
    const mq = window.matchMedia("(prefers-color-scheme: dark)");
    const onChange = () => {
      applyTheme("system");
      setDark(mq.matches);
    };
    mq.addEventListener?.("change", onChange);
    return () => mq.removeEventListener?.("change", onChange);
  }, [pref]);

  return [pref, setPref, dark];
}
