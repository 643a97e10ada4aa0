import { describe, expect, it } from 'vitest';
import { renderBarChart } from '../../src/render/bar-chart.js';

describe('renderBarChart', () => {
  it('scales bars to the largest bucket and aligns labels and counts', () => {
    const lines = renderBarChart(
      [
        { label: '<1m', count: 5 },
        { label: '1h-6h', count: 10 },
        { label: '>24h', count: 0 },
      ],
      { width: 10 },
    );
    expect(lines).toEqual(['<1m    █████        5', '1h-6h  ██████████  10', '>24h                0']);
  });

  it('draws partial blocks and handles all-zero input', () => {
    expect(
      renderBarChart(
        [
          { label: 'a', count: 1 },
          { label: 'b', count: 16 },
        ],
        { width: 1 },
      )[0],
    ).toBe('a  ▏   1');
    expect(renderBarChart([{ label: 'x', count: 0 }], { width: 4 })).toEqual(['x        0']);
  });
});
