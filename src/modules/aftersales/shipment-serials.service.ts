// Which serial shipped on which order line (AS-2): agents enter them at shipment for serial-numbered products, so a
// later claim's serial can be checked against the item that left the warehouse.
import type { Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { getOrderDetail } from '../store/index.ts';
import { findOrderShipmentSerials, findShipmentSerialsBySerial } from './agent.repository.ts';
import { insertShipmentSerial, type ShipmentSerial } from './cases.repository.ts';
import { readSerial } from './serials.rules.ts';
import type { StaffActor } from './agent-cases.service.ts';

/** Orders whose items have left, or are about to leave, the warehouse: serials are recorded at shipment. */
const recordableStatuses = ['paid', 'shipped', 'delivered'] as const;

export interface SerialEntry {
  orderLineId: string;
  serials: readonly string[];
}

export function listOrderSerials(ctx: Ctx, orderId: string): Promise<ShipmentSerial[]> {
  return findOrderShipmentSerials(ctx.db, orderId);
}

/**
 * Records serials on the order's serial-numbered lines, in the caller's transaction; all or nothing. Each serial is
 * normalized (readSerial); a line takes at most its quantity of serials; a serial given twice, already recorded on
 * this order, or recorded as shipped on another order line (one serial is one item) is refused with the line and
 * serial named. Returns every serial recorded on the order.
 */
export async function recordOrderSerials(ctx: Ctx, input: { orderId: string; lines: readonly SerialEntry[]; staff: StaffActor }): Promise<ShipmentSerial[]> {
  const order = await getOrderDetail(ctx, input.orderId);
  if (!(recordableStatuses as readonly string[]).includes(order.status)) {
    throw new AppError('invalid_state', `Serials are recorded when an order ships; this order is ${order.status.replaceAll('_', ' ')}.`, { status: order.status });
  }
  const existing = await findOrderShipmentSerials(ctx.db, order.id);
  const seen = new Set<string>();
  const adding: { orderLineId: string; serial: string }[] = [];
  for (const entry of input.lines) {
    const line = order.lines.find((l) => l.id === entry.orderLineId);
    if (!line) throw new AppError('validation', `Order ${order.id} has no line ${entry.orderLineId}.`, { field: 'orderLineId', orderLineId: entry.orderLineId });
    if (!line.serialNumbered) throw new AppError('validation', `Line ${line.lineNo} (${line.sku}) is not a serial-numbered product; it takes no serials.`, { field: 'orderLineId', orderLineId: line.id });
    for (const raw of entry.serials) {
      const serial = readSerial(raw);
      if (seen.has(serial)) throw new AppError('validation', `Serial ${serial} is entered twice.`, { field: 'serials', serial });
      seen.add(serial);
      adding.push({ orderLineId: line.id, serial });
    }
    const onLine = existing.filter((s) => s.orderLineId === line.id).length + adding.filter((a) => a.orderLineId === line.id).length;
    if (onLine > line.quantity) {
      throw new AppError('validation', `Line ${line.lineNo} (${line.sku}) shipped ${line.quantity} ${line.quantity === 1 ? 'item' : 'items'}; ${onLine} serials would be recorded for it.`, { field: 'serials', orderLineId: line.id, quantity: line.quantity });
    }
  }
  const clashes = await findShipmentSerialsBySerial(ctx.db, adding.map((a) => a.serial));
  const clash = clashes[0];
  if (clash) {
    const where = clash.orderId === order.id ? 'on this order' : `on order ${clash.orderId}`;
    throw new AppError('already_exists', `Serial ${clash.serial} is already recorded as shipped ${where}.`, { serial: clash.serial, orderId: clash.orderId, orderLineId: clash.orderLineId });
  }
  const nowMs = ctx.clock.nowMs();
  for (const item of adding) {
    await insertShipmentSerial(ctx.db, { id: ctx.ids.next('csn'), orderId: order.id, orderLineId: item.orderLineId, memberId: order.memberId, serial: item.serial, recordedBy: input.staff.id, recordedAtMs: nowMs });
  }
  if (adding.length > 0) {
    await recordAudit(ctx, { actor: input.staff, action: 'aftersales.serials.recorded', memberId: order.memberId, subject: order.id, details: { lines: [...new Set(adding.map((a) => a.orderLineId))], count: adding.length } });
  }
  return findOrderShipmentSerials(ctx.db, order.id);
}
