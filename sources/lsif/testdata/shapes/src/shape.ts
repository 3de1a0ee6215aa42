/** A point in the plane. */
export interface Point {
  /** Horizontal coordinate. */
  x: number;
  /** Vertical coordinate. */
  y: number;
}

/**
 * Anything that has an area.
 */
export interface Shape {
  /** The shape's name, for display. */
  readonly name: string;
  /** Area in square units. */
  area(): number;
}
