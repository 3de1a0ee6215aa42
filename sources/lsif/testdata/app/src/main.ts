import { Circle, area, describe } from 'shapes';
import { lines } from './text';

const unit = new Circle({ x: 0, y: 0 }, 1);
const big = new Circle({ x: 2, y: 3 }, 10);

/** Reports both circles and their total area. */
export function report(): string {
  return lines(describe(unit), describe(big), String(area(unit, big)));
}
