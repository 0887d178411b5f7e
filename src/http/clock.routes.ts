// Admin-only clock control; registered only when the clock is simulated, so it does not exist otherwise (PL-1).
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { parseDurationMs, type SimulatedClock } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import { advanceSimulatedClock, syncSimulatedClock } from '../db/simulated-clock-store.ts';
import { requireRole } from './principal.ts';
import type { ZodApp } from './types.ts';

const clockView = z.object({ mode: z.literal('simulated'), now: z.iso.datetime() });

export function registerClockRoutes(app: ZodApp, deps: Deps): void {
  const clock = deps.clock as SimulatedClock;
  app.addHook('onRequest', async () => syncSimulatedClock(deps.db, clock));
  app.get('/admin/clock', { schema: { tags: ['admin'], summary: 'Read the simulated clock', response: { 200: clockView } }, config: { auth: 'admin' } }, async (request) => {
    requireRole(request, 'admin');
    return { mode: 'simulated' as const, now: new Date(clock.nowMs()).toISOString() };
  });
  app.post(
    '/admin/clock/advance',
    { schema: { tags: ['admin'], summary: 'Move the simulated clock forward', body: z.strictObject({ duration: z.string().max(32) }), response: { 200: clockView } }, config: { auth: 'admin' } },
    async (request) => {
      requireRole(request, 'admin');
      let durationMs: number;
      try {
        durationMs = parseDurationMs(request.body.duration);
      } catch (error) {
        throw new AppError('validation', (error as Error).message);
      }
      const nowMs = await advanceSimulatedClock(deps.db, clock, durationMs);
      return { mode: 'simulated' as const, now: new Date(nowMs).toISOString() };
    },
  );
}
