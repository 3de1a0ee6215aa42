import * as geo from "./geometry";

/** Anything with an area and a name. */
export interface Shape {
  area(): number;
  name(): string;
}

/** Base implements the parts every shape shares. */
export abstract class Base implements Shape {
  constructor(public center: geo.Point) {}

  abstract area(): number;

  /** The shape's name; subclasses override it. */
  name(): string {
    return "shape";
  }

  /** A one-line description. */
  describe(): string {
    return `${this.name()} at ${geo.distance(this.center, geo.ORIGIN)}`;
  }
}

/** A circle of radius r. */
export class Circle extends Base {
  constructor(center: geo.Point, public r: number) {
    super(center);
  }

  area(): number {
    return Math.PI * this.r * this.r;
  }

  name(): string {
    return "circle";
  }
}

/** A square of side s. */
export class Square extends Base {
  constructor(center: geo.Point, public s: number) {
    super(center);
  }

  area(): number {
    return this.s * this.s;
  }

  name(): string {
    return "square " + super.name();
  }
}

/** Sums the areas of shapes. */
export function totalArea(shapes: Shape[]): number {
  let sum = 0;
  for (const s of shapes) {
    sum += s.area();
  }
  return sum;
}
