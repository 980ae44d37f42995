import type { MouseEvent, ReactNode } from 'react';
import { navigate } from '../router.js';

export function Link({
  to,
  className,
  title,
  children,
}: {
  to: string;
  className?: string;
  title?: string;
  children: ReactNode;
}) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} className={className} title={title} onClick={onClick}>
      {children}
    </a>
  );
}
