import { useEffect, useState } from "react";

/** A text field whose value is committed on Enter or when it loses focus (not per key);
 * it follows `value` when that changes from outside. An unchanged value commits nothing. */
export function CommitField({
  value,
  onCommit,
  label,
  testId,
  placeholder,
  allowEmpty = false,
}: {
  value: string;
  onCommit: (text: string) => void;
  label: string;
  testId?: string;
  placeholder?: string;
  allowEmpty?: boolean; // "" is a value (e.g. "back to the default"), else it is undone
}) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const commit = () => {
    const next = text.trim();
    if (next === value) return;
    if (next || allowEmpty) onCommit(next);
    else setText(value);
  };
  return (
    <input
      aria-label={label}
      data-testid={testId}
      value={text}
      placeholder={placeholder}
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => e.key === "Enter" && commit()}
      className="h-7 min-w-0 flex-1 rounded-md border border-line bg-bg px-2 font-mono text-[11.5px]"
    />
  );
}
