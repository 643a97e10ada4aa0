import { describe, expect, it } from 'vitest';
import { createProgressBar } from '../../src/cli/progress-bar.js';

describe('createProgressBar', () => {
  it('redraws one line at most every interval, with the share done when the total is known', () => {
    let out = '';
    let t = 0;
    const bar = createProgressBar({ write: (s: string) => (out += s) }, () => t, 100);
    bar.update(0, 1000); // the first draw waits one interval after the start
    t = 100;
    bar.update(250, 1000);
    t = 150;
    bar.update(400, 1000); // throttled
    t = 250;
    bar.update(1500, undefined);
    bar.done();
    expect(out.split('\r').filter(Boolean)).toEqual([
      '  auditing [########......................]  25%  250 / 1,000 keys',
      '  auditing 1,500 keys',
      '\x1b[2K',
    ]);
  });
});
