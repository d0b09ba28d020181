// Print the strong recommendations addressed to one country, from the start of
// the journal, then live:   node clients/node/example.mjs KZ [ENDPOINT [REPLAY]]
import { Subscriber } from './index.js';

const [country = 'KZ', endpoint = 'tcp://127.0.0.1:5560', replay = 'tcp://127.0.0.1:5561'] =
  process.argv.slice(2);
const subscriber = new Subscriber(endpoint, {
  topics: [`recommendation.${country}`],
  replayEndpoint: replay,
  since: 1,
});
subscriber.on('warning', (message) => console.error(`recwatch: ${message}`));

for await (const event of subscriber) {
  if (event.type === 'recommendation' && event.strength === 'strong') {
    console.log(`[${event.node} #${event.seq}] ${event.addressee ?? '(no addressee)'}: ${event.action ?? event.text}`);
    console.log(`    themes: ${event.themes.join(', ') || '-'}; confidence ${event.confidence.toFixed(2)}`);
  }
}
