// Solves the server's ALTCHA challenge in a Web Worker (same-origin module file: the CSP allows only 'self').
import { altchaPayload, type AltchaChallenge } from './altcha-solver.ts';

/** Resolves with the payload the server verifies; rejects when the challenge cannot be solved. */
export function solveInWorker(challenge: AltchaChallenge): { result: Promise<string>; stop: () => void } {
  const worker = new Worker(new URL('./altcha.worker.ts', import.meta.url), { type: 'module' });
  const startedMs = performance.now();
  const result = new Promise<string>((resolve, reject) => {
    worker.addEventListener('message', (event: MessageEvent<{ number?: number | null; error?: string }>) => {
      worker.terminate();
      if (typeof event.data.number === 'number') resolve(altchaPayload(challenge, event.data.number, Math.round(performance.now() - startedMs)));
      else reject(new Error(event.data.error ?? 'The captcha could not be solved. Get a new one and try again.'));
    });
    worker.addEventListener('error', () => {
      worker.terminate();
      reject(new Error('The captcha could not run in this browser.'));
    });
  });
  worker.postMessage(challenge);
  return { result, stop: () => worker.terminate() };
}
