// Charts for the reports page only: uPlot (npm, MIT; its minified build) is fetched the first time a chart is
// drawn, so the console's first load does not carry it. Loaded as a classic script of this origin (the page's CSP
// allows 'self'), which defines window.uPlot; its stylesheet the same way.
const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];
let loading = null; // the one load in flight or done; null again after a failure, so a later visit retries

export function loadUPlot() {
  if (window.uPlot) return Promise.resolve(window.uPlot);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const css = document.createElement('link');
      css.rel = 'stylesheet';
      css.href = '/console/vendor/uPlot.min.css';
      document.head.appendChild(css);
      const script = document.createElement('script');
      script.src = '/console/vendor/uPlot.iife.min.js';
      script.onload = () => resolve(window.uPlot);
      script.onerror = () => { loading = null; script.remove(); reject(new Error('the chart library did not load')); };
      document.head.appendChild(script);
    });
  }
  return loading;
}

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** Options for a chart whose x values are 0..n-1 with the given labels (days, hours, scores), in the page's colours. */
export function categoryOptions(uPlot, { width, height, labels, series, bars, yLabel, counts }) {
  const text = cssVar('--text') || '#1b1f24';
  const grid = cssVar('--border') || '#d5dae1';
  const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  return {
    width, height,
    legend: { show: false }, // the page draws its own legend (text, both languages, readable by screen readers)
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false, range: (u, min, max) => [min - 0.5, max + 0.5] }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
    axes: [
      { ...axis, splits: () => labels.map((_, i) => i), values: (u, splits) => splits.map((i) => thin(labels, i, width)) },
      { ...axis, label: yLabel, size: 56, incrs: counts ? COUNT_STEPS : undefined }, // counts: whole numbers only
    ],
    series: [{}, ...series.map((s) => ({
      label: s.label, stroke: s.color, width: bars ? 1 : 2, fill: bars ? s.color : undefined,
      points: { show: !bars && labels.length < 40 },
      paths: bars ? uPlot.paths.bars({ size: [0.7, 60], align: 0 }) : undefined, // later series drawn over earlier: missed ⊂ all
    }))],
  };
}

// Every label when they fit, else every k-th one; a label's width is guessed from its characters (CJK ones are
// about twice as wide as Latin ones at the axis' font size).
function thin(labels, i, width) {
  const px = (l) => [...l].reduce((n, c) => n + (c.codePointAt(0) >= 0x2e80 ? 12 : 7), 0) + 12;
  const widest = Math.max(1, ...labels.map(px));
  const plot = Math.max(1, width - 70); // less the y axis
  const every = Math.max(1, Math.ceil(labels.length / Math.max(1, Math.floor(plot / widest))));
  return i % every === 0 ? labels[i] : '';
}
