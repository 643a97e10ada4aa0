import { ClusterError } from '../../core/ports/cluster.js';

/** One term of an equality-based label selector. */
export interface SelectorTerm {
  key: string;
  op: '=' | '!=' | 'exists' | 'not_exists';
  value?: string;
}

/**
 * Parses an equality-based label selector (`app=a,tier!=cache`, `==` too, a bare key for "has label",
 * `!key` for "has not"). Set-based selectors (`in`, `notin`) are refused with a clear message.
 */
export function parseSelector(selector: string): SelectorTerm[] {
  return selector
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((term) => {
      if (/\s(in|notin)\s*\(/.test(term) || term.includes('(')) {
        throw new ClusterError(
          `label selector "${selector}": set-based terms like "${term}" are not supported for a manifests source; use key=value, key!=value, key or !key.`,
          'invalid',
        );
      }
      const m = /^([A-Za-z0-9._/-]+)\s*(==|=|!=)\s*([A-Za-z0-9._-]*)$/.exec(term);
      if (m) {
        const [, key = '', op, value = ''] = m;
        return { key, op: op === '!=' ? '!=' : '=', value };
      }
      const bare = /^(!?)([A-Za-z0-9._/-]+)$/.exec(term);
      if (bare) {
        const [, not, key = ''] = bare;
        return { key, op: not ? 'not_exists' : 'exists' };
      }
      throw new ClusterError(
        `label selector "${selector}": cannot read "${term}"; use key=value, key!=value, key or !key.`,
        'invalid',
      );
    });
}

export function selectorMatches(terms: readonly SelectorTerm[], labels: Record<string, string>): boolean {
  return terms.every((t) => {
    switch (t.op) {
      case '=':
        return labels[t.key] === t.value;
      case '!=':
        return labels[t.key] !== t.value;
      case 'exists':
        return t.key in labels;
      case 'not_exists':
        return !(t.key in labels);
    }
  });
}
