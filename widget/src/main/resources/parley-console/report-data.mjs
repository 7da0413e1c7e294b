// The reports page's arithmetic, apart from its view so that Node's test runner can load it (no imports, no DOM):
// the days of a range, the hour-of-week grid, and the report as one CSV.
export const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** Every calendar day from..to (YYYY-MM-DD), both included. */
export function daysBetween(from, to) {
  const out = [];
  for (let d = new Date(from + 'T00:00:00Z'); d <= new Date(to + 'T00:00:00Z'); d.setUTCDate(d.getUTCDate() + 1)) {
    out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

/** Hour rows (key 2025-03-01T08:00, site's zone) summed into a week: [monday..sunday][0..23]. */
export function hourOfWeek(rows) {
  const grid = DAYS.map(() => new Array(24).fill(0));
  for (const r of rows) {
    if (!r.key) continue;
    const weekday = (new Date(r.key.slice(0, 10) + 'T00:00:00Z').getUTCDay() + 6) % 7; // Monday first
    grid[weekday][Number(r.key.slice(11, 13))] += r.conversations;
  }
  return grid;
}

function csvCell(v) {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = "'" + s; // a spreadsheet would run it as a formula
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

/** The report as one table: a dimension column (total, day, hour, agent, group), then the same measures for each. */
export function reportCsv(report, names) {
  const head = ['dimension', 'key', 'name', 'conversations', 'missed', 'first_response_median_s', 'first_response_p90_s',
    'resolution_median_s', 'resolution_p90_s', 'visitor_messages', 'agent_messages', 'ratings', 'rating_average', 'transfers'];
  const line = (dim, r, name) => [dim, r.key, name, r.conversations, r.missed, r.firstResponse.medianSeconds, r.firstResponse.p90Seconds,
    r.resolution.medianSeconds, r.resolution.p90Seconds, r.visitorMessages, r.agentMessages, r.ratings.count, r.ratings.average, r.transfers]
    .map(csvCell).join(',');
  const lines = [head.join(','), line('total', { ...report.total, key: report.from + '/' + report.to }, report.timeZone)];
  for (const r of report.days) lines.push(line('day', r, ''));
  for (const r of report.hours) lines.push(line('hour', r, ''));
  for (const r of report.agents) lines.push(line('agent', r, names.agents[r.key] || ''));
  for (const r of report.groups) lines.push(line('group', r, names.groups[r.key] || ''));
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}
