// A webhook receiver for tests: a real HTTP server on 127.0.0.1 that records every request and answers with the
// status the test chooses, and an independent verifier of the Standard Webhooks signature written from the
// specification (https://www.standardwebhooks.com, "Verifying webhook authenticity"), not from Patron's signer.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  headers: IncomingHttpHeaders;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Decides the answer to each request (default 204). */
  respond: (request: ReceivedWebhook) => number;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const receiver: WebhookReceiver = { url: '', received, respond: () => 204, close: async () => undefined };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry: ReceivedWebhook = {
        id: String(request.headers['webhook-id'] ?? ''),
        timestamp: String(request.headers['webhook-timestamp'] ?? ''),
        signature: String(request.headers['webhook-signature'] ?? ''),
        body: Buffer.concat(chunks).toString('utf8'),
        headers: request.headers,
      };
      received.push(entry);
      const status = receiver.respond(entry);
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(status >= 300 ? `refused with ${status}` : 'ok');
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  receiver.url = `http://127.0.0.1:${port}/hooks`;
  receiver.close = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    });
  return receiver;
}

/**
 * The specification's verification, step by step: the signed content is `${webhook-id}.${webhook-timestamp}.${body}`;
 * the key is the base64 part of the secret after `whsec_`; the signature is the base64 HMAC-SHA256; the header holds
 * space-separated `v1,<signature>` entries, any of which may match (constant-time comparison); and the timestamp must
 * be within the tolerance of the receiver's clock (5 minutes in the reference libraries), against replays.
 */
export function verifyStandardWebhook(secret: string, message: Pick<ReceivedWebhook, 'id' | 'timestamp' | 'signature' | 'body'>, nowSeconds: number, toleranceSeconds = 300): boolean {
  if (!/^\d+$/.test(message.timestamp) || Math.abs(nowSeconds - Number(message.timestamp)) > toleranceSeconds) return false;
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  const expected = createHmac('sha256', key).update(`${message.id}.${message.timestamp}.${message.body}`).digest();
  return message.signature.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || signature === undefined) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
