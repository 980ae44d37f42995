import { memo } from 'react';
import { parseAnsi, type Style } from './ansi.js';
import { visibleText, type LogLine } from './log-model.js';

function css(s: Style) {
  return {
    color: s.fg,
    background: s.bg,
    fontWeight: s.bold ? 700 : undefined,
    opacity: s.dim ? 0.65 : undefined,
    fontStyle: s.italic ? 'italic' : undefined,
    textDecoration: s.underline ? 'underline' : undefined,
  };
}

export const LogLineView = memo(function LogLineView({
  line,
  n,
  top,
}: {
  line: LogLine;
  n: number;
  top: number;
}) {
  const { segments } = parseAnsi(visibleText(line), line.start);
  return (
    <div className={`log-line log-${line.stream}${line.error ? ' log-error' : ''}`} style={{ top }}>
      <span className="log-n">{n}</span>
      <span className="log-text">
        {segments.map((s, i) => (
          <span key={i} style={css(s.style)}>
            {s.text}
          </span>
        ))}
      </span>
    </div>
  );
});
