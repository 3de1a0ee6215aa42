import { Stack, geo } from './geo';

/** Builds a stack of distances. */
export function distances(xs: number[]): Stack<number> {
  const s = new Stack<number>();
  for (const x of xs) {
    s.push(geo.dist(0, x));
  }
  return s;
}
