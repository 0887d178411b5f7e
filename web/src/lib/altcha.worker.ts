// The captcha's proof of work off the main thread, so the form stays responsive while it runs (a second or two).
import { solveAltcha, type AltchaChallenge } from './altcha-solver.ts';

interface WorkerScope {
  addEventListener(type: 'message', listener: (event: MessageEvent<AltchaChallenge>) => void): void;
  postMessage(message: { number: number | null } | { error: string }): void;
}

const scope = globalThis as unknown as WorkerScope;

scope.addEventListener('message', (event) => {
  try {
    scope.postMessage({ number: solveAltcha(event.data) });
  } catch (error) {
    scope.postMessage({ error: error instanceof Error ? error.message : 'The captcha could not be solved.' });
  }
});
