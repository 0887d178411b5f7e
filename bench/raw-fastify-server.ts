// The ceiling of PF-9: a bare Fastify server on loopback answering a JSON body of the balance's size, with nothing
// else on the path (no cookie parsing, session, database, hooks or logging). bench/http-balance.ts runs it as a child.
import Fastify from 'fastify';

const body = { memberId: 'mem_01JBENCH0000000000000000', asOfMs: 1772470800000, available: 250, spendable: 250, pendingTotal: 0, pending: [], held: 0, expiringSoon: [], lifetimeEarned: 250, debt: 0 };
const app = Fastify({ logger: false });
app.get('/api/v1/me/credits', async () => body);
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.stdout.write('listening\n');
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
