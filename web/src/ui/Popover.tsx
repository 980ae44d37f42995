import { useEffect, useRef, useState, type ReactNode } from 'react';

/**
 * A button that opens a panel below it; closes on outside click, Escape, or when the panel calls
 * `close` (a form done with its work). With `disabled` (the reason) the button cannot open and says why.
 */
export function Popover({
  label,
  children,
  align = 'right',
  disabled,
}: {
  label: ReactNode;
  children: ReactNode | ((close: () => void) => ReactNode);
  align?: 'left' | 'right';
  disabled?: string;
}) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (e.target instanceof Node && !ref.current?.contains(e.target)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  return (
    <div className="popover" ref={ref}>
      <button
        className={open ? 'btn active' : 'btn'}
        onClick={() => setOpen((o) => !o)}
        aria-expanded={open}
        disabled={disabled !== undefined}
        title={disabled}
      >
        {label} ▾
      </button>
      {open && (
        <div className={`popover-panel popover-${align}`}>
          {typeof children === 'function' ? children(() => setOpen(false)) : children}
        </div>
      )}
    </div>
  );
}
