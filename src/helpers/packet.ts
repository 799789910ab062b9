import { RuntimeTrap } from '../errors.js';
import type { HelperEnv } from './registry.js';
import { xdpBuff } from './xdp.js';

/**
 * The bytes of the run's packet a program sees from its data pointer on: the skb's data,
 * or XDP's [data, data_end); undefined when the run has no packet.
 */
export function packetData(env: HelperEnv): { start: number; length: number } | undefined {
  const packet = env.runtime.packet;
  if (packet === undefined) return undefined;
  if (packet.kind === 'skb') return { start: packet.frameStart, length: packet.frameEnd - packet.frameStart };
  const xdp = xdpBuff(env);
  return { start: xdp.data, length: xdp.dataEnd - xdp.data };
}

/** The skb's data, or a trap if the run has none (a helper called from the wrong kind of run). */
export function skbData(env: HelperEnv): { start: number; length: number } {
  const packet = env.runtime.packet;
  if (packet?.kind !== 'skb') throw new RuntimeTrap('NO_PACKET', 'this helper needs an __sk_buff run', env.pc);
  return { start: packet.frameStart, length: packet.frameEnd - packet.frameStart };
}
