export { Point, Shape } from './shape';
export { Circle } from './circle';
export { area, describe } from './measure';
