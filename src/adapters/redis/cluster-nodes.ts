import type { AdminNode } from '../../core/ports/redis-admin.js';
import { compareAddresses, splitHostPort } from './cluster-client.js';

/** `host:port`, IPv6 hosts in brackets. */
export const joinHostPort = (host: string, port: number): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

/** One line of `CLUSTER NODES` as a node to send commands to, or undefined when nothing can be sent to it. */
function nodeOfLine(line: string, natMap: Readonly<Record<string, string>>): AdminNode | undefined {
  const [, addressField, flagsField] = line.trim().split(' ');
  if (!addressField || !flagsField) return undefined;
  const flags = flagsField.split(',');
  if (flags.includes('noaddr') || flags.includes('handshake')) return undefined;
  // `host:port@cport`: the cluster bus port is not ours.
  const { host, port } = splitHostPort(addressField.replace(/@.*$/, ''));
  if (!host || !port) return undefined;
  const key = joinHostPort(host, port);
  const role = flags.includes('master') ? 'master' : flags.includes('slave') ? 'replica' : undefined;
  if (!role) return undefined;
  return { address: natMap[key] ?? key, role, failing: flags.includes('fail') || flags.includes('fail?') };
}

/**
 * The nodes of `CLUSTER NODES`, masters first: address (through `natMap` when the node announces one the
 * bot cannot reach), role, and whether the cluster marks it failing. Nodes without an address (`noaddr`)
 * or still joining (`handshake`) are left out: nothing can be sent to them.
 *
 * @example
 * parseClusterNodes('07c3… 127.0.0.1:30004@31004 slave e7d1… 0 1426238317239 4 connected\n')
 * // [{ address: '127.0.0.1:30004', role: 'replica', failing: false }]
 */
export function parseClusterNodes(text: string, natMap: Readonly<Record<string, string>> = {}): AdminNode[] {
  const nodes = text.split(/\r?\n/).flatMap((line) => nodeOfLine(line, natMap) ?? []);
  const byAddress = (a: AdminNode, b: AdminNode) => compareAddresses(a.address, b.address);
  return [
    ...nodes.filter((n) => n.role === 'master').sort(byAddress),
    ...nodes.filter((n) => n.role === 'replica').sort(byAddress),
  ];
}
