// Runs the standalone gateway from source (spawned with `node --import tsx`), so tests can kill
// a real gateway process without depending on dist/.
import { main } from '../gateway/main.js';

await main(process.argv.slice(2));
