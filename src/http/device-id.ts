// The browser's device ID (PV-23): a random ID in a first-party cookie that keys a visitor's cookie choices per site
// and browser. It is "necessary" storage in the ePrivacy sense only because it remembers a choice the visitor made
// (or the signed-in member's), so it is set when a choice is saved and never on a mere visit. Accounts reads it at
// sign-in (to merge the browser's choices into the account through the lifecycle port) and privacy writes it.
import type { FastifyReply, FastifyRequest } from 'fastify';

export const deviceCookieName = 'patron_device';

/** What a device ID looks like: the storefront script's and ours (url-safe, 16-64 characters). */
export const deviceIdPattern = /^[A-Za-z0-9_-]{16,64}$/;

/** Thirteen months: the longest a consent choice is remembered before asking again (CNIL's guidance on cookies). */
export const deviceCookieMaxAgeSeconds = 395 * 24 * 60 * 60;

/** The request's device ID from the cookie, or null when there is none or it is malformed. */
export function readDeviceId(request: FastifyRequest): string | null {
  const value = request.cookies[deviceCookieName];
  return typeof value === 'string' && deviceIdPattern.test(value) ? value : null;
}

/** Sets the device cookie: HttpOnly (the page never needs it), SameSite=Lax, Path=/, Secure on https. */
export function setDeviceCookie(reply: FastifyReply, options: { secure: boolean }, deviceId: string): void {
  reply.setCookie(deviceCookieName, deviceId, { httpOnly: true, sameSite: 'lax', path: '/', secure: options.secure, maxAge: deviceCookieMaxAgeSeconds });
}
