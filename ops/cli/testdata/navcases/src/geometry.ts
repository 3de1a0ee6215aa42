/** A point in the plane. */
export interface Point {
  x: number;
  y: number;
}

/** The point at (0, 0). */
export const ORIGIN: Point = { x: 0, y: 0 };

/** Returns the Euclidean distance between a and b. */
export function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/** Returns p moved by (dx, dy). */
export function translate(p: Point, dx: number, dy: number): Point {
  return { x: p.x + dx, y: p.y + dy };
}
