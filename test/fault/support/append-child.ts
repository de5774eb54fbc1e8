// Child process of the SIGKILL test: appends as fast as it can with 16 appends in flight
// and prints "ACK <stream> <position>" for each append the store acknowledged.
import { NO_STREAM, SqliteEventStore } from '@app/event-store';

const store = SqliteEventStore.open(process.argv[2]);
let n = 0;
async function worker(w: number): Promise<void> {
  for (;;) {
    const stream = `fault-${w}-${n++}`;
    const result = await store.append(stream, [{ type: 'Acked', data: { w, n } }], NO_STREAM);
    process.stdout.write(`ACK ${stream} ${result.position}\n`);
  }
}
process.stdout.write('READY\n');
await Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
