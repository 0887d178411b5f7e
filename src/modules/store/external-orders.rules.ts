// External orders (ST-7): orders placed outside the store, recorded for after-sales only. They never earn credits
// (CR-3) and never carry member benefits.

export const amazonMarketplaces = ['US', 'UK', 'CA', 'ES', 'IT', 'FR', 'DE'] as const;
export type AmazonMarketplace = (typeof amazonMarketplaces)[number];

/** Amazon order IDs are three groups of 3, 7 and 7 digits: `113-1234567-1234567`. */
export const amazonOrderIdPattern = /^\d{3}-\d{7}-\d{7}$/;

export const amazonOrderIdMessage =
  'An Amazon order ID is 3, 7 and 7 digits separated by dashes, like 113-1234567-1234567. You can find it in the order history of the Amazon account.';

export function isValidAmazonOrderId(value: string): boolean {
  return amazonOrderIdPattern.test(value);
}
