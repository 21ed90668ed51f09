// Deterministic text for the simulator: the same prompt (and seed) always yields the same
// answer, so caches, tests and load tests are reproducible; the words make it obvious the answer
// is not a model's.

const WORDS = (
  'simulated answer from the gpuarb fleet agent on a spot gpu replica this text is ' +
  'derived from the prompt and carries no meaning tokens stream at the profile rate'
).split(' ');

/** FNV-1a 32-bit hash. */
function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Approximate token count: ~4 characters per token, the usual rule of thumb for English BPE. */
export function approximateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The answer as output tokens (each a word, with a leading space after the first). */
export function* simulatedTokens(prompt: string, seed = 0): Generator<string, void, void> {
  let state = hashText(`${seed}:${prompt}`) || 1;
  for (let i = 0; ; i++) {
    // xorshift32: cheap and deterministic.
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    const word = WORDS[state % WORDS.length];
    yield i === 0 ? word[0].toUpperCase() + word.slice(1) : ` ${word}`;
  }
}

/** How many tokens the answer has when not cut by max_tokens: 16..63, from the prompt. */
export function naturalAnswerLength(prompt: string, seed = 0): number {
  return 16 + (hashText(`len:${seed}:${prompt}`) % 48);
}
