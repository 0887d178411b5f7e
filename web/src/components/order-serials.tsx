// The serials shipped on an order's serial-numbered lines (AS-2), on the console's order page: what is recorded, and
// a form to record more at shipment (GET/POST /agent/orders/:orderId/serials).
import { useState } from 'react';
import { aftersalesApi, type ShipmentSerial } from '../api/aftersales.ts';
import type { Order } from '../api/store.ts';
import { isValidSerial, normalizeSerial } from '../lib/serials.ts';
import { useResource } from '../lib/use-resource.ts';
import { ErrorSummary, FormInvalid, StatusMessage, SubmitButton, TextField, useForm } from './forms.tsx';
import { ErrorPanel, Loading } from './layout.tsx';


/** The serials recorded for the order's serial-numbered lines, and a form to record them at shipment. */
export function OrderSerialsSection({ order }: { order: Order }) {
  const lines = order.lines.filter((line) => line.serialNumbered);
  const recorded = useResource(() => (lines.length > 0 ? aftersalesApi.orderSerials(order.id) : Promise.resolve({ serials: [] as ShipmentSerial[] })), [order.id]);
  const form = useForm();
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<string | null>(null);
  if (lines.length === 0) return null;
  const byLine = (lineId: string) => (recorded.data?.serials ?? []).filter((serial) => serial.orderLineId === lineId);
  return (
    <section className="card stack" aria-labelledby="serials-title">
      <h2 id="serials-title">Serial numbers</h2>
      <p className="small muted">Record which serials shipped on each serial-numbered line (“SN: A1234567” on the product). Warranty claims are checked against them.</p>
      {recorded.loading && !recorded.data && <Loading label="Loading the serials…" />}
      {recorded.error !== undefined && <ErrorPanel error={recorded.error} onRetry={recorded.reload} />}
      {saved && <StatusMessage>{saved}</StatusMessage>}
      <form
        className="stack"
        noValidate
        aria-label="Record serial numbers"
        onSubmit={form.handle(async () => {
          const fields: Record<string, string> = {};
          const entries: Array<{ orderLineId: string; serials: string[] }> = [];
          for (const line of lines) {
            const text = texts[line.id] ?? '';
            const serials = text
              .split(/[\s,;]+/)
              .map(normalizeSerial)
              .filter((serial) => serial !== '');
            if (serials.length === 0) continue;
            const bad = serials.filter((serial) => !isValidSerial(serial));
            const room = line.quantity - byLine(line.id).length;
            if (bad.length > 0) fields[`serials-${line.id}`] = `${bad.join(', ')} ${bad.length === 1 ? 'is' : 'are'} not a serial: the letter A and 7 letters or digits.`;
            else if (serials.length > room) fields[`serials-${line.id}`] = `This line has ${line.quantity} ${line.quantity === 1 ? 'item' : 'items'} and ${byLine(line.id).length} recorded: at most ${room} more.`;
            else entries.push({ orderLineId: line.id, serials });
          }
          if (Object.keys(fields).length === 0 && entries.length === 0) fields[`serials-${lines[0]!.id}`] = 'Enter at least one serial number.';
          if (Object.keys(fields).length > 0) throw new FormInvalid(fields);
          const answer = await aftersalesApi.recordSerials(order.id, entries);
          recorded.set(answer);
          setTexts({});
          const count = entries.reduce((sum, entry) => sum + entry.serials.length, 0);
          setSaved(`Recorded ${count} serial ${count === 1 ? 'number' : 'numbers'}.`);
        })}
      >
        <ErrorSummary form={form} title="The serials were not recorded" />
        {lines.map((line) => {
          const current = byLine(line.id);
          const room = line.quantity - current.length;
          const recordedText = current.length > 0 ? `Recorded: ${current.map((serial) => serial.serial).join(', ')}.` : '';
          return (
            <div key={line.id} className="stack-small">
              <TextField
                form={form}
                name={`serials-${line.id}`}
                label={`${line.lineNo}. ${line.name} × ${line.quantity}`}
                hint={room > 0 ? `${recordedText} ${room === line.quantity ? `Up to ${room}` : `${room} more`}, separated by spaces or commas.`.trim() : `${recordedText} All ${line.quantity} recorded.`.trim()}
                disabled={room <= 0}
                className="code-input"
                spellCheck={false}
                autoComplete="off"
                value={texts[line.id] ?? ''}
                onValue={(value) => setTexts((all) => ({ ...all, [line.id]: value }))}
              />
            </div>
          );
        })}
        <div className="actions">
          <SubmitButton form={form} busyText="Saving…" className="button secondary">
            Record serials
          </SubmitButton>
        </div>
      </form>
    </section>
  );
}
