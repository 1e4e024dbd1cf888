import { z } from 'zod';

/** What bench/burst.ts and its local mode process (bench/support/burst-herald.ts) say over IPC. */
export const burstCommand = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), profileFile: z.string().optional() }),
  z.object({ type: z.literal('stop'), deliveries: z.number().int().positive() }),
  z.object({ type: z.literal('exit') }),
]);
export type BurstCommand = z.infer<typeof burstCommand>;

const callStats = z.object({
  operation: z.string(),
  count: z.number(),
  totalMs: z.number(),
  p99Ms: z.number(),
});
export const burstReply = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('ready'),
    apiUrl: z.string(),
    eventsUrl: z.string(),
    apiKey: z.string(),
    tenant: z.string(),
  }),
  z.object({ type: z.literal('started') }),
  z.object({
    type: z.literal('stopped'),
    calls: z.array(callStats),
    /** CPU µs per delivery by where the code lives, and by function, when profiled. */
    profile: z
      .object({
        busyUs: z.number(),
        byPlace: z.array(z.tuple([z.string(), z.number()])),
        byFunction: z.array(z.tuple([z.string(), z.number()])),
      })
      .optional(),
  }),
]);
export type BurstReply = z.infer<typeof burstReply>;
export type CallStats = z.infer<typeof callStats>;
