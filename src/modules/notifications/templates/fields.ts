// Field schemas shared by the templates.
import { z } from 'zod';

/** Optional, for the greeting; the accounts module supplies it with the address. */
export const firstName = z.string().trim().min(1).max(100).optional();

/** Only web links: a `javascript:` or `data:` address must never become a button. */
export const link = z.url({ protocol: /^https?$/ }).max(2000);

export const credits = z.number().int().positive().max(1_000_000_000);
