import { t, type Block, type Span } from '../core/message.js';
import type { ManagedFix } from '../remediation/managed/managed-fix.js';

/**
 * An action the bot does not offer on a managed service, as a section: why there is no button, the
 * service's parameters with their exact values, the numbered steps with their commands, and what the
 * service does not let a customer set. Pure.
 *
 * @example
 * // "AWS ElastiCache blocks CONFIG (redis.provider: elasticache): set the eviction policy in ElastiCache …
 * //  1. … 2. Set maxmemory-policy = volatile-lru in the custom parameter group
 * //     aws elasticache modify-cache-parameter-group …"
 */
export function providerStepsBlock(fix: ManagedFix): Block {
  const { steps } = fix;
  const text: Span[] = [
    { icon: 'info' },
    t(' '),
    t(`${fix.title} in ${fix.service}`, { bold: true }),
    t(
      ` (not offered as a button: ${fix.service} blocks CONFIG, redis.provider: ${steps.provider}; ` +
        'the bot changes nothing there)',
    ),
  ];
  for (const s of steps.settings)
    text.push(t('\nParameter '), t(s.parameter, { code: true }), t(' = '), t(s.value, { code: true }));
  steps.steps.forEach((step, i) => {
    text.push(t(`\n${i + 1}. ${step.text}`));
    if (step.command) text.push(t('\n   '), t(step.command, { code: true }));
  });
  for (const n of steps.notSettable) text.push(t('\n'), t(n.parameter, { code: true }), t(`: ${n.instead}.`));
  return { kind: 'section', id: `provider-steps:${fix.action}`, text };
}
