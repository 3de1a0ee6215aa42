import { Shape } from './shape';

/**
 * Returns the total area of the given shapes.
 * @param shapes the shapes to measure
 */
export function area(...shapes: Shape[]): number {
  let total = 0;
  for (const s of shapes) {
    total += s.area();
  }
  return total;
}

/** Describes a shape in one line. */
export function describe(s: Shape): string {
  return `${s.name} of area ${area(s).toFixed(2)}`;
}
