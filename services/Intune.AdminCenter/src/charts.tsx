import { useEffect, useRef } from 'react';
import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Legend,
  LinearScale,
  Tooltip,
  type ChartType,
} from 'chart.js';

Chart.register(DoughnutController, BarController, ArcElement, BarElement, CategoryScale, LinearScale, Legend, Tooltip);
Chart.defaults.font.family = '"Open Sans", "Segoe UI", sans-serif';
Chart.defaults.animation = false;

export interface Slice {
  label: string;
  value: number;
  color: string;
}

/**
 * A canvas chart with its numbers also in text (a list screen readers and tests read), since
 * a canvas carries no accessible content of its own.
 */
export function SliceChart({ type, slices, label }: { type: Extract<ChartType, 'doughnut' | 'bar'>; slices: Slice[]; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const chart = new Chart(canvas.current!, {
      type,
      data: {
        labels: slices.map((s) => s.label),
        datasets: [{ label, data: slices.map((s) => s.value), backgroundColor: slices.map((s) => s.color) }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: type === 'doughnut', position: 'right' } },
        scales: type === 'bar' ? { y: { beginAtZero: true, ticks: { precision: 0 } } } : undefined,
      },
    });
    return () => chart.destroy();
  }, [type, slices, label]);
  return (
    <figure style={{ margin: 0 }}>
      <div style={{ position: 'relative', height: 200 }}>
        <canvas ref={canvas} role="img" aria-label={`${label}: ${slices.map((s) => `${s.label} ${s.value}`).join(', ')}`} />
      </div>
      <figcaption>
        <ul aria-label={label} style={{ display: 'flex', flexWrap: 'wrap', gap: 16, listStyle: 'none', padding: 0, margin: '8px 0 0' }}>
          {slices.map((s) => (
            <li key={s.label} data-count-label={s.label}>
              <span aria-hidden="true" style={{ display: 'inline-block', width: 10, height: 10, background: s.color, marginRight: 6 }} />
              {s.label}: <strong data-count={s.label}>{s.value}</strong>
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
