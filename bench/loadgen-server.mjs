// The bench's minimal OpenAI-shaped server (a child process of bench/loadgen.mjs, so it has its
// own core): answers every chat completion instantly with a fixed body and `x-gpuarb-cache: hit`,
// the fastest path a stack has. Prints its port on stdout, then serves until killed.
import { createServer } from 'node:http';

const completion = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 0,
  model: 'phi3-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'cached answer' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
});
const models = JSON.stringify({ object: 'list', data: [{ id: 'phi3-mini', object: 'model' }] });
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url === '/v1/models') return res.writeHead(200, { 'content-type': 'application/json' }).end(models);
    res
      .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(completion), 'x-gpuarb-cache': 'hit' })
      .end(completion);
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
