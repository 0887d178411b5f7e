// Redeeming a reward (CR-13): the redemption (a flow when the item has a shipping fee), tagged with the store's routes.
import type { Deps } from '../deps.ts';
import type { ZodApp } from '../http/types.ts';
import { requireSession } from '../http/principal.ts';
import { idempotencyKeyHeaders } from '../http/idempotency-key.ts';
import { answerIdempotently } from '../http/idempotency.ts';
import { redeemBody, redemptionView, rewardIdParams, toRedemptionView } from '../modules/store/index.ts';
import { redeemReward } from './redemption.ts';

const tags = ['store'];

export function registerRedemptionRoutes(app: ZodApp, deps: Deps): void {
  app.post(
    '/store/rewards/:rewardId/redeem',
    { schema: { tags, summary: 'Redeem a reward with credits: final at once, ships separately (CR-13)', headers: idempotencyKeyHeaders, params: rewardIdParams, body: redeemBody, response: { 201: redemptionView } }, config: { auth: 'session' } },
    async (request, reply) => {
      const { memberId } = requireSession(request);
      return answerIdempotently(deps, request, reply, { required: true, body: request.body, memberId }, async () => {
        const redemption = await redeemReward(deps, { memberId, rewardItemId: request.params.rewardId, quantity: request.body.quantity, paymentToken: request.body.paymentToken ?? null });
        return { status: 201, body: toRedemptionView(redemption) };
      });
    },
  );
}
