/**
 * Number formatting shared by the Markdown, JUnit and HTML outputs, so one figure reads the
 * same everywhere (a p99 of 1331.2 ms is "1331 ms" in the PR comment and in the HTML table).
 */
export function ms(v: number | null | undefined): string {
  if (v === null || v === undefined) return 'n/a';
  if (v >= 10_000) return `${(v / 1000).toFixed(1)} s`;
  if (v >= 100) return `${Math.round(v)} ms`;
  if (v >= 10) return `${v.toFixed(1)} ms`;
  return `${v.toFixed(2)} ms`;
}

export function int(v: number | null | undefined): string {
  if (v === null || v === undefined) return 'n/a';
  return Math.round(v).toLocaleString('en-US');
}

export function rate(v: number | null | undefined): string {
  if (v === null || v === undefined) return 'n/a';
  return `${v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1)}/s`;
}

export function pct(part: number, whole: number): string {
  if (whole <= 0) return '0%';
  const p = (100 * part) / whole;
  return `${p < 1 && p > 0 ? p.toFixed(2) : p.toFixed(1)}%`;
}

/** An SLO value: latency-looking names/thresholds as ms, ratios as %, counts as integers. */
export function sloValue(threshold: string, name: string, v: number | null): string {
  if (v === null) return 'n/a';
  const text = `${name} ${threshold}`;
  if (/ms\b|latency|p\(\d/.test(text)) return ms(v);
  if (/rate|ratio/.test(text) && v <= 1) return `${(v * 100).toFixed(2)}%`;
  return Number.isInteger(v) ? int(v) : v.toFixed(3);
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
