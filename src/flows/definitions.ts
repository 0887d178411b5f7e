// Every flow the runner knows, by type: the resume job and the operator's retry look a run's definition up here.
import { caseResolutionFlow } from './case-resolution.ts';
import { checkoutFlow } from './checkout.ts';
import { redemptionFeeFlow } from './redemption.ts';
import { refundFlow } from './refund.ts';
import { erasureFlow } from './erasure.ts';
import type { AnyFlowDefinition, FlowDefinitions } from './runner.ts';

const all: readonly AnyFlowDefinition[] = [checkoutFlow as AnyFlowDefinition, refundFlow as AnyFlowDefinition, redemptionFeeFlow as AnyFlowDefinition, caseResolutionFlow as AnyFlowDefinition, erasureFlow as AnyFlowDefinition];

export const flowDefinitions: FlowDefinitions = Object.freeze(Object.fromEntries(all.map((definition) => [definition.type, definition])));
