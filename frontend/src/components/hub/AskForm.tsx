import { useState } from "react";
import { Button } from "../ui/Button";

/** One line to type what to look at (a repo, a cache folder, words to search) and the button
 * that asks; the trimmed text (or null for "the default") goes to `onAsk`. */
export function AskForm({
  label,
  placeholder,
  button,
  testId,
  onAsk,
  mono = true,
}: {
  label: string;
  placeholder: string;
  button: string;
  testId: string;
  onAsk: (text: string | null) => void;
  /** a path or a repo id (monospace), not free words */
  mono?: boolean;
}) {
  const [text, setText] = useState("");
  return (
    <form
      className="flex gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        onAsk(text.trim() || null);
      }}
    >
      <input
        aria-label={label}
        data-testid={testId}
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder={placeholder}
        className={`h-8 min-w-0 flex-1 rounded-md border border-line bg-bg px-2 text-[12.5px] ${
          mono ? "font-mono" : ""
        }`}
      />
      <Button type="submit">{button}</Button>
    </form>
  );
}
