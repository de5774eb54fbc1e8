import { readFileSync } from 'node:fs';
import { EVENT_CATALOGUE } from './catalogue.js';
import { renderEventsDoc } from './events-doc.js';

describe('docs/events.md', () => {
  it('is generated from the catalogue (run `npm run docs` after changing it)', () => {
    expect(readFileSync('docs/events.md', 'utf8')).toBe(renderEventsDoc());
  });

  it('documents every event type with an example', () => {
    const doc = renderEventsDoc();
    for (const spec of EVENT_CATALOGUE) {
      expect(doc).toContain(`### ${spec.type}\n`);
      expect(doc).toContain(`record${spec.type}`);
    }
  });

  it('has examples that satisfy their own types', async () => {
    const { validateDetails } = await import('./validate-details.js');
    for (const spec of EVENT_CATALOGUE) {
      expect({ type: spec.type, violations: validateDetails(spec, spec.example).violations }).toEqual({ type: spec.type, violations: [] });
    }
  });
});
