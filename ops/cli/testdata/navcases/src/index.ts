export { Circle, Square, totalArea } from "./shapes";
export type { Shape } from "./shapes";
export * from "./geometry";
export { distance as dist } from "./geometry";
import * as shapes from "./shapes";
export { shapes };
