// Runs main() when executed directly (`node --import tsx fleet-agent/cli.ts …`): tests spawn the
// agent this way so they never race with another build rewriting dist/.
import { main } from './main.js';

await main(process.argv.slice(2));
