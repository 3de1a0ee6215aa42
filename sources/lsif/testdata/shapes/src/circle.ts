import { Point, Shape } from './shape';

/**
 * A circle given by its centre and radius.
 */
export class Circle implements Shape {
  readonly name = 'circle';

  constructor(public center: Point, public radius: number) {}

  area(): number {
    return Math.PI * this.radius * this.radius;
  }
}
