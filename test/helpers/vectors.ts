// Vectors for the search tests (the vector index, the search preview): a seeded generator, cosine similarity, and
// the exact nearest neighbours by brute force that the index's answers are checked against.

/** A seeded xorshift generator of numbers in [0, 1): the same vectors on every run. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return d / Math.sqrt(na * nb);
}

/** The k ids nearest to q by cosine (ties by id), of those the filter lets through: the exact answer. */
export function exactNearest(rows: Map<number, Float32Array>, q: Float32Array, k: number, filter?: (id: number) => boolean): number[] {
  return [...rows]
    .filter(([id]) => !filter || filter(id))
    .map(([id, v]) => ({ id, s: cosine(q, v) }))
    .sort((a, b) => b.s - a.s || a.id - b.id)
    .slice(0, k)
    .map((h) => h.id);
}
