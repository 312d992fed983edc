// CLIP text tokenization with the model folder's own tokenizer files, through transformers.js.
import fs from 'node:fs';
import path from 'node:path';
import { PreTrainedTokenizer } from '@huggingface/transformers';

export interface TextTokenizer {
  /** Token ids and attention mask for each text, padded (with the model's pad token) or truncated to `length`. */
  encode(texts: readonly string[], length: number): { ids: BigInt64Array; mask: BigInt64Array };
}

export function loadTokenizer(modelDir: string): TextTokenizer {
  const read = (name: string) => JSON.parse(fs.readFileSync(path.join(modelDir, name), 'utf8')) as Record<string, unknown>;
  const tokenizer = new PreTrainedTokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
  return {
    encode(texts, length) {
      const ids = new BigInt64Array(texts.length * length);
      const mask = new BigInt64Array(texts.length * length);
      texts.forEach((text, i) => {
        const enc = tokenizer(text, { padding: 'max_length', max_length: length, truncation: true });
        ids.set((enc.input_ids.data as BigInt64Array).subarray(0, length), i * length);
        mask.set((enc.attention_mask.data as BigInt64Array).subarray(0, length), i * length);
      });
      return { ids, mask };
    },
  };
}
