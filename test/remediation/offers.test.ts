import { describe, expect, it } from 'vitest';
import { actionPlanText } from '../../src/cli/demo-command.js';
import { ALL_ACTIONS } from '../../src/remediation/actions/index.js';
import { offeredActions } from '../../src/remediation/offers.js';

describe('the actions a report offers', () => {
  it('come from the actions that answer the findings, once per action, with the findings that call for it', () => {
    const offered = offeredActions(
      [{ id: 'eviction.allkeys_policy' }, { id: 'memory.evictions' }, { id: 'ttl.no_expiry' }],
      ALL_ACTIONS,
    );
    expect(offered.map((o) => o.action)).toEqual(['set-eviction-policy', 'set-maxmemory']);
    expect(offered.find((o) => o.action === 'set-eviction-policy')?.findings).toEqual([
      'eviction.allkeys_policy',
      'memory.evictions',
    ]);
  });

  it('restart what the finding is about: the app for stale pods, Redis for AOF', () => {
    const offered = offeredActions([{ id: 'config.stale_pods' }, { id: 'aof.frequent_rewrites' }], ALL_ACTIONS);
    const restarts = offered.filter((o) => o.action === 'rollout-restart').map((o) => o.params);
    expect(restarts).toEqual([{ target: 'app' }]);
    expect(offered.map((o) => o.action)).toContain('tune-aof');
    // The rule itself lives in the action: a restart for an AOF finding restarts Redis.
    const restart = ALL_ACTIONS.find((a) => a.id === 'rollout-restart');
    expect(restart?.offer?.('aof.frequent_rewrites')).toEqual({ target: 'redis' });
    expect(restart?.buttonLabel?.({ target: 'redis' })).toBe('Restart a Deployment (redis)');
  });

  it('print as the buttons plan in the terminal, with the command that previews each', () => {
    const text = actionPlanText(offeredActions([{ id: 'sliding_window.disabled' }], ALL_ACTIONS), 'prod');
    expect(text).toContain('enable-sliding-window');
    expect(text).toContain('session-ttl fix prod enable-sliding-window --dry-run');
    expect(actionPlanText([], 'prod')).toMatch(/No remediation button/);
  });
});
