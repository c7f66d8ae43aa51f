import { useEffect } from "react";

/**
 * j/k or arrows move the active row, Enter opens it, x toggles its selection. Keys typed into a
 * field or inside a dialog are left alone.
 */
export function useListKeyboard({
  count,
  active,
  setActive,
  onOpen,
  onToggle,
}: {
  count: number;
  active: number;
  setActive: (index: number) => void;
  onOpen: (index: number) => void;
  onToggle: (index: number) => void;
}) {
  useEffect(() => {
    function onKeyDown(e: KeyboardEvent) {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || count === 0) return;
      const target = e.target as HTMLElement | null;
      if (target?.closest("input, textarea, select, [role=dialog], [contenteditable=true]")) return;
      switch (e.key) {
        case "j":
        case "ArrowDown":
          e.preventDefault();
          setActive(Math.min(count - 1, active + 1));
          break;
        case "k":
        case "ArrowUp":
          e.preventDefault();
          setActive(Math.max(0, active - 1));
          break;
        case "Enter":
          // a focused button or link keeps its own Enter
          if (target?.closest("button, a")) return;
          e.preventDefault();
          onOpen(active);
          break;
        case "x":
          e.preventDefault();
          onToggle(active);
          break;
      }
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [count, active, setActive, onOpen, onToggle]);
}
