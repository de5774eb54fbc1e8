// Writes the generated docs (docs/events.md) from the code they describe.
import { writeFileSync } from 'node:fs';
import { renderEventsDoc } from '@app/domain';

writeFileSync('docs/events.md', renderEventsDoc());
process.stdout.write('wrote docs/events.md\n');
