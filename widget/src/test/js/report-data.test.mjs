// The console's report arithmetic (parley-console/report-data.mjs): days of a range, the hour-of-week grid, the CSV.
import test from 'node:test';
import assert from 'node:assert/strict';
import { daysBetween, hourOfWeek, reportCsv } from '../../main/resources/parley-console/report-data.mjs';

const durations = (median, p90) => ({ count: median === null ? 0 : 1, medianSeconds: median, p90Seconds: p90 });
function row(key, conversations, extra) {
  return { key, conversations, missed: 0, firstResponse: durations(null, null), resolution: durations(null, null),
    visitorMessages: 0, agentMessages: 0, ratings: { count: 0, average: null, distribution: [0, 0, 0, 0, 0] }, transfers: 0, ...extra };
}

test('a range lists every calendar day, both ends included, across a month and a leap day', () => {
  assert.deepEqual(daysBetween('2028-02-27', '2028-03-01'), ['2028-02-27', '2028-02-28', '2028-02-29', '2028-03-01']);
  assert.deepEqual(daysBetween('2026-12-01', '2026-12-01'), ['2026-12-01']);
  assert.deepEqual(daysBetween('2026-12-02', '2026-12-01'), []);
});

test('hour rows fall on their weekday (Monday first) and hour, and add up', () => {
  const grid = hourOfWeek([
    row('2026-11-30T09:00', 2), // a Monday
    row('2026-12-07T09:00', 3), // the next Monday, same hour
    row('2026-12-06T23:00', 1), // a Sunday
    row(null, 5), // a total-like row without a key is no hour
  ]);
  assert.equal(grid.length, 7);
  assert.equal(grid[0][9], 5);
  assert.equal(grid[6][23], 1);
  assert.equal(grid.flat().reduce((a, b) => a + b, 0), 6);
});

test('the CSV has one header, a total, then each dimension, with names and escapes', () => {
  const report = {
    timeZone: 'Asia/Shanghai', from: '2026-12-01', to: '2026-12-01',
    total: row(null, 2, { missed: 1, firstResponse: durations(12, 30), ratings: { count: 1, average: 4, distribution: [0, 0, 0, 1, 0] } }),
    days: [row('2026-12-01', 2, { missed: 1 })],
    hours: [row('2026-12-01T10:00', 2)],
    agents: [row('a1', 1), row(null, 1, { missed: 1 })],
    groups: [row('sales', 2)],
  };
  const csv = reportCsv(report, { agents: { a1: '=HYPERLINK("x"), Lin' }, groups: { sales: 'Sales' } });
  assert.ok(csv.startsWith('\uFEFFdimension,key,name,conversations,missed,first_response_median_s,'));
  const lines = csv.slice(1).trimEnd().split('\r\n');
  assert.equal(lines.length, 1 + 1 + 1 + 1 + 2 + 1);
  assert.equal(lines[1], 'total,2026-12-01/2026-12-01,Asia/Shanghai,2,1,12,30,,,0,0,1,4,0');
  assert.equal(lines[2], 'day,2026-12-01,,2,1,,,,,0,0,0,,0');
  assert.equal(lines[3], 'hour,2026-12-01T10:00,,2,0,,,,,0,0,0,,0');
  // A name a spreadsheet would run as a formula is quoted as text, and its quotes and comma escaped.
  assert.equal(lines[4], 'agent,a1,"\'=HYPERLINK(""x""), Lin",1,0,,,,,0,0,0,,0');
  assert.equal(lines[5], 'agent,,,1,1,,,,,0,0,0,,0');
  assert.equal(lines[6], 'group,sales,Sales,2,0,,,,,0,0,0,,0');
});
